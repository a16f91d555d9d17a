from django.urls import path

from kkot.storefront import views, views_me, views_orders

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("me/", views.me, name="me"),
    path("me/orders/", views_me.order_list, name="orders"),
    path("me/orders/<int:order_id>/", views_me.order_detail, name="order_detail"),
    path("me/orders/<int:order_id>/claim/", views_me.order_claim, name="order_claim"),
    path("me/orders/<int:order_id>/confirm/", views_me.order_confirm_view, name="order_confirm"),
    path("me/addresses/", views_me.addresses, name="addresses"),
    path("me/addresses/<int:address_id>/", views_me.address_edit, name="address_edit"),
    path("me/addresses/<int:address_id>/action/", views_me.address_action, name="address_action"),
    path("me/notifications/", views_me.notifications, name="notifications"),
    path("me/notifications/read/", views_me.notifications_read, name="notifications_read"),
    path("cart/", views_orders.cart, name="cart"),
    path("cart/add/", views_orders.cart_add, name="cart_add"),
    path("cart/items/<int:item_id>/", views_orders.cart_item_quantity, name="cart_item_quantity"),
    path("cart/remove/", views_orders.cart_item_remove, name="cart_remove"),
    path("checkout/", views_orders.checkout, name="checkout"),
    path("checkout/done/<str:number>/", views_orders.checkout_done, name="checkout_done"),
    path("checkout/done/<str:number>/simulate-deposit/", views_orders.checkout_simulate_deposit,
         name="checkout_simulate_deposit"),
    path("search/", views.search, name="search"),
    path("c/<slug:cat_slug>/", views.category, name="category"),
    path("s/<slug:slug>/", views.store_home, name="store"),
    path("s/<slug:slug>/follow/", views.follow, name="follow"),
    path("s/<slug:slug>/search/", views.store_search, name="store_search"),
    path("s/<slug:slug>/c/<slug:cat_slug>/", views.store_category, name="store_category"),
    path("s/<slug:slug>/p/<int:product_id>/", views.product, name="product"),
    path("s/<slug:slug>/p/<int:product_id>/extras/", views.product_extras, name="product_extras"),
]
