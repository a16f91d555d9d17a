from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "kkot.fulfillment"
    label = "fulfillment"
