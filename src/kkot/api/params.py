"""Query-string parsing shared by the listing endpoints (storefront filters, attribute filters)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, QueryDict
from ninja import Field, Schema

from kkot.api.fields import MAX_AMOUNT
from kkot.api.schemas.catalog import SortKey
from kkot.catalog.selectors import ProductFilter, category_get
from kkot.stores.models import Store

ATTR_PREFIX = "attr_"
MAX_ATTR_FILTERS = 10
MAX_ATTR_VALUES = 20


def attribute_filters(query: QueryDict) -> dict[str, list[str]]:
    """``attr_material=린넨,면&attr_season=여름`` -> {"material": ["린넨", "면"], "season": ["여름"]}."""
    out: dict[str, list[str]] = {}
    for key in query:
        if not key.startswith(ATTR_PREFIX) or len(out) >= MAX_ATTR_FILTERS:
            continue
        code = key[len(ATTR_PREFIX):][:30]
        values = [v.strip()[:100] for raw in query.getlist(key) for v in raw.split(",") if v.strip()]
        if code and values:
            out[code] = values[:MAX_ATTR_VALUES]
    return out


class ProductListParams(Schema):
    """Storefront listing filters. Attribute filters are extra parameters ``attr_<코드>=값1,값2``."""

    category: str | None = Field(None, max_length=60, description="카테고리 id 또는 slug (하위 카테고리 포함)")
    min_price: int | None = Field(None, ge=0, le=MAX_AMOUNT, description="최저가 (원)")
    max_price: int | None = Field(None, ge=0, le=MAX_AMOUNT, description="최고가 (원)")
    in_stock: bool = Field(False, description="재고 있는 상품만")
    sort: SortKey = Field("popular", description="인기순 popular, 최신순 new, 낮은가격순 price_asc, "
                                                 "높은가격순 price_desc, 리뷰많은순 reviews")
    page: int = Field(1, ge=1, le=100_000, description="페이지 번호 (1부터)")
    per_page: int = Field(20, ge=1, le=100, description="페이지당 개수 (최대 100)")

    def to_filter(self, request: HttpRequest, *, store: Store | None) -> ProductFilter:
        return ProductFilter(
            store=store,
            category=category_get(ref=self.category) if self.category else None,
            min_price=self.min_price, max_price=self.max_price, in_stock=self.in_stock, sort=self.sort,
            attributes=attribute_filters(request.GET),
        )


class SearchParams(Schema):
    q: str = Field(min_length=1, max_length=100, description="검색어")
    store: str | None = Field(None, max_length=40, description="스토어 주소(slug): 한 스토어 안에서 검색")
    category: str | None = Field(None, max_length=60, description="카테고리 id 또는 slug")
    min_price: int | None = Field(None, ge=0, le=MAX_AMOUNT)
    max_price: int | None = Field(None, ge=0, le=MAX_AMOUNT)
    in_stock: bool = False
    sort: Literal["relevance", "popular", "new", "price_asc", "price_desc", "reviews"] = Field(
        "relevance", description="정확도순 relevance (기본) 또는 목록 정렬 키")
    page: int = Field(1, ge=1, le=1000)
    per_page: int = Field(20, ge=1, le=100)


class SellerProductListParams(Schema):
    q: str = Field("", max_length=100, description="상품명, 상품코드, SKU 검색")
    status: Literal["", "on_sale", "sold_out", "suspended", "hidden"] = Field("", description="판매상태")
    category_id: int | None = Field(None, ge=1, le=2**63 - 1, description="카테고리 id (하위 포함)")
    stock: Literal["", "out", "low"] = Field("", description="out: 재고 없음, low: 5개 이하")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)
