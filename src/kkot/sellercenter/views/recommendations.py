"""추천 성과 page: per widget impressions, clicks, CTR, add-to-carts and attributed orders over the last 30 whole
Seoul days (up to yesterday), so the page reads the daily widget rollup instead of scanning raw events."""

from __future__ import annotations

from django.shortcuts import render

from kkot.core.timeutil import day_bounds, seoul_today
from kkot.recommendations.stats import ATTRIBUTION_DAYS, widget_stats
from kkot.sellercenter.access import ctx, seller_page

DAYS = 30


@seller_page(methods=("GET",))
def recommendations(request, membership):
    rows = widget_stats(store=membership.store, days=DAYS, now=day_bounds(seoul_today())[0])  # ends at midnight
    return render(request, "sellercenter/recommendations.html", ctx(
        request, nav="recommendations", rows=rows, days=DAYS, attribution_days=ATTRIBUTION_DAYS,
        total_clicks=sum(r.clicks for r in rows), total_orders=sum(r.orders for r in rows),
        total_revenue=sum((r.revenue for r in rows), start=0),
    ))
