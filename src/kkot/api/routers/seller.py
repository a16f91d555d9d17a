"""Seller endpoints (bearer token). Every path is /seller/stores/{slug}/...: the store is resolved through
:func:`kkot.api.auth.seller_store` (404 for any store but the token's), roles are enforced by the services."""

from __future__ import annotations

from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from kkot.api.auth import seller_store, seller_token
from kkot.api.pagination import Page, paginate
from kkot.api.params import SellerProductListParams
from kkot.api.schemas.catalog import (
    BulkStatusIn,
    BulkStatusOut,
    ImageOut,
    ProductIn,
    SellerProductOut,
    SellerProductSummaryOut,
)
from kkot.api.schemas.common import SELLER_ERRORS
from kkot.api.schemas.stores import SellerStoreOut, StaffOut, StorePatchIn
from kkot.assist.services.checks import image_add_checked, publish_guard
from kkot.assist.tasks import product_changed_task
from kkot.catalog.selectors import products_for_seller
from kkot.catalog.services import (
    product_create,
    product_get_for_store,
    product_image_delete,
    product_update,
    products_set_status,
)
from kkot.stores.selectors import store_staff
from kkot.stores.services import store_update

router = Router(auth=seller_token, tags=["판매자"])

STORE = "/stores/{kkslug:slug}"
PRODUCT = STORE + "/products/{kkid:product_id}"


@router.get(STORE, response={200: SellerStoreOut, **SELLER_ERRORS}, summary="내 스토어 설정 조회")
def store_get(request, slug: str):
    return seller_store(request, slug)


@router.patch(STORE, response={200: SellerStoreOut, **SELLER_ERRORS}, summary="내 스토어 설정 변경",
              description="보낸 항목만 바꿉니다(사업자 정보, 연락처, 반품지, 배송비 정책, 상태). 매니저 이상.")
def store_patch(request, slug: str, payload: StorePatchIn):
    store = seller_store(request, slug)
    return store_update(store=store, actor=request.auth.user, **payload.model_dump(exclude_unset=True))


@router.get(STORE + "/products", response={200: Page[SellerProductSummaryOut], **SELLER_ERRORS},
            summary="내 상품 목록", description="필터: q(상품명·코드·SKU), status, category_id, stock(out/low).")
def product_list(request, slug: str, params: Query[SellerProductListParams]):
    qs = products_for_seller(store=seller_store(request, slug), q=params.q, status=params.status,
                             category_id=params.category_id, stock=params.stock)
    return paginate(qs, page=params.page, per_page=params.per_page)


@router.post(STORE + "/products", response={201: SellerProductOut, **SELLER_ERRORS}, summary="상품 등록",
             description="옵션(예: 색상 × 사이즈)은 조합마다 재고·SKU·추가금액을 가진 변형(variant)이 됩니다. "
                         "상세설명 HTML은 정제되어 저장됩니다(script 제거). 매니저 이상.")
def product_create_view(request, slug: str, payload: ProductIn):
    store = seller_store(request, slug)
    return Status(201, product_create(store=store, actor=request.auth.user, data=payload.to_input()))


@router.post(STORE + "/products/status", response={200: BulkStatusOut, **SELLER_ERRORS}, summary="판매상태 일괄 변경",
             description="선택한 상품의 판매상태를 한 번에 바꿉니다. 하나라도 내 상품이 아니면 아무것도 바꾸지 않고 404.")
def product_bulk_status(request, slug: str, payload: BulkStatusIn):
    store = seller_store(request, slug)
    publish_guard(store=store, product_ids=payload.ids, status=payload.status)
    n = products_set_status(store=store, actor=request.auth.user, product_ids=payload.ids, status=payload.status)
    product_changed_task.enqueue(product_ids=payload.ids)
    return {"updated": n}


@router.get(PRODUCT, response={200: SellerProductOut, **SELLER_ERRORS}, summary="내 상품 조회")
def product_get(request, slug: str, product_id: int):
    return product_get_for_store(store=seller_store(request, slug), product_id=product_id)


@router.put(PRODUCT, response={200: SellerProductOut, **SELLER_ERRORS}, summary="상품 수정(전체 교체)",
            description="상품 전체를 보낸 내용으로 바꿉니다. 보내지 않은 항목은 기본값이 됩니다. "
                        "같은 옵션 조합의 변형은 id가 유지됩니다. 매니저 이상.")
def product_put(request, slug: str, product_id: int, payload: ProductIn):
    product = product_get_for_store(store=seller_store(request, slug), product_id=product_id)
    data = payload.to_input()
    if product.status != data.status:
        publish_guard(store=product.store, product_ids=[product.pk], status=data.status)
    saved = product_update(product=product, actor=request.auth.user, data=data)
    product_changed_task.enqueue(product_ids=[saved.pk])
    return saved


@router.post(PRODUCT + "/images", response={201: ImageOut, **SELLER_ERRORS}, summary="상품 이미지 올리기",
             description="multipart/form-data의 `file` 필드. JPG, PNG, WEBP, GIF (최대 20MB, 4천만 화소). "
                         "첫 이미지가 대표 이미지가 되며 썸네일이 만들어집니다. 매니저 이상.")
def product_image_upload(request, slug: str, product_id: int, file: File[UploadedFile]):
    product = product_get_for_store(store=seller_store(request, slug), product_id=product_id)
    return Status(201, image_add_checked(product=product, actor=request.auth.user, upload=file))


@router.delete(PRODUCT + "/images/{kkid:image_id}", response={204: None, **SELLER_ERRORS},
               summary="상품 이미지 삭제", description="매니저 이상.")
def product_image_remove(request, slug: str, product_id: int, image_id: int):
    product = product_get_for_store(store=seller_store(request, slug), product_id=product_id)
    product_image_delete(product=product, actor=request.auth.user, image_id=image_id)
    product_changed_task.enqueue(product_ids=[product.pk])
    return Status(204, None)


@router.get(STORE + "/staff", response={200: list[StaffOut], **SELLER_ERRORS}, summary="직원 목록",
            description="스토어 직원과 역할(대표, 매니저, 뷰어).")
def staff_list(request, slug: str):
    return store_staff(store=seller_store(request, slug))
