"""Pickup (회수): the request through the carrier adapter, a retry, and the tracking events that move a case."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.fulfillment.carriers import carrier_adapter
from kkot.fulfillment.models import (
    ReturnCase,
    Shipment,
)
from kkot.fulfillment.returns.machine import (
    COLD_CARRIER,
    TRANSITIONS,
    S,
    _audit,
    _can,
    _case_for_seller,
    _is_cold,
    _transition,
    return_policy,
)
from kkot.inventory.services import warehouse_default
from kkot.orders.models import Claim, ClaimKind
from kkot.orders.services.claims import (
    claim_approve,
    claim_return_refund,
)
from kkot.orders.services.lifecycle import CARRIERS, validate_tracking
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role


# ------------------------------------------------------------------------------------------- pickup
def _pickup_create(case: ReturnCase, *, carrier: str, at: datetime) -> Shipment:
    order = case.order
    wh = case.warehouse
    dest = (wh.postcode if wh else "") or case.store.return_postcode
    attempt = Shipment.objects.filter(claim_id=case.claim_id, kind=Shipment.Kind.PICKUP).count() + 1
    adapter = carrier_adapter(carrier)
    for salt in range(5):
        receipt = adapter.request_pickup(
            reference=f"claim{case.claim_id}-{attempt}-{salt}",
            pickup_postcode=order.purchase.postcode,
            return_postcode=dest,
            requested_at=at,
        )
        tn = validate_tracking(carrier, receipt.tracking_number)
        if not Shipment.objects.filter(carrier=carrier, tracking_number=tn).exists():
            break
    else:  # pragma: no cover - five hash collisions in a row
        raise Conflict(
            _("회수 송장번호를 받지 못했습니다. 잠시 후 다시 시도해 주세요."), code="pickup_unavailable"
        )
    s = Shipment.objects.create(
        order=order,
        claim_id=case.claim_id,
        store=case.store,
        warehouse=wh,
        kind=Shipment.Kind.PICKUP,
        carrier=carrier,
        tracking_number=tn,
        dest_postcode=dest,
        origin_postcode=order.purchase.postcode,
        created_at=at,
    )
    case.pickup = s
    case.save(update_fields=["pickup"])
    return s


@transaction.atomic
def claim_accept(*, store: Store, actor, claim_id, at: datetime | None = None) -> ReturnCase:
    """The seller accepts a requested return or exchange: the claim is approved (settlement deferred), a
    return case opens and a pickup is requested from the carrier (the store's 회수 택배사; chilled/frozen goods
    with the fresh carrier) to the store's return warehouse. Without "검수 후 환불" a return is refunded now."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    claim = (
        Claim.objects.select_related("order__purchase").filter(pk=claim_id, order__store=store).first()
        if str(claim_id).isdigit()
        else None
    )
    if claim is None:
        raise NotFound(_("요청을 찾을 수 없습니다."))
    if claim.kind not in (ClaimKind.RETURN, ClaimKind.EXCHANGE):
        raise Conflict(_("회수가 필요한 반품/교환 요청이 아닙니다."), code="claim_kind")
    at = at or timezone.now()
    claim = claim_approve(store=store, actor=actor, claim_id=claim.pk, defer_settlement=True)
    policy = return_policy(store=store)
    case = ReturnCase(
        claim=claim,
        order=claim.order,
        store=store,
        inspect_before_refund=policy.inspect_before_refund,
        created_at=at,
        updated_at=at,
        status=S.PICKUP_REQUESTED,
    )
    cold = _is_cold(case)
    wh = policy.warehouse if policy.warehouse and policy.warehouse.is_active else None
    if wh is None or (cold and not wh.cold_chain):
        wh = warehouse_default(store=store, cold_chain=cold)
    case.warehouse = wh
    case.save()
    carrier = COLD_CARRIER if cold else policy.pickup_carrier
    pickup = _pickup_create(case, carrier=carrier, at=at)
    _audit(
        case,
        "",
        S.PICKUP_REQUESTED,
        actor=actor,
        role="seller",
        at=at,
        data={"carrier": carrier, "tracking_number": pickup.tracking_number, "warehouse": wh.pk},
    )
    if not policy.inspect_before_refund and claim.kind == ClaimKind.RETURN:
        claim_return_refund(claim_id=claim.pk, actor=actor, at=at)
        case.refunded_at = at
        case.save(update_fields=["refunded_at"])
    return case


@transaction.atomic
def return_pickup_retry(
    *, store: Store, actor, case_id, carrier: str = "", at: datetime | None = None
) -> ReturnCase:
    """회수실패 → a new pickup request (another tracking number)."""
    case = _case_for_seller(store=store, actor=actor, case_id=case_id)
    _can(case, S.PICKUP_REQUESTED)
    at = at or timezone.now()
    carrier = carrier or (COLD_CARRIER if _is_cold(case) else return_policy(store=store).pickup_carrier)
    if carrier not in CARRIERS:
        raise ValidationError(_("알 수 없는 택배사입니다."), code="unknown_carrier")
    pickup = _pickup_create(case, carrier=carrier, at=at)
    _transition(
        case,
        S.PICKUP_REQUESTED,
        actor=actor,
        role="seller",
        reason=_("회수 재요청"),
        at=at,
        data={"carrier": carrier, "tracking_number": pickup.tracking_number},
    )
    return case


def return_tracking_progress(*, shipment: Shipment, code: str, at: datetime) -> None:
    """Called by ``tracking_event_record`` when a pickup or replacement parcel's status advances."""
    if shipment.kind == Shipment.Kind.PICKUP:
        case = ReturnCase.objects.select_for_update(of=("self",)).filter(pickup=shipment).first()
        if case is None:
            return
        to = {"delivered": S.ARRIVED, "failed": S.PICKUP_FAILED}.get(code, S.IN_TRANSIT)
        if to == S.IN_TRANSIT and case.status != S.PICKUP_REQUESTED:
            return
        if to in TRANSITIONS.get(case.status, set()):
            _transition(
                case,
                to,
                actor=None,
                role="system",
                at=at,
                data={"tracking_number": shipment.tracking_number, "event": code},
            )
    elif shipment.kind == Shipment.Kind.REPLACEMENT and code == "delivered":
        case = ReturnCase.objects.select_for_update(of=("self",)).filter(replacement=shipment).first()
        if case is not None and case.status == S.REPLACEMENT_SHIPPED:
            _transition(case, S.COMPLETED, actor=None, role="system", at=at, reason=_("교환 상품 배송완료"))
