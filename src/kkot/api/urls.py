from django.urls import path, re_path

from kkot.api.errors import not_found_view
from kkot.api.main import api

urlpatterns = [
    path("", api.urls),
    # Anything else under /api/ (unknown paths, ids the path converter refuses) is a JSON 404.
    re_path(r"^.*$", not_found_view),
]
