from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "kkot.recommendations"
    label = "recommendations"
    verbose_name = _("추천")

    def ready(self) -> None:
        from kkot.recommendations import periodic  # noqa: F401 - registers the daily training with huey
