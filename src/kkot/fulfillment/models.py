"""Shipments of orders and the carrier's tracking events (the shipment state machine is in services)."""

from __future__ import annotations

from django.conf import settings
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
        PICKUP = "pickup", _("회수")
        REPLACEMENT = "replacement", _("교환 재배송")

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="shipments")
    # A pickup (회수) or an exchange's replacement belongs to one claim; an order's own parcel has none.
    claim = models.ForeignKey("orders.Claim", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="shipments")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="shipments")
    warehouse = models.ForeignKey("inventory.Warehouse", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="shipments")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OUTBOUND)
    carrier = models.CharField(_("택배사"), max_length=10)
    tracking_number = models.CharField(_("송장번호"), max_length=20)
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.READY)
    dest_postcode = models.CharField(max_length=5, blank=True)
    origin_postcode = models.CharField(max_length=5, blank=True,
                                       help_text="where the carrier picks up; blank: the warehouse (outbound)")
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


# ------------------------------------------------------------------------------------------- returns (회수·검수)
class ReturnPolicy(models.Model):
    """A store's rules for returns and exchanges (one row per store, created with defaults on first use)."""

    store = models.OneToOneField("stores.Store", on_delete=models.CASCADE, related_name="return_policy")
    inspect_before_refund = models.BooleanField(
        _("검수 후 환불"), default=True,
        help_text=_("켜 두면 회수 상품을 검수한 뒤에 환불합니다. 끄면 회수 요청과 함께 바로 환불합니다."))
    pickup_carrier = models.CharField(_("회수 택배사"), max_length=10, default="cj")
    warehouse = models.ForeignKey("inventory.Warehouse", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("회수 입고 창고"))


class ReturnStatus(models.TextChoices):
    PICKUP_REQUESTED = "pickup_requested", _("회수요청")
    IN_TRANSIT = "in_transit", _("회수중")
    PICKUP_FAILED = "pickup_failed", _("회수실패")
    ARRIVED = "arrived", _("회수완료·검수대기")
    PASSED = "passed", _("검수통과")
    FAILED = "failed", _("검수불합격")
    RESTOCKED = "restocked", _("재입고")
    DISPOSED = "disposed", _("폐기")
    REPLACEMENT_SHIPPED = "replacement_shipped", _("교환 재배송중")
    COMPLETED = "completed", _("완료")
    REJECTED = "rejected", _("반품거절")


class ReturnCase(models.Model):
    """The physical side of one accepted return or exchange: pickup, inspection, restock or dispose, the
    replacement. Its status only changes through ``kkot.fulfillment.returns`` (state machine + audit rows)."""

    claim = models.OneToOneField("orders.Claim", on_delete=models.CASCADE, related_name="return_case")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="return_cases")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="return_cases")
    status = models.CharField(max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.PICKUP_REQUESTED)
    warehouse = models.ForeignKey("inventory.Warehouse", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="return_cases", help_text="where the pickup goes")
    pickup = models.ForeignKey(Shipment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replacement = models.ForeignKey(Shipment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inspect_before_refund = models.BooleanField(default=True, help_text="the store's policy when accepted")
    inspection_passed = models.BooleanField(null=True, blank=True)
    inspection_note = models.CharField(_("검수 메모"), max_length=300, blank=True)
    inspected_at = models.DateTimeField(null=True, blank=True)
    disposition_reason = models.CharField(_("폐기 사유"), max_length=200, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("회수·검수")
        verbose_name_plural = _("회수·검수")
        indexes = [models.Index(fields=["store", "status", "-created_at"])]


class ReturnCaseEvent(models.Model):
    """Audit row of every return-case transition: who, when, why."""

    case = models.ForeignKey(ReturnCase, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_role = models.CharField(max_length=10)
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class InspectionPhoto(models.Model):
    case = models.ForeignKey(ReturnCase, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="returns/%Y/%m/")
    created_at = models.DateTimeField(default=timezone.now)
