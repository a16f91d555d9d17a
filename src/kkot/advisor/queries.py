"""Typed query objects and their runners (PostHog style): ``run_query(SalesQuery(...)) -> SalesResult``.

A query is a frozen dataclass (its fields are the whole question); a runner reads the rollup tables first and
returns a typed, picklable result. Results are cached under a key made of the query and the rollup version
(the last time any rollup day was rebuilt), so a rebuild invalidates every cached answer at once.

Privacy: customer breakdowns hide any cell with fewer than ``K_MIN`` customers (k-anonymity) *inside the result*,
so pages, the API and exports cannot show what the result does not contain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Min, Sum
from django.utils.translation import gettext as _

from kkot.advisor.models import ChannelDaily, KeywordDaily, ProductDaily, RollupDay, SectionDaily, StoreDaily
from kkot.core.errors import ValidationError
from kkot.core.timeutil import day_bounds, seoul_today

K_MIN = 20
MAX_RANGE_DAYS = 3 * 366
CACHE_SECONDS = 3600
ZERO = Decimal(0)
CHANNEL_LABELS = {"direct": "직접 유입", "search": "검색", "social": "소셜", "ad": "광고", "referral": "외부 링크",
                  "": "추적 안 됨"}


# -- queries ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateRange:
    store_id: int
    start: dt.date
    end: dt.date  # inclusive

    def validate(self) -> None:
        validate_range(self.start, self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def validate_range(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ValidationError(_("시작일이 종료일보다 늦습니다. 기간을 다시 선택해 주세요."), code="date_range_reversed",
                              details={"start": start.isoformat(), "end": end.isoformat()})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError(_("조회 기간은 최대 3년(1,098일)까지 선택할 수 있습니다."), code="date_range_too_long")
    if start.year < 2000 or end > seoul_today() + dt.timedelta(days=366):
        raise ValidationError(_("조회할 수 없는 날짜입니다. 2000년 이후, 1년 이내의 날짜를 선택해 주세요."),
                              code="date_range_absurd")


def parse_range(*, store_id: int, start: str | None, end: str | None, default_days: int = 30) -> DateRange:
    """``YYYY-MM-DD`` strings from a form or URL; missing -> the last ``default_days`` days ending today."""
    today = seoul_today()
    try:
        e = dt.date.fromisoformat(end) if end else today
        s = dt.date.fromisoformat(start) if start else e - dt.timedelta(days=default_days - 1)
    except ValueError as exc:
        raise ValidationError(_("날짜 형식이 올바르지 않습니다. 예: 2026-11-01"), code="date_invalid") from exc
    r = DateRange(store_id, s, e)
    r.validate()
    return r


@dataclass(frozen=True)
class SalesQuery(DateRange):
    interval: str = "day"  # day | week | month
    compare: str | None = "previous"  # previous | last_year | None

    def validate(self) -> None:
        super().validate()
        if self.interval not in ("day", "week", "month"):
            raise ValidationError(_("집계 단위는 일/주/월 중에서 선택해 주세요."), code="interval_invalid")
        if self.compare not in ("previous", "last_year", None):
            raise ValidationError(_("비교 기준은 이전 기간 또는 작년 같은 기간이어야 합니다."), code="compare_invalid")

    def compare_range(self) -> tuple[dt.date, dt.date] | None:
        if self.compare == "previous":
            return self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1)
        if self.compare == "last_year":
            return _minus_year(self.start), _minus_year(self.end)
        return None


@dataclass(frozen=True)
class FunnelQuery(DateRange):
    keywords: int = 20


@dataclass(frozen=True)
class CustomersQuery(DateRange):
    pass


@dataclass(frozen=True)
class SectionClicksQuery(DateRange):
    pass


def _minus_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year - 1, day=28)


# -- results ---------------------------------------------------------------------------------------------------
@dataclass
class SalesTotals:
    revenue: Decimal = ZERO
    refunds: Decimal = ZERO
    orders: int = 0
    refund_count: int = 0

    @property
    def net(self) -> Decimal:
        return self.revenue - self.refunds

    @property
    def aov(self) -> Decimal:
        """객단가: revenue per paid order (KRW, rounded)."""
        return (self.revenue / self.orders).quantize(Decimal(1)) if self.orders else ZERO


@dataclass
class SalesPoint:
    period: dt.date
    totals: SalesTotals


@dataclass
class ProductSales:
    product_id: int
    name: str
    units: int
    orders: int
    revenue: Decimal
    views: int


@dataclass
class SalesResult:
    query: SalesQuery
    totals: SalesTotals
    points: list[SalesPoint]
    compare_totals: SalesTotals | None
    compare_points: list[SalesPoint]
    top_products: list[ProductSales]

    def change(self, attr: str) -> float | None:
        """Relative change vs the comparison period (0.12 = +12%), None without a base."""
        if self.compare_totals is None:
            return None
        base, now = getattr(self.compare_totals, attr), getattr(self.totals, attr)
        return float((now - base) / base) if base else None


@dataclass
class FunnelStep:
    key: str
    label: str
    count: int
    rate: float | None  # from the previous step


@dataclass
class FunnelRow:
    key: str
    label: str
    visits: int
    pv_sessions: int
    cart_sessions: int
    orders: int
    revenue: Decimal = ZERO

    @property
    def conversion(self) -> float:
        """유입당 결제율: orders per visit."""
        return self.orders / self.visits if self.visits else 0.0

    @property
    def conversion_pct(self) -> str:
        return f"{self.conversion:.2%}"


@dataclass
class FunnelResult:
    query: FunnelQuery
    steps: list[FunnelStep]
    total: FunnelRow
    channels: list[FunnelRow]
    keywords: list[FunnelRow]


@dataclass
class Cell:
    label: str
    customers: int | None  # None = hidden (fewer than K_MIN)
    share: float | None
    note: str = ""

    @property
    def hidden(self) -> bool:
        return self.customers is None

    @property
    def share_pct(self) -> str:
        return "" if self.share is None else f"{self.share:.1%}"


@dataclass
class CustomersResult:
    query: CustomersQuery
    customers: int
    new: Cell
    returning: Cell
    regulars: Cell
    rfm: list[Cell]
    gender: list[Cell]
    age: list[Cell]
    life_stage: list[Cell]
    k_min: int = K_MIN
    hidden_cells: int = 0

    @property
    def headline(self) -> list[Cell]:
        return [self.new, self.returning, self.regulars]


@dataclass
class SectionRow:
    page_type: str
    section: str
    label: str
    impressions: int
    clicks: int
    percentile: int | None = None  # rank among all stores' sections of the same page (0 = lowest)

    @property
    def ctr(self) -> float:
        return self.clicks / self.impressions if self.impressions else 0.0

    @property
    def ctr_pct(self) -> str:
        return f"{self.ctr:.2%}"


@dataclass
class SectionClicksResult:
    query: SectionClicksQuery
    rows: list[SectionRow]
    advice: list[str] = field(default_factory=list)


# -- runner + cache --------------------------------------------------------------------------------------------
def rollup_version() -> str:
    agg = RollupDay.objects.aggregate(m=Max("built_at"), n=Count("id"))
    return f"{agg['m'].timestamp() if agg['m'] else 0}:{agg['n']}"


def cache_key(query) -> str:
    raw = f"{type(query).__name__}:{sorted(asdict(query).items())!r}"
    return "advisor:" + hashlib.sha1(raw.encode()).hexdigest() + ":" + rollup_version()


def run_query(query, *, use_cache: bool = True):
    """Validate, then answer from the cache or the query's runner."""
    query.validate()
    runner = RUNNERS[type(query)]
    if not use_cache:
        return runner(query)
    key = cache_key(query)
    hit = cache.get(key)
    if hit is not None:
        return hit
    result = runner(query)
    cache.set(key, result, CACHE_SECONDS)
    return result


# -- sales -----------------------------------------------------------------------------------------------------
def _bucket(day: dt.date, interval: str) -> dt.date:
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _sales_points(store_id, start, end, interval) -> tuple[SalesTotals, list[SalesPoint]]:
    rows = (StoreDaily.objects.filter(store_id=store_id, day__gte=start, day__lte=end)
            .values_list("day", "revenue", "refunds", "orders", "refund_count"))
    buckets: dict[dt.date, SalesTotals] = {}
    d = start
    while d <= end:  # every period present, zero when nothing happened
        buckets.setdefault(_bucket(d, interval), SalesTotals())
        d += dt.timedelta(days=1)
    total = SalesTotals()
    for day, rev, ref, n, rn in rows:
        for t in (buckets[_bucket(day, interval)], total):
            t.revenue += rev
            t.refunds += ref
            t.orders += n
            t.refund_count += rn
    return total, [SalesPoint(k, v) for k, v in sorted(buckets.items())]


def run_sales(q: SalesQuery) -> SalesResult:
    from kkot.catalog.models import Product

    totals, points = _sales_points(q.store_id, q.start, q.end, q.interval)
    cmp_totals, cmp_points = None, []
    cr = q.compare_range()
    if cr:
        cmp_totals, cmp_points = _sales_points(q.store_id, cr[0], cr[1], q.interval)
    top = list(ProductDaily.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end)
               .values("product_id").annotate(units=Sum("units"), orders=Sum("orders"), revenue=Sum("revenue"),
                                              views=Sum("views"))
               .filter(units__gt=0).order_by("-revenue", "product_id")[:20])
    names = dict(Product.objects.filter(pk__in=[t["product_id"] for t in top]).values_list("pk", "name"))
    products = [ProductSales(t["product_id"], names.get(t["product_id"], f"#{t['product_id']}"), t["units"],
                             t["orders"], t["revenue"], t["views"]) for t in top]
    return SalesResult(q, totals, points, cmp_totals, cmp_points, products)


# -- funnel ----------------------------------------------------------------------------------------------------
def run_funnel(q: FunnelQuery) -> FunnelResult:
    s = StoreDaily.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end).aggregate(
        visits=Sum("visits"), pv=Sum("pv_sessions"), cart=Sum("cart_sessions"), orders=Sum("orders"),
        revenue=Sum("revenue"))
    total = FunnelRow("all", _("전체"), s["visits"] or 0, s["pv"] or 0, s["cart"] or 0, s["orders"] or 0,
                      s["revenue"] or ZERO)
    steps, prev = [], None
    for key, label, n in (("visits", _("방문"), total.visits), ("product_views", _("상품 조회"), total.pv_sessions),
                          ("carts", _("장바구니"), total.cart_sessions), ("orders", _("결제"), total.orders)):
        steps.append(FunnelStep(key, label, n, (n / prev if prev else None) if prev is not None else None))
        prev = n
    channels = [FunnelRow(r["channel"], CHANNEL_LABELS.get(r["channel"], r["channel"]), r["v"] or 0, r["pv"] or 0,
                          r["c"] or 0, r["o"] or 0, r["rev"] or ZERO)
                for r in ChannelDaily.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end)
                .values("channel").annotate(v=Sum("visits"), pv=Sum("pv_sessions"), c=Sum("cart_sessions"),
                                            o=Sum("orders"), rev=Sum("revenue")).order_by("-v", "channel")]
    keywords = [FunnelRow(r["query"], r["query"], r["s"] or 0, r["s"] or 0, r["c"] or 0, r["o"] or 0)
                for r in KeywordDaily.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end)
                .values("query").annotate(s=Sum("sessions"), c=Sum("cart_sessions"), o=Sum("orders"))
                .order_by("-s", "query")[:q.keywords]]
    return FunnelResult(q, steps, total, channels, keywords)


# -- customers -------------------------------------------------------------------------------------------------
LIFE_STAGES = {  # category slug (any level) -> life stage
    "kids": "영유아 자녀 가구", "pet": "반려동물 가구", "furniture-main": "신혼·새 살림 가구", "bedding": "신혼·새 살림 가구",
    "kitchen": "신혼·새 살림 가구", "meal-kit": "1인 가구", "snack": "1인 가구",
}


def _cell(label: str, n: int, total: int, note: str = "") -> Cell:
    if n < K_MIN:
        return Cell(label, None, None, note)
    return Cell(label, n, n / total if total else 0.0, note)


def _stage_of_category() -> dict[int, str]:
    from kkot.catalog.models import Category

    cats = {c.pk: c for c in Category.objects.only("pk", "slug", "parent_id")}
    out = {}
    for pk, c in cats.items():
        node = c
        while node is not None:
            if node.slug in LIFE_STAGES:
                out[pk] = LIFE_STAGES[node.slug]
                break
            node = cats.get(node.parent_id)
    return out


def run_customers(q: CustomersQuery) -> CustomersResult:
    from kkot.accounts.models import User
    from kkot.orders.models import Order, OrderLine

    start, _e = day_bounds(q.start)
    _s, end = day_bounds(q.end)
    paid = Order.objects.filter(store_id=q.store_id, paid_at__isnull=False)
    buyers = dict(paid.filter(paid_at__gte=start, paid_at__lt=end).values("user_id")
                  .annotate(n=Count("id"), m=Sum("total"), last=Max("paid_at")).values_list("user_id", "n"))
    total = len(buyers)
    before = set(paid.filter(paid_at__lt=start, user_id__in=buyers).values_list("user_id", flat=True).distinct())
    year = paid.filter(paid_at__gte=end - dt.timedelta(days=365), paid_at__lt=end, user_id__in=buyers)
    stats = {r["user_id"]: r for r in year.values("user_id").annotate(f=Count("id"), m=Sum("total"),
                                                                     last=Max("paid_at"), first=Min("paid_at"))}
    regular = sum(1 for r in stats.values() if r["f"] >= 3)
    segs: dict[str, int] = defaultdict(int)
    for r in stats.values():
        rec = (end - r["last"]).days
        if r["f"] >= 3 and rec <= 30:
            segs["챔피언 (최근·자주 구매)"] += 1
        elif r["f"] >= 3:
            segs["충성 고객 (연 3회 이상)"] += 1
        elif r["f"] == 2 and rec <= 60:
            segs["성장 고객 (재구매)"] += 1
        elif r["f"] == 1 and rec <= 30:
            segs["신규 고객 (최근 첫 구매)"] += 1
        elif rec > 90:
            segs["이탈 위험 (90일 이상 미구매)"] += 1
        else:
            segs["일반 고객"] += 1
    profiles = User.objects.filter(pk__in=buyers).values_list("gender", "birth_year")
    gender: dict[str, int] = defaultdict(int)
    age: dict[str, int] = defaultdict(int)
    this_year = q.end.year
    for g, by in profiles:
        gender[{"F": "여성", "M": "남성"}.get(g, "밝히지 않음")] += 1
        if by is None:
            age["밝히지 않음"] += 1
        else:
            band = max(10, min(60, (this_year - by) // 10 * 10))
            age[f"{band}대" + (" 이상" if band == 60 else "")] += 1
    stage_of = _stage_of_category()
    per_user: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for uid, cat in (OrderLine.objects.filter(order__in=year).values_list("order__user_id", "product__category_id")):
        st = stage_of.get(cat)
        if st:
            per_user[uid][st] += 1
    stage_n: dict[str, int] = defaultdict(int)
    stage_conf: dict[str, list] = defaultdict(list)
    for counts in per_user.values():
        st, n = max(counts.items(), key=lambda kv: kv[1])
        stage_n[st] += 1
        stage_conf[st].append(min(0.9, 0.4 + 0.2 * (n - 1)))  # 1 purchase 40%, 2: 60%, 3: 80%, cap 90%
    cells_rfm = [_cell(k, v, total) for k, v in sorted(segs.items(), key=lambda kv: -kv[1])]
    cells_g = [_cell(k, v, total) for k, v in sorted(gender.items())]
    cells_a = [_cell(k, v, total) for k, v in sorted(age.items())]
    cells_l = [_cell(k, v, total, _("추정 신뢰도 {p:.0%}").format(p=sum(stage_conf[k]) / len(stage_conf[k])))
               for k, v in sorted(stage_n.items(), key=lambda kv: -kv[1])]
    returning = sum(1 for u in buyers if u in before)
    res = CustomersResult(q, total, _cell(_("신규 고객"), total - returning, total),
                          _cell(_("재구매 고객"), returning, total), _cell(_("단골 (최근 1년 3회 이상)"), regular, total),
                          cells_rfm, cells_g, cells_a, cells_l)
    res.hidden_cells = sum(c.hidden for c in [res.new, res.returning, res.regulars, *cells_rfm, *cells_g, *cells_a,
                                               *cells_l])
    if total < K_MIN:  # a total under k is itself a small cell
        res.customers = 0
    return res


# -- sections --------------------------------------------------------------------------------------------------
def section_label(section: str, banners: dict[int, str]) -> str:
    if section.startswith("banner:"):
        try:
            return _("배너 '{t}'").format(t=banners[int(section.split(":")[1])])
        except (KeyError, ValueError):
            return _("배너 (삭제됨)")
    fixed = {"best": _("베스트 상품"), "new": _("신상품"), "category": _("카테고리 메뉴"), "search": _("검색 결과"),
             "list": _("상품 목록"), "widget:viewed_together": _("함께 본 상품 위젯")}
    return fixed.get(section, section)


def _section_rows(store_id: int | None, start, end) -> list[SectionRow]:
    from kkot.stores.models import StoreBanner

    qs = SectionDaily.objects.filter(day__gte=start, day__lte=end)
    sq = StoreDaily.objects.filter(day__gte=start, day__lte=end)
    if store_id is not None:
        qs, sq = qs.filter(store_id=store_id), sq.filter(store_id=store_id)
    shown = {r["store_id"]: r for r in sq.values("store_id").annotate(
        home=Sum("home_views"), pv=Sum("product_views"), search=Sum("searches"))}
    banners = dict(StoreBanner.objects.filter(**({"store_id": store_id} if store_id else {}))
                   .values_list("pk", "title"))
    rows = []
    for r in qs.values("store_id", "page_type", "section").annotate(i=Sum("impressions"), c=Sum("clicks")):
        imp = r["i"]
        if not imp:  # no explicit impressions: every view of the page shows the section
            base = shown.get(r["store_id"], {})
            imp = {"store": base.get("home"), "product": base.get("pv"), "search": base.get("search")}.get(
                r["page_type"]) or 0
        if imp < r["c"]:
            imp = r["c"]
        row = SectionRow(r["page_type"], r["section"], section_label(r["section"], banners), imp, r["c"])
        row.store_id = r["store_id"]
        rows.append(row)
    if store_id is not None:  # an active banner nobody clicked still has its impressions
        seen = {r.section for r in rows}
        home = (shown.get(store_id) or {}).get("home") or 0
        from kkot.stores.models import StoreBanner as SB

        for pk in SB.objects.filter(store_id=store_id, is_active=True).values_list("pk", flat=True):
            if f"banner:{pk}" not in seen and home:
                row = SectionRow("store", f"banner:{pk}", section_label(f"banner:{pk}", banners), home, 0)
                row.store_id = store_id
                rows.append(row)
    return rows


def run_sections(q: SectionClicksQuery) -> SectionClicksResult:
    platform = [r for r in _section_rows(None, q.start, q.end) if r.impressions >= 100]
    rows = [r for r in _section_rows(q.store_id, q.start, q.end)]
    by_page: dict[str, list[float]] = defaultdict(list)
    for r in platform:
        by_page[r.page_type].append(r.ctr)
    for r in rows:
        ctrs = by_page.get(r.page_type) or [r.ctr]
        r.percentile = round(100 * sum(1 for c in ctrs if c < r.ctr) / len(ctrs))
    rows.sort(key=lambda r: (r.page_type != "store", -r.ctr))
    advice = []
    home = [r for r in rows if r.page_type == "store" and r.impressions >= 200]
    if home:
        best = max(home, key=lambda r: r.ctr)
        median = sorted(r.ctr for r in home)[len(home) // 2]
        for r in sorted(home, key=lambda r: r.ctr):
            if r.ctr < 0.2 * median or (r.percentile is not None and r.percentile <= 10 and r.ctr < 0.5 * median):
                advice.append(_("{label}는 노출 대비 클릭률 {ctr:.2%}로 하위 {p}%입니다 (이 스토어 섹션 중앙값 {m:.1%}): "
                                "교체하거나 {best} 영역을 위로 올리세요.").format(
                    label=r.label, ctr=r.ctr, p=max(r.percentile or 0, 1), m=median, best=best.label))
    return SectionClicksResult(q, rows, advice)


RUNNERS = {SalesQuery: run_sales, FunnelQuery: run_funnel, CustomersQuery: run_customers,
           SectionClicksQuery: run_sections}
