from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "kkot.orders"
    label = "orders"
    verbose_name = _("주문")
    def ready(self) -> None:
        from kkot.orders import periodic  # noqa: F401 - registers the periodic jobs with huey
