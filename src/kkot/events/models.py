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
    AD_CLICK = "ad_click", _("광고 클릭")


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
    campaign_id = models.BigIntegerField(null=True, blank=True, help_text="ad_click: the landing link's ?kc=")
    click_x = models.SmallIntegerField(null=True, blank=True, help_text="click: x within the section, 0..1000")
    click_y = models.SmallIntegerField(null=True, blank=True, help_text="click: y within the section, 0..1000")

    class Meta:
        verbose_name = _("이벤트")
        verbose_name_plural = _("이벤트")
        indexes = [
            models.Index(fields=["store_id", "ts"]),
            models.Index(fields=["product_id", "ts"]),
            models.Index(fields=["session"]),
            models.Index(fields=["store_id", "ts"], condition=models.Q(kind="ad_click"), name="events_adclick_ts"),
            models.Index(fields=["store_id", "ts"], condition=models.Q(kind="click"), name="events_click_ts"),
        ]


class InflowChannel(models.Model):
    """A seller-defined inflow channel of one store (issue 8): 채널 / 그룹 / 이름 / 상세 and a short code.

    The tracking link is the store's page with ``?kin=<code>``; visits that land with the code of *this* store
    are recorded with ``Event.channel = "kin:<id>"`` (:func:`kkot.events.services.custom_channel_key`), so the
    advisor's channel rollups count each custom channel under its own key. A code is unique within a store;
    another store's code is ignored. Deactivated channels stop classifying (their history stays)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("코드"), max_length=20)
    channel = models.CharField(_("채널"), max_length=40)
    group = models.CharField(_("그룹"), max_length=40)
    name = models.CharField(_("이름"), max_length=60)
    detail = models.CharField(_("상세"), max_length=200, blank=True)
    is_active = models.BooleanField(_("사용"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("맞춤 유입 채널")
        verbose_name_plural = _("맞춤 유입 채널")
        constraints = [models.UniqueConstraint(fields=["store", "code"], name="events_inflow_channel_code")]

    def __str__(self) -> str:
        return f"{self.channel} / {self.group} / {self.name}"
