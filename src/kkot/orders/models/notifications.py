from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """In-app notification for a shopper, or for a store's staff (``store`` set)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    store = models.ForeignKey("stores.Store", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="notifications")
    kind = models.CharField(max_length=30)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True, help_text="one notification per event, also on retries")
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("알림")
        verbose_name_plural = _("알림")


class WebhookDelivery(models.Model):
    """A signed (HMAC-SHA256) POST of an order event to the seller's webhook URL, retried with backoff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("대기")
        DELIVERED = "delivered", _("전송완료")
        FAILED = "failed", _("실패")

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="webhook_deliveries")
    event = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=120, unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
