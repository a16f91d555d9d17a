"""Page-number pagination with the response shape ``{"items", "count", "page", "per_page"}``."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema

MAX_PER_PAGE = 100
T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="전체 개수")
    page: int
    per_page: int


def paginate(qs: QuerySet | list, *, page: int, per_page: int) -> dict[str, Any]:
    count = qs.count() if isinstance(qs, QuerySet) else len(qs)
    start = (page - 1) * per_page
    items = list(qs[start : start + per_page]) if start < count else []
    return {"items": items, "count": count, "page": page, "per_page": per_page}
