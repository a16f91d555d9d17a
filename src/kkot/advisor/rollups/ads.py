"""Ads rollup (``AdDaily``): last-click attribution precomputed per Seoul day, campaign, keyword and product.

Same rule as :mod:`kkot.advisor.ads` (last ad click of the shopper at most 7 days before the order, the order
counted on the day it was paid, revenue net of the order's refunds): the cells are computed by
:func:`kkot.advisor.ads.attribution.ad_rows`, the same function the ads dashboard uses for days not built yet, so
both give the same answer (tested). A refund changes the revenue of the day its order was *paid*: building the day
of a refund also rebuilds the ads cells of those (already built) pay days. Days are replaced as a whole.
"""

from __future__ import annotations

import datetime as dt

from django.db.models.functions import TruncDate

from kkot.advisor.ads.attribution import ad_rows
from kkot.advisor.models import AdDaily, Campaign, RollupDay
from kkot.advisor.rollups.common import ROLLUP_SCHEMA, runs
from kkot.core.timeutil import SEOUL, day_bounds
from kkot.orders.models import Refund


def _refunded_pay_days(start: dt.date, end: dt.date) -> set[dt.date]:
    lo, hi = day_bounds(start)[0], day_bounds(end)[1]
    days = (
        Refund.objects.filter(created_at__gte=lo, created_at__lt=hi, order__paid_at__isnull=False)
        .annotate(d=TruncDate("order__paid_at", tzinfo=SEOUL))
        .values_list("d", flat=True)
        .distinct()
    )
    return set(days)


def _write(start: dt.date, end: dt.date) -> int:
    AdDaily.objects.filter(day__gte=start, day__lte=end).delete()
    objs = []
    for store_id in Campaign.objects.order_by().values_list("store_id", flat=True).distinct():
        for (day, grain, cid, kw, pid), r in ad_rows(store_id=store_id, start=start, end=end).items():
            objs.append(
                AdDaily(
                    store_id=store_id,
                    day=day,
                    grain=grain,
                    campaign_id=cid,
                    keyword=kw,
                    product_id=pid,
                    clicks=r.clicks,
                    orders=r.orders,
                    revenue=r.revenue,
                )
            )
    AdDaily.objects.bulk_create(objs, batch_size=1000)
    return len(objs)


def rollup_ads(*, start: dt.date, end: dt.date) -> int:
    """Rebuild the ``AdDaily`` cells of ``start..end`` and of the built pay days of orders refunded in it.
    Call inside the transaction that rebuilds the days (the caller marks them ``schema=ROLLUP_SCHEMA``)."""
    n = _write(start, end)
    extra = {d for d in _refunded_pay_days(start, end) if not start <= d <= end}
    if extra:
        extra &= set(
            RollupDay.objects.filter(day__in=extra, schema__gte=ROLLUP_SCHEMA).values_list("day", flat=True)
        )
    for run in runs(sorted(extra)):
        n += _write(run[0], run[-1])
    return n
