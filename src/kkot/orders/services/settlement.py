"""정산: what each store is owed per order line, fixed at purchase confirmation.

sale = unit price x units kept; discount = the line's coupon share for those units; shipping = the order's
shipping fee if it was not refunded, plus return shipping fees kept from 단순변심 returns (first line only);
platform fee = rate x (sale - discount); payment fee = the provider's rate x (sale - discount + shipping).
For every confirmed order, sum(sale - discount + shipping) == order total - refunds, to the won.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from kkot.orders.models import ClaimKind, ClaimStatus, Order, Payment, SettlementLine
from kkot.orders.payments import get_provider
from kkot.orders.pricing import ZERO, discount_share, won


def settlement_create(*, order: Order) -> list[SettlementLine]:
    if SettlementLine.objects.filter(order=order).exists():
        return list(order.settlement_lines.all())
    rate = Decimal(str(settings.KKOT_PLATFORM_FEE_RATE))
    payment = Payment.objects.filter(purchase=order.purchase_id).order_by("-pk").first()
    pay_rate = get_provider(payment.provider).fee_rate if payment else ZERO
    kept_fees = order.claims.filter(kind=ClaimKind.RETURN, status=ClaimStatus.COMPLETED).aggregate(
        s=Sum("return_shipping_fee"))["s"] or ZERO
    shipping_left = (ZERO if order.shipping_refunded else order.shipping_fee) + kept_fees
    confirmed = order.confirmed_at
    settle_date = (confirmed + timedelta(days=settings.KKOT_SETTLEMENT_DAYS)).date()
    rows = []
    for ln in order.lines.order_by("pk"):
        kept = ln.active_qty
        if kept == 0:
            continue
        sale = ln.unit_price * kept
        removed = ln.quantity - kept
        discount = discount_share(ln.discount, ln.quantity, removed, ln.quantity)
        ship, shipping_left = shipping_left, ZERO
        platform = won((sale - discount) * rate)
        pay_fee = won((sale - discount + ship) * pay_rate)
        rows.append(SettlementLine(store_id=order.store_id, order=order, line=ln, quantity=kept, sale_amount=sale,
                                   discount=discount, shipping_fee=ship, platform_fee=platform, payment_fee=pay_fee,
                                   net_amount=sale - discount + ship - platform - pay_fee, confirmed_at=confirmed,
                                   settle_date=settle_date))
    return SettlementLine.objects.bulk_create(rows)
