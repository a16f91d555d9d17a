from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kkot.core.money import MoneyField


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("결제대기")  # created, or a virtual account waiting for the deposit
    PAID = "paid", _("결제완료")
    FAILED = "failed", _("결제실패")
    CANCELLED = "cancelled", _("결제취소")  # never paid and abandoned / deadline passed
    PARTIALLY_REFUNDED = "partially_refunded", _("부분환불")
    REFUNDED = "refunded", _("전액환불")


class Payment(models.Model):
    """Money for one purchase through one provider. ``refunded`` can never exceed ``amount`` (constraint)."""

    purchase = models.ForeignKey("orders.Purchase", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20)
    method_label = models.CharField(max_length=40, blank=True, help_text="카드 ****4242, 국민은행 가상계좌 ...")
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    amount = MoneyField()
    refunded = MoneyField(default=0)
    fee = MoneyField(default=0, help_text="payment processing fee charged to the seller(s)")
    idempotency_key = models.CharField(max_length=64, unique=True)
    provider_ref = models.CharField(max_length=64, blank=True)
    vbank_name = models.CharField(max_length=20, blank=True)
    vbank_account = models.CharField(max_length=30, blank=True)
    vbank_holder = models.CharField(max_length=30, blank=True)
    deposit_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    failure_code = models.CharField(max_length=30, blank=True)
    failure_message = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_nonneg"),
            models.CheckConstraint(condition=Q(refunded__gte=0, refunded__lte=F("amount")), name="refund_le_paid"),
            models.UniqueConstraint(fields=["provider", "provider_ref"], condition=~Q(provider_ref=""),
                                    name="uniq_provider_ref"),
        ]
        indexes = [models.Index(fields=["status", "deposit_deadline"])]


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    claim = models.ForeignKey("orders.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField()
    idempotency_key = models.CharField(max_length=64, unique=True)
    provider_ref = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive")]


class PaymentWebhookEvent(models.Model):
    """Every verified provider notification, stored once: a replay hits the unique constraint and is ignored."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=30)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="uniq_webhook_event")]
