from __future__ import annotations

from typing import Any

from kkot.api.errors import ErrorOut

__all__ = ["ErrorOut", "ERRORS", "absolute_url"]

# Documented error responses (the bodies come from kkot.api.errors handlers).
ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}
SELLER_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def absolute_url(context: dict[str, Any] | None, url: str | None) -> str | None:
    if not url:
        return None
    request = (context or {}).get("request")
    return request.build_absolute_uri(url) if request is not None else url
