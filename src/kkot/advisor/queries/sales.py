"""Sales runner: revenue, orders, 객단가, refunds by period, comparison period, top products."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from kkot.advisor.models import ProductDaily, StoreDaily
from kkot.advisor.queries.base import RUNNERS
from kkot.advisor.queries.types import ProductSales, SalesPoint, SalesQuery, SalesResult, SalesTotals


def _bucket(day: dt.date, interval: str) -> dt.date:
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _sales_points(store_id, start, end, interval) -> tuple[SalesTotals, list[SalesPoint]]:
    rows = (StoreDaily.objects.filter(store_id=store_id, day__gte=start, day__lte=end)
            .values_list("day", "revenue", "refunds", "orders", "refund_count"))
    buckets: dict[dt.date, SalesTotals] = {}
    d = start
    while d <= end:  # every period present, zero when nothing happened
        buckets.setdefault(_bucket(d, interval), SalesTotals())
        d += dt.timedelta(days=1)
    total = SalesTotals()
    for day, rev, ref, n, rn in rows:
        for t in (buckets[_bucket(day, interval)], total):
            t.revenue += rev
            t.refunds += ref
            t.orders += n
            t.refund_count += rn
    return total, [SalesPoint(k, v) for k, v in sorted(buckets.items())]


def run_sales(q: SalesQuery) -> SalesResult:
    from kkot.catalog.models import Product

    totals, points = _sales_points(q.store_id, q.start, q.end, q.interval)
    cmp_totals, cmp_points = None, []
    cr = q.compare_range()
    if cr:
        cmp_totals, cmp_points = _sales_points(q.store_id, cr[0], cr[1], q.interval)
    top = list(ProductDaily.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end)
               .values("product_id").annotate(units=Sum("units"), orders=Sum("orders"), revenue=Sum("revenue"),
                                              views=Sum("views"))
               .filter(units__gt=0).order_by("-revenue", "product_id")[:20])
    names = dict(Product.objects.filter(pk__in=[t["product_id"] for t in top]).values_list("pk", "name"))
    products = [ProductSales(t["product_id"], names.get(t["product_id"], f"#{t['product_id']}"), t["units"],
                             t["orders"], t["revenue"], t["views"]) for t in top]
    return SalesResult(q, totals, points, cmp_totals, cmp_points, products)




RUNNERS[SalesQuery] = run_sales
