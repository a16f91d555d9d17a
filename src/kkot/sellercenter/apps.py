from django.apps import AppConfig


class SellercenterConfig(AppConfig):
    name = "kkot.sellercenter"
    label = "sellercenter"
