"""Widget performance for the seller center (and the advisor): impressions, clicks, CTR, add-to-carts and orders
attributed to widget clicks, per widget, for one store.

Attribution rule (last widget click wins, each cart event and order line counted at most once):

* a **click** is a ``click`` event whose section is ``widget:<name>`` on a product of the store;
* an **add-to-cart** is credited to the latest widget click on the same product in the same visit (``session``)
  at or before it;
* an **order** line of the store is credited to the latest widget click on the same product by the same shopper
  (the click's ``user_id``, or the member who logged in later in that visit) in the 7 days before the order;
  orders cancelled or never paid do not count. Revenue is the line's paid amount (subtotal minus coupon share).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from kkot.events.models import Event, EventKind
from kkot.orders.models import OrderLine, OrderStatus
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


def widget_stats(*, store, days: int = 30, now=None) -> list[WidgetStats]:
    """One row per widget (every widget listed, zeros included), last ``days`` days, for ``store`` only."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    rows = {name: WidgetStats(name=name, title=str(title)) for name, title in WIDGETS.items()}

    def widget(section: str) -> str | None:
        name = section.split(":", 1)[1] if section.startswith("widget:") else ""
        return name if name in rows else None

    base = Event.objects.filter(store_id=store.pk, ts__gte=since, ts__lt=now, section__startswith="widget:")
    for section, n in (base.filter(kind=EventKind.IMPRESSION).order_by().values("section")
                       .annotate(n=Count("id")).values_list("section", "n")):
        if (w := widget(section)) is not None:
            rows[w].impressions += n
    clicks = [c for c in base.filter(kind=EventKind.CLICK, product_id__isnull=False)
              .values_list("session", "user_id", "product_id", "ts", "section") if widget(c[4])]
    for c in clicks:
        rows[widget(c[4])].clicks += 1
    if not clicks:
        return list(rows.values())
    # add-to-carts in the same visit
    by_visit: dict[tuple[str, int], list] = defaultdict(list)
    for session, _u, pid, ts, section in clicks:
        by_visit[(session, pid)].append((ts, widget(section)))
    for v in by_visit.values():
        v.sort()
    for session, pid, ts in (Event.objects.filter(store_id=store.pk, kind=EventKind.ADD_TO_CART, ts__gte=since,
                                                  ts__lt=now).values_list("session", "product_id", "ts")):
        cands = by_visit.get((session, pid))
        if cands:
            j = bisect.bisect_right(cands, (ts, "~")) - 1
            if j >= 0:
                rows[cands[j][1]].add_to_carts += 1
    # orders by the same shopper within ATTRIBUTION_DAYS
    sessions = sorted({c[0] for c in clicks})
    member_of: dict[str, int] = {}
    for i in range(0, len(sessions), _CHUNK):
        for session, uid in (Event.objects.filter(session__in=sessions[i:i + _CHUNK], user_id__isnull=False)
                             .values_list("session", "user_id").distinct()):
            member_of.setdefault(session, uid)
    by_user: dict[tuple[int, int], list] = defaultdict(list)
    for session, uid, pid, ts, section in clicks:
        uid = uid or member_of.get(session)
        if uid:
            by_user[(uid, pid)].append((ts, widget(section)))
    for v in by_user.values():
        v.sort()
    if not by_user:
        return list(rows.values())
    products = sorted({pid for _u, pid in by_user})
    credited: dict[str, set[int]] = defaultdict(set)
    lines = (OrderLine.objects.filter(order__store_id=store.pk, order__created_at__gte=since, order__created_at__lt=now,
                                      product_id__in=products)
             .exclude(order__status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED])
             .values_list("order_id", "order__user_id", "product_id", "order__created_at", "subtotal", "discount"))
    window = timedelta(days=ATTRIBUTION_DAYS)
    for order_id, uid, pid, created, subtotal, discount in lines:
        cands = by_user.get((uid, pid))
        if not cands:
            continue
        j = bisect.bisect_right(cands, (created, "~")) - 1
        if j >= 0 and created - cands[j][0] <= window:
            w = cands[j][1]
            rows[w].revenue += subtotal - discount
            credited[w].add(order_id)
    for w, orders in credited.items():
        rows[w].orders = len(orders)
    return list(rows.values())
