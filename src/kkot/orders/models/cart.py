from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Cart(models.Model):
    """A member's cart (one per user) or a guest's cart (one per session key); merged on login."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="cart")
    session_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("장바구니")
        verbose_name_plural = _("장바구니")
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(session_key__isnull=False), name="cart_has_owner"),
        ]


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="uniq_cart_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=1, quantity__lte=999), name="cart_qty_1_999"),
        ]


class Address(models.Model):
    """An address-book entry of a shopper."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("배송지명"), max_length=20, blank=True)
    recipient = models.CharField(_("받는 분"), max_length=40)
    phone = models.CharField(_("연락처"), max_length=20)
    postcode = models.CharField(_("우편번호"), max_length=5)
    address1 = models.CharField(_("주소"), max_length=200)
    address2 = models.CharField(_("상세주소"), max_length=100, blank=True)
    is_default = models.BooleanField(_("기본 배송지"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at"]
        verbose_name = _("배송지")
        verbose_name_plural = _("배송지")
