from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kkot.core.money import MoneyField


class Coupon(models.Model):
    """A store coupon: fixed amount or percent, minimum order, validity, audience, usage limits."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("정액 할인")
        PERCENT = "percent", _("정률 할인")

    class Audience(models.TextChoices):
        ALL = "all", _("모든 고객")
        REGULARS = "regulars", _("단골 고객")
        FIRST_PURCHASE = "first", _("첫 구매 고객")

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(_("쿠폰 코드"), max_length=30)
    name = models.CharField(_("쿠폰 이름"), max_length=60)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = MoneyField(_("할인 금액"), null=True, blank=True, validators=[MinValueValidator(1)])
    percent = models.PositiveSmallIntegerField(_("할인율"), null=True, blank=True,
                                               validators=[MinValueValidator(1), MaxValueValidator(90)])
    max_discount = MoneyField(_("최대 할인"), null=True, blank=True)
    min_order = MoneyField(_("최소 주문금액"), default=0)
    starts_at = models.DateTimeField(_("시작"))
    ends_at = models.DateTimeField(_("종료"))
    audience = models.CharField(_("대상"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    usage_limit = models.PositiveIntegerField(_("총 발행 한도"), null=True, blank=True)
    used_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("쿠폰")
        verbose_name_plural = _("쿠폰")
        constraints = [
            models.UniqueConstraint(fields=["store", "code"], name="uniq_coupon_code"),
            models.CheckConstraint(
                condition=(Q(kind="fixed", amount__isnull=False) | Q(kind="percent", percent__isnull=False)),
                name="coupon_kind_value",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="coupon_period"),
        ]

    def __str__(self) -> str:
        return self.name


class CouponRedemption(models.Model):
    """One use of a coupon by a shopper on an order; one per coupon and shopper (unique)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="coupon_redemption")
    discount = MoneyField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coupon", "user"], name="uniq_coupon_per_user")]
