"""Public store endpoints for storefront clients: the store card, its products, a product page."""

from __future__ import annotations

from ninja import Query, Router

from kkot.api.pagination import Page, paginate
from kkot.api.params import ProductListParams
from kkot.api.schemas.catalog import ProductDetailOut, ProductSummaryOut
from kkot.api.schemas.common import ERRORS
from kkot.api.schemas.stores import StoreOut
from kkot.catalog.selectors import product_public_get, products_visible
from kkot.stores.selectors import store_public_get

router = Router(tags=["스토어"])


@router.get("/{kkslug:slug}", response={200: StoreOut, **ERRORS}, summary="스토어 정보",
            description="운영중인 스토어의 소개, 사업자 정보, 배송비 정책. 휴점·폐점 스토어는 404입니다.")
def store_detail(request, slug: str):
    return store_public_get(slug=slug)


@router.get("/{kkslug:slug}/products", response={200: Page[ProductSummaryOut], **ERRORS}, summary="스토어 상품 목록",
            description="스토어의 공개 상품(판매중·품절). 필터: category, min_price, max_price, in_stock, "
                        "속성 필터 `attr_<코드>=값1,값2`, 정렬 sort (popular, new, price_asc, price_desc, reviews).")
def store_products(request, slug: str, params: Query[ProductListParams]):
    qs = products_visible(params.to_filter(request, store=store_public_get(slug=slug)))
    return paginate(qs, page=params.page, per_page=params.per_page)


@router.get("/{kkslug:slug}/products/{kkid:product_id}", response={200: ProductDetailOut, **ERRORS},
            summary="상품 상세", description="상품 페이지 데이터: 옵션, 옵션별 재고와 가격, 이미지, 배송, 상품정보제공고시.")
def store_product(request, slug: str, product_id: int):
    return product_public_get(store_slug=slug, product_id=product_id)
