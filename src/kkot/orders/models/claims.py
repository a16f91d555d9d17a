from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kkot.core.money import MoneyField


class ClaimKind(models.TextChoices):
    CANCEL = "cancel", _("취소")
    RETURN = "return", _("반품")
    EXCHANGE = "exchange", _("교환")


class ClaimReason(models.TextChoices):
    CHANGE_OF_MIND = "change_of_mind", _("단순변심")
    DEFECTIVE = "defective", _("상품불량")
    WRONG_ITEM = "wrong_item", _("오배송")
    LATE = "late", _("배송지연")
    OTHER = "other", _("기타")


# Who pays the return shipping: the shopper for 단순변심 (and 기타), the seller when the seller is at fault.
SHOPPER_PAYS = {ClaimReason.CHANGE_OF_MIND, ClaimReason.OTHER}


class ClaimStatus(models.TextChoices):
    REQUESTED = "requested", _("요청")
    APPROVED = "approved", _("승인")
    REJECTED = "rejected", _("거부")
    COMPLETED = "completed", _("완료")
    WITHDRAWN = "withdrawn", _("철회")


class Claim(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=10, choices=ClaimKind.choices)
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.REQUESTED)
    reason = models.CharField(max_length=20, choices=ClaimReason.choices)
    detail = models.CharField(_("상세 사유"), max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    return_shipping_fee = MoneyField(default=0, help_text="deducted from the refund when the shopper pays")
    refund_amount = MoneyField(default=0)
    reject_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["order", "status"])]


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="claim_lines")
    quantity = models.PositiveIntegerField()
    exchange_variant = models.ForeignKey("catalog.Variant", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="claimline_qty_positive"),
            models.UniqueConstraint(fields=["claim", "line"], name="uniq_claim_line"),
        ]
