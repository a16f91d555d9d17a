from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "kkot.events"
    label = "events"
    verbose_name = _("이벤트")

    def ready(self) -> None:
        from kkot.events import periodic  # noqa: F401 - registers the daily Parquet export with huey
