from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kkot.api"
    label = "kkot_api"
