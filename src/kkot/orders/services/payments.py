"""Applying payment outcomes: charge results, provider webhooks (verified, stored once, order-independent),
refunds (never more than paid), and expiry of unpaid payments. All idempotent."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.core.errors import Conflict, ValidationError
from kkot.orders.models import (
    CartItem,
    Coupon,
    CouponRedemption,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    PaymentWebhookEvent,
    Refund,
)
from kkot.orders.payments import ChargeResult, ProviderError, get_provider
from kkot.orders.services.lifecycle import order_transition
from kkot.orders.services.stock import stock_release

FINAL = {PaymentStatus.FAILED, PaymentStatus.CANCELLED}


def _locked(payment_id: int) -> Payment:
    return Payment.objects.select_for_update().select_related("purchase").get(pk=payment_id)


@transaction.atomic
def payment_apply_charge(*, payment_id: int, result: ChargeResult) -> Payment:
    payment = _locked(payment_id)
    if payment.status != PaymentStatus.PENDING:
        return payment
    payment.provider_ref = result.provider_ref or payment.provider_ref
    payment.method_label = result.method_label[:40]
    fields = ["provider_ref", "method_label", "updated_at"]
    if result.status == "approved":
        payment.save(update_fields=fields)
        return payment_mark_paid(payment=payment)
    if result.status == "declined":
        payment.save(update_fields=fields)
        return payment_fail(payment_id=payment.pk, code=result.failure_code, message=result.failure_message)
    if result.status == "pending":  # virtual account: wait for the deposit until the deadline
        payment.vbank_name, payment.vbank_account = result.vbank_name, result.vbank_account
        payment.vbank_holder, payment.deposit_deadline = result.vbank_holder, result.deposit_deadline
        fields += ["vbank_name", "vbank_account", "vbank_holder", "deposit_deadline"]
        payment.save(update_fields=fields)
        _clear_cart(payment)
        return payment
    # timeout: outcome unknown; stock stays reserved until a webhook or the pending deadline settles it.
    payment.save(update_fields=fields)
    return payment


def _clear_cart(payment: Payment) -> None:
    variant_ids = OrderLine.objects.filter(order__purchase=payment.purchase).values_list("variant_id", flat=True)
    CartItem.objects.filter(cart__user_id=payment.purchase.user_id, variant_id__in=list(variant_ids)).delete()


def payment_mark_paid(*, payment: Payment, at=None) -> Payment:
    """Pending -> paid; every order of the purchase becomes 결제완료. Caller holds the row lock."""
    at = at or timezone.now()
    payment.status = PaymentStatus.PAID
    payment.paid_at = at
    payment.fee = get_provider(payment.provider).fee(payment.amount)
    payment.save(update_fields=["status", "paid_at", "fee", "updated_at"])
    for order in payment.purchase.orders.select_for_update().order_by("pk"):
        if order.status == OrderStatus.PENDING_PAYMENT:
            order_transition(order=order, to=OrderStatus.PAID, actor=None, role="system", at=at,
                             data={"payment": payment.method_label})
    _clear_cart(payment)
    return payment


@transaction.atomic
def payment_fail(*, payment_id: int, code: str, message: str, status: str = PaymentStatus.FAILED) -> Payment:
    """Pending -> failed/cancelled: orders cancelled, stock released, coupons given back."""
    payment = _locked(payment_id)
    if payment.status != PaymentStatus.PENDING:
        return payment
    payment.status = status
    payment.failure_code, payment.failure_message = (code or "")[:30], (message or "")[:200]
    payment.save(update_fields=["status", "failure_code", "failure_message", "updated_at"])
    reason = message or _("결제가 완료되지 않았습니다.")
    for order in payment.purchase.orders.select_for_update().order_by("pk"):
        if order.status != OrderStatus.PENDING_PAYMENT:
            continue
        stock_release(quantities={ln.variant_id: ln.quantity for ln in order.lines.all()})
        _coupon_release(order)
        order_transition(order=order, to=OrderStatus.CANCELLED, actor=None, role="system", reason=reason)
    return payment


def _coupon_release(order) -> None:
    red = CouponRedemption.objects.filter(order=order).first()
    if red is not None:
        Coupon.objects.filter(pk=red.coupon_id, used_count__gt=0).update(used_count=F("used_count") - 1)
        red.delete()


def payment_webhook_receive(*, provider: str, headers: dict[str, str], body: bytes) -> str:
    """Verify, store once, apply. Returns the outcome; raises ValidationError for a forged/malformed call.
    A replay (same event id) and an event that no longer applies (out of order) change nothing."""
    try:
        p = get_provider(provider)
        event = p.parse_webhook(headers=headers, body=body)
    except ProviderError as exc:
        raise ValidationError(_("웹훅을 확인할 수 없습니다."), code=exc.code) from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = PaymentWebhookEvent.objects.create(provider=provider, event_id=event.event_id, kind=event.kind,
                                                            payload=event.payload, received_at=timezone.now())
        except IntegrityError:
            return "duplicate"
        payment = Payment.objects.select_for_update().select_related("purchase").filter(
            provider=provider, provider_ref=event.provider_ref).first()
        if payment is None:
            outcome = "unknown_payment"
        elif event.kind in ("payment.approved", "deposit.received"):
            if event.amount is not None and event.amount != payment.amount:
                outcome = "amount_mismatch"
            elif payment.status == PaymentStatus.PENDING:
                payment_mark_paid(payment=payment)
                outcome = "paid"
            elif payment.status in FINAL:
                outcome = "late_payment_refund_required"
            else:
                outcome = "already_paid"
        elif event.kind in ("payment.failed", "payment.cancelled"):
            if payment.status == PaymentStatus.PENDING:
                payment_fail(payment_id=payment.pk, code=event.kind, message=_("결제가 취소되었습니다."))
                outcome = "failed"
            else:
                outcome = "ignored_" + payment.status
        else:
            outcome = "ignored_kind"
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    if outcome == "late_payment_refund_required":
        _refund_late_payment(payment, event)
    return outcome


def _refund_late_payment(payment: Payment, event) -> None:
    """Money arrived for a payment we already cancelled (deposit after the deadline): give it all back."""
    provider = get_provider(payment.provider)
    key = "late-" + hashlib.sha256(f"{payment.pk}:{event.event_id}".encode()).hexdigest()[:40]
    provider.refund(payment=payment, amount=event.amount or payment.amount, idempotency_key=key)


def payment_refund(*, order, amount: Decimal, reason: str, idempotency_key: str, claim=None) -> Refund | None:
    """Refund part of the purchase's payment for ``order``. Never more than what is left; idempotent by key.
    Must be called inside a transaction (claims and cancellations do)."""
    if amount <= 0:
        return None
    existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    payment = Payment.objects.select_for_update().filter(
        purchase=order.purchase_id, status__in=[PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED]).first()
    if payment is None:
        return None  # never paid: nothing to give back
    refundable_for_order = order.total - sum(r.amount for r in order.refunds.all())
    if amount > payment.amount - payment.refunded or amount > refundable_for_order:
        raise Conflict(_("환불 금액이 결제 금액을 넘을 수 없습니다."), code="refund_exceeds_payment")
    result = get_provider(payment.provider).refund(payment=payment, amount=amount, idempotency_key=idempotency_key)
    refund = Refund.objects.create(payment=payment, claim=claim, order=order, amount=amount,
                                   idempotency_key=idempotency_key, provider_ref=result.provider_ref, reason=reason[:200],
                                   created_at=timezone.now())
    payment.refunded = F("refunded") + amount
    payment.save(update_fields=["refunded", "updated_at"])
    payment.refresh_from_db(fields=["refunded"])
    payment.status = PaymentStatus.REFUNDED if payment.refunded == payment.amount else PaymentStatus.PARTIALLY_REFUNDED
    payment.save(update_fields=["status"])
    return refund


def payments_expire(*, now=None) -> int:
    """Cancel pending payments past their deadline (unpaid virtual accounts, unanswered card timeouts)."""
    now = now or timezone.now()
    n = 0
    for pid in Payment.objects.filter(status=PaymentStatus.PENDING, deposit_deadline__lt=now).values_list("pk", flat=True):
        p = payment_fail(payment_id=pid, code="deadline", message=_("입금 기한이 지나 주문이 취소되었습니다."),
                         status=PaymentStatus.CANCELLED)
        n += p.status == PaymentStatus.CANCELLED
    return n
