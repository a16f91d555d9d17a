"""Customers rollups. ``CustomerDaily``: per store, shopper and Seoul day, the paid orders, their total, the last
payment time and the order lines per product category. ``CustomerSummary``: per store and shopper, the same over
the whole built history (first and last day, orders, revenue net of refunds, lines per category), refreshed for
every shopper whose daily rows or refunds the rebuilt days touch. The customers dashboard (new vs returning, 단골,
RFM, life stage) reads these rows instead of the order tables; the answers are the same (tested). Days are
replaced as a whole; a paid order counts on the day it was paid, like every sales figure."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncDate

from kkot.advisor.life_stage import dominant_stage, stage_of_category
from kkot.advisor.models import CustomerDaily, CustomerSummary
from kkot.core.timeutil import SEOUL, day_bounds
from kkot.orders.models import Order, OrderLine, Refund


def rollup_customers(*, start: dt.date, end: dt.date) -> int:
    """Rebuild the ``CustomerDaily`` rows of ``start..end`` (call inside the rollup's transaction)."""
    lo, hi = day_bounds(start)[0], day_bounds(end)[1]
    days = CustomerDaily.objects.filter(day__gte=start, day__lte=end)
    touched = set(days.values_list("store_id", "user_id")) | _refunded(lo, hi)
    days.delete()
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
    touched |= {(o.store_id, o.user_id) for o in objs}
    refresh_summaries(pairs=None if len(touched) > FULL_REFRESH_AT else touched)
    return len(objs)


FULL_REFRESH_AT = 5000  # more shoppers touched than this: rebuild every summary with grouped queries
CHUNK = 500  # shoppers per IN list


def _refunded(lo, hi) -> set[tuple[int, int]]:
    """(store, shopper) of the refunds made in ``[lo, hi)`` on paid orders."""
    return set(
        Refund.objects.filter(
            created_at__gte=lo, created_at__lt=hi, order__paid_at__isnull=False
        ).values_list("order__store_id", "order__user_id")
    )


def refresh_summaries(*, pairs: set[tuple[int, int]] | None) -> int:
    """Rebuild the ``CustomerSummary`` rows of the (store, shopper) ``pairs`` (``None``: every row) from their
    ``CustomerDaily`` rows and refunds. Call inside the rollup's transaction."""
    if pairs is None:
        CustomerSummary.objects.all().delete()
        return _summaries(CustomerDaily.objects.all(), Refund.objects.all())
    by_store: dict[int, list[int]] = defaultdict(list)
    for sid, uid in pairs:
        by_store[sid].append(uid)
    n = 0
    for sid, users in by_store.items():
        for a in range(0, len(users), CHUNK):
            chunk = users[a : a + CHUNK]
            CustomerSummary.objects.filter(store_id=sid, user_id__in=chunk).delete()
            n += _summaries(
                CustomerDaily.objects.filter(store_id=sid, user_id__in=chunk),
                Refund.objects.filter(order__store_id=sid, order__user_id__in=chunk),
            )
    return n


def _summaries(daily, refunds) -> int:
    cats: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sid, uid, by_cat in daily.values_list("store_id", "user_id", "categories").iterator(chunk_size=5000):
        acc = cats[(sid, uid)]
        for cat, n in by_cat.items():
            acc[cat] += n
    stage_of = stage_of_category()
    stages = {
        key: dominant_stage({int(c) if c.isdigit() else None: n for c, n in by_cat.items()}, stage_of)
        for key, by_cat in cats.items()
    }
    back = {
        (sid, uid): amount
        for sid, uid, amount in refunds.filter(order__paid_at__isnull=False)
        .values("order__store_id", "order__user_id")
        .annotate(a=Sum("amount"))
        .order_by()
        .values_list("order__store_id", "order__user_id", "a")
    }
    objs = [
        CustomerSummary(
            store_id=sid,
            user_id=uid,
            first_day=first,
            last_day=last,
            last_paid_at=paid,
            orders=n,
            revenue=m - back.get((sid, uid), 0),
            refunds=back.get((sid, uid), 0),
            categories=dict(cats[(sid, uid)]),
            life_stage=stages[(sid, uid)][0],
            life_stage_lines=stages[(sid, uid)][1],
        )
        for sid, uid, first, last, paid, n, m in daily.values("store_id", "user_id")
        .annotate(
            first=Min("day"), last=Max("day"), paid=Max("last_paid_at"), n=Sum("orders"), m=Sum("revenue")
        )
        .order_by()
        .values_list("store_id", "user_id", "first", "last", "paid", "n", "m")
    ]
    CustomerSummary.objects.bulk_create(objs, batch_size=1000)
    return len(objs)
