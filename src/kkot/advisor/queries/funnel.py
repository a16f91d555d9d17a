"""Traffic and funnel runner: steps, channels, search keywords (유입당 결제율)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from kkot.advisor.custom_channels import custom_channel_labels
from kkot.advisor.models import ChannelDaily, KeywordDaily, StoreDaily
from kkot.advisor.queries.base import CHANNEL_LABELS, RUNNERS, ZERO
from kkot.advisor.queries.types import FunnelQuery, FunnelResult, FunnelRow, FunnelStep


def run_funnel(q: FunnelQuery) -> FunnelResult:
    s = StoreDaily.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end).aggregate(
        visits=Sum("visits"), pv=Sum("pv_sessions"), cart=Sum("cart_sessions"), orders=Sum("orders"),
        revenue=Sum("revenue"))
    total = FunnelRow("all", _("전체"), s["visits"] or 0, s["pv"] or 0, s["cart"] or 0, s["orders"] or 0,
                      s["revenue"] or ZERO)
    steps, prev = [], None
    for key, label, n in (("visits", _("방문"), total.visits), ("product_views", _("상품 조회"), total.pv_sessions),
                          ("carts", _("장바구니"), total.cart_sessions), ("orders", _("결제"), total.orders)):
        steps.append(FunnelStep(key, label, n, (n / prev if prev else None) if prev is not None else None))
        prev = n
    labels = CHANNEL_LABELS | custom_channel_labels(store_id=q.store_id)  # kin:<id> -> 채널 · 그룹 · 이름
    channels = [FunnelRow(r["channel"], labels.get(r["channel"], r["channel"]), r["v"] or 0, r["pv"] or 0,
                          r["c"] or 0, r["o"] or 0, r["rev"] or ZERO)
                for r in ChannelDaily.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end)
                .values("channel").annotate(v=Sum("visits"), pv=Sum("pv_sessions"), c=Sum("cart_sessions"),
                                            o=Sum("orders"), rev=Sum("revenue")).order_by("-v", "channel")]
    keywords = [FunnelRow(r["query"], r["query"], r["s"] or 0, r["s"] or 0, r["c"] or 0, r["o"] or 0)
                for r in KeywordDaily.objects.filter(store_id=q.store_id, day__gte=q.start, day__lte=q.end)
                .values("query").annotate(s=Sum("sessions"), c=Sum("cart_sessions"), o=Sum("orders"))
                .order_by("-s", "query")[:q.keywords]]
    return FunnelResult(q, steps, total, channels, keywords)




RUNNERS[FunnelQuery] = run_funnel
