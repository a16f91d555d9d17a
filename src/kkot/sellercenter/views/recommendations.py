"""추천 성과 page: per widget impressions, clicks, CTR, add-to-carts and attributed orders (last 30 days)."""

from __future__ import annotations

from django.shortcuts import render

from kkot.recommendations.stats import ATTRIBUTION_DAYS, widget_stats
from kkot.sellercenter.access import ctx, seller_page

DAYS = 30


@seller_page(methods=("GET",))
def recommendations(request, membership):
    rows = widget_stats(store=membership.store, days=DAYS)
    return render(request, "sellercenter/recommendations.html", ctx(
        request, nav="recommendations", rows=rows, days=DAYS, attribution_days=ATTRIBUTION_DAYS,
        total_clicks=sum(r.clicks for r in rows), total_orders=sum(r.orders for r in rows),
        total_revenue=sum((r.revenue for r in rows), start=0),
    ))
