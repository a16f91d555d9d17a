from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kkot.core"
    label = "core"
