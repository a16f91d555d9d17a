"""Search shapes (results of :func:`kkot.search.selectors.search_products`)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from kkot.api.fields import Won
from kkot.api.schemas.catalog import ProductSummaryOut


class CategoryFacet(Schema):
    id: int
    name: str
    slug: str
    level: int
    count: int


class StoreFacet(Schema):
    slug: str
    name: str
    count: int


class PriceRange(Schema):
    min: Won | None = None
    max: Won | None = None


class SearchFacets(Schema):
    category: list[CategoryFacet] = []
    store: list[StoreFacet] = []
    attributes: dict[str, Any] = Field(default_factory=dict, description="속성 코드별 값: 개수")
    price: PriceRange = PriceRange()


class SearchOut(Schema):
    items: list[ProductSummaryOut]
    count: int = Field(description="전체 검색 결과 수")
    page: int
    per_page: int
    highlights: dict[int, str] = Field(default_factory=dict, description="상품 id별 강조 표시된 상품명 (HTML, <mark>)")
    facets: SearchFacets
    tokens: list[str] = Field(default_factory=list, description="형태소 분석된 검색어 토큰")
    took_ms: float = Field(description="검색 소요 시간 (ms)")


def search_out(result) -> dict[str, Any]:
    """A :class:`kkot.search.selectors.SearchResult` as plain data for :class:`SearchOut`."""
    facets = result.facets or {}
    return {
        "items": list(result.products), "count": result.total, "page": result.page, "per_page": result.per_page,
        "highlights": {int(k): str(v) for k, v in (result.highlights or {}).items()},
        "facets": {
            "category": [{"id": c.pk, "name": c.name, "slug": c.slug, "level": c.level, "count": n}
                         for c, n in facets.get("category", [])],
            "store": [{"slug": s.slug, "name": s.name, "count": n} for s, n in facets.get("store", [])],
            "attributes": facets.get("attributes", {}),
            "price": facets.get("price") or {},
        },
        "tokens": [str(t) for t in (result.tokens or [])],
        "took_ms": float(result.took_ms),
    }
