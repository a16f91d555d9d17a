from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve as static_serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG or True:
    # Media files are served by Django on the laptop; in production a proxy or object storage serves them.
    from django.urls import re_path

    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", static_serve, {"document_root": settings.MEDIA_ROOT}))
