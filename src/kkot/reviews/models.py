"""Reviews, photo reviews, helpful votes, seller replies, product Q&A, stored analysis and per-product stats.

A review belongs to one order line (one purchase review and one 한달사용리뷰 per line). The text is kept as
written (for moderation) and shown from ``text_masked`` (profanity masked, escaped by the templates). The
analysis (sentiment, clauses, aspect mentions) is written by a task after commit; ``ReviewAspect`` rows make
"사이즈 언급 리뷰만" filters and complaint trends plain indexed queries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_TEXT_CHARS = 3000  # longer reviews are refused with a Korean message (the analysis reads 10,000 at most)
MAX_PHOTOS = 10
EDIT_DAYS = 30
FOLLOW_UP_DAYS = 30


class ReviewKind(models.TextChoices):
    PURCHASE = "purchase", _("구매 리뷰")
    MONTH = "month", _("한달사용리뷰")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("긍정")
    NEGATIVE = "negative", _("부정")
    NEUTRAL = "neutral", _("중립")


class Review(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("종류"), max_length=10, choices=ReviewKind.choices, default=ReviewKind.PURCHASE)
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    option_label = models.CharField(_("구매 옵션"), max_length=120, blank=True)
    stars = models.PositiveSmallIntegerField(_("별점"))
    text = models.TextField(_("내용(원문)"), max_length=MAX_TEXT_CHARS)
    text_masked = models.TextField(_("내용(표시용)"), max_length=MAX_TEXT_CHARS)
    has_profanity = models.BooleanField(default=False)
    body_height = models.PositiveSmallIntegerField(_("키(cm)"), null=True, blank=True)
    body_weight = models.PositiveSmallIntegerField(_("몸무게(kg)"), null=True, blank=True)
    body_usual_size = models.CharField(_("평소 사이즈"), max_length=10, blank=True)
    photo_count = models.PositiveSmallIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(_("숨김(운영)"), default=False)
    sentiment = models.CharField(
        max_length=8,
        choices=Sentiment.choices,
        blank=True,
        help_text="copied from the analysis; empty until analysed",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("리뷰")
        verbose_name_plural = _("리뷰")
        constraints = [
            models.UniqueConstraint(fields=["order_line", "kind"], name="uniq_review_per_line_kind"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="review_stars_1_5"),
        ]
        indexes = [
            models.Index(fields=["product", "-created_at"]),
            models.Index(fields=["product", "-helpful_count"]),
            models.Index(fields=["store", "-created_at"]),
            models.Index(fields=["store", "sentiment"]),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ★{self.stars}"

    @property
    def editable_until(self):
        return self.created_at + timezone.timedelta(days=EDIT_DAYS)

    @property
    def body_info(self) -> bool:
        return bool(self.body_height or self.body_weight or self.body_usual_size)


class ReviewPhoto(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="reviews/%Y/%m/")
    thumbnail = models.ImageField(upload_to="reviews/thumbs/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]


class ReviewVote(models.Model):
    """도움돼요: one per user and review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="uniq_review_vote")]


class ReviewReply(models.Model):
    """The store's one reply to a review (editable)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("답글"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)


class ReviewAnalysis(models.Model):
    """What :class:`kkot.ml.reviews.ReviewAnalyzer` said about the review's current text."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="analysis")
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    prob = models.FloatField(help_text="P(positive)")
    status = models.CharField(max_length=10, default="ok")
    message = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True, help_text="the cleaned text all spans refer to")
    clauses = models.JSONField(default=list, blank=True)
    aspects = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    model_key = models.CharField(max_length=60, default="base")
    text_hash = models.CharField(max_length=16)
    analysed_at = models.DateTimeField(default=timezone.now)


class ReviewAspect(models.Model):
    """One aspect mention of a review (denormalised for filters, counts and trends)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="aspect_mentions")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    aspect = models.CharField(max_length=20)
    polarity = models.CharField(max_length=8, choices=Sentiment.choices)
    direction = models.CharField(max_length=10, blank=True)
    clause = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(help_text="the review's created_at")

    class Meta:
        indexes = [
            models.Index(fields=["store", "polarity", "created_at"]),
            models.Index(fields=["product", "aspect"]),
        ]


class ProductReviewStats(models.Model):
    """Per-product aggregate, kept by the review services with F() and recomputed after each analysis."""

    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, primary_key=True, related_name="review_stats"
    )
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    review_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    star_1 = models.PositiveIntegerField(default=0)
    star_2 = models.PositiveIntegerField(default=0)
    star_3 = models.PositiveIntegerField(default=0)
    star_4 = models.PositiveIntegerField(default=0)
    star_5 = models.PositiveIntegerField(default=0)
    photo_review_count = models.PositiveIntegerField(default=0)
    aspect_counts = models.JSONField(
        default=dict, blank=True, help_text='{"사이즈": {"positive": 3, "negative": 1, "neutral": 0}}'
    )
    size_counts = models.JSONField(
        default=dict, blank=True, help_text='{"작아요": 4, "커요": 1, "딱 맞아요": 9}'
    )
    updated_at = models.DateTimeField(default=timezone.now)

    @property
    def average(self) -> float:
        return round(self.rating_sum / self.review_count, 1) if self.review_count else 0.0

    @property
    def histogram(self) -> list[tuple[int, int, int]]:
        """(stars, count, percent) from 5 down to 1."""
        n = self.review_count or 1
        return [
            (s, getattr(self, f"star_{s}"), round(100 * getattr(self, f"star_{s}") / n))
            for s in (5, 4, 3, 2, 1)
        ]


class ProductQuestion(models.Model):
    """상품문의: a shopper's question and the store's answer. Secret questions are shown only to the asker and
    the store."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="product_questions")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="questions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="product_questions"
    )
    text = models.TextField(_("문의 내용"), max_length=1000)
    text_masked = models.TextField(max_length=1000)
    is_secret = models.BooleanField(_("비밀글"), default=False)
    answer = models.TextField(_("답변"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("상품문의")
        verbose_name_plural = _("상품문의")
        indexes = [
            models.Index(fields=["product", "-created_at"]),
            models.Index(fields=["store", "-created_at"]),
        ]


class ReviewModelVersion(models.Model):
    """A store-category sentiment model trained from the store's star ratings (see ``reviews.training``)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="review_models")
    category_group = models.CharField(max_length=20)
    version = models.PositiveIntegerField()
    path = models.CharField(max_length=300, blank=True)
    published = models.BooleanField(default=False)
    n_train = models.PositiveIntegerField(default=0)
    n_test = models.PositiveIntegerField(default=0)
    trained_until = models.DateTimeField(help_text="reviews created up to here were available")
    metrics = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "category_group", "version"], name="uniq_review_model_version"
            )
        ]
        ordering = ["-created_at", "-id"]
