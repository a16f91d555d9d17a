"""``AdsQuery``: ROAS per campaign, keyword and product over a date range, daily spend vs revenue, budget advice."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from kkot.advisor.ads.attribution import AdRow, ad_rows
from kkot.advisor.models import AdDaily, AdSpend, Campaign, RollupDay
from kkot.advisor.queries.base import RUNNERS, DateRange
from kkot.advisor.rollups.ads import ROLLUP_SCHEMA
from kkot.advisor.rollups.common import runs

ZERO = Decimal(0)
MIN_ADVICE_SPEND = Decimal(10_000)  # below this a campaign's ROAS says too little to move money
BUDGET_LIMITED_SHARE = 0.7  # share of spend days at >= 95% of the daily budget
MAX_MOVE_SHARE = Decimal("0.5")


def roas_pct(revenue: Decimal, spend: Decimal) -> float | None:
    """ROAS in % (300.0 = revenue three times the spend); None without spend."""
    return float(revenue / spend * 100) if spend else None


@dataclass(frozen=True)
class AdsQuery(DateRange):
    def version(self) -> str:
        """Spend and campaigns change outside the rollups: part of the cache key."""
        s = AdSpend.objects.filter(store_id=self.store_id).aggregate(n=Count("id"), m=Max("updated_at"))
        c = Campaign.objects.filter(store_id=self.store_id).aggregate(n=Count("id"), m=Max("updated_at"))
        return f"{s['n']}:{s['m']}:{c['n']}:{c['m']}"


@dataclass
class RoasRow:
    key: str
    label: str
    spend: Decimal = ZERO
    clicks: int = 0
    orders: int = 0
    revenue: Decimal = ZERO

    @property
    def roas(self) -> float | None:
        return roas_pct(self.revenue, self.spend)

    @property
    def roas_pct(self) -> str:
        return "-" if self.roas is None else f"{self.roas:,.0f}%"


@dataclass
class CampaignRow(RoasRow):
    campaign_id: int = 0
    channel: str = ""
    target_roas: int = 0
    daily_budget: Decimal | None = None
    budget_limited: bool = False
    spend_days: int = 0

    @property
    def status(self) -> str:
        if self.roas is None:
            return "no_spend"
        return "below" if self.roas < self.target_roas else "above"


@dataclass
class BudgetMove:
    from_id: int
    from_name: str
    to_id: int | None
    to_name: str
    amount: Decimal
    expected_revenue_change: Decimal
    text: str


@dataclass
class AdsResult:
    query: AdsQuery
    campaigns: list[CampaignRow]
    keywords: list[RoasRow]
    products: list[RoasRow]
    days: list[tuple[dt.date, Decimal, Decimal]]  # day, spend, attributed revenue
    total: RoasRow
    advice: list[BudgetMove] = field(default_factory=list)


def _round_down_1000(x: Decimal) -> Decimal:
    return (x / 1000).quantize(Decimal(1), rounding=ROUND_DOWN) * 1000


def budget_advice(campaigns: list[CampaignRow]) -> list[BudgetMove]:
    """Move spend from campaigns below their target ROAS to the best campaign above its target.

    The amount moved is the under-performing campaign's spend times how far it is below target (at most half);
    the expected effect assumes each campaign keeps its current ROAS on the moved money:
    ``amount x (ROAS_to - ROAS_from)``. Budget-limited campaigns above target are preferred as receivers.
    """
    spent = [c for c in campaigns if c.roas is not None and c.spend >= MIN_ADVICE_SPEND]
    below = sorted((c for c in spent if c.status == "below"), key=lambda c: c.roas)
    above = sorted((c for c in spent if c.status == "above"), key=lambda c: (not c.budget_limited, -c.roas))
    out = []
    for b in below:
        share = min(MAX_MOVE_SHARE, Decimal(1) - Decimal(str(b.roas)) / Decimal(b.target_roas or 1))
        amount = _round_down_1000(b.spend * share)
        if amount <= 0:
            continue
        if above:
            a = above[0]
            gain = (amount * Decimal(str(a.roas - b.roas)) / 100).quantize(Decimal(1))
            text = _(
                "'{b}'(ROAS {rb:,.0f}%, 목표 {tb:,}%)의 광고비 {amt:,.0f}원을 '{a}'(ROAS {ra:,.0f}%, 목표 {ta:,}%)"
                "로 옮기면, 두 캠페인의 ROAS가 지금과 같다고 볼 때 같은 광고비로 매출이 약 {g:,.0f}원 늘어납니다."
            ).format(
                b=b.label,
                rb=b.roas,
                tb=b.target_roas,
                amt=amount,
                a=a.label,
                ra=a.roas,
                ta=a.target_roas,
                g=gain,
            )
            out.append(BudgetMove(b.campaign_id, b.label, a.campaign_id, a.label, amount, gain, text))
        else:
            loss = (amount * Decimal(str(b.roas)) / 100).quantize(Decimal(1))
            text = _(
                "'{b}'(ROAS {rb:,.0f}%, 목표 {tb:,}%)의 광고비를 {amt:,.0f}원 줄이면 매출은 약 {l:,.0f}원 줄지만 "
                "광고비가 그보다 {s:,.0f}원 더 절약됩니다. 목표를 넘는 캠페인이 생기면 그쪽으로 옮기세요."
            ).format(b=b.label, rb=b.roas, tb=b.target_roas, amt=amount, l=loss, s=amount - loss)
            out.append(BudgetMove(b.campaign_id, b.label, None, "", amount, -loss, text))
    return out


def ad_cells(*, store_id: int, start: dt.date, end: dt.date, use_rollup: bool = True) -> dict[tuple, AdRow]:
    """The ads cells (day, grain, campaign, keyword, product) of ``start..end``: ``AdDaily`` rows for days the
    rollup job has built, the same cells computed from the raw rows (:func:`ad_rows`) for the others."""
    built = set()
    if use_rollup:
        built = set(
            RollupDay.objects.filter(day__gte=start, day__lte=end, schema__gte=ROLLUP_SCHEMA).values_list(
                "day", flat=True
            )
        )
    out: dict[tuple, AdRow] = {}
    if built:
        for day, grain, cid, kw, pid, c, o, rev in AdDaily.objects.filter(
            store_id=store_id, day__gte=start, day__lte=end
        ).values_list("day", "grain", "campaign_id", "keyword", "product_id", "clicks", "orders", "revenue"):
            if day in built:
                out[(day, grain, cid, kw, pid)] = AdRow(c, o, rev)
    todo = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    for run in runs([d for d in todo if d not in built]):
        out.update(ad_rows(store_id=store_id, start=run[0], end=run[-1]))
    return out


def run_ads(q: AdsQuery) -> AdsResult:
    from kkot.catalog.models import Product

    camps = {c.pk: c for c in Campaign.objects.filter(store_id=q.store_id)}
    spend = list(
        AdSpend.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end).values_list(
            "campaign_id", "day", "keyword", "product_id", "amount"
        )
    )
    cells = ad_cells(store_id=q.store_id, start=q.start, end=q.end)
    clicks: dict[int, int] = defaultdict(int)
    kw_clicks: dict[tuple, int] = defaultdict(int)
    for (_d, grain, cid, kw, _p), c in cells.items():
        if grain == "c":
            clicks[cid] += c.clicks
        elif grain == "k":
            kw_clicks[(cid, kw)] += c.clicks

    rows = {
        pk: CampaignRow(
            str(pk),
            c.name,
            campaign_id=pk,
            channel=c.get_channel_display(),
            target_roas=c.target_roas,
            daily_budget=c.daily_budget,
            clicks=clicks.get(pk, 0),
        )
        for pk, c in camps.items()
    }
    kws: dict[tuple, RoasRow] = {}
    prods: dict[tuple, RoasRow] = {}
    per_day: dict[dt.date, list] = defaultdict(lambda: [ZERO, ZERO])
    day_spend: dict[tuple, Decimal] = defaultdict(Decimal)
    for cid, day, kw, pid, amount in spend:
        r = rows[cid]
        r.spend += amount
        per_day[day][0] += amount
        day_spend[(cid, day)] += amount
        if kw:
            k = kws.setdefault(
                (cid, kw), RoasRow(kw, f"{r.label} · {kw}", clicks=kw_clicks.get((cid, kw), 0))
            )
            k.spend += amount
        pid = pid or (camps[cid].product_id or 0)
        if pid:
            prods.setdefault((cid, pid), RoasRow(str(pid), r.label)).spend += amount
    for (day, grain, cid, kw, pid), c in cells.items():
        if cid not in rows:
            continue
        if grain == "c":
            r = rows[cid]
            r.orders += c.orders
            r.revenue += c.revenue
            per_day[day][1] += c.revenue
        elif grain == "k" and (cid, kw) in kws:
            kws[(cid, kw)].orders += c.orders
            kws[(cid, kw)].revenue += c.revenue
        elif grain == "p" and (cid, pid) in prods:
            prods[(cid, pid)].orders += c.orders
            prods[(cid, pid)].revenue += c.revenue
    names = dict(Product.objects.filter(pk__in={pid for _c, pid in prods}).values_list("pk", "name"))
    for (cid, pid), p in prods.items():
        p.label = f"{rows[cid].label} · {names.get(pid, f'#{pid}')}"
    for r in rows.values():
        days = [a for (cid, _d), a in day_spend.items() if cid == r.campaign_id and a > 0]
        r.spend_days = len(days)
        if r.daily_budget and len(days) >= 7:
            full = sum(1 for a in days if a >= r.daily_budget * Decimal("0.95"))
            r.budget_limited = full >= BUDGET_LIMITED_SHARE * len(days)
    campaigns = sorted(rows.values(), key=lambda r: (-r.spend, r.campaign_id))
    total = RoasRow(
        "all",
        _("전체"),
        sum((r.spend for r in campaigns), ZERO),
        sum(r.clicks for r in campaigns),
        sum(r.orders for r in campaigns),
        sum((r.revenue for r in campaigns), ZERO),
    )
    d, days_out = q.start, []
    while d <= q.end:
        s, rv = per_day.get(d, (ZERO, ZERO))
        days_out.append((d, s, rv))
        d += dt.timedelta(days=1)
    return AdsResult(
        q,
        campaigns,
        sorted(kws.values(), key=lambda r: -r.spend),
        sorted(prods.values(), key=lambda r: -r.spend),
        days_out,
        total,
        budget_advice(campaigns),
    )


RUNNERS[AdsQuery] = run_ads
