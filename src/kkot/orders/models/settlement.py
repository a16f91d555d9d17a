from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kkot.core.money import MoneyField


class SettlementLine(models.Model):
    """What the store is owed for one order line once the purchase is confirmed (정산).

    net = sale - discount + shipping - platform_fee - payment_fee - refunds already deducted by claims.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("정산예정")
        PAID = "paid", _("지급완료")

    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="settlement_lines")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="settlement_lines")
    line = models.OneToOneField("orders.OrderLine", on_delete=models.PROTECT, related_name="settlement")
    quantity = models.PositiveIntegerField()
    sale_amount = MoneyField()
    discount = MoneyField()
    shipping_fee = MoneyField()
    platform_fee = MoneyField()
    payment_fee = MoneyField()
    net_amount = MoneyField()
    confirmed_at = models.DateTimeField()
    settle_date = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)

    class Meta:
        indexes = [models.Index(fields=["store", "settle_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(net_amount=F("sale_amount") - F("discount") + F("shipping_fee") - F("platform_fee")
                            - F("payment_fee")),
                name="settlement_net_adds_up",
            ),
        ]
