"""The append-only storefront event log.

Rows are written only by :func:`kkot.events.services.events_append` (batched ``bulk_create``) and never
updated. Privacy: no IP address and no user agent string are stored; a visitor is a random id kept in a
first-party cookie, hashed with the server secret; shoppers who opted out produce no rows at all.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    PAGE_VIEW = "page_view", _("페이지 조회")
    CLICK = "click", _("클릭")
    PRODUCT_VIEW = "product_view", _("상품 조회")
    SEARCH = "search", _("검색")
    ADD_TO_CART = "add_to_cart", _("장바구니 담기")
    FOLLOW = "follow", _("단골 맺기")
    UNFOLLOW = "unfollow", _("단골 해제")
    IMPRESSION = "impression", _("노출")


class Event(models.Model):
    ts = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    visitor = models.CharField(max_length=32, help_text="keyed hash of the first-party visitor cookie")
    session = models.CharField(max_length=32, help_text="keyed hash of the visit (30 minutes idle)")
    user_id = models.BigIntegerField(null=True, blank=True)
    store_id = models.BigIntegerField(null=True, blank=True)
    product_id = models.BigIntegerField(null=True, blank=True)
    page_type = models.CharField(max_length=20, blank=True)
    section = models.CharField(max_length=40, blank=True, help_text="banner:3, best, new, category:12, widget:x")
    position = models.SmallIntegerField(null=True, blank=True)
    query = models.CharField(max_length=100, blank=True)
    result_count = models.IntegerField(null=True, blank=True)
    channel = models.CharField(max_length=30, blank=True, help_text="direct, search, social, ad, referral, ...")
    utm_source = models.CharField(max_length=60, blank=True)
    utm_medium = models.CharField(max_length=60, blank=True)
    utm_campaign = models.CharField(max_length=80, blank=True)
    referrer_host = models.CharField(max_length=100, blank=True)
    device = models.CharField(max_length=1, blank=True, help_text="m = mobile, d = desktop, t = tablet")

    class Meta:
        verbose_name = _("이벤트")
        verbose_name_plural = _("이벤트")
        indexes = [
            models.Index(fields=["store_id", "ts"]),
            models.Index(fields=["product_id", "ts"]),
            models.Index(fields=["session"]),
        ]
