from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "kkot.recommendations"
    label = "recommendations"
