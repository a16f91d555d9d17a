"""Findings from the other capabilities: recommendation widgets (click-through far below the store's other
widgets; a widget that drives a real share of sales) and reviews (a complaint aspect rising).

Both are statistical comparisons with a minimum volume, so a store without such a pattern raises nothing:

- widget click-through: one-sided two-proportion z-test of the widget's clicks/impressions against the store's
  other widgets together (Bonferroni over the widgets tested, family-wise alpha WIDGET_ALPHA), and a material
  effect (at most a third of the others' click-through);
- widget sales: at least WIDGET_MIN_ORDERS orders and WIDGET_SALES_SHARE of the store's revenue in 30 days;
- rising complaint: the recent negative mentions of an aspect (14 days) against its 56-day baseline scaled to 14
  days and to the number of reviews written: a one-sided Poisson tail P(X >= recent) below COMPLAINT_ALPHA
  divided by the aspects tested, at least COMPLAINT_MIN_RECENT complaints and twice the baseline.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from kkot.advisor.insights.detectors import Insight, _z_upper, two_proportion_z
from kkot.advisor.models import StoreDaily
from kkot.core.timeutil import day_bounds

WIDGET_ALPHA = 0.01
WIDGET_MIN_IMPRESSIONS = 1000
WIDGET_LOW_RATIO = 1 / 3
WIDGET_MIN_ORDERS = 10
WIDGET_SALES_SHARE = 0.05
COMPLAINT_ALPHA = 0.001
COMPLAINT_MIN_RECENT = 5
COMPLAINT_MIN_RATIO = 2.0


def _store(store_id):
    from kkot.stores.models import Store

    return Store.objects.get(pk=store_id)


def widget_findings(store_id: int, today: dt.date) -> list[Insight]:
    from kkot.recommendations.stats import widget_stats

    rows = widget_stats(store=_store(store_id), days=30, now=day_bounds(today)[1])
    shown = [w for w in rows if w.impressions >= WIDGET_MIN_IMPRESSIONS]
    out = []
    tests = []
    for w in shown:
        rest_i = sum(o.impressions for o in shown if o is not w)
        rest_c = sum(o.clicks for o in shown if o is not w)
        if rest_i >= WIDGET_MIN_IMPRESSIONS and rest_c >= 20:
            tests.append((w, rest_i, rest_c))
    if tests:
        z_crit = _z_upper(WIDGET_ALPHA / len(tests))
        for w, rest_i, rest_c in tests:
            z = two_proportion_z(w.clicks, w.impressions, rest_c, rest_i)
            rate, rest = w.clicks / w.impressions, rest_c / rest_i
            if z <= -z_crit and rate <= WIDGET_LOW_RATIO * rest:
                out.append(
                    Insight(
                        "widget_low_ctr",
                        40 + 30 * (1 - rate / rest),
                        _("추천 위젯 '{t}'의 클릭률이 다른 위젯의 {r:.0%}에 그칩니다").format(
                            t=w.title, r=rate / rest
                        ),
                        _(
                            "최근 30일 노출 {i:,}회, 클릭 {c:,}회 (클릭률 {cr:.2%}) · 다른 위젯 {ri:,}회 노출에 {rc:,}회 클릭 "
                            "({rr:.2%}) · 차이 z={z:.1f}"
                        ).format(i=w.impressions, c=w.clicks, cr=rate, ri=rest_i, rc=rest_c, rr=rest, z=z),
                        _(
                            "이 위젯을 페이지 아래로 내리거나 끄고, 클릭률이 높은 위젯을 그 자리에 두세요. 추천 모델을 다시 학습해 보는 것도 "
                            "방법입니다."
                        ),
                        "reviews",
                        "widgets",
                    )
                )
    start = today - dt.timedelta(days=29)
    revenue = StoreDaily.objects.filter(store_id=store_id, day__gte=start, day__lte=today).aggregate(
        r=Sum("revenue")
    )["r"] or Decimal(0)
    for w in rows:
        if (
            revenue > 0
            and w.orders >= WIDGET_MIN_ORDERS
            and w.revenue >= Decimal(str(WIDGET_SALES_SHARE)) * revenue
        ):
            share = float(w.revenue / revenue)
            out.append(
                Insight(
                    "widget_drives_sales",
                    35 + min(40, 200 * share),
                    _("추천 위젯 '{t}'이 매출의 {s:.0%}를 만들고 있습니다").format(t=w.title, s=share),
                    _(
                        "최근 30일 위젯 클릭 뒤 7일 안의 주문 {o:,}건, 매출 {r:,.0f}원 (스토어 매출 {tot:,.0f}원) · 클릭률 {ctr}%"
                    ).format(o=w.orders, r=w.revenue, tot=revenue, ctr=w.ctr if w.ctr is not None else "-"),
                    _(
                        "이 위젯을 상품 상세의 더 위쪽(첫 화면)과 장바구니에도 보여 주세요. 잘 팔리는 조합으로 묶음 할인을 만들어 "
                        "보세요."
                    ),
                    "reviews",
                    "widgets",
                )
            )
    return out


def _poisson_sf(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    if k <= 0:
        return 1.0
    term = math.exp(-mean)
    cdf = term
    for i in range(1, k):
        term *= mean / i
        cdf += term
    return max(0.0, 1.0 - cdf)


def complaint_findings(store_id: int, today: dt.date) -> list[Insight]:
    try:
        from kkot.reviews.selectors import aspect_complaint_trends
    except ImportError:  # the reviews capability is not installed
        return []
    from kkot.catalog.models import Product

    trends = aspect_complaint_trends(store_id=store_id, today=today, recent_days=14, baseline_days=56)
    if not trends:
        return []
    out = []
    alpha = COMPLAINT_ALPHA / len(trends)
    for t in trends:
        base = max(float(t["baseline_negative"]), 0.5 * 14 / 56)
        volume = (t["recent_reviews"] / t["baseline_reviews"]) if t.get("baseline_reviews") else 1.0
        expected = base * max(
            volume, 1.0
        )  # more reviews written explain more complaints, fewer do not hide them
        p = _poisson_sf(t["recent_negative"], expected)
        if t["recent_negative"] < COMPLAINT_MIN_RECENT or t["ratio"] < COMPLAINT_MIN_RATIO or p >= alpha:
            continue
        names = list(
            Product.objects.filter(pk__in=t["product_ids"][:3], store_id=store_id).values_list(
                "name", flat=True
            )
        )
        out.append(
            Insight(
                "complaint_rising",
                55 + min(35, 5 * t["ratio"]),
                _("리뷰에서 '{a}' 불만이 늘고 있습니다").format(a=t["aspect"]),
                _(
                    "최근 14일 '{a}' 부정 리뷰 {n:,}건 · 직전 8주 같은 기간 환산 {b:.1f}건 ({r:.1f}배) · 주로 {p}"
                ).format(
                    a=t["aspect"],
                    n=t["recent_negative"],
                    b=t["baseline_negative"],
                    r=t["ratio"],
                    p=", ".join(names) or "-",
                ),
                _(
                    "해당 리뷰를 읽고 원인(상품 불량, 사이즈 안내, 포장·배송)을 찾아 상세페이지 안내를 고치거나 공급처에 알리세요. "
                    "불만 리뷰에는 답글로 조치를 알려 주세요."
                ),
                "reviews",
                "complaints",
            )
        )
    return out
