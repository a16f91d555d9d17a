"""Shipments of orders and the carrier's tracking events (the shipment state machine is in services)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ShipmentStatus(models.TextChoices):
    READY = "ready", _("발송처리")
    PICKED_UP = "picked_up", _("집하")
    HUB_IN = "hub_in", _("간선상차")
    HUB_OUT = "hub_out", _("간선하차")
    OUT_FOR_DELIVERY = "out_for_delivery", _("배송출발")
    FAILED = "failed", _("미배달/반송")
    DELIVERED = "delivered", _("배송완료")


# Status never moves backwards: an event only advances the shipment when its rank is higher.
RANK = {"ready": 0, "picked_up": 1, "hub_in": 2, "hub_out": 3, "out_for_delivery": 4, "failed": 5, "delivered": 6}
EVENT_CODES = [c for c in RANK if c != "ready"]


class Shipment(models.Model):
    class Kind(models.TextChoices):
        OUTBOUND = "outbound", _("배송")

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="shipments")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="shipments")
    warehouse = models.ForeignKey("inventory.Warehouse", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="shipments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OUTBOUND)
    carrier = models.CharField(_("택배사"), max_length=10)
    tracking_number = models.CharField(_("송장번호"), max_length=20)
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.READY)
    dest_postcode = models.CharField(max_length=5, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delay_alerted_for = models.DateTimeField(null=True, blank=True,
                                             help_text="last_event_at the last delay alert was about")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("배송")
        verbose_name_plural = _("배송")
        constraints = [models.UniqueConstraint(fields=["carrier", "tracking_number"], name="uniq_tracking_number")]
        indexes = [models.Index(fields=["store", "status", "-created_at"])]


class TrackingEvent(models.Model):
    class Source(models.TextChoices):
        SIMULATED = "simulated", _("모의 택배사")
        WEBHOOK = "webhook", _("택배사 웹훅")
        UPLOAD = "upload", _("파일 업로드")
        MANUAL = "manual", _("직접 입력")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=20, choices=[(c, ShipmentStatus(c).label) for c in EVENT_CODES])
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=60, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shipment", "code", "occurred_at"], name="uniq_tracking_event")]


class CarrierWebhookEvent(models.Model):
    """Seen webhook deliveries: the same (carrier, event id) is applied once; a replay changes nothing."""

    carrier = models.CharField(max_length=10)
    event_id = models.CharField(max_length=80)
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=30)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["carrier", "event_id"], name="uniq_carrier_webhook_event")]


class PromiseRecord(models.Model):
    """The delivery promise shown at checkout for one order, and how it turned out (see ``promise.py``)."""

    class Kind(models.TextChoices):
        DATE = "date", _("도착 예정일")
        RANGE = "range", _("출고 예정 기간")

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="promise_record")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="promise_records")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    promised_date = models.DateField(null=True, blank=True)
    probability = models.FloatField(null=True, blank=True)
    support = models.PositiveIntegerField(default=0, help_text="comparable past shipments behind the estimate")
    text = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed = models.BooleanField(default=False)
    on_time = models.BooleanField(null=True, blank=True, help_text="None until delivered (or failed)")
    days_late = models.SmallIntegerField(null=True, blank=True, help_text="delivery date - promised date (days)")

    class Meta:
        indexes = [models.Index(fields=["store", "kind", "-created_at"])]
