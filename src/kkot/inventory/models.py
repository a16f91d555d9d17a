"""Warehouses, the stock ledger (one row per movement) and the per-(variant, warehouse) balance it keeps.

Invariant (tested with hypothesis): for every StockLevel, ``on_hand == Σ movement.on_hand_delta`` and
``reserved == Σ movement.reserved_delta`` over its movements, and ``0 <= reserved <= on_hand``.
``Variant.stock`` is the cached available-to-sell total ``Σ (on_hand - reserved)`` over the variant's levels,
written in the same transaction as the movements.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Warehouse(models.Model):
    class Kind(models.TextChoices):
        OWN = "own", _("자체 창고")
        FC = "fc", _("풀필먼트 센터")

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="warehouses")
    code = models.SlugField(max_length=30)
    name = models.CharField(_("창고 이름"), max_length=40)
    kind = models.CharField(_("종류"), max_length=5, choices=Kind.choices, default=Kind.OWN)
    cold_chain = models.BooleanField(_("냉장/냉동 보관 가능"), default=False)
    is_default = models.BooleanField(_("기본 출고지"), default=False)
    is_active = models.BooleanField(default=True)
    postcode = models.CharField(_("우편번호"), max_length=5, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "pk"]
        verbose_name = _("창고")
        verbose_name_plural = _("창고")
        constraints = [
            models.UniqueConstraint(fields=["store", "code"], name="uniq_warehouse_code_in_store"),
            models.UniqueConstraint(fields=["store"], condition=Q(is_default=True), name="one_default_warehouse"),
        ]

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="levels")
    on_hand = models.IntegerField(_("실재고"), default=0)
    reserved = models.IntegerField(_("예약"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="uniq_stock_level"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_nonneg"),
            models.CheckConstraint(condition=Q(on_hand__gte=F("reserved")), name="stock_available_nonneg"),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIVE = "receive", _("입고")
    RESERVE = "reserve", _("주문 예약")
    RELEASE = "release", _("예약 해제")
    SHIP = "ship", _("출고")
    RETURN_RESTOCK = "return_restock", _("반품 재입고")
    ADJUST = "adjust", _("재고 조정")
    DISPOSE = "dispose", _("반품 폐기")


class StockMovement(models.Model):
    """Append-only. ``qty`` is the signed quantity as the seller reads it; the two deltas are its effects."""

    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="stock_movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField(max_length=15, choices=MovementKind.choices)
    qty = models.IntegerField()
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    reason = models.CharField(_("사유"), max_length=200, blank=True)
    # orders sit above inventory (ADR 0007): a plain id, not a foreign key.
    order_line_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ref = models.CharField(max_length=60, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["variant", "warehouse"]), models.Index(fields=["warehouse", "-at"])]


class BackInStockRequest(models.Model):
    """A shopper asked to hear when a sold-out variant is back. Notified once (``notified_at``)."""

    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="restock_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="restock_requests")
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["variant", "user"], condition=Q(notified_at__isnull=True),
                                               name="one_open_restock_request")]
