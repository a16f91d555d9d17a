from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "kkot.search"
    label = "search"
