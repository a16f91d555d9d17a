from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kkot.demo"
    label = "demo"
