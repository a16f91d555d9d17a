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
        constraints = [
            models.UniqueConstraint(fields=["store", "product_id", "day"], name="advisor_product_day")
        ]
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
        constraints = [
            models.UniqueConstraint(fields=["store", "channel", "day"], name="advisor_channel_day")
        ]


class SectionDaily(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    page_type = models.CharField(max_length=20)
    section = models.CharField(
        max_length=40, help_text="banner:3, best, new, category, search, widget:x, list"
    )
    day = models.DateField()
    impressions = models.IntegerField(default=0, help_text="explicit impression events")
    clicks = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "page_type", "section", "day"], name="advisor_section_day"
            )
        ]


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
    schema = models.PositiveSmallIntegerField(
        default=1,
        help_text="rollup tables built for the day: 1 = the first five, 3 = + ads and customers, "
        "4 = + customer summaries",
    )


class Campaign(models.Model):
    """An ad campaign of a store, bought on an outside ad platform; its landing links carry ``?kc=<id>`` so the
    tracker records an ``ad_click`` event with the campaign id (see :mod:`kkot.advisor.ads`)."""

    class Channel(models.TextChoices):
        NAVER_SA = "naver_sa", _("네이버 검색광고")
        NAVER_SHOPPING = "naver_shopping", _("네이버 쇼핑검색")
        KAKAO = "kakao", _("카카오 모먼트")
        META = "meta", _("메타(인스타그램·페이스북)")
        GOOGLE = "google", _("구글 애즈")
        OTHER = "other", _("기타")

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("캠페인 이름"), max_length=80)
    channel = models.CharField(
        _("광고 매체"), max_length=20, choices=Channel.choices, default=Channel.NAVER_SA
    )
    keyword = models.CharField(_("대표 키워드"), max_length=100, blank=True)
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("광고 상품"),
    )
    target_roas = models.PositiveIntegerField(
        _("목표 ROAS(%)"), default=300, help_text=_("광고비 대비 매출 비율. 300 = 광고비의 3배 매출")
    )
    daily_budget = MoneyField(_("일 예산"), null=True, blank=True)
    start_date = models.DateField(_("시작일"))
    end_date = models.DateField(_("종료일"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("광고 캠페인")
        verbose_name_plural = _("광고 캠페인")
        ordering = ["store", "-start_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="advisor_campaign_store_name"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="advisor_campaign_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AdSpend(models.Model):
    """Spend of one campaign on one Seoul day, optionally per keyword and/or product (entered, uploaded or sent
    through the API). A re-upload of the same (campaign, day, keyword, product) replaces the amount."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="spend")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    keyword = models.CharField(max_length=100, blank=True, default="")
    product_id = models.BigIntegerField(default=0, help_text="0 = not split by product")
    amount = MoneyField()
    impressions = models.IntegerField(null=True, blank=True, help_text="as reported by the ad platform")
    clicks = models.IntegerField(null=True, blank=True, help_text="as reported by the ad platform")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("광고비")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "day", "keyword", "product_id"], name="advisor_adspend_key"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="advisor_adspend_amount"),
        ]
        indexes = [models.Index(fields=["store", "day"])]


class AdvisorSettings(models.Model):
    """Per-store advisor preferences (the weekly report opt-out)."""

    store = models.OneToOneField("stores.Store", on_delete=models.CASCADE, related_name="+")
    weekly_report = models.BooleanField(_("주간 리포트 메일 받기"), default=True)


class WeeklyReport(models.Model):
    """One sent weekly report per store and ISO week (the idempotency key of the periodic task)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(help_text="Monday of the reported week (Seoul)")
    sent_at = models.DateTimeField()
    recipient = models.EmailField()
    findings = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "week_start"], name="advisor_weekly_report_once")
        ]


class AdDaily(models.Model):
    """Ads rollup: one Seoul day of one campaign of a store, at one grain (see :mod:`kkot.advisor.rollups.ads`).

    ``grain`` ``c``: the campaign (ad clicks that day, orders paid that day credited to it and their revenue);
    ``k``: one search keyword of the campaign (``keyword``); ``p``: one product of the credited orders
    (``product_id``, revenue = the product's lines, refunds shared pro rata). Revenue is net of every refund of the
    order made up to the build; a refund rebuilds the rows of the day its order was paid.
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    campaign_id = models.BigIntegerField()
    grain = models.CharField(max_length=1)
    keyword = models.CharField(max_length=100, default="")
    product_id = models.BigIntegerField(default=0)
    clicks = models.IntegerField(default=0)
    orders = models.IntegerField(default=0)
    revenue = MoneyField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "day", "grain", "campaign_id", "keyword", "product_id"],
                name="advisor_ad_day",
            )
        ]


class CustomerDaily(models.Model):
    """Customers rollup: one shopper's paid orders of one store on one Seoul day (see
    :mod:`kkot.advisor.rollups.customers`). ``categories`` maps a category id (``""``: no product) to the number of
    order lines, for the life-stage estimate."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    user_id = models.BigIntegerField()
    day = models.DateField()
    orders = models.IntegerField(default=0)
    revenue = MoneyField(default=0)
    last_paid_at = models.DateTimeField()
    categories = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "user_id"], name="advisor_customer_day")
        ]
        indexes = [models.Index(fields=["store", "user_id", "day"])]


class CustomerSummary(models.Model):
    """Customers rollup, one row per shopper of a store over the whole built history (see
    :mod:`kkot.advisor.rollups.customers`): first and last Seoul day with a paid order, the last payment, the paid
    orders, their total net of every refund made up to the build, the order lines per category (the life-stage
    signals) and the life stage they point to (the category tree as of the build). Refreshed with the
    ``CustomerDaily`` rows of the shopper, in the same transaction."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    user_id = models.BigIntegerField()
    first_day = models.DateField()
    last_day = models.DateField()
    last_paid_at = models.DateTimeField()
    orders = models.IntegerField(default=0)
    revenue = MoneyField(default=0, help_text="paid order totals minus their refunds")
    refunds = MoneyField(default=0)
    categories = models.JSONField(default=dict)
    life_stage = models.CharField(max_length=30, blank=True, help_text="the dominant life stage of the lines")
    life_stage_lines = models.IntegerField(default=0, help_text="order lines behind the life stage")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "user_id"], name="advisor_customer_summary")]
