"""Seller reads for the API (kkot.api): order lists and details, settlement lines, coupons.

Every function takes the seller's ``store`` (resolved by the caller from the token) and never returns a row of
another store: an id of another store's order or claim is :class:`~kkot.core.errors.NotFound`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from kkot.core.errors import NotFound, ValidationError
from kkot.core.timeutil import day_bounds
from kkot.orders.models import (
    Claim,
    ClaimStatus,
    Coupon,
    Order,
    OrderLine,
    Payment,
    Refund,
    SettlementLine,
)
from kkot.orders.payments import ProviderError, get_provider
from kkot.stores.models import Store

OPEN_CLAIM = (ClaimStatus.REQUESTED, ClaimStatus.APPROVED)
MAX_RANGE_DAYS = 3660


def _check_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationError(_("시작일이 종료일보다 늦습니다."), code="invalid_date_range",
                              details={"date_from": [str(date_from)], "date_to": [str(date_to)]})


def orders_for_store_api(*, store: Store, status: str = "", claim: str = "", date_from: dt.date | None = None,
                         date_to: dt.date | None = None, q: str = "") -> QuerySet[Order]:
    """The store's orders, newest first. ``claim``: only orders with an open (requested or approved) claim of
    that kind; ``date_from``/``date_to``: order dates (Seoul calendar days, both included); ``q``: order or
    purchase number, recipient, phone, tracking number or product name."""
    _check_range(date_from, date_to)
    qs = Order.objects.filter(store=store)
    if status:
        qs = qs.filter(status=status)
    if claim:
        qs = qs.filter(Exists(Claim.objects.filter(order=OuterRef("pk"), kind=claim, status__in=OPEN_CLAIM)))
    if date_from:
        qs = qs.filter(created_at__gte=day_bounds(date_from)[0])
    if date_to:
        qs = qs.filter(created_at__lt=day_bounds(date_to)[1])
    q = (q or "").strip()
    if q:
        digits = q.replace("-", "")
        cond = (Q(number__icontains=q) | Q(purchase__number__icontains=q) | Q(purchase__recipient__icontains=q)
                | Q(tracking_number__icontains=digits or q)
                | Exists(OrderLine.objects.filter(order=OuterRef("pk"), product_name__icontains=q)))
        if digits.isdigit() and len(digits) >= 4:
            cond |= Q(purchase__phone__contains=q)
        qs = qs.filter(cond)
    return (qs.select_related("purchase")
            .prefetch_related("lines", Prefetch("claims", queryset=Claim.objects.filter(status__in=OPEN_CLAIM),
                                                to_attr="open_claims"))
            .order_by("-created_at", "-pk"))


@dataclass
class PaymentSummary:
    """What the seller sees of the shopper's payment: the method, never a card or account number."""

    provider: str
    method: str
    status: str
    status_label: str
    paid_at: dt.datetime | None
    order_total: Decimal
    refunded: Decimal
    refunds: list[Refund] = field(default_factory=list)


def _payment_summary(order: Order) -> PaymentSummary | None:
    payment = Payment.objects.filter(purchase=order.purchase_id).order_by("-pk").first()
    if payment is None:
        return None
    try:
        method = str(get_provider(payment.provider).name)
    except ProviderError:
        method = payment.provider
    refunds = sorted(order.refunds.all(), key=lambda r: (r.created_at, r.pk))
    return PaymentSummary(provider=payment.provider, method=method, status=payment.status,
                          status_label=str(payment.get_status_display()), paid_at=payment.paid_at,
                          order_total=order.total, refunded=sum((r.amount for r in refunds), Decimal(0)),
                          refunds=refunds)


def order_for_store_api(*, store: Store, order_id: int) -> Order:
    """One order of the store with its lines, claims (and their lines), refunds and timeline; the payment
    summary is attached as ``order.payment_summary``. Another store's order id is NotFound."""
    order = (Order.objects.filter(store=store, pk=order_id).select_related("purchase")
             .prefetch_related("lines", "refunds", "events",
                               Prefetch("claims", queryset=Claim.objects.prefetch_related("lines").order_by("created_at", "pk")))
             .first())
    if order is None:
        raise NotFound(_("주문을 찾을 수 없습니다."))
    order.payment_summary = _payment_summary(order)
    return order


@dataclass
class SettlementTotals:
    count: int
    quantity: int
    sale_amount: Decimal
    discount: Decimal
    shipping_fee: Decimal
    platform_fee: Decimal
    payment_fee: Decimal
    net_amount: Decimal


def settlement_lines_for_store_api(*, store: Store, date_from: dt.date | None = None,
                                   date_to: dt.date | None = None) -> tuple[QuerySet[SettlementLine], SettlementTotals]:
    """Settlement lines of the store whose settlement date is in [date_from, date_to] (both included),
    by settlement date, and their totals."""
    _check_range(date_from, date_to)
    qs = SettlementLine.objects.filter(store=store)
    if date_from:
        qs = qs.filter(settle_date__gte=date_from)
    if date_to:
        qs = qs.filter(settle_date__lte=date_to)
    sums = qs.aggregate(quantity=Sum("quantity"), sale_amount=Sum("sale_amount"), discount=Sum("discount"),
                        shipping_fee=Sum("shipping_fee"), platform_fee=Sum("platform_fee"),
                        payment_fee=Sum("payment_fee"), net_amount=Sum("net_amount"))
    totals = SettlementTotals(count=qs.count(), **{k: v or 0 for k, v in sums.items()})
    return qs.select_related("order", "line").order_by("settle_date", "order_id", "line_id"), totals


def coupons_for_store_api(*, store: Store) -> QuerySet[Coupon]:
    return Coupon.objects.filter(store=store).order_by("-created_at", "-pk")
