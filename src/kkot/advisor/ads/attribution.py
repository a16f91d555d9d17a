"""Last ad click within 7 days before the order (see the package docstring for the definition)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from kkot.advisor.models import Campaign
from kkot.core.timeutil import day_bounds, seoul
from kkot.events.models import Event, EventKind
from kkot.orders.models import Order, OrderLine, Refund

AD_WINDOW = dt.timedelta(days=7)


@dataclass
class Touch:
    """One attributed order."""

    order_id: int
    campaign_id: int
    keyword: str
    click_ts: dt.datetime
    ordered_at: dt.datetime
    day: dt.date  # Seoul day the order was paid
    total: Decimal
    refunded: Decimal

    @property
    def revenue(self) -> Decimal:
        return self.total - self.refunded


def ad_clicks(*, store_id: int, lo: dt.datetime, hi: dt.datetime):
    """The store's ad clicks in [lo, hi) naming one of its own campaigns (other ids are ignored)."""
    own = Campaign.objects.filter(store_id=store_id).values("pk")
    return Event.objects.filter(
        store_id=store_id, kind=EventKind.AD_CLICK, ts__gte=lo, ts__lt=hi, campaign_id__in=own
    )


def ad_touches(*, store_id: int, start: dt.date, end: dt.date) -> list[Touch]:
    """Every order of the store paid on the Seoul days ``start..end`` that an ad click is credited with."""
    lo, hi = day_bounds(start)[0], day_bounds(end)[1]
    clicks: dict[int, list[tuple]] = defaultdict(list)
    for uid, ts, pk, cid, q in (
        ad_clicks(store_id=store_id, lo=lo - AD_WINDOW, hi=hi)
        .filter(user_id__isnull=False)
        .values_list("user_id", "ts", "id", "campaign_id", "query")
    ):
        clicks[uid].append((ts, pk, cid, q))
    if not clicks:
        return []
    for v in clicks.values():
        v.sort()
    orders = list(
        Order.objects.filter(
            store_id=store_id, paid_at__gte=lo, paid_at__lt=hi, user_id__in=list(clicks)
        ).values_list("id", "user_id", "created_at", "paid_at", "total")
    )
    touches: list[Touch] = []
    for oid, uid, created, paid, total in orders:
        mine = clicks[uid]
        i = bisect_right(mine, (created, float("inf")))  # clicks at or before the order
        if i == 0:
            continue
        ts, _pk, cid, q = mine[i - 1]
        if ts < created - AD_WINDOW:
            continue
        touches.append(Touch(oid, cid, q, ts, created, seoul(paid).date(), total, Decimal(0)))
    if touches:
        refunds = dict(
            Refund.objects.filter(order_id__in=[t.order_id for t in touches])
            .values("order_id")
            .annotate(s=Sum("amount"))
            .values_list("order_id", "s")
        )
        for t in touches:
            t.refunded = min(t.total, refunds.get(t.order_id) or Decimal(0))
    return touches


def product_revenue(touches: list[Touch]) -> dict[tuple[int, int], Decimal]:
    """(campaign id, product id) -> attributed revenue of that product's lines, refunds shared pro rata."""
    by_order = {t.order_id: t for t in touches}
    out: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for oid, pid, sub, disc in OrderLine.objects.filter(
        order_id__in=list(by_order), product_id__isnull=False
    ).values_list("order_id", "product_id", "subtotal", "discount"):
        t = by_order[oid]
        share = (t.revenue / t.total) if t.total else Decimal(0)
        out[(t.campaign_id, pid)] += ((sub - disc) * share).quantize(Decimal(1))
    return out


@dataclass
class AdRow:
    """One (day, grain, campaign, keyword, product) cell of the ads rollup (see ``AdDaily``)."""

    clicks: int = 0
    orders: int = 0
    revenue: Decimal = Decimal(0)


AdKey = tuple  # (day, grain, campaign id, keyword, product id)


def ad_rows(*, store_id: int, start: dt.date, end: dt.date) -> dict[AdKey, AdRow]:
    """The ads rollup cells of the Seoul days ``start..end`` computed from the raw rows (clicks by the Seoul day of
    the click, orders and revenue by the day the order was paid): what the rollup job stores in ``AdDaily`` and
    what the ads dashboard computes for days not built yet. Product cells count distinct orders."""
    lo, hi = day_bounds(start)[0], day_bounds(end)[1]
    out: dict[AdKey, AdRow] = defaultdict(AdRow)
    for ts, cid, q in ad_clicks(store_id=store_id, lo=lo, hi=hi).values_list("ts", "campaign_id", "query"):
        day = seoul(ts).date()
        out[(day, "c", cid, "", 0)].clicks += 1
        if q:
            out[(day, "k", cid, q, 0)].clicks += 1
    touches = ad_touches(store_id=store_id, start=start, end=end)
    by_order = {t.order_id: t for t in touches}
    for t in touches:
        keys = [(t.day, "c", t.campaign_id, "", 0)] + (
            [(t.day, "k", t.campaign_id, t.keyword, 0)] if t.keyword else []
        )
        for k in keys:
            out[k].orders += 1
            out[k].revenue += t.revenue
    seen: set[tuple] = set()
    for oid, pid, sub, disc in OrderLine.objects.filter(
        order_id__in=list(by_order), product_id__isnull=False
    ).values_list("order_id", "product_id", "subtotal", "discount"):
        t = by_order[oid]
        share = (t.revenue / t.total) if t.total else Decimal(0)
        row = out[(t.day, "p", t.campaign_id, "", pid)]
        row.revenue += ((sub - disc) * share).quantize(Decimal(1))
        if (oid, pid) not in seen:
            seen.add((oid, pid))
            row.orders += 1
    return dict(out)
