"""Ad findings: a campaign below its target ROAS, and a campaign above target that its daily budget holds back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from kkot.advisor.insights.detectors import Insight
from kkot.advisor.queries.ads import AdsQuery
from kkot.advisor.queries.base import run_query

AD_MIN_SPEND = Decimal(100_000)  # 30 days; less says too little
AD_MIN_CLICKS = 50
AD_BELOW_RATIO = 0.8  # ROAS under 80% of target: not noise around the target
AD_ABOVE_RATIO = 1.2
AD_MIN_ORDERS_ABOVE = 5


def ad_findings(store_id: int, today: dt.date) -> list[Insight]:
    res = run_query(AdsQuery(store_id, today - dt.timedelta(days=29), today))
    moves = {m.from_id: m for m in res.advice}
    out = []
    for c in res.campaigns:
        if c.spend < AD_MIN_SPEND or c.clicks < AD_MIN_CLICKS or c.roas is None:
            continue
        evidence = _(
            "최근 30일 광고비 {s:,.0f}원, 광고 클릭 {k:,}회, 광고 기여 주문 {o:,}건 · 매출 {r:,.0f}원 "
            "(ROAS {roas:,.0f}%, 목표 {t:,}%)"
        ).format(s=c.spend, k=c.clicks, o=c.orders, r=c.revenue, roas=c.roas, t=c.target_roas)
        if c.roas < AD_BELOW_RATIO * c.target_roas:
            move = moves.get(c.campaign_id)
            advice = move.text if move else _("키워드·소재를 점검하고 입찰가를 낮추거나 예산을 줄이세요.")
            out.append(
                Insight(
                    "ad_below_target",
                    60 + 30 * (1 - c.roas / c.target_roas),
                    _("광고 캠페인 '{n}'의 ROAS가 목표의 {p:.0%}에 그칩니다").format(
                        n=c.label, p=c.roas / c.target_roas
                    ),
                    evidence,
                    advice,
                    "ads",
                    f"campaign-{c.campaign_id}",
                )
            )
        elif (
            c.roas >= AD_ABOVE_RATIO * c.target_roas and c.budget_limited and c.orders >= AD_MIN_ORDERS_ABOVE
        ):
            extra = c.daily_budget * Decimal("0.3")
            out.append(
                Insight(
                    "ad_budget_limited",
                    45 + min(30, 10 * c.roas / c.target_roas),
                    _("광고 캠페인 '{n}'은 목표 ROAS를 넘는데 일 예산에 막혀 있습니다").format(n=c.label),
                    evidence
                    + _(" · {d}일 중 대부분 일 예산 {b:,.0f}원을 다 썼습니다").format(
                        d=c.spend_days, b=c.daily_budget
                    ),
                    _(
                        "일 예산을 {x:,.0f}원 늘리면, ROAS가 유지될 때 하루 매출이 약 {g:,.0f}원 늘어납니다."
                    ).format(x=extra, g=extra * Decimal(str(c.roas)) / 100),
                    "ads",
                    f"campaign-{c.campaign_id}",
                )
            )
    return out
