from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kkot.core.money import MoneyField


class Purchase(models.Model):
    """One checkout (주문서): a shopper's payment covering one order per store."""

    number = models.CharField(max_length=20, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases")
    recipient = models.CharField(max_length=40)
    phone = models.CharField(max_length=20)
    postcode = models.CharField(max_length=5)
    address1 = models.CharField(max_length=200)
    address2 = models.CharField(max_length=100, blank=True)
    request_note = models.CharField(_("배송 요청사항"), max_length=100, blank=True)
    items_total = MoneyField(default=0)
    discount_total = MoneyField(default=0)
    shipping_total = MoneyField(default=0)
    grand_total = MoneyField(default=0)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("주문서")
        verbose_name_plural = _("주문서")
        constraints = [
            models.CheckConstraint(
                condition=Q(grand_total=F("items_total") - F("discount_total") + F("shipping_total")),
                name="purchase_total_adds_up",
            ),
        ]


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("결제대기")
    PAID = "paid", _("결제완료")
    PREPARING = "preparing", _("상품준비중")
    SHIPPING = "shipping", _("배송중")
    DELIVERED = "delivered", _("배송완료")
    CONFIRMED = "confirmed", _("구매확정")
    CANCELLED = "cancelled", _("취소완료")
    RETURNED = "returned", _("반품완료")


class Order(models.Model):
    """The part of a purchase that one store fulfils. Its status only changes through
    :func:`kkot.orders.services.lifecycle.order_transition`."""

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="orders")
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="orders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=24, unique=True)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT)
    items_total = MoneyField(default=0)
    discount_total = MoneyField(default=0, help_text="store coupon discount")
    shipping_fee = MoneyField(default=0)
    shipping_refunded = models.BooleanField(default=False)
    total = MoneyField(default=0)
    carrier = models.CharField(max_length=20, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("주문")
        verbose_name_plural = _("주문")
        indexes = [
            models.Index(fields=["store", "status", "-created_at"]),
            models.Index(fields=["store", "-created_at"]),
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["status", "delivered_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total=F("items_total") - F("discount_total") + F("shipping_fee")),
                                   name="order_total_adds_up"),
            models.CheckConstraint(condition=Q(discount_total__lte=F("items_total")), name="order_discount_le_items"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """One variant bought, with snapshots of what the shopper saw and the coupon share allocated to it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="order_lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="order_lines")
    product_name = models.CharField(max_length=100)
    variant_label = models.CharField(max_length=120, blank=True)
    sku = models.CharField(max_length=60)
    unit_price = MoneyField(help_text="price paid per unit before coupon (sale price + option delta)")
    list_unit_price = MoneyField(help_text="list price per unit + option delta")
    quantity = models.PositiveIntegerField()
    subtotal = MoneyField(help_text="unit_price x quantity")
    discount = MoneyField(default=0, help_text="coupon share allocated to this line")
    cancelled_qty = models.PositiveIntegerField(default=0)
    returned_qty = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="line_qty_positive"),
            models.CheckConstraint(condition=Q(subtotal=F("unit_price") * F("quantity")), name="line_subtotal"),
            models.CheckConstraint(condition=Q(discount__lte=F("subtotal")), name="line_discount_le_subtotal"),
            models.CheckConstraint(condition=Q(cancelled_qty__lte=F("quantity") - F("returned_qty")),
                                   name="line_claims_le_qty"),
        ]

    @property
    def active_qty(self) -> int:
        return self.quantity - self.cancelled_qty - self.returned_qty


class OrderEvent(models.Model):
    """The audit trail: every transition and claim step, who did it, when and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, help_text="status, claim_requested, claim_approved, note, ...")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_role = models.CharField(max_length=10, help_text="shopper, seller, system, operator")
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
