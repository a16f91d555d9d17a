"""Settlement (정산) reads for the seller center: lines by settle date and status, totals, reconciliation.

Reconciliation: for the orders whose lines are in the selection, what the shoppers paid for them (order totals)
minus what was refunded equals the sum of sale - discount + shipping of their settlement lines, to the won.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy

from kkot.core.timeutil import seoul_today
from kkot.orders.models import Order, Refund, SettlementLine

ZERO = Decimal(0)
AMOUNTS = ("sale_amount", "discount", "shipping_fee", "platform_fee", "payment_fee", "net_amount")


@dataclass
class SettlementFilters:
    date_from: dt.date
    date_to: dt.date
    status: str = ""  # "" = all, else SettlementLine.Status


def _parse_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def settlement_filters_from(params) -> SettlementFilters:
    """Default: the current month (Asia/Seoul) by settle date, every status."""
    today = seoul_today()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    d_from = _parse_date(params.get("from")) or first
    d_to = _parse_date(params.get("to")) or last
    if d_to < d_from:
        d_from, d_to = d_to, d_from
    status = params.get("status") or ""
    return SettlementFilters(d_from, d_to, status if status in SettlementLine.Status.values else "")


def settlement_lines_for_seller(*, store, filters: SettlementFilters) -> QuerySet[SettlementLine]:
    qs = SettlementLine.objects.filter(store=store, settle_date__gte=filters.date_from, settle_date__lte=filters.date_to)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.select_related("order", "line").order_by("-settle_date", "-order_id", "line_id")


@dataclass
class SettlementSummary:
    count: int
    totals: dict[str, Decimal]
    orders: int
    paid: Decimal  # what shoppers paid for these orders
    refunded: Decimal
    settled_gross: Decimal  # sale - discount + shipping

    @property
    def difference(self) -> Decimal:
        return self.paid - self.refunded - self.settled_gross

    @property
    def reconciles(self) -> bool:
        return self.difference == 0


def settlement_summary(*, store, filters: SettlementFilters) -> SettlementSummary:
    """Totals over the whole selection (four aggregate queries) and the reconciliation line."""
    lines = settlement_lines_for_seller(store=store, filters=filters).order_by()
    agg = lines.aggregate(n=Count("id"), **{k: Sum(k) for k in AMOUNTS})
    count = agg["n"] or 0
    totals = {k: agg[k] or ZERO for k in AMOUNTS}
    order_ids = lines.values("order_id")
    orders = Order.objects.filter(pk__in=order_ids)
    o = orders.aggregate(paid=Sum("total"))
    refunded = Refund.objects.filter(order__in=orders).aggregate(s=Sum("amount"))["s"] or ZERO
    return SettlementSummary(
        count=count, totals=totals, orders=orders.count(), paid=o["paid"] or ZERO, refunded=refunded,
        settled_gross=totals["sale_amount"] - totals["discount"] + totals["shipping_fee"],
    )


EXPORT_HEADER = [
    gettext_lazy("정산일"), gettext_lazy("정산상태"), gettext_lazy("구매확정일"), gettext_lazy("주문번호"),
    gettext_lazy("상품"), gettext_lazy("옵션"), gettext_lazy("수량"), gettext_lazy("판매금액"), gettext_lazy("할인"),
    gettext_lazy("배송비"), gettext_lazy("플랫폼 수수료"), gettext_lazy("결제 수수료"), gettext_lazy("정산금액"),
]


def settlement_export_rows(*, store, filters: SettlementFilters) -> tuple[list[str], list[list[Any]]]:
    """Every line of the selection, then a totals row (합계)."""
    from django.utils import timezone

    labels = dict(SettlementLine.Status.choices)
    rows: list[list[Any]] = []
    for s in settlement_lines_for_seller(store=store, filters=filters).iterator(chunk_size=2000):
        rows.append([s.settle_date.isoformat(), str(labels[s.status]),
                     timezone.localtime(s.confirmed_at).strftime("%Y-%m-%d %H:%M"), s.order.number,
                     s.line.product_name, s.line.variant_label, s.quantity,
                     *[int(getattr(s, k)) for k in AMOUNTS]])
    summary = settlement_summary(store=store, filters=filters)
    rows.append([str(gettext_lazy("합계")), "", "", "", "", "", sum(r[6] for r in rows),
                 *[int(summary.totals[k]) for k in AMOUNTS]])
    return [str(h) for h in EXPORT_HEADER], rows
