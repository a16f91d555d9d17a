from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "kkot.assist"
    label = "assist"
    verbose_name = "상품등록 도우미"

    def ready(self) -> None:
        from kkot.assist import periodic  # noqa: F401 - registers the daily jobs with huey
