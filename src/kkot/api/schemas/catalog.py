"""Catalog shapes: categories, product summaries and details (public and seller), product input."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kkot.api.fields import SeoulDateTime, Won, WonDeltaIn, WonIn
from kkot.api.schemas.common import absolute_url
from kkot.catalog.services import OptionInput, ProductInput, VariantInput
from kkot.core.money import percent_off

ProductStatus = Literal["on_sale", "sold_out", "suspended", "hidden"]
SortKey = Literal["popular", "new", "price_asc", "price_desc", "reviews"]


class CategoryNode(Schema):
    id: int
    name: str
    slug: str
    level: int
    children: list[CategoryNode] = []


class CategoryRef(Schema):
    id: int
    name: str
    slug: str
    level: int


class ImageOut(Schema):
    id: int
    url: str | None
    thumbnail_url: str | None
    width: int
    height: int
    position: int = Field(description="0 = 대표 이미지")
    alt: str

    @staticmethod
    def resolve_url(obj, context):
        return absolute_url(context, obj.image.url if obj.image else None)

    @staticmethod
    def resolve_thumbnail_url(obj, context):
        return absolute_url(context, obj.thumbnail.url if obj.thumbnail else None)


def _first_image(obj):
    images = list(obj.images.all())  # prefetched by the selectors
    return images[0] if images else None


class ProductSummaryOut(Schema):
    """A product in a listing (storefront clients)."""

    id: int
    store_slug: str
    store_name: str
    name: str
    category_id: int
    price: Won
    sale_price: Won | None
    current_price: Won = Field(description="지금 적용되는 가격 (할인 기간 반영)")
    discount_percent: int
    status: ProductStatus
    status_label: str
    in_stock: bool
    thumbnail_url: str | None
    review_count: int
    rating_avg: float

    @staticmethod
    def resolve_store_slug(obj):
        return obj.store.slug

    @staticmethod
    def resolve_store_name(obj):
        return obj.store.name

    @staticmethod
    def resolve_discount_percent(obj):
        return percent_off(obj.price, obj.current_price())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_in_stock(obj):
        return obj.status == "on_sale" and obj.stock_total > 0

    @staticmethod
    def resolve_thumbnail_url(obj, context):
        img = _first_image(obj)
        return absolute_url(context, img.thumbnail.url) if img and img.thumbnail else None


class OptionOut(Schema):
    name: str
    values: list[str]


class VariantOut(Schema):
    id: int
    sku: str
    label: str
    option_values: dict[str, str]
    price_delta: Won
    price: Won = Field(description="이 옵션의 현재 판매가 (현재가 + 추가금액)")
    stock: int
    is_active: bool

    @staticmethod
    def resolve_price(obj):
        return obj.product.current_price() + obj.price_delta


class ProductDetailOut(ProductSummaryOut):
    """A product page's data (storefront clients)."""

    brand: str
    category: CategoryRef
    description_html: str = Field(description="정제된 HTML (script, 이벤트 속성 제거)")
    sale_starts_at: SeoulDateTime | None
    sale_ends_at: SeoulDateTime | None
    attributes: dict[str, Any]
    notice: dict[str, str] = Field(description="상품정보제공고시")
    tags: list[str]
    options: list[OptionOut]
    variants: list[VariantOut]
    images: list[ImageOut]
    shipping_fee: Won | None = Field(description="개별 배송비 (없으면 스토어 정책)")
    bundle_shipping: bool
    dispatch_days: int
    made_to_order: bool
    cold_chain: bool
    stock_total: int

    @staticmethod
    def resolve_tags(obj):
        return [t.name for t in obj.tags.all()]


class SellerProductSummaryOut(Schema):
    id: int
    code: str
    name: str
    category: CategoryRef
    price: Won
    sale_price: Won | None
    current_price: Won
    status: ProductStatus
    status_label: str
    stock_total: int
    thumbnail_url: str | None
    created_at: SeoulDateTime
    updated_at: SeoulDateTime

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_thumbnail_url(obj, context):
        img = _first_image(obj)
        return absolute_url(context, img.thumbnail.url) if img and img.thumbnail else None


class SellerProductOut(ProductDetailOut):
    """Everything the seller entered (the input shape of PUT is a subset of this) plus counters."""

    code: str
    view_count: int
    sales_count: int
    created_at: SeoulDateTime
    updated_at: SeoulDateTime


_FORBID = ConfigDict(extra="forbid")


class OptionIn(Schema):
    model_config = _FORBID
    name: str = Field(max_length=20, description="옵션명 (예: 색상)")
    values: list[str] = Field(max_length=50, description="옵션값 (예: [\"블랙\", \"화이트\"])")


class VariantIn(Schema):
    model_config = _FORBID
    option_values: dict[str, str] = Field(description='옵션 조합, 예: {"색상": "블랙", "사이즈": "M"}')
    stock: int = Field(0, strict=True, ge=0, le=10_000_000)
    sku: str = Field("", max_length=60)
    price_delta: WonDeltaIn = 0
    is_active: bool = True


class ProductIn(Schema):
    """A whole product. POST creates it; PUT replaces every field (omitted fields take their defaults).
    Options make the variant grid; combinations not listed in ``variants`` get stock 0."""

    model_config = _FORBID
    name: str = Field(max_length=200, description="상품명 (100자 이내)")
    category_id: int = Field(strict=True, description="소분류(3단계) 카테고리 id")
    price: WonIn
    code: str = Field("", max_length=40, description="판매자 상품코드 (비우면 자동 부여)")
    description_html: str = Field("", max_length=200_000, description="상세설명 HTML (저장 시 정제)")
    sale_price: WonIn | None = None
    sale_starts_at: SeoulDateTime | None = None
    sale_ends_at: SeoulDateTime | None = None
    status: ProductStatus = "on_sale"
    brand: str = Field("", max_length=40)
    attributes: dict[str, str | list[str]] = Field(default_factory=dict, description="카테고리별 속성 (코드: 값)")
    notice: dict[str, str] = Field(default_factory=dict, description="상품정보제공고시 (항목: 내용)")
    tags: list[str] = Field(default_factory=list, max_length=50, description="태그 (최대 10개)")
    shipping_fee: WonIn | None = None
    bundle_shipping: bool = True
    dispatch_days: int = Field(2, strict=True, ge=0, le=60)
    made_to_order: bool = False
    cold_chain: bool = False
    options: list[OptionIn] = Field(default_factory=list, max_length=10)
    variants: list[VariantIn] = Field(default_factory=list, max_length=1000)

    def to_input(self) -> ProductInput:
        data = self.model_dump(exclude={"options", "variants"})
        return ProductInput(
            **data,
            options=[OptionInput(o.name, list(o.values)) for o in self.options],
            variants=[VariantInput(option_values=dict(v.option_values), stock=v.stock, sku=v.sku,
                                   price_delta=v.price_delta, is_active=v.is_active) for v in self.variants],
        )


class BulkStatusIn(Schema):
    model_config = _FORBID
    ids: list[int] = Field(min_length=1, max_length=1000, description="상품 id 목록")
    status: ProductStatus


class BulkStatusOut(Schema):
    updated: int
