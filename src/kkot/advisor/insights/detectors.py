"""The insights feed: short, ranked findings with their evidence, a link target and concrete advice.

Each detector reads the rollups (through the typed queries where one exists) and returns findings with a
``score`` (bigger = more money or more certainty at stake); the feed is sorted by score. Thresholds are chosen so
that a normal store (the bench's control store) raises nothing: every detector needs enough volume first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from kkot.advisor.models import AdSpend, ChannelDaily, ProductDaily, StoreDaily
from kkot.advisor.queries import (
    CHANNEL_LABELS,
    FunnelQuery,
    SectionClicksQuery,
    run_query,
)
from kkot.core.timeutil import seoul_today


@dataclass
class Insight:
    kind: str
    score: float
    title: str
    evidence: str
    advice: str
    chart: str  # dashboard page: sales | traffic | customers | clicks | ads | widgets
    anchor: str = ""


@dataclass
class Feed:
    items: list[Insight]
    notes: list[str]


def _sales_drop(store_id, today) -> list[Insight]:
    qs = StoreDaily.objects.filter(store_id=store_id)
    last = qs.filter(day__gt=today - dt.timedelta(days=7), day__lte=today).aggregate(r=Sum("revenue"),
                                                                                      n=Sum("orders"))
    prev = qs.filter(day__gt=today - dt.timedelta(days=35), day__lte=today - dt.timedelta(days=7)).aggregate(
        r=Sum("revenue"), n=Sum("orders"))
    base_n, base_r = (prev["n"] or 0) / 4, float(prev["r"] or 0) / 4
    now_r = float(last["r"] or 0)
    if base_n < 10 or base_r <= 0:
        return []
    change = now_r / base_r - 1
    if change > -0.3:
        return []
    return [Insight("sales_drop", 100 * -change + 20, _("최근 7일 매출이 {p:.0%} 줄었습니다").format(p=-change),
                    _("최근 7일 {now:,.0f}원, 직전 4주 주평균 {base:,.0f}원").format(now=now_r, base=base_r),
                    _("품절·가격 변경·노출 중단된 상품이 없는지 확인하고, 매출 상위 상품의 재고와 광고를 먼저 점검하세요."),
                    "sales")]


def _leaky_products(store_id, today) -> list[Insight]:
    from kkot.catalog.models import Product

    start = today - dt.timedelta(days=29)
    rows = list(ProductDaily.objects.filter(store_id=store_id, day__gte=start, day__lte=today)
                .values("product_id").annotate(v=Sum("views"), c=Sum("carts"), o=Sum("orders")))
    views = sum(r["v"] for r in rows)
    carts = sum(r["c"] for r in rows)
    if views < 500 or not rows:
        return []
    rate = carts / views
    ranked = sorted(r["v"] for r in rows)
    p90 = ranked[int(len(ranked) * 0.9)]
    out = []
    for r in rows:
        if r["v"] >= max(100, p90) and r["c"] / r["v"] < 0.25 * rate:
            out.append(r)
    names = dict(Product.objects.filter(pk__in=[r["product_id"] for r in out]).values_list("pk", "name"))
    return [Insight("product_conversion", 60 + min(30, r["v"] / 50),
                    _("'{n}' 상품은 많이 보지만 거의 사지 않습니다").format(n=names.get(r["product_id"], r["product_id"])),
                    _("최근 30일 조회 {v:,}회, 장바구니 {c:,}회 ({cr:.1%}), 결제 {o:,}건 · 스토어 평균 장바구니율 {avg:.1%}").format(
                        v=r["v"], c=r["c"], cr=r["c"] / r["v"], o=r["o"], avg=rate),
                    _("상세페이지 첫 화면(가격·배송비·사이즈 정보)과 대표 이미지를 점검하고, 리뷰를 상단에 노출하거나 "
                      "가격을 경쟁 상품과 비교해 보세요."), "sales", "products")
            for r in sorted(out, key=lambda r: -r["v"])[:3]]


def _dead_sections(store_id, today) -> list[Insight]:
    res = run_query(SectionClicksQuery(store_id, today - dt.timedelta(days=29), today))
    home = [r for r in res.rows if r.page_type == "store" and r.impressions >= 200]
    if len(home) < 2:
        return []
    median = sorted(r.ctr for r in home)[len(home) // 2]
    best = max(home, key=lambda r: r.ctr)
    return [Insight("dead_banner", 70 + min(20, r.impressions / 500),
                    _("{label}를 거의 아무도 누르지 않습니다").format(label=r.label),
                    _("노출 {i:,}회 중 클릭 {c:,}회 (클릭률 {ctr:.2%}, 하위 {p}%) · 스토어 섹션 중앙값 {m:.1%}").format(
                        i=r.impressions, c=r.clicks, ctr=r.ctr, p=max(1, r.percentile or 0), m=median),
                    _dead_section_advice(r.section, best.label), "clicks")
            for r in home if r.ctr < 0.2 * median]


def _dead_section_advice(section: str, best: str) -> str:
    """What to do about a section nobody clicks depends on what the section is."""
    if section.startswith("widget:"):
        return _("위젯을 페이지 아래쪽으로 옮기고, 추천 성과 화면에서 이 위젯에 어떤 상품이 보이는지 확인하세요. "
                 "클릭률이 가장 높은 {best} 영역을 그 자리로 올리면 첫 화면의 클릭이 늘어납니다.").format(best=best)
    if section.startswith("banner:"):
        return _("배너를 교체하거나 내리고, 클릭률이 가장 높은 {best} 영역을 그 자리로 올리세요.").format(best=best)
    return _("이 영역의 상품 수를 줄이거나 아래로 옮기고, 클릭률이 가장 높은 {best} 영역을 그 자리로 올리세요.").format(
        best=best)


# Channel findings are a statistical comparison of one channel's 유입당 결제율 with the rest of the store's tracked
# traffic over the last 30 days: a one-sided two-proportion z-test with a Bonferroni correction over the channels
# tested (family-wise error CHANNEL_ALPHA per store and direction), a minimum sample (normal approximation valid:
# at least CHANNEL_MIN_EXPECTED orders expected either way) and a material effect (relative rate below/above the
# thresholds), so that a store whose channels all convert alike raises nothing whatever its size.
CHANNEL_ALPHA = 0.01
CHANNEL_MIN_VISITS = 200
CHANNEL_MIN_EXPECTED = 10
CHANNEL_POOR_RATIO = 0.7
CHANNEL_GOOD_RATIO = 1.5
CHANNEL_GOOD_MAX_SHARE = 0.25  # "deserves more budget": a channel that is still a small part of the traffic


def _z_upper(alpha: float) -> float:
    """z with P(Z > z) = alpha (standard normal)."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - alpha)


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (95% by default)."""
    if n <= 0:
        return 0.0, 1.0
    p = min(1.0, successes / n)
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> float:
    """Pooled two-proportion z statistic of x1/n1 - x2/n2 (0 when undefined)."""
    if n1 <= 0 or n2 <= 0:
        return 0.0
    p = min(1.0, (x1 + x2) / (n1 + n2))
    se = (p * (1 - p) * (1 / n1 + 1 / n2)) ** 0.5
    return (min(1.0, x1 / n1) - min(1.0, x2 / n2)) / se if se > 0 else 0.0


def _channels(store_id, today) -> list[Insight]:
    start = today - dt.timedelta(days=29)
    res = run_query(FunnelQuery(store_id, start, today))
    tracked = [ch for ch in res.channels if ch.key]  # '' = orders without a tracked visit: no denominator
    all_v = sum(ch.visits for ch in tracked)
    all_o = sum(ch.orders for ch in tracked)
    tests = []
    for ch in tracked:
        rest_v, rest_o = all_v - ch.visits, all_o - ch.orders
        if ch.visits < CHANNEL_MIN_VISITS or rest_v < CHANNEL_MIN_VISITS or rest_o <= 0:
            continue
        rest_rate = rest_o / rest_v
        pooled = (ch.orders + rest_o) / (ch.visits + rest_v)
        if ch.visits * min(rest_rate, pooled) < CHANNEL_MIN_EXPECTED or rest_o < CHANNEL_MIN_EXPECTED:
            continue  # too few orders expected for the test to mean anything
        tests.append((ch, rest_v, rest_o, rest_rate))
    if not tests:
        return []
    z_crit = _z_upper(CHANNEL_ALPHA / len(tests))
    out = []
    for ch, rest_v, rest_o, rest_rate in tests:
        z = two_proportion_z(ch.orders, ch.visits, rest_o, rest_v)
        ratio = ch.conversion / rest_rate
        lo, hi = wilson(ch.orders, ch.visits)
        label = ch.label or CHANNEL_LABELS.get(ch.key, ch.key)  # custom channels: "채널 · 그룹 · 이름"
        evidence = _("최근 30일 {c} 방문 {v:,}회 → 결제 {o:,}건 (유입당 결제율 {cv:.2%}, 95% 구간 {lo:.2%}~{hi:.2%}) · "
                     "다른 유입 {rv:,}회 → {ro:,}건 ({rr:.2%}) · 차이 z={z:.1f}").format(
            c=label, v=ch.visits, o=ch.orders, cv=ch.conversion, lo=lo, hi=hi, rv=rest_v, ro=rest_o, rr=rest_rate, z=z)
        if z <= -z_crit and ratio <= CHANNEL_POOR_RATIO:
            out.append(Insight("channel_poor", 50 + 40 * (1 - ratio),
                               _("{c} 유입의 결제율이 다른 유입의 {r:.0%}에 그칩니다").format(c=label, r=ratio), evidence,
                               _("{c} 게시물의 링크가 관련 상품 상세로 바로 가는지 확인하고, 유입 상품에 맞는 기획전·쿠폰을 "
                                 "붙이세요. 효과가 없다면 예산을 결제율이 높은 채널로 옮기세요.").format(c=label),
                               "traffic", "channels"))
        elif (z >= z_crit and ratio >= CHANNEL_GOOD_RATIO
              and ch.visits <= CHANNEL_GOOD_MAX_SHARE * all_v):
            out.append(Insight("channel_good", 30 + 20 * min(ratio, 3),
                               _("{c} 유입은 결제율이 다른 유입의 {r:.1f}배입니다").format(c=label, r=ratio), evidence,
                               _("이 채널의 노출(광고 예산, 제휴 링크)을 늘려 보세요: 같은 방문 수라면 매출이 더 큽니다."),
                               "traffic", "channels"))
    return out


FUNNEL_NORMS = {"product_views": 0.35, "carts": 0.08, "orders": 0.2}  # floor of a healthy step rate


def _leaky_step(store_id, today) -> list[Insight]:
    res = run_query(FunnelQuery(store_id, today - dt.timedelta(days=29), today))
    if res.total.visits < 500:
        return []
    out = []
    for prev, step in zip(res.steps, res.steps[1:], strict=False):
        norm = FUNNEL_NORMS[step.key]
        if step.rate is not None and step.rate < norm:
            out.append(Insight("funnel_step", 55 + 40 * (1 - step.rate / norm),
                               _("'{a} → {b}' 단계에서 많이 이탈합니다").format(a=prev.label, b=step.label),
                               _("최근 30일 {a} {na:,} → {b} {nb:,} (전환 {r:.1%}, 권장 {n:.0%} 이상)").format(
                                   a=prev.label, na=prev.count, b=step.label, nb=step.count, r=step.rate, n=norm),
                               {"product_views": _("스토어 홈 첫 화면에 베스트 상품을 올리고 배너 수를 줄이세요."),
                                "carts": _("옵션 선택을 쉽게 하고, 배송비·도착 예정일을 가격 옆에 보여 주세요."),
                                "orders": _("장바구니 쿠폰, 무료배송 기준 안내, 간편결제를 점검하세요.")}[step.key],
                               "traffic", "funnel"))
    return out


def _stock_risk(store_id, today) -> list[Insight]:
    from kkot.catalog.models import Product

    recent = dict(ProductDaily.objects.filter(store_id=store_id, day__gt=today - dt.timedelta(days=7),
                                              day__lte=today).values("product_id").annotate(u=Sum("units"))
                  .values_list("product_id", "u"))
    before = dict(ProductDaily.objects.filter(store_id=store_id, day__gt=today - dt.timedelta(days=28),
                                              day__lte=today - dt.timedelta(days=7)).values("product_id")
                  .annotate(u=Sum("units")).values_list("product_id", "u"))
    cand = {p: u for p, u in recent.items() if u and u >= 5 and u / 7 > 1.3 * (before.get(p, 0) or 0) / 21}
    out = []
    for pid, name, stock in Product.objects.filter(pk__in=cand, store_id=store_id, status="on_sale").values_list(
            "pk", "name", "stock_total"):
        rate = cand[pid] / 7
        cover = stock / rate
        if cover < 7:
            out.append(Insight("stock_risk", 65 + 3 * (7 - cover),
                               _("'{n}' 재고가 {d:.0f}일 안에 떨어집니다").format(n=name, d=cover),
                               _("최근 7일 하루 {r:.1f}개 판매 (직전 3주 하루 {b:.1f}개) · 남은 재고 {s:,}개").format(
                                   r=rate, b=(before.get(pid, 0) or 0) / 21, s=stock),
                               _("지금 입고를 주문하세요. 입고 전까지는 광고를 줄여 품절로 인한 이탈을 막으세요."),
                               "sales", "products"))
    return out


DETECTORS = [_sales_drop, _leaky_products, _dead_sections, _channels, _leaky_step, _stock_risk]


def all_detectors() -> list:
    from kkot.advisor.insights.ads import ad_findings
    from kkot.advisor.insights.signals import complaint_findings, widget_findings

    return [*DETECTORS, ad_findings, widget_findings, complaint_findings]


FEED_CACHE_SECONDS = 600


def _feed_key(store_id: int, today: dt.date, limit: int) -> str:
    """The feed reads rollups, ad spend, raw widget events and reviews: keyed by the rollup version and the ad
    spend version, and kept FEED_CACHE_SECONDS at most (new widget clicks or reviews show within 10 minutes)."""
    import hashlib

    from django.utils.translation import get_language

    from kkot.advisor.queries.ads import AdsQuery
    from kkot.advisor.queries.base import rollup_version

    ads = AdsQuery(store_id, today, today).version()
    version = hashlib.sha1(f"{get_language()}:{rollup_version()}:{ads}".encode()).hexdigest()
    return f"advisor:feed:{store_id}:{today.isoformat()}:{limit}:{version}"


def insights_feed(*, store_id: int, today: dt.date | None = None, limit: int = 10, use_cache: bool = True) -> Feed:
    from django.core.cache import cache

    today = today or seoul_today()
    key = _feed_key(store_id, today, limit)
    if use_cache:
        hit = cache.get(key)
        if hit is not None:
            return hit
    feed = _build_feed(store_id, today, limit)
    cache.set(key, feed, FEED_CACHE_SECONDS)
    return feed


def _build_feed(store_id: int, today: dt.date, limit: int) -> Feed:
    items: list[Insight] = []
    for det in all_detectors():
        items.extend(det(store_id, today))
    items.sort(key=lambda i: -i.score)
    notes = []
    if not AdSpend.objects.filter(store_id=store_id).exists():
        notes.append(_("광고 데이터(캠페인 비용)가 없어 ROAS 분석은 건너뛰었습니다."))
    if not ChannelDaily.objects.filter(store_id=store_id).exists():
        notes.append(_("아직 집계된 방문 데이터가 없습니다."))
    return Feed(items[:limit], notes)
