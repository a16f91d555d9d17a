from django.apps import AppConfig


class AdvisorConfig(AppConfig):
    name = "kkot.advisor"
    label = "advisor"

    def ready(self):
        from kkot.advisor import periodic  # noqa: F401 - registers the periodic jobs with huey
