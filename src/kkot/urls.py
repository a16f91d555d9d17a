from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve as static_serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("kkot.accounts.urls")),
    path("seller/", include("kkot.sellercenter.urls")),
    path("api/", include("kkot.api.urls")),
    path("e/", include("kkot.events.urls")),
    # Media on the laptop; behind a proxy or object storage in production.
    re_path(r"^media/(?P<path>.*)$", static_serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("kkot.storefront.urls")),
]
