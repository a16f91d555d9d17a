"""Return-case shapes for the seller API (회수·검수): the case with its pickup / replacement parcels and their
tracking events, the inspection, the audit rows, and the inputs of each step. Times are +09:00."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kkot.api.fields import SeoulDateTime
from kkot.api.schemas.orders import CARRIER_DOC, ClaimOut, IdIn
from kkot.fulfillment.models import ReturnStatus, ShipmentStatus
from kkot.fulfillment.returns import TRANSITIONS

_FORBID = ConfigDict(extra="forbid")
ReturnStatusLit = Literal[
    "pickup_requested",
    "in_transit",
    "pickup_failed",
    "arrived",
    "passed",
    "failed",
    "restocked",
    "disposed",
    "replacement_shipped",
    "completed",
    "rejected",
]
SAFE_AUDIT_DATA = ("carrier", "tracking_number", "warehouse", "units", "photos", "event", "converted")


class ReturnListParams(Schema):
    status: Literal["", "open", ReturnStatusLit] = Field(
        "", description="회수·검수 상태 (open: 진행중 전체, 비우면 전체)"
    )
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class ParcelOut(Schema):
    """회수(pickup) 또는 교환 재배송(replacement) 택배."""

    id: int
    kind: Literal["pickup", "replacement"]
    carrier: str
    tracking_number: str
    status: str
    status_label: str
    created_at: SeoulDateTime
    delivered_at: SeoulDateTime | None

    @staticmethod
    def resolve_status_label(obj):
        return str(ShipmentStatus(obj.status).label)


class TrackingEventOut(Schema):
    code: str
    label: str
    occurred_at: SeoulDateTime
    location: str
    source: str

    @staticmethod
    def resolve_label(obj):
        return str(ShipmentStatus(obj.code).label)


class ReturnAuditOut(Schema):
    from_status: str
    to_status: str
    actor_role: str = Field(description="seller, system")
    reason: str
    data: dict = Field(description="택배사·송장번호, 창고 id, 수량 등")
    created_at: SeoulDateTime

    @staticmethod
    def resolve_data(obj):
        return {k: v for k, v in (obj.data or {}).items() if k in SAFE_AUDIT_DATA}


class ReturnCaseOut(Schema):
    id: int
    claim_id: int
    order_id: int
    order_number: str
    kind: Literal["return", "exchange"] = Field(description="클레임 종류 (교환을 반품으로 전환하면 return)")
    status: ReturnStatusLit
    status_label: str
    next_statuses: list[ReturnStatusLit] = Field(description="이 상태에서 갈 수 있는 상태")
    pickup: ParcelOut | None
    replacement: ParcelOut | None
    inspect_before_refund: bool = Field(description="승인 당시 스토어 설정 '검수 후 환불'")
    inspection_passed: bool | None
    refunded_at: SeoulDateTime | None
    created_at: SeoulDateTime
    updated_at: SeoulDateTime

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number

    @staticmethod
    def resolve_kind(obj):
        return obj.claim.kind

    @staticmethod
    def resolve_status_label(obj):
        return str(ReturnStatus(obj.status).label)

    @staticmethod
    def resolve_next_statuses(obj):
        return sorted(TRANSITIONS.get(obj.status, set()))


class InspectionOut(Schema):
    passed: bool | None
    note: str
    inspected_at: SeoulDateTime | None
    photos: int


class ReturnCaseDetailOut(ReturnCaseOut):
    claim: ClaimOut
    warehouse_id: int | None = Field(description="회수 상품이 입고될 창고")
    inspection: InspectionOut
    disposition_reason: str = Field(description="폐기 사유")
    pickup_events: list[TrackingEventOut] = Field(description="현재 회수 택배의 배송 추적")
    replacement_events: list[TrackingEventOut]
    pickups: list[ParcelOut] = Field(description="이 클레임의 모든 회수 요청 (재요청 포함), 오래된 순")
    audit: list[ReturnAuditOut] = Field(description="상태 변경 이력(감사 기록), 오래된 순")


def case_detail(d: dict):
    """The case of ``return_case_detail_for_store``'s dict, with the parts :class:`ReturnCaseDetailOut` reads."""
    c = d["case"]
    c.inspection = {
        "passed": c.inspection_passed,
        "note": c.inspection_note,
        "inspected_at": c.inspected_at,
        "photos": len(d["photos"]),
    }
    c.pickup_events, c.replacement_events = d["pickup_events"], d["replacement_events"]
    c.pickups, c.audit = d["pickups"], d["audit"]
    return c


class ReturnCasePage(Schema):
    items: list[ReturnCaseOut]
    count: int = Field(description="전체 개수 (상태 필터 적용)")
    page: int
    per_page: int
    counts: dict[str, int] = Field(description="상태별 건수 (all, open, 각 상태)")


class InspectIn(Schema):
    model_config = _FORBID
    passed: bool = Field(description="true 검수통과, false 검수불합격")
    note: str = Field("", max_length=300, description="검수 메모 (불합격이면 사유 필수, 구매자에게 보입니다)")


class RestockIn(Schema):
    model_config = _FORBID
    warehouse_id: IdIn | None = Field(None, description="재입고할 창고 id (비우면 회수 창고)")


class ReasonIn(Schema):
    model_config = _FORBID
    reason: str = Field(max_length=200, description="사유")


class ConvertIn(Schema):
    model_config = _FORBID
    reason: str = Field("", max_length=200, description="전환 사유 (비우면 '교환 옵션 품절')")


class PickupRetryIn(Schema):
    model_config = _FORBID
    carrier: str = Field(
        "", max_length=20, description=f"택배사 코드 (비우면 스토어 회수 택배사): {CARRIER_DOC}"
    )


class ReplacementShipIn(Schema):
    model_config = _FORBID
    carrier: str = Field(max_length=20, description=f"택배사 코드: {CARRIER_DOC}")
    tracking_number: str = Field(max_length=40, description="교환 상품 송장번호")


class ClaimApproveOut(ClaimOut):
    """The approved claim; a return or exchange also names its return case and pickup (회수) parcel."""

    return_case_id: int | None = Field(description="반품·교환: 열린 회수·검수 건 id")
    pickup_carrier: str = Field(description="회수 택배사 (반품·교환)")
    pickup_tracking_number: str = Field(description="회수 송장번호 (반품·교환)")
    refund_pending: bool = Field(description="환불이 검수 후로 미뤄졌으면 true")
