from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "kkot.reviews"
    label = "reviews"

    def ready(self):
        from kkot.reviews import periodic  # noqa: F401 - registers the periodic jobs with huey
