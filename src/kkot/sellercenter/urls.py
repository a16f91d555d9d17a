from django.urls import path

from kkot.sellercenter.views import imports, products, stores

app_name = "sellercenter"
urlpatterns = [
    path("", stores.index, name="index"),
    path("open/", stores.store_open, name="open"),
    path("open/slug-check/", stores.slug_check, name="slug_check"),
    path("<slug:slug>/", stores.dashboard, name="dashboard"),
    path("<slug:slug>/products/", products.product_list, name="products"),
    path("<slug:slug>/products/new/", products.product_new, name="product_new"),
    path("<slug:slug>/products/import/", imports.product_import, name="product_import"),
    path("<slug:slug>/products/import/template.<str:fmt>", imports.import_template, name="import_template"),
    path("<slug:slug>/products/export.<str:fmt>", imports.product_export, name="product_export"),
    path("<slug:slug>/products/<int:product_id>/edit/", products.product_edit, name="product_edit"),
    path("<slug:slug>/products/<int:product_id>/images/", products.product_images_upload, name="product_images"),
    path("<slug:slug>/products/<int:product_id>/images/reorder/", products.product_images_reorder_view,
         name="product_images_reorder"),
    path("<slug:slug>/products/<int:product_id>/images/<int:image_id>/delete/", products.product_image_delete_view,
         name="product_image_delete"),
    path("<slug:slug>/category-fields/<int:category_id>/", products.category_fields, name="category_fields"),
    path("<slug:slug>/settings/", stores.store_settings, name="settings"),
    path("<slug:slug>/settings/banners/", stores.banner_create, name="banner_create"),
    path("<slug:slug>/settings/banners/<int:banner_id>/", stores.banner_update, name="banner_update"),
    path("<slug:slug>/staff/", stores.staff, name="staff"),
    path("<slug:slug>/staff/<int:membership_id>/", stores.staff_member, name="staff_member"),
    path("<slug:slug>/api-tokens/", stores.api_tokens, name="api_tokens"),
    path("<slug:slug>/api-tokens/<int:token_id>/revoke/", stores.api_token_revoke_view, name="api_token_revoke"),
]
