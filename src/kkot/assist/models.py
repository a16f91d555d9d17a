"""Registration assistant and visual search: image checks, suggestions, exposure statistics, the visual index.

Every row that a seller sees carries ``store`` so selectors scope by it directly (tenant isolation).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AssistSettings(models.Model):
    """Per-store choices of the assistant (a row is created on first change; absent = defaults)."""

    store = models.OneToOneField("stores.Store", on_delete=models.CASCADE, related_name="assist_settings")
    block_publish_on_failed_checks = models.BooleanField(
        _("이미지 검사 실패 시 판매 시작 막기"),
        default=False,
        help_text=_(
            "대표 이미지 검사에 '실패'가 있으면 상품을 판매중으로 바꿀 수 없습니다(임시저장은 언제나 됩니다)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("도우미 설정")
        verbose_name_plural = _("도우미 설정")


class ImageAnalysis(models.Model):
    """What kkot read from one product image: hashes, colours, the search vector, the overall check result.

    One decode of the stored image feeds all of it (see :mod:`kkot.assist.services.checks`).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("검사 대기")
        DONE = "done", _("검사 완료")
        ERROR = "error", _("검사 오류")

    image = models.OneToOneField("catalog.ProductImage", on_delete=models.CASCADE, related_name="analysis")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="image_analyses")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    overall = models.CharField(max_length=12, blank=True, help_text="pass / warn / fail")
    upload = models.JSONField(
        default=dict, blank=True, help_text="facts of the uploaded file (format, mode, frames)"
    )
    phash = models.BigIntegerField(null=True, blank=True, help_text="64-bit pHash as a signed integer")
    dhash = models.BigIntegerField(null=True, blank=True)
    signature = models.BinaryField(null=True, blank=True, help_text="48-byte colour signature")
    colours = models.JSONField(
        default=list, blank=True, help_text='[{"name": "네이비", "share": 0.62, "hex": "#..."}]'
    )
    embedding = models.BinaryField(null=True, blank=True, help_text="float32 search vector")
    model_version = models.CharField(max_length=60, blank=True)
    error = models.CharField(max_length=300, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["store", "phash"])]


class ImageCheck(models.Model):
    """One check of one image: pass / warn / fail / unavailable, a number and a Korean message with the fix."""

    analysis = models.ForeignKey(ImageAnalysis, on_delete=models.CASCADE, related_name="checks")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=30)
    status = models.CharField(max_length=12)
    value = models.FloatField(null=True, blank=True)
    value_text = models.CharField(max_length=60, blank=True)
    message = models.CharField(max_length=300)
    fix = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["analysis", "code"], name="uniq_assist_check_code")]


class Suggestion(models.Model):
    """A suggestion to the seller and what they decided (kept so models can learn from both answers)."""

    class Kind(models.TextChoices):
        COLOUR = "colour", _("색상")
        CATEGORY = "category", _("카테고리")
        MATERIAL = "material", _("소재")
        SEASON = "season", _("계절")
        FIT = "fit", _("핏")
        PATTERN = "pattern", _("패턴")
        TAG = "tag", _("태그")

    class Decision(models.TextChoices):
        PENDING = "pending", _("대기")
        ACCEPTED = "accepted", _("수락")
        REJECTED = "rejected", _("거절")

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="assist_suggestions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    value = models.CharField(max_length=100)
    label = models.CharField(max_length=200, blank=True)
    score = models.FloatField(default=0.0)
    source = models.CharField(
        max_length=30, blank=True, help_text="image / title / description / co-occurrence ..."
    )
    model_version = models.CharField(max_length=60, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "kind", "value"], name="uniq_assist_suggestion")
        ]
        indexes = [models.Index(fields=["store", "decision"])]

    SOURCE_LABELS = {
        "image": _("사진"),
        "title": _("상품명"),
        "title+image": _("상품명·사진"),
        "options": _("옵션"),
        "description": _("상세설명"),
    }

    @property
    def source_label(self) -> str:
        """Where the suggestion was read from, in words for the seller (the code stays in ``source``)."""
        return str(self.SOURCE_LABELS.get(self.source, self.source))


class ExposureStat(models.Model):
    """Observed effect of one listing property in a scope: products with it vs without (views and sales)."""

    scope = models.CharField(max_length=40, help_text="platform | store:<id> | root:<category id>")
    prop = models.CharField(max_length=30)
    n_with = models.PositiveIntegerField(default=0)
    n_without = models.PositiveIntegerField(default=0)
    views_with = models.BigIntegerField(default=0)
    views_without = models.BigIntegerField(default=0)
    sales_with = models.BigIntegerField(default=0)
    sales_without = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "prop"], name="uniq_assist_exposure_stat")]


class VisualIndexState(models.Model):
    """The one row that serialises writers of the visual index and tells processes its current version."""

    version = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    backend = models.CharField(max_length=10, blank=True)
    model_version = models.CharField(max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
