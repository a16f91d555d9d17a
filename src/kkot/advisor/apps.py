from django.apps import AppConfig


class AdvisorConfig(AppConfig):
    name = "kkot.advisor"
    label = "advisor"
