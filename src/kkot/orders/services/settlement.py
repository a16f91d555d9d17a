"""정산: what each store is owed per order line, fixed at purchase confirmation.

sale = unit price x units kept; discount = the line's coupon share for those units; shipping = the order's
shipping fee if it was not refunded, plus return shipping fees kept from 단순변심 returns (first line only);
platform fee = rate x (sale - discount); payment fee = the provider's rate x (sale - discount + shipping).
For every confirmed order, sum(sale - discount + shipping) == order total - refunds, to the won.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from kkot.orders.models import ClaimKind, ClaimStatus, Order, Payment, SettlementLine
from kkot.orders.payments import get_provider
from kkot.orders.pricing import ZERO, discount_share, won


def settle_date_for(confirmed_at) -> date:
    """The payout date of an order confirmed at ``confirmed_at``."""
    return timezone.localtime(confirmed_at).date() + timedelta(days=settings.KKOT_SETTLEMENT_DAYS)


def settlement_amounts(*, lines: Iterable[Any], shipping: Decimal, rate: Decimal,
                       pay_rate: Decimal) -> list[tuple[Any, dict[str, Any]]]:
    """The rule above for one order, without the database: ``lines`` in id order, each with ``unit_price``,
    ``quantity``, ``active_qty`` and ``discount``; ``shipping`` = the order's shipping fee if not refunded plus
    the return shipping fees it kept. Returns ``(line, amounts)`` for the lines with units kept."""
    shipping_left = shipping
    out = []
    for ln in lines:
        kept = ln.active_qty
        if kept == 0:
            continue
        sale = ln.unit_price * kept
        removed = ln.quantity - kept
        discount = discount_share(ln.discount, ln.quantity, removed, ln.quantity)
        ship, shipping_left = shipping_left, ZERO
        platform = won((sale - discount) * rate)
        pay_fee = won((sale - discount + ship) * pay_rate)
        out.append((ln, {"quantity": kept, "sale_amount": sale, "discount": discount, "shipping_fee": ship,
                         "platform_fee": platform, "payment_fee": pay_fee,
                         "net_amount": sale - discount + ship - platform - pay_fee}))
    return out


def settlement_create(*, order: Order) -> list[SettlementLine]:
    if SettlementLine.objects.filter(order=order).exists():
        return list(order.settlement_lines.all())
    rate = Decimal(str(settings.KKOT_PLATFORM_FEE_RATE))
    payment = Payment.objects.filter(purchase=order.purchase_id).order_by("-pk").first()
    pay_rate = get_provider(payment.provider).fee_rate if payment else ZERO
    kept_fees = order.claims.filter(kind=ClaimKind.RETURN, status=ClaimStatus.COMPLETED).aggregate(
        s=Sum("return_shipping_fee"))["s"] or ZERO
    shipping = (ZERO if order.shipping_refunded else order.shipping_fee) + kept_fees
    confirmed = order.confirmed_at
    settle_date = settle_date_for(confirmed)
    rows = [SettlementLine(store_id=order.store_id, order=order, line=ln, confirmed_at=confirmed,
                           settle_date=settle_date, **amounts)
            for ln, amounts in settlement_amounts(lines=order.lines.order_by("pk"), shipping=shipping, rate=rate,
                                                  pay_rate=pay_rate)]
    return SettlementLine.objects.bulk_create(rows)
