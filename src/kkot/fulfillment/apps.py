from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "kkot.fulfillment"
    label = "fulfillment"

    def ready(self) -> None:
        from kkot.fulfillment import periodic  # noqa: F401 - registers the periodic jobs with huey
