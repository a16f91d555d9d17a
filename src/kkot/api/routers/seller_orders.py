"""Seller order endpoints (bearer token) under /seller/stores/{slug}/: orders, 발주확인, 발송처리, claims,
settlements, coupons. The store comes from :func:`kkot.api.auth.seller_store` (404 for any store but the
token's); reads go through :mod:`kkot.orders.selectors.api`, writes through the order services, which check
the role (manager or owner; a viewer gets 403). Approving a return or exchange goes through
:func:`kkot.fulfillment.returns.claim_accept` like the seller center (pickup first, ADR 0008); the case's
later steps are in :mod:`kkot.api.routers.seller_returns`."""

from __future__ import annotations

from ninja import Query, Router

from kkot.api.auth import seller_store, seller_token
from kkot.api.pagination import Page, paginate
from kkot.api.schemas.common import SELLER_ERRORS
from kkot.api.schemas.orders import (
    AcceptIn,
    AcceptOut,
    ClaimOut,
    CouponOut,
    DateRangeParams,
    OrderDetailOut,
    OrderListParams,
    OrderSummaryOut,
    PageParams,
    RejectIn,
    SettlementPage,
    ShipIn,
)
from kkot.api.schemas.returns import ClaimApproveOut
from kkot.fulfillment.returns import claim_accept
from kkot.fulfillment.services import shipment_create
from kkot.orders.models import Claim, ClaimKind, ClaimStatus
from kkot.orders.selectors.api import (
    coupons_for_store_api,
    order_for_store_api,
    orders_for_store_api,
    settlement_lines_for_store_api,
)
from kkot.orders.services.claims import claim_approve, claim_reject
from kkot.orders.services.lifecycle import orders_accept

router = Router(auth=seller_token, tags=["판매자"])

STORE = "/stores/{kkslug:slug}"
ORDER = STORE + "/orders/{kkid:order_id}"
CLAIM = STORE + "/claims/{kkid:claim_id}"


@router.get(STORE + "/orders", response={200: Page[OrderSummaryOut], **SELLER_ERRORS}, summary="주문 목록",
            description="최신 주문부터. 필터: status(주문 상태), claim(처리 중인 취소 cancel·반품 return·교환 exchange "
                        "요청이 있는 주문), date_from·date_to(주문일, 서울 기준, 양끝 포함), q(주문번호·주문서번호·"
                        "수령인·연락처·송장번호·상품명). 시작일이 종료일보다 늦으면 400 invalid_date_range.")
def order_list(request, slug: str, params: Query[OrderListParams]):
    qs = orders_for_store_api(store=seller_store(request, slug), status=params.status, claim=params.claim,
                              date_from=params.date_from, date_to=params.date_to, q=params.q)
    return paginate(qs, page=params.page, per_page=params.per_page)


@router.post(STORE + "/orders/accept", response={200: AcceptOut, **SELLER_ERRORS}, summary="발주확인 (일괄)",
             description="결제완료 주문을 상품준비중으로 바꿉니다. 전부 되거나 하나도 안 됩니다: 내 스토어 주문이 "
                         "아닌 id가 있으면 404, 결제완료가 아닌 주문이 있으면 409 illegal_transition, 취소 요청이 "
                         "있는 주문이 있으면 409 claim_open. 매니저 이상.")
def order_accept(request, slug: str, payload: AcceptIn):
    store = seller_store(request, slug)
    return {"accepted": orders_accept(store=store, actor=request.auth.user, order_ids=payload.order_ids)}


@router.get(ORDER, response={200: OrderDetailOut, **SELLER_ERRORS}, summary="주문 상세",
            description="주문 상품, 배송지, 클레임, 결제 요약(카드번호·계좌번호 없음), 처리 이력(timeline).")
def order_detail(request, slug: str, order_id: int):
    return order_for_store_api(store=seller_store(request, slug), order_id=order_id)


@router.post(ORDER + "/ship", response={200: OrderDetailOut, **SELLER_ERRORS}, summary="발송처리",
             description="택배사와 송장번호를 등록하고 배송중으로 바꿉니다(결제완료 주문은 발주확인도 함께). "
                         "모르는 택배사 400 unknown_carrier, 송장번호 형식 400 invalid_tracking_number, "
                         "발송할 수 없는 상태 409 illegal_transition, 취소 요청 중 409 claim_open, 이미 등록된 송장번호 "
                         "409 duplicate_tracking_number, 냉장/냉동 상품의 택배사·창고·발송일 400 cold_chain_carrier·"
                         "cold_chain_warehouse·cold_chain_day. 배송(shipment)이 함께 만들어집니다. 매니저 이상.")
def order_ship_view(request, slug: str, order_id: int, payload: ShipIn):
    store = seller_store(request, slug)
    order = order_for_store_api(store=store, order_id=order_id)
    shipment_create(order=order, actor=request.auth.user, carrier=payload.carrier,
                    tracking_number=payload.tracking_number)
    return order_for_store_api(store=store, order_id=order_id)


@router.post(CLAIM + "/approve", response={200: ClaimApproveOut, **SELLER_ERRORS}, summary="클레임 승인",
             description="취소 승인: 바로 취소·환불합니다. 반품·교환 승인: 판매자센터와 같이 클레임이 승인(approved)"
                         "되고 회수·검수 건(return_case_id)이 열리며 택배사에 회수를 요청합니다(pickup_carrier·"
                         "pickup_tracking_number). 재입고·폐기와 환불, 교환 상품 발송은 회수 상품이 도착해 검수한 뒤 "
                         "/returns/{case_id}에서 합니다. 스토어 설정이 '검수 후 환불'이면 refund_pending=true(기본), "
                         "아니면 반품은 승인과 함께 환불됩니다(단순변심은 반품배송비 차감). 이미 처리된 요청은 409 "
                         "claim_resolved. 매니저 이상.")
def claim_approve_view(request, slug: str, claim_id: int):
    store = seller_store(request, slug)
    kind = Claim.objects.filter(pk=claim_id, order__store=store).values_list("kind", flat=True).first()
    if kind not in (ClaimKind.RETURN, ClaimKind.EXCHANGE):  # a cancel, or unknown: the service says 404
        claim = claim_approve(store=store, actor=request.auth.user, claim_id=claim_id)
        claim.return_case_id, claim.pickup_carrier, claim.pickup_tracking_number = None, "", ""
        claim.refund_pending = False
        return claim
    case = claim_accept(store=store, actor=request.auth.user, claim_id=claim_id)
    claim = Claim.objects.get(pk=case.claim_id)
    claim.return_case_id = case.pk
    claim.pickup_carrier, claim.pickup_tracking_number = case.pickup.carrier, case.pickup.tracking_number
    claim.refund_pending = claim.kind == ClaimKind.RETURN and claim.status == ClaimStatus.APPROVED
    return claim


@router.post(CLAIM + "/reject", response={200: ClaimOut, **SELLER_ERRORS}, summary="클레임 거부",
             description="사유(reason)가 비었으면 400 reason_required, 이미 처리된 요청은 409 claim_resolved. "
                         "매니저 이상.")
def claim_reject_view(request, slug: str, claim_id: int, payload: RejectIn):
    store = seller_store(request, slug)
    return claim_reject(store=store, actor=request.auth.user, claim_id=claim_id, reason=payload.reason)


@router.get(STORE + "/settlements", response={200: SettlementPage, **SELLER_ERRORS}, summary="정산 내역",
            description="구매확정된 주문 상품별 정산: 판매액, 할인, 배송비, 판매수수료, 결제수수료, 정산액. "
                        "date_from·date_to는 정산일(양끝 포함). totals는 기간 전체 합계입니다.")
def settlement_list(request, slug: str, params: Query[DateRangeParams]):
    qs, totals = settlement_lines_for_store_api(store=seller_store(request, slug), date_from=params.date_from,
                                                date_to=params.date_to)
    return {**paginate(qs, page=params.page, per_page=params.per_page), "totals": totals}


@router.get(STORE + "/coupons", response={200: Page[CouponOut], **SELLER_ERRORS}, summary="쿠폰 목록",
            description="스토어 쿠폰(정액·정률, 최소 주문금액, 기간, 대상, 사용 한도와 사용 수), 최신순.")
def coupon_list(request, slug: str, params: Query[PageParams]):
    return paginate(coupons_for_store_api(store=seller_store(request, slug)), page=params.page,
                    per_page=params.per_page)
