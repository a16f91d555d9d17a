from django.urls import path

from kkot.events import views

app_name = "events"
urlpatterns = [
    path("", views.capture, name="capture"),
]
