"""Seller return-case endpoints (회수·검수) under /seller/stores/{slug}/returns: the cases with their pickup
tracking, inspection, restock or dispose, rejection, a new pickup, and an exchange's replacement or its
conversion into a return. Reads go through :mod:`kkot.fulfillment.selectors`, every step through
:mod:`kkot.fulfillment.returns` (state machine, roles: manager or owner; a viewer gets 403; an illegal step is
409 with the service's code and changes nothing)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from kkot.api.auth import seller_store, seller_token
from kkot.api.schemas.common import SELLER_ERRORS
from kkot.api.schemas.returns import (
    ConvertIn,
    InspectIn,
    PickupRetryIn,
    ReasonIn,
    ReplacementShipIn,
    RestockIn,
    ReturnCaseDetailOut,
    ReturnCasePage,
    ReturnListParams,
    case_detail,
)
from kkot.core.errors import NotFound
from kkot.fulfillment.returns import (
    exchange_convert_to_return,
    exchange_replacement_ship,
    return_dispose,
    return_inspect,
    return_pickup_retry,
    return_reject,
    return_restock,
)
from kkot.fulfillment.selectors import return_case_detail_for_store, return_cases_page

router = Router(auth=seller_token, tags=["판매자"])

STORE = "/stores/{kkslug:slug}"
CASE = STORE + "/returns/{kkid:case_id}"
ILLEGAL = "지금 상태에서 할 수 없으면 409 illegal_transition."


def _detail(store, case_id: int):
    d = return_case_detail_for_store(store=store, case_id=case_id)
    if d is None:
        raise NotFound(_("회수·검수 건을 찾을 수 없습니다."))
    return case_detail(d)


@router.get(
    STORE + "/returns",
    response={200: ReturnCasePage, **SELLER_ERRORS},
    summary="회수·검수 목록",
    description="승인된 반품·교환의 회수·검수 건, 최신순. status: open(진행중) 또는 상태 하나 "
    "(pickup_requested 회수요청, in_transit 회수중, pickup_failed 회수실패, arrived 회수완료·"
    "검수대기, passed 검수통과, failed 검수불합격, restocked 재입고, disposed 폐기, "
    "replacement_shipped 교환 재배송중, completed 완료, rejected 반품거절). counts는 상태별 건수.",
)
def return_list(request, slug: str, params: Query[ReturnListParams]):
    data = return_cases_page(
        store=seller_store(request, slug), status=params.status, page=params.page, per_page=params.per_page
    )
    page = data.page
    items = list(page.object_list) if page.number == params.page else []  # Django clamps; the API does not
    return {
        "items": items,
        "count": page.paginator.count,
        "page": params.page,
        "per_page": params.per_page,
        "counts": {code: n for code, _label, n in data.tabs},
    }


@router.get(
    CASE,
    response={200: ReturnCaseDetailOut, **SELLER_ERRORS},
    summary="회수·검수 상세",
    description="상태와 다음에 갈 수 있는 상태, 클레임, 회수 택배(재요청 포함)와 배송 추적, 검수 결과, "
    "폐기 사유, 교환 재배송, 처리 이력(감사 기록).",
)
def return_detail(request, slug: str, case_id: int):
    return _detail(seller_store(request, slug), case_id)


@router.post(
    CASE + "/inspect",
    response={200: ReturnCaseDetailOut, **SELLER_ERRORS},
    summary="검수 결과 입력",
    description="회수완료·검수대기 건의 검수 결과: passed=true 검수통과, false 검수불합격(note에 사유 "
    "필수, 없으면 400 reason_required). 사진은 판매자센터에서 올립니다. " + ILLEGAL + " 매니저 이상.",
)
def return_inspect_view(request, slug: str, case_id: int, payload: InspectIn):
    store = seller_store(request, slug)
    return_inspect(
        store=store, actor=request.auth.user, case_id=case_id, passed=payload.passed, note=payload.note
    )
    return _detail(store, case_id)


@router.post(
    CASE + "/restock",
    response={200: ReturnCaseDetailOut, **SELLER_ERRORS},
    summary="재입고",
    description="검수 후 회수 상품을 창고에 다시 넣습니다(재고 증가). warehouse_id를 비우면 회수 창고. "
    "반품은 이어서 환불되고 완료됩니다(단순변심은 반품배송비 차감). 교환은 교환 상품 발송을 "
    "기다립니다. 없는 창고 404, 냉장/냉동 상품을 상온 창고에 400 cold_chain_warehouse. "
    + ILLEGAL
    + " 매니저 이상.",
)
def return_restock_view(request, slug: str, case_id: int, payload: RestockIn):
    store = seller_store(request, slug)
    return_restock(store=store, actor=request.auth.user, case_id=case_id, warehouse_id=payload.warehouse_id)
    return _detail(store, case_id)


@router.post(
    CASE + "/dispose",
    response={200: ReturnCaseDetailOut, **SELLER_ERRORS},
    summary="폐기",
    description="검수 후 회수 상품을 폐기합니다(재고는 늘지 않음, 사유 필수: 400 reason_required). "
    "반품은 이어서 환불되고 완료됩니다. " + ILLEGAL + " 매니저 이상.",
)
def return_dispose_view(request, slug: str, case_id: int, payload: ReasonIn):
    store = seller_store(request, slug)
    return_dispose(store=store, actor=request.auth.user, case_id=case_id, reason=payload.reason)
    return _detail(store, case_id)


@router.post(
    CASE + "/reject",
    response={200: ReturnCaseDetailOut, **SELLER_ERRORS},
    summary="반품 거절 (검수불합격)",
    description="검수불합격 건을 거절합니다: 환불하지 않고 클레임은 거부, 사유(필수: 400 "
    "reason_required)는 구매자에게 보입니다. " + ILLEGAL + " 매니저 이상.",
)
def return_reject_view(request, slug: str, case_id: int, payload: ReasonIn):
    store = seller_store(request, slug)
    return_reject(store=store, actor=request.auth.user, case_id=case_id, reason=payload.reason)
    return _detail(store, case_id)


@router.post(
    CASE + "/pickup-retry",
    response={200: ReturnCaseDetailOut, **SELLER_ERRORS},
    summary="회수 재요청",
    description="회수실패 건에 새 회수를 요청합니다(새 송장번호). 모르는 택배사 400 unknown_carrier. "
    + ILLEGAL
    + " 매니저 이상.",
)
def return_pickup_retry_view(request, slug: str, case_id: int, payload: PickupRetryIn):
    store = seller_store(request, slug)
    return_pickup_retry(store=store, actor=request.auth.user, case_id=case_id, carrier=payload.carrier)
    return _detail(store, case_id)


@router.post(
    CASE + "/replacement",
    response={200: ReturnCaseDetailOut, **SELLER_ERRORS},
    summary="교환 상품 발송",
    description="검수를 통과하고 재입고·폐기한 교환 건의 교환 상품을 발송합니다(교환 옵션 재고 차감, 배송 "
    "추적). 교환이 아니면 409 claim_kind, 검수 미통과 409 inspection_required, 재고 부족 409 "
    "out_of_stock(반품으로 전환 가능), 송장번호 형식 400 invalid_tracking_number, 이미 등록된 "
    "송장번호 409 duplicate_tracking_number. " + ILLEGAL + " 매니저 이상.",
)
def return_replacement_view(request, slug: str, case_id: int, payload: ReplacementShipIn):
    store = seller_store(request, slug)
    exchange_replacement_ship(
        store=store,
        actor=request.auth.user,
        case_id=case_id,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _detail(store, case_id)


@router.post(
    CASE + "/convert",
    response={200: ReturnCaseDetailOut, **SELLER_ERRORS},
    summary="교환을 반품으로 전환",
    description="교환 상품을 보낼 수 없을 때(품절 등) 교환을 반품(환불)으로 바꿉니다. 이미 재입고·폐기했으면 "
    "바로 환불, 아니면 검수 후 환불. 교환 상품을 보낸 뒤나 교환이 아니면 409 "
    "illegal_transition. 매니저 이상.",
)
def return_convert_view(request, slug: str, case_id: int, payload: ConvertIn):
    store = seller_store(request, slug)
    exchange_convert_to_return(store=store, actor=request.auth.user, case_id=case_id, reason=payload.reason)
    return _detail(store, case_id)
