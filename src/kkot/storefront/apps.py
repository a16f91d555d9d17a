from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "kkot.storefront"
    label = "storefront"
