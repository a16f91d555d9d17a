from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _

from kkot.recommendations.models import RecsModelRun


@admin.register(RecsModelRun)
class RecsModelRunAdmin(admin.ModelAdmin):
    list_display = ("created_at", "status", "trigger", "version", "n_products", "n_sessions", "n_view_events",
                    "n_baskets", "seconds")
    list_filter = ("status", "trigger")
    readonly_fields = [f.name for f in RecsModelRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        return [path("train/", self.admin_site.admin_view(self.train_view), name="recommendations_train"),
                *super().get_urls()]

    def train_view(self, request):
        """The operator's 지금 학습 button (POST only): queue a run for the task worker."""
        if request.method != "POST" or not self.has_view_permission(request):
            return redirect("admin:recommendations_recsmodelrun_changelist")
        from kkot.recommendations.services import recs_run_request

        run = recs_run_request(trigger=RecsModelRun.Trigger.MANUAL)
        messages.success(request, _("추천 모델 학습을 요청했습니다 (#%(id)d).") % {"id": run.pk})
        return redirect("admin:recommendations_recsmodelrun_changelist")
