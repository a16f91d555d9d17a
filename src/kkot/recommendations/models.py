"""Training runs of the recommender set (the models themselves live on disk under ``VAR_DIR/recs/<version>/``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kkot.core.money import MoneyField


class RecsModelRun(models.Model):
    """One training of the model set: for the operator (admin) and for idempotent task runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("대기")
        RUNNING = "running", _("학습 중")
        SUCCEEDED = "succeeded", _("완료")
        FAILED = "failed", _("실패")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("정기")
        MANUAL = "manual", _("수동")
        DEMO = "demo", _("데모")

    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(_("실행 계기"), max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    version = models.CharField(_("모델 버전"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("요청 시각"), auto_now_add=True)
    started_at = models.DateTimeField(_("시작"), null=True, blank=True)
    finished_at = models.DateTimeField(_("종료"), null=True, blank=True)
    n_products = models.PositiveIntegerField(_("상품 수"), default=0)
    n_sessions = models.PositiveIntegerField(_("세션 수"), default=0)
    n_view_events = models.PositiveIntegerField(_("조회 이벤트 수"), default=0)
    n_baskets = models.PositiveIntegerField(_("주문(장바구니) 수"), default=0)
    metrics = models.JSONField(_("지표"), default=dict, blank=True)
    error = models.TextField(_("오류"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("추천 모델 학습")
        verbose_name_plural = _("추천 모델 학습")
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.version or '-'} ({self.get_status_display()})"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 1)
        return None


class WidgetDaily(models.Model):
    """Widget rollup (built by the advisor rollup job, read by :func:`kkot.recommendations.stats.widget_stats`).

    One row per store, widget, Seoul ``day`` and ``click_day``: rows with ``click_day == day`` hold that day's
    impressions and clicks; ``add_to_carts`` / ``orders`` / ``revenue`` are the carts and orders of ``day`` credited
    to a widget click of ``click_day`` (an order counted once per widget, on its latest credited click's day), so
    a window ``[S, E]`` sums the rows with both days in it and gets exactly the raw answer.
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    widget = models.CharField(max_length=40)
    day = models.DateField()
    click_day = models.DateField()
    impressions = models.IntegerField(default=0)
    clicks = models.IntegerField(default=0)
    add_to_carts = models.IntegerField(default=0)
    orders = models.IntegerField(default=0)
    revenue = MoneyField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "widget", "day", "click_day"], name="recs_widget_day")
        ]
        indexes = [models.Index(fields=["store", "day"])]


class WidgetRollupDay(models.Model):
    """Seoul days whose ``WidgetDaily`` rows are built (every store)."""

    day = models.DateField(unique=True)
    built_at = models.DateTimeField()
