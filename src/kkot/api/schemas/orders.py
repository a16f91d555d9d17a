"""Order shapes for the seller API: order list and detail (lines, claims, payment summary, timeline),
fulfilment input, claims, settlement lines, coupons. Money is integer KRW, times are +09:00."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import ConfigDict

from kkot.api.fields import SeoulDateTime, Won
from kkot.orders.models import ClaimKind, ClaimReason, ClaimStatus, Coupon, OrderStatus, SettlementLine
from kkot.orders.services.lifecycle import CARRIERS

_FORBID = ConfigDict(extra="forbid")
MAX_ID = 2**63 - 1
IdIn = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]

OrderStatusLit = Literal["pending_payment", "paid", "preparing", "shipping", "delivered", "confirmed", "cancelled",
                         "returned"]
ClaimKindLit = Literal["cancel", "return", "exchange"]
CARRIER_DOC = ", ".join(f"{code} ({name})" for code, (name, _rx) in CARRIERS.items())

EVENT_LABELS = {
    "placed": _("주문 접수"),
    "partial_cancel": _("부분 취소"),
    "claim_cancel_requested": _("취소 요청"),
    "claim_return_requested": _("반품 요청"),
    "claim_exchange_requested": _("교환 요청"),
    "claim_return_approved": _("반품 승인"),
    "claim_exchange_approved": _("교환 승인"),
    "claim_exchange_completed": _("교환 완료"),
    "claim_cancel_rejected": _("취소 거부"),
    "claim_return_rejected": _("반품 거부"),
    "claim_exchange_rejected": _("교환 거부"),
}
SAFE_EVENT_DATA = ("carrier", "tracking_number", "claim", "refund", "return_shipping_fee")


class OrderListParams(Schema):
    status: Literal["", OrderStatusLit] = Field("", description="주문 상태 (비우면 전체)")
    claim: Literal["", ClaimKindLit] = Field(
        "", description="처리 중(요청·승인)인 클레임이 있는 주문만: cancel 취소, return 반품, exchange 교환")
    date_from: dt.date | None = Field(None, description="주문일 시작 (YYYY-MM-DD, 서울 기준, 포함)")
    date_to: dt.date | None = Field(None, description="주문일 끝 (YYYY-MM-DD, 서울 기준, 포함)")
    q: str = Field("", max_length=100, description="주문번호, 주문서번호, 수령인, 연락처, 송장번호, 상품명")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class DateRangeParams(Schema):
    date_from: dt.date | None = Field(None, description="정산일 시작 (YYYY-MM-DD, 포함)")
    date_to: dt.date | None = Field(None, description="정산일 끝 (YYYY-MM-DD, 포함)")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=100)


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class OrderLineOut(Schema):
    id: int
    product_id: int
    variant_id: int
    product_name: str
    variant_label: str
    sku: str
    unit_price: Won = Field(description="개당 판매가 (옵션 추가금 포함, 쿠폰 전)")
    list_unit_price: Won
    quantity: int
    subtotal: Won
    discount: Won = Field(description="이 상품에 배분된 쿠폰 할인")
    cancelled_qty: int
    returned_qty: int
    active_qty: int = Field(description="취소·반품을 뺀 수량")


class ShippingAddressOut(Schema):
    recipient: str
    phone: str
    postcode: str
    address1: str
    address2: str
    request_note: str


def _open_claim_kinds(obj) -> list[str]:
    claims = getattr(obj, "open_claims", None)
    if claims is None:
        claims = [c for c in obj.claims.all() if c.status in (ClaimStatus.REQUESTED, ClaimStatus.APPROVED)]
    return sorted({c.kind for c in claims})


class OrderSummaryOut(Schema):
    id: int
    number: str = Field(description="주문번호")
    purchase_number: str = Field(description="주문서(결제) 번호")
    status: OrderStatusLit
    status_label: str
    items_summary: str = Field(description="예: '반팔 티셔츠 외 2건'")
    item_quantity: int
    items_total: Won
    discount_total: Won
    shipping_fee: Won
    total: Won
    recipient: str
    open_claims: list[ClaimKindLit] = Field(description="처리 중인 클레임 종류")
    carrier: str
    tracking_number: str
    created_at: SeoulDateTime
    paid_at: SeoulDateTime | None

    @staticmethod
    def resolve_purchase_number(obj):
        return obj.purchase.number

    @staticmethod
    def resolve_status_label(obj):
        return str(OrderStatus(obj.status).label)

    @staticmethod
    def resolve_items_summary(obj):
        lines = list(obj.lines.all())
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0].product_name
        return _g("%(name)s 외 %(n)d건") % {"name": lines[0].product_name, "n": len(lines) - 1}

    @staticmethod
    def resolve_item_quantity(obj):
        return sum(ln.quantity for ln in obj.lines.all())

    @staticmethod
    def resolve_recipient(obj):
        return obj.purchase.recipient

    @staticmethod
    def resolve_open_claims(obj):
        return _open_claim_kinds(obj)


class ClaimLineOut(Schema):
    line_id: int
    quantity: int
    exchange_variant_id: int | None


class ClaimOut(Schema):
    id: int
    order_id: int
    kind: ClaimKindLit
    kind_label: str
    status: Literal["requested", "approved", "rejected", "completed", "withdrawn"]
    status_label: str
    reason: Literal["change_of_mind", "defective", "wrong_item", "late", "other"]
    reason_label: str
    detail: str
    lines: list[ClaimLineOut]
    return_shipping_fee: Won = Field(description="구매자 부담 반품배송비 (환불금에서 차감)")
    refund_amount: Won
    reject_reason: str
    created_at: SeoulDateTime
    resolved_at: SeoulDateTime | None

    @staticmethod
    def resolve_kind_label(obj):
        return str(ClaimKind(obj.kind).label)

    @staticmethod
    def resolve_status_label(obj):
        return str(ClaimStatus(obj.status).label)

    @staticmethod
    def resolve_reason_label(obj):
        return str(ClaimReason(obj.reason).label)

    @staticmethod
    def resolve_lines(obj):
        return [{"line_id": cl.line_id, "quantity": cl.quantity, "exchange_variant_id": cl.exchange_variant_id}
                for cl in obj.lines.all()]


class RefundOut(Schema):
    amount: Won
    reason: str
    claim_id: int | None
    created_at: SeoulDateTime


class PaymentSummaryOut(Schema):
    """결제 요약: 결제수단과 상태, 이 주문의 금액과 환불액. 카드번호·계좌번호는 주지 않습니다."""

    provider: str
    method: str
    status: Literal["pending", "paid", "failed", "cancelled", "partially_refunded", "refunded"]
    status_label: str
    paid_at: SeoulDateTime | None
    order_total: Won
    refunded: Won = Field(description="이 주문에서 환불된 금액")
    refunds: list[RefundOut]


class TimelineEventOut(Schema):
    kind: str
    label: str
    from_status: str
    to_status: str
    actor_role: str = Field(description="shopper, seller, system, operator")
    reason: str
    data: dict = Field(description="택배사·송장번호, 클레임 id, 환불액 등")
    created_at: SeoulDateTime

    @staticmethod
    def resolve_label(obj):
        if obj.kind == "status" and obj.to_status in OrderStatus.values:
            return str(OrderStatus(obj.to_status).label)
        return str(EVENT_LABELS.get(obj.kind, obj.kind))

    @staticmethod
    def resolve_data(obj):
        return {k: v for k, v in (obj.data or {}).items() if k in SAFE_EVENT_DATA}


class OrderDetailOut(OrderSummaryOut):
    shipping_address: ShippingAddressOut
    lines: list[OrderLineOut]
    claims: list[ClaimOut]
    payment: PaymentSummaryOut | None
    timeline: list[TimelineEventOut]
    shipping_refunded: bool
    accepted_at: SeoulDateTime | None
    shipped_at: SeoulDateTime | None
    delivered_at: SeoulDateTime | None
    confirmed_at: SeoulDateTime | None
    cancelled_at: SeoulDateTime | None

    @staticmethod
    def resolve_shipping_address(obj):
        p = obj.purchase
        return {"recipient": p.recipient, "phone": p.phone, "postcode": p.postcode, "address1": p.address1,
                "address2": p.address2, "request_note": p.request_note}

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_claims(obj):
        return list(obj.claims.all())

    @staticmethod
    def resolve_payment(obj):
        return getattr(obj, "payment_summary", None)

    @staticmethod
    def resolve_timeline(obj):
        return list(obj.events.all())


class AcceptIn(Schema):
    model_config = _FORBID
    order_ids: list[IdIn] = Field(min_length=1, max_length=1000, description="발주확인할 주문 id 목록 (결제완료 상태)")


class AcceptOut(Schema):
    accepted: int


class ShipIn(Schema):
    model_config = _FORBID
    carrier: str = Field(max_length=20, description=f"택배사 코드: {CARRIER_DOC}")
    tracking_number: str = Field(max_length=40, description="송장번호 (하이픈·공백은 무시, 택배사별 자릿수 확인)")


class RejectIn(Schema):
    model_config = _FORBID
    reason: str = Field(max_length=300, description="거부 사유 (구매자에게 보입니다)")


class SettlementLineOut(Schema):
    id: int
    order_id: int
    order_number: str
    line_id: int
    product_name: str
    variant_label: str
    quantity: int
    sale_amount: Won
    discount: Won
    shipping_fee: Won
    platform_fee: Won
    payment_fee: Won
    net_amount: Won = Field(description="정산액 = 판매액 - 할인 + 배송비 - 판매수수료 - 결제수수료")
    confirmed_at: SeoulDateTime
    settle_date: dt.date
    status: Literal["scheduled", "paid"]
    status_label: str

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number

    @staticmethod
    def resolve_product_name(obj):
        return obj.line.product_name

    @staticmethod
    def resolve_variant_label(obj):
        return obj.line.variant_label

    @staticmethod
    def resolve_status_label(obj):
        return str(SettlementLine.Status(obj.status).label)


class SettlementTotalsOut(Schema):
    count: int
    quantity: int
    sale_amount: Won
    discount: Won
    shipping_fee: Won
    platform_fee: Won
    payment_fee: Won
    net_amount: Won


class SettlementPage(Schema):
    items: list[SettlementLineOut]
    count: int = Field(description="전체 개수")
    page: int
    per_page: int
    totals: SettlementTotalsOut = Field(description="기간 전체 합계")


class CouponOut(Schema):
    id: int
    code: str
    name: str
    kind: Literal["fixed", "percent"]
    kind_label: str
    amount: Won | None = Field(description="정액 할인 금액")
    percent: int | None = Field(description="정률 할인율 (%)")
    max_discount: Won | None
    min_order: Won
    starts_at: SeoulDateTime
    ends_at: SeoulDateTime
    audience: Literal["all", "regulars", "first"]
    audience_label: str
    usage_limit: int | None
    used_count: int
    is_active: bool
    created_at: SeoulDateTime

    @staticmethod
    def resolve_kind_label(obj):
        return str(Coupon.Kind(obj.kind).label)

    @staticmethod
    def resolve_audience_label(obj):
        return str(Coupon.Audience(obj.audience).label)


class WebhookOut(Schema):
    outcome: str = Field(description="paid, failed, duplicate, already_paid, ignored_<상태>, ignored_kind, "
                                     "unknown_payment, amount_mismatch, late_payment_refund_required")
