from django.urls import path

from kkot.storefront import views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("me/", views.me, name="me"),
    path("search/", views.search, name="search"),
    path("c/<slug:cat_slug>/", views.category, name="category"),
    path("s/<slug:slug>/", views.store_home, name="store"),
    path("s/<slug:slug>/follow/", views.follow, name="follow"),
    path("s/<slug:slug>/search/", views.store_search, name="store_search"),
    path("s/<slug:slug>/c/<slug:cat_slug>/", views.store_category, name="store_category"),
    path("s/<slug:slug>/p/<int:product_id>/", views.product, name="product"),
]
