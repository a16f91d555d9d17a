"""Daily rollup tables of the Biz Advisor (one row per Seoul calendar day).

Built only by :mod:`kkot.advisor.rollups` from the event log and the order/refund rows; a day is rebuilt as a
whole (delete + insert in one transaction), so re-running it replaces it. Dashboards read these tables first.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kkot.core.money import MoneyField


class StoreDaily(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    page_views = models.IntegerField(default=0)
    visits = models.IntegerField(default=0, help_text="distinct sessions")
    visitors = models.IntegerField(default=0)
    pv_sessions = models.IntegerField(default=0, help_text="sessions with a product view")
    cart_sessions = models.IntegerField(default=0, help_text="sessions with an add-to-cart")
    product_views = models.IntegerField(default=0)
    carts = models.IntegerField(default=0)
    searches = models.IntegerField(default=0)
    home_views = models.IntegerField(default=0, help_text="store-home page views (section impressions)")
    orders = models.IntegerField(default=0, help_text="orders paid this day")
    customers = models.IntegerField(default=0, help_text="distinct paying shoppers this day")
    revenue = MoneyField(default=0, help_text="order totals paid this day")
    refunds = MoneyField(default=0, help_text="refunds made this day (any order)")
    refund_count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("일별 스토어 통계")
        constraints = [models.UniqueConstraint(fields=["store", "day"], name="advisor_store_day")]


class ProductDaily(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    product_id = models.BigIntegerField()
    day = models.DateField()
    views = models.IntegerField(default=0)
    carts = models.IntegerField(default=0)
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    revenue = MoneyField(default=0, help_text="line subtotal minus coupon share, orders paid this day")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "product_id", "day"], name="advisor_product_day")]
        indexes = [models.Index(fields=["store", "day"])]


class ChannelDaily(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=30, help_text="'' = orders without a tracked visit")
    day = models.DateField()
    visits = models.IntegerField(default=0)
    pv_sessions = models.IntegerField(default=0)
    cart_sessions = models.IntegerField(default=0)
    orders = models.IntegerField(default=0, help_text="last tracked visit within 7 days before the order")
    revenue = MoneyField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "channel", "day"], name="advisor_channel_day")]


class SectionDaily(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    page_type = models.CharField(max_length=20)
    section = models.CharField(max_length=40, help_text="banner:3, best, new, category, search, widget:x, list")
    day = models.DateField()
    impressions = models.IntegerField(default=0, help_text="explicit impression events")
    clicks = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "page_type", "section", "day"],
                                               name="advisor_section_day")]


class KeywordDaily(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=100)
    day = models.DateField()
    searches = models.IntegerField(default=0)
    sessions = models.IntegerField(default=0)
    cart_sessions = models.IntegerField(default=0)
    orders = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "query", "day"], name="advisor_keyword_day")]


class RollupDay(models.Model):
    """Which days are built; ``built_at`` feeds the cache key (the rollup version)."""

    day = models.DateField(unique=True)
    built_at = models.DateTimeField()
    events = models.IntegerField(default=0)
    orders = models.IntegerField(default=0)
    seconds = models.FloatField(default=0)
