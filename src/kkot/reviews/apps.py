from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "kkot.reviews"
    label = "reviews"
