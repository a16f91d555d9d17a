"""Placing an order: validate and price from the database, reserve stock, write the purchase and a pending
payment in one transaction, call the payment provider outside it, then apply the result.

If the process dies after the first commit, the payment stays pending with a deadline and the
``payments_expire`` task cancels it and releases the stock: nothing is lost or oversold.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.core.errors import Conflict, KkotError, ValidationError
from kkot.core.money import krw
from kkot.orders.models import (
    Coupon,
    CouponRedemption,
    Order,
    OrderLine,
    Payment,
    PaymentStatus,
    Purchase,
)
from kkot.orders.payments import ProviderError, get_provider
from kkot.orders.services.lifecycle import audit
from kkot.orders.services.payments import payment_apply_charge
from kkot.orders.services.quote import checkout_quote
from kkot.orders.services.stock import stock_reserve


@dataclass
class AddressInput:
    recipient: str
    phone: str
    postcode: str
    address1: str
    address2: str = ""


def _check_address(a: AddressInput) -> AddressInput:
    errors: dict[str, list[str]] = {}
    if not (a.recipient or "").strip():
        errors["recipient"] = [_("받는 분 이름을 입력해 주세요.")]
    if not re.fullmatch(r"0\d{1,2}-?\d{3,4}-?\d{4}", (a.phone or "").strip()):
        errors["phone"] = [_("연락처 형식이 올바르지 않습니다. 예: 010-1234-5678")]
    if not re.fullmatch(r"\d{5}", (a.postcode or "").strip()):
        errors["postcode"] = [_("우편번호 5자리를 입력해 주세요.")]
    if not (a.address1 or "").strip():
        errors["address1"] = [_("주소를 입력해 주세요.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], code="invalid_address", details=errors)
    return AddressInput(a.recipient.strip()[:40], a.phone.strip()[:20], a.postcode.strip(), a.address1.strip()[:200],
                        (a.address2 or "").strip()[:100])


def _number(prefix: str, at) -> str:
    return f"{prefix}{timezone.localtime(at):%y%m%d}{secrets.randbelow(10**8):08d}"


def checkout_place(*, user, items: list[tuple[int, int]], address: AddressInput, provider: str,
                   idempotency_key: str, expected_total, payment_params: dict | None = None,
                   coupons: dict[int, str] | None = None, request_note: str = "", at=None) -> Purchase:
    """Place and pay. Returns the purchase (its orders are 결제완료, or 결제대기 for a virtual account).

    ``expected_total`` is what the shopper saw; if the server's total differs (a tampered form, or a price
    changed meanwhile) nothing is placed. The same ``idempotency_key`` twice returns the first purchase.
    """
    key = (idempotency_key or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", key):
        raise ValidationError(_("주문 요청이 올바르지 않습니다. 페이지를 새로고침해 주세요."), code="invalid_idempotency_key")
    existing = Payment.objects.select_related("purchase").filter(idempotency_key=key).first()
    if existing is not None:
        if existing.purchase.user_id != user.pk:
            raise Conflict(_("이미 처리된 주문 요청입니다."), code="duplicate_request")
        return existing.purchase
    get_provider(provider)  # unknown provider -> error before anything is written
    address = _check_address(address)
    try:
        expected = krw(str(expected_total))
    except (ValueError, ArithmeticError, KkotError):
        raise ValidationError(_("결제 금액이 올바르지 않습니다."), code="invalid_total") from None
    at = at or timezone.now()
    try:
        purchase, payment = _place(user=user, items=items, address=address, provider=provider, key=key,
                                   expected=expected, coupons=coupons or {}, note=request_note, at=at)
    except IntegrityError:
        # The same key raced with itself (double click): the first one won.
        existing = Payment.objects.select_related("purchase").filter(idempotency_key=key).first()
        if existing is not None and existing.purchase.user_id == user.pk:
            return existing.purchase
        raise
    try:
        result = get_provider(provider).charge(payment=payment, params=payment_params or {})
    except ProviderError as exc:
        from kkot.orders.services.payments import payment_fail

        payment_fail(payment_id=payment.pk, code=exc.code, message=exc.message)
        raise ValidationError(exc.message, code=exc.code) from exc
    payment_apply_charge(payment_id=payment.pk, result=result)
    purchase.refresh_from_db()
    return purchase


@transaction.atomic
def _place(*, user, items, address, provider, key, expected, coupons, note, at):
    quote = checkout_quote(user=user, items=items, postcode=address.postcode, coupons=coupons, lock=True)
    if quote.grand_total != expected:
        raise Conflict(
            _("결제 금액이 바뀌었습니다(%(old)s원 → %(new)s원). 주문 내용을 다시 확인해 주세요.")
            % {"old": f"{int(expected):,}", "new": f"{int(quote.grand_total):,}"},
            code="price_changed", details={"expected": int(expected), "actual": int(quote.grand_total)})
    stock_reserve(quantities={ln.variant.pk: ln.quantity for s in quote.stores for ln in s.lines})
    purchase = Purchase.objects.create(
        number=_number("K", at), user=user, recipient=address.recipient, phone=address.phone,
        postcode=address.postcode, address1=address.address1, address2=address.address2,
        request_note=(note or "").strip()[:100], items_total=quote.items_total, discount_total=quote.discount_total,
        shipping_total=quote.shipping_total, grand_total=quote.grand_total, created_at=at)
    for i, sq in enumerate(quote.stores, start=1):
        order = Order.objects.create(
            purchase=purchase, store=sq.store, user=user, number=f"{purchase.number}-{i:02d}",
            items_total=sq.items_total, discount_total=sq.discount, shipping_fee=sq.shipping_fee, total=sq.total,
            created_at=at)
        OrderLine.objects.bulk_create([
            OrderLine(order=order, product=ln.variant.product, variant=ln.variant, product_name=ln.variant.product.name,
                      variant_label=ln.variant.label, sku=ln.variant.sku, unit_price=ln.unit_price,
                      list_unit_price=ln.list_unit_price, quantity=ln.quantity, subtotal=ln.subtotal,
                      discount=ln.discount)
            for ln in sq.lines])
        if sq.coupon is not None:
            taken = Coupon.objects.filter(pk=sq.coupon.pk).filter(
                used_count__lt=F("usage_limit")) if sq.coupon.usage_limit is not None else Coupon.objects.filter(
                pk=sq.coupon.pk)
            if taken.update(used_count=F("used_count") + 1) != 1:
                raise Conflict(_("모두 소진된 쿠폰입니다: %(c)s") % {"c": sq.coupon.name}, code="coupon_exhausted")
            try:
                with transaction.atomic():
                    CouponRedemption.objects.create(coupon=sq.coupon, user=user, order=order, discount=sq.discount)
            except IntegrityError:
                raise Conflict(_("이미 사용한 쿠폰입니다: %(c)s") % {"c": sq.coupon.name}, code="coupon_used") from None
        audit(order=order, kind="placed", actor=user, role="shopper", to_status=order.status, at=at,
              data={"purchase": purchase.number})
    payment = Payment.objects.create(
        purchase=purchase, provider=provider, amount=quote.grand_total, idempotency_key=key, created_at=at,
        status=PaymentStatus.PENDING,
        deposit_deadline=at + timedelta(minutes=settings.KKOT_PAYMENT_PENDING_MINUTES))
    return purchase, payment
