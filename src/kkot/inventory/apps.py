from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "kkot.inventory"
    label = "inventory"
