"""Widget performance for the seller center (and the advisor): impressions, clicks, CTR, add-to-carts and orders
attributed to widget clicks, per widget, for one store.

Attribution rule (last widget click wins, each cart event and order line counted at most once):

* a **click** is a ``click`` event whose section is ``widget:<name>`` on a product of the store;
* an **add-to-cart** is credited to the latest widget click on the same product in the same visit (``session``)
  at or before it;
* an **order** line of the store is credited to the latest widget click on the same product by the same shopper
  (the click's ``user_id``, or the member who logged in later in that visit) in the 7 days before the order;
  orders cancelled or never paid do not count. Revenue is the line's paid amount (subtotal minus coupon share).

Only clicks inside the window credit carts and orders. For windows that end at a Seoul midnight (the advisor's) and
whose days the rollup job has built, the answer is read from ``WidgetDaily`` (see its docstring; the same cells,
so the same answer: tested); otherwise it is computed from the raw events. An order cancelled after its day was
built keeps its credit in the rollup until the day is rebuilt.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from kkot.core.timeutil import SEOUL, day_bounds, seoul
from kkot.events.models import Event, EventKind
from kkot.orders.models import OrderLine, OrderStatus
from kkot.recommendations.models import WidgetDaily, WidgetRollupDay
from kkot.recommendations.selectors import WIDGETS

ATTRIBUTION_DAYS = 7
_CHUNK = 500


@dataclass
class WidgetStats:
    name: str
    title: str
    impressions: int = 0
    clicks: int = 0
    add_to_carts: int = 0
    orders: int = 0
    revenue: Decimal = Decimal(0)

    @property
    def ctr(self) -> float | None:
        return round(100 * self.clicks / self.impressions, 2) if self.impressions else None


Cells = dict  # (widget, day, click_day) -> [impressions, clicks, add_to_carts, orders, revenue]


def _widget(section: str) -> str | None:
    name = section.split(":", 1)[1] if section.startswith("widget:") else ""
    return name if name in WIDGETS else None


def widget_cells(*, store_id: int, lo, hi, click_lo) -> Cells:
    """The widget cells of the events, carts and orders in ``[lo, hi)``, credited to widget clicks in
    ``[click_lo, hi)`` (the attribution rule above), keyed by widget, Seoul day and the credited click's Seoul day.
    An order counts once per widget, on the day of its latest credited click."""
    cells: Cells = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    base = Event.objects.filter(store_id=store_id, ts__lt=hi, section__startswith="widget:")
    for section, d, n in (
        base.filter(kind=EventKind.IMPRESSION, ts__gte=lo)
        .order_by()
        .annotate(d=TruncDate("ts", tzinfo=SEOUL))
        .values("section", "d")
        .annotate(n=Count("id"))
        .values_list("section", "d", "n")
    ):
        if (w := _widget(section)) is not None:
            cells[(w, d, d)][0] += n
    clicks = [
        (session, uid, pid, ts, w, seoul(ts).date())
        for session, uid, pid, ts, section in base.filter(
            kind=EventKind.CLICK, product_id__isnull=False, ts__gte=click_lo
        ).values_list("session", "user_id", "product_id", "ts", "section")
        if (w := _widget(section)) is not None
    ]
    for _s, _u, _p, ts, w, d in clicks:
        if ts >= lo:
            cells[(w, d, d)][1] += 1
    if not clicks:
        return cells
    # add-to-carts in the same visit
    by_visit: dict[tuple[str, int], list] = defaultdict(list)
    for session, _u, pid, ts, w, d in clicks:
        by_visit[(session, pid)].append((ts, w, d))
    for v in by_visit.values():
        v.sort()
    for session, pid, ts in Event.objects.filter(
        store_id=store_id, kind=EventKind.ADD_TO_CART, ts__gte=lo, ts__lt=hi
    ).values_list("session", "product_id", "ts"):
        cands = by_visit.get((session, pid))
        if cands:
            j = bisect.bisect_right(cands, (ts, "~")) - 1
            if j >= 0:
                cells[(cands[j][1], seoul(ts).date(), cands[j][2])][2] += 1
    # orders by the same shopper within ATTRIBUTION_DAYS
    sessions = sorted({c[0] for c in clicks})
    member_of: dict[str, int] = {}
    for i in range(0, len(sessions), _CHUNK):
        for session, uid in (
            Event.objects.filter(session__in=sessions[i : i + _CHUNK], user_id__isnull=False)
            .values_list("session", "user_id")
            .distinct()
        ):
            member_of.setdefault(session, uid)
    by_user: dict[tuple[int, int], list] = defaultdict(list)
    for session, uid, pid, ts, w, d in clicks:
        uid = uid or member_of.get(session)
        if uid:
            by_user[(uid, pid)].append((ts, w, d))
    for v in by_user.values():
        v.sort()
    if not by_user:
        return cells
    products = sorted({pid for _u, pid in by_user})
    credited: dict[tuple[int, str], tuple] = {}  # (order, widget) -> (latest credited click day, order day)
    lines = (
        OrderLine.objects.filter(
            order__store_id=store_id,
            order__created_at__gte=lo,
            order__created_at__lt=hi,
            product_id__in=products,
        )
        .exclude(order__status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED])
        .values_list("order_id", "order__user_id", "product_id", "order__created_at", "subtotal", "discount")
    )
    window = timedelta(days=ATTRIBUTION_DAYS)
    for order_id, uid, pid, created, subtotal, discount in lines:
        cands = by_user.get((uid, pid))
        if not cands:
            continue
        j = bisect.bisect_right(cands, (created, "~")) - 1
        if j >= 0 and created - cands[j][0] <= window:
            _ts, w, d = cands[j]
            day = seoul(created).date()
            cells[(w, day, d)][4] += subtotal - discount
            prev = credited.get((order_id, w))
            credited[(order_id, w)] = (max(d, prev[0]) if prev else d, day)
    for (_o, w), (d, day) in credited.items():
        cells[(w, day, d)][3] += 1
    return cells


def _rollup_window(since, now):
    """``(first day, last day)`` when ``[since, now)`` is whole Seoul days all built by the rollup job, else None."""
    last = (seoul(now) - timedelta(microseconds=1)).date()
    first = seoul(since).date()
    if day_bounds(last)[1] != now or day_bounds(first)[0] != since:
        return None
    n = WidgetRollupDay.objects.filter(day__gte=first, day__lte=last).count()
    return (first, last) if n == (last - first).days + 1 else None


def widget_stats(*, store, days: int = 30, now=None, use_rollup: bool = True) -> list[WidgetStats]:
    """One row per widget (every widget listed, zeros included), last ``days`` days, for ``store`` only."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    rows = {name: WidgetStats(name=name, title=str(title)) for name, title in WIDGETS.items()}
    built = _rollup_window(since, now) if use_rollup else None
    if built:
        sums = (
            WidgetDaily.objects.filter(
                store_id=store.pk,
                day__gte=built[0],
                day__lte=built[1],
                click_day__gte=built[0],
                click_day__lte=built[1],
            )
            .values("widget")
            .annotate(
                i=Sum("impressions"),
                c=Sum("clicks"),
                a=Sum("add_to_carts"),
                o=Sum("orders"),
                r=Sum("revenue"),
            )
            .order_by()
        )
        cells = {(s["widget"], None, None): [s["i"], s["c"], s["a"], s["o"], s["r"]] for s in sums}
    else:
        cells = widget_cells(store_id=store.pk, lo=since, hi=now, click_lo=since)
    for (w, _d, _c), (i, c, a, o, r) in cells.items():
        if w in rows:
            row = rows[w]
            row.impressions += i
            row.clicks += c
            row.add_to_carts += a
            row.orders += o
            row.revenue += Decimal(r)
    return list(rows.values())
