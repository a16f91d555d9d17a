"""Store-page click analysis runner: CTR of every section and banner, percentile, layout advice."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum
from django.utils.translation import gettext as _

from kkot.advisor.models import SectionDaily, StoreDaily
from kkot.advisor.queries.base import RUNNERS
from kkot.advisor.queries.types import SectionClicksQuery, SectionClicksResult, SectionRow
from kkot.advisor.rollups.common import section_key


def section_label(section: str, banners: dict[int, str]) -> str:
    if section.startswith("banner:"):
        try:
            return _("배너 '{t}'").format(t=banners[int(section.split(":")[1])])
        except (KeyError, ValueError):
            return _("배너 (삭제됨)")
    if section.startswith("widget:"):
        from kkot.recommendations.selectors import WIDGETS

        name = section.split(":", 1)[1]
        if name in WIDGETS:
            return _("{t} 위젯").format(t=WIDGETS[name])
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
    res = SectionClicksResult(q, rows, advice)
    _positions_and_density(q, res)
    _layout_advice(res)
    return res


GRID_BINS = 10
SHOWN_TARGET = 8


def _positions_and_density(q: SectionClicksQuery, res: SectionClicksResult) -> None:
    """Clicks per grid position (best/new on the store home) and click positions inside sections, read from the
    raw click events of the range (clicks only, through the store/ts index)."""
    from django.db.models import Count, ExpressionWrapper, F, IntegerField

    from kkot.core.timeutil import day_bounds
    from kkot.events.models import Event
    from kkot.stores.models import StoreBanner

    lo, hi = day_bounds(q.start)[0], day_bounds(q.end)[1]
    clicks = Event.objects.filter(store_id=q.store_id, ts__gte=lo, ts__lt=hi, kind="click")
    for sec, pos, n in (clicks.filter(page_type="store", section__in=["best", "new"], position__isnull=False)
                        .values("section", "position").annotate(n=Count("id")).values_list("section", "position", "n")):
        res.positions.setdefault(sec, {})[pos] = n
    bx = ExpressionWrapper(F("click_x") / (1000 // GRID_BINS), output_field=IntegerField())
    by = ExpressionWrapper(F("click_y") / (1000 // GRID_BINS), output_field=IntegerField())
    for page, sec, x, y, n in (clicks.filter(click_x__isnull=False, click_y__isnull=False).exclude(section="")
                               .annotate(bx=bx, by=by).values("page_type", "section", "bx", "by")
                               .annotate(n=Count("id")).values_list("page_type", "section", "bx", "by", "n")):
        key = (page, section_key(sec))
        grid = res.density.setdefault(key, [[0] * GRID_BINS for _ in range(GRID_BINS)])
        grid[min(int(y), GRID_BINS - 1)][min(int(x), GRID_BINS - 1)] += n
    res.banner_order = [f"banner:{pk}" for pk in StoreBanner.objects.filter(store_id=q.store_id)
                        .order_by("position", "pk").values_list("pk", flat=True)]


def _layout_advice(res: SectionClicksResult) -> None:
    """Two more pieces of layout advice, each with the numbers behind it: how many products a grid should show
    (clicks by position), and a section that is clicked far more than the one above it."""
    from kkot.advisor.layout import STORE_ORDER

    for sec in ("best", "new"):
        by_pos = res.positions.get(sec) or {}
        total = sum(by_pos.values())
        shown = max(by_pos, default=0)
        if total < 200 or shown <= SHOWN_TARGET + 2:
            continue
        top = sum(n for p, n in by_pos.items() if p <= SHOWN_TARGET)
        tail_share = 1 - top / total
        tail_slots = (shown - SHOWN_TARGET) / shown
        if tail_share < 0.5 * tail_slots:
            res.advice.append(_("{label} 클릭의 {a:.0%}가 1~{k}번째 상품에서 나오고, {k1}~{n}번째 상품({s:.0%}의 자리)은 클릭의 "
                                "{b:.0%}뿐입니다: 한 화면에 보이는 상품 수를 {n}개에서 {k}개로 줄이고 그 자리에 다른 영역을 "
                                "올리세요.").format(label=section_label(sec, {}), a=top / total, k=SHOWN_TARGET,
                                                 k1=SHOWN_TARGET + 1, n=shown, s=tail_slots, b=tail_share))
    home = {r.section: r for r in res.rows if r.page_type == "store" and r.impressions >= 200}
    ordered = [home[s] for s in STORE_ORDER if s in home]
    for upper, lower in zip(ordered, ordered[1:], strict=False):
        if upper.ctr > 0 and lower.ctr >= 2 * upper.ctr and lower.clicks >= 30:
            res.advice.append(_("{lo}(클릭률 {b:.1%})가 바로 위의 {up}({a:.1%})보다 {r:.1f}배 잘 눌립니다: {lo} 영역을 위로 "
                                "올려 보세요.").format(lo=lower.label, b=lower.ctr, up=upper.label, a=upper.ctr,
                                                  r=lower.ctr / upper.ctr))




RUNNERS[SectionClicksQuery] = run_sections
