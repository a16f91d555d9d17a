"""Inspection (검수), restock or dispose, the refund or rejection, and an exchange's replacement."""

from __future__ import annotations

from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.core.errors import Conflict, ValidationError
from kkot.core.uploads import clean_image
from kkot.fulfillment.models import (
    InspectionPhoto,
    ReturnCase,
    Shipment,
)
from kkot.fulfillment.returns.machine import (
    COLD_CARRIER,
    MAX_PHOTOS,
    S,
    _audit,
    _can,
    _case_for_seller,
    _claim_lines,
    _seller_warehouse,
    _transition,
)
from kkot.inventory.services import inventory_dispose, inventory_restock, warehouse_default
from kkot.orders.models import Claim, ClaimKind, ClaimStatus
from kkot.orders.services.claims import (
    claim_exchange_convert,
    claim_exchange_ship,
    claim_reject_after_inspection,
    claim_return_refund,
)
from kkot.orders.services.lifecycle import validate_tracking
from kkot.stores.models import Store


# ------------------------------------------------------------------------------------------- inspection
@transaction.atomic
def return_inspect(
    *, store: Store, actor, case_id, passed: bool, note: str = "", photos=(), at: datetime | None = None
) -> ReturnCase:
    """검수 결과: pass, or fail with a reason; photos optional (validated before anything is written)."""
    case = _case_for_seller(store=store, actor=actor, case_id=case_id)
    note = (note or "").strip()[:300]
    if not passed and not note:
        raise ValidationError(_("불합격 사유를 입력해 주세요."), code="reason_required")
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("검수 사진은 %(n)d장까지 올릴 수 있습니다.") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    _can(case, S.PASSED if passed else S.FAILED)
    cleaned = [clean_image(p) for p in photos]
    at = at or timezone.now()
    case.inspection_passed, case.inspection_note, case.inspected_at = bool(passed), note, at
    case.save(update_fields=["inspection_passed", "inspection_note", "inspected_at"])
    for img in cleaned:
        ph = InspectionPhoto(case=case, created_at=at)
        ph.image.save(f"case{case.pk}-{img.sha256[:12]}.{img.ext}", ContentFile(img.content), save=True)
    _transition(
        case,
        S.PASSED if passed else S.FAILED,
        actor=actor,
        role="seller",
        reason=note,
        at=at,
        data={"photos": len(cleaned)},
    )
    return case


def _after_disposition(case: ReturnCase, *, actor, at: datetime) -> None:
    """A return is refunded (unless it was already) and complete; an exchange waits for its replacement."""
    claim = Claim.objects.get(pk=case.claim_id)
    if claim.kind != ClaimKind.RETURN:
        return
    if claim.status == ClaimStatus.APPROVED:
        claim_return_refund(claim_id=claim.pk, actor=actor, at=at)
        case.refunded_at = at
        case.save(update_fields=["refunded_at"])
    _transition(case, S.COMPLETED, actor=actor, role="seller", at=at, reason=_("환불 완료"))


@transaction.atomic
def return_restock(
    *, store: Store, actor, case_id, warehouse_id=None, at: datetime | None = None
) -> ReturnCase:
    """재입고: the returned units go back on the shelf of the chosen warehouse (a return_restock movement)."""
    case = _case_for_seller(store=store, actor=actor, case_id=case_id)
    _can(case, S.RESTOCKED)
    wh = (
        _seller_warehouse(store, warehouse_id)
        if warehouse_id not in (None, "")
        else (case.warehouse or warehouse_default(store=store))
    )
    lines = _claim_lines(case)
    if any(cl.line.product.cold_chain for cl in lines) and not wh.cold_chain:
        raise ValidationError(
            _("냉장/냉동 상품은 냉장 보관이 가능한 창고에만 둘 수 있습니다."), code="cold_chain_warehouse"
        )
    at = at or timezone.now()
    qty: dict[int, int] = {}
    for cl in lines:
        qty[cl.line.variant_id] = qty.get(cl.line.variant_id, 0) + cl.quantity
    inventory_restock(
        quantities=qty, ref=case.order.number, reason=_("반품 재입고"), actor=actor, warehouse_id=wh.pk, at=at
    )
    _transition(
        case,
        S.RESTOCKED,
        actor=actor,
        role="seller",
        at=at,
        data={"warehouse": wh.pk, "units": sum(qty.values())},
    )
    _after_disposition(case, actor=actor, at=at)
    return case


@transaction.atomic
def return_dispose(*, store: Store, actor, case_id, reason: str, at: datetime | None = None) -> ReturnCase:
    """폐기: the returned units do not go back to stock; a dispose movement with the reason is written."""
    case = _case_for_seller(store=store, actor=actor, case_id=case_id)
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValidationError(_("폐기 사유를 입력해 주세요."), code="reason_required")
    _can(case, S.DISPOSED)
    at = at or timezone.now()
    qty: dict[int, int] = {}
    for cl in _claim_lines(case):
        qty[cl.line.variant_id] = qty.get(cl.line.variant_id, 0) + cl.quantity
    inventory_dispose(
        quantities=qty,
        reason=reason,
        ref=case.order.number,
        actor=actor,
        warehouse_id=case.warehouse_id,
        at=at,
    )
    case.disposition_reason = reason
    case.save(update_fields=["disposition_reason"])
    _transition(
        case, S.DISPOSED, actor=actor, role="seller", reason=reason, at=at, data={"units": sum(qty.values())}
    )
    _after_disposition(case, actor=actor, at=at)
    return case


@transaction.atomic
def return_reject(*, store: Store, actor, case_id, reason: str) -> ReturnCase:
    """검수불합격 → 반품거절: no refund; the claim is rejected with the reason."""
    case = _case_for_seller(store=store, actor=actor, case_id=case_id)
    _can(case, S.REJECTED)
    claim_reject_after_inspection(claim_id=case.claim_id, actor=actor, reason=reason)
    case.claim.refresh_from_db()
    _transition(case, S.REJECTED, actor=actor, role="seller", reason=reason)
    return case


# ------------------------------------------------------------------------------------------- exchange
@transaction.atomic
def exchange_replacement_ship(
    *, store: Store, actor, case_id, carrier: str, tracking_number: str, at: datetime | None = None
) -> ReturnCase:
    """교환 재배송 after a passed inspection (and the returned units restocked or disposed): the new options are
    reserved and shipped through the ledger and a tracked replacement shipment is created."""
    case = _case_for_seller(store=store, actor=actor, case_id=case_id)
    claim = case.claim
    if claim.kind != ClaimKind.EXCHANGE:
        raise Conflict(_("교환 요청이 아닙니다."), code="claim_kind")
    if case.inspection_passed is not True:
        raise Conflict(_("검수를 통과한 교환만 교환 상품을 보낼 수 있습니다."), code="inspection_required")
    _can(case, S.REPLACEMENT_SHIPPED)
    tn = validate_tracking(carrier, tracking_number)
    if Shipment.objects.filter(carrier=carrier, tracking_number=tn).exists():
        raise Conflict(_("이미 등록된 송장번호입니다."), code="duplicate_tracking_number")
    lines = _claim_lines(case)
    cold = any(cl.exchange_variant and cl.exchange_variant.product.cold_chain for cl in lines)
    if cold and carrier != COLD_CARRIER:
        raise ValidationError(
            _("냉장/냉동 상품은 신선 배송이 가능한 택배사로만 보낼 수 있습니다."), code="cold_chain_carrier"
        )
    at = at or timezone.now()
    try:
        claim_exchange_ship(claim_id=claim.pk, actor=actor, at=at)
    except Conflict as exc:
        if exc.code != "out_of_stock":
            raise
        raise Conflict(
            _("교환할 옵션의 재고가 부족합니다. 재고를 입고하거나 반품(환불)으로 전환해 주세요."),
            code="out_of_stock",
        ) from None
    s = Shipment.objects.create(
        order=case.order,
        claim=claim,
        store=store,
        warehouse=warehouse_default(store=store, cold_chain=cold),
        kind=Shipment.Kind.REPLACEMENT,
        carrier=carrier,
        tracking_number=tn,
        dest_postcode=case.order.purchase.postcode,
        created_at=at,
    )
    case.replacement = s
    case.save(update_fields=["replacement"])
    _transition(
        case,
        S.REPLACEMENT_SHIPPED,
        actor=actor,
        role="seller",
        at=at,
        data={"carrier": carrier, "tracking_number": tn},
    )
    return case


@transaction.atomic
def exchange_convert_to_return(
    *, store: Store, actor, case_id, reason: str = "", at: datetime | None = None
) -> ReturnCase:
    """The replacement cannot be sent (sold out, discontinued): the exchange becomes a return and is refunded
    like one (now when the units are already restocked or disposed, else after the inspection)."""
    case = _case_for_seller(store=store, actor=actor, case_id=case_id)
    if case.claim.kind != ClaimKind.EXCHANGE or case.status in (
        S.REPLACEMENT_SHIPPED,
        S.COMPLETED,
        S.REJECTED,
    ):
        raise Conflict(
            _("교환 상품을 보내기 전의 교환만 반품으로 전환할 수 있습니다."), code="illegal_transition"
        )
    at = at or timezone.now()
    reason = (reason or "").strip() or _("교환 옵션 품절")
    claim_exchange_convert(claim_id=case.claim_id, actor=actor, reason=reason)
    case.claim.refresh_from_db()
    _audit(
        case,
        case.status,
        case.status,
        actor=actor,
        role="seller",
        reason=reason,
        at=at,
        data={"converted": "exchange_to_return"},
    )
    if case.status in (S.RESTOCKED, S.DISPOSED):
        _after_disposition(case, actor=actor, at=at)
    elif not case.inspect_before_refund:
        claim_return_refund(claim_id=case.claim_id, actor=actor, at=at)
        case.refunded_at = at
        case.save(update_fields=["refunded_at"])
    return case
