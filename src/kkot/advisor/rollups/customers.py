"""Customers rollup (``CustomerDaily``): per store, shopper and Seoul day, the paid orders, their total, the last
payment time and the order lines per product category. The customers dashboard (new vs returning, 단골, RFM,
life stage) reads these rows instead of the order tables; the answers are the same (tested). Days are replaced as
a whole; a paid order counts on the day it was paid, like every sales figure."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncDate

from kkot.advisor.models import CustomerDaily
from kkot.core.timeutil import SEOUL, day_bounds
from kkot.orders.models import Order, OrderLine


def rollup_customers(*, start: dt.date, end: dt.date) -> int:
    """Rebuild the ``CustomerDaily`` rows of ``start..end`` (call inside the rollup's transaction)."""
    lo, hi = day_bounds(start)[0], day_bounds(end)[1]
    CustomerDaily.objects.filter(day__gte=start, day__lte=end).delete()
    paid = Order.objects.filter(paid_at__gte=lo, paid_at__lt=hi)
    cats: dict[tuple, dict[str, int]] = defaultdict(dict)
    for sid, uid, d, cat, n in (
        OrderLine.objects.filter(order__paid_at__gte=lo, order__paid_at__lt=hi, product_id__isnull=False)
        .annotate(d=TruncDate("order__paid_at", tzinfo=SEOUL))
        .values("order__store_id", "order__user_id", "d", "product__category_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("order__store_id", "order__user_id", "d", "product__category_id", "n")
    ):
        cats[(sid, uid, d)][str(cat)] = n
    objs = [
        CustomerDaily(
            store_id=sid,
            user_id=uid,
            day=d,
            orders=n,
            revenue=m,
            last_paid_at=last,
            categories=cats.get((sid, uid, d), {}),
        )
        for sid, uid, d, n, m, last in (
            paid.annotate(d=TruncDate("paid_at", tzinfo=SEOUL))
            .values("store_id", "user_id", "d")
            .annotate(n=Count("id"), m=Sum("total"), last=Max("paid_at"))
            .order_by()
            .values_list("store_id", "user_id", "d", "n", "m", "last")
        )
    ]
    CustomerDaily.objects.bulk_create(objs, batch_size=1000)
    return len(objs)
