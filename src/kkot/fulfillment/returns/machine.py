"""The return-case state machine: transitions, audit rows, notifications, the store's return policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.fulfillment.models import (
    ReturnCase,
    ReturnCaseEvent,
    ReturnPolicy,
    ReturnStatus,
)
from kkot.inventory.models import Warehouse
from kkot.orders.models import Notification
from kkot.orders.services.lifecycle import CARRIERS, audit
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

S = ReturnStatus
TRANSITIONS: dict[str, set[str]] = {
    S.PICKUP_REQUESTED: {S.IN_TRANSIT, S.ARRIVED, S.PICKUP_FAILED},
    S.IN_TRANSIT: {S.ARRIVED, S.PICKUP_FAILED},
    S.PICKUP_FAILED: {S.PICKUP_REQUESTED},
    S.ARRIVED: {S.PASSED, S.FAILED},
    S.PASSED: {S.RESTOCKED, S.DISPOSED},
    S.FAILED: {S.RESTOCKED, S.DISPOSED, S.REJECTED},
    S.RESTOCKED: {S.COMPLETED, S.REPLACEMENT_SHIPPED},
    S.DISPOSED: {S.COMPLETED, S.REPLACEMENT_SHIPPED},
    S.REPLACEMENT_SHIPPED: {S.COMPLETED},
    S.COMPLETED: set(),
    S.REJECTED: set(),
}
OPEN = [s for s, nxt in TRANSITIONS.items() if nxt]
MAX_PHOTOS = 5
COLD_CARRIER = "fresh"

SHOPPER_TEXT = {
    S.PICKUP_REQUESTED: _("회수를 접수했습니다. 택배 기사님이 방문할 예정입니다"),
    S.PICKUP_FAILED: _("회수하지 못했습니다. 판매자가 다시 접수할 예정입니다"),
    S.ARRIVED: _("회수 상품이 판매자에게 도착했습니다. 검수를 시작합니다"),
    S.PASSED: _("회수 상품 검수를 통과했습니다"),
    S.FAILED: _("회수 상품이 검수를 통과하지 못했습니다"),
    S.REPLACEMENT_SHIPPED: _("교환 상품이 발송되었습니다"),
    S.COMPLETED: _("반품/교환 처리가 완료되었습니다"),
    S.REJECTED: _("검수 결과에 따라 반품이 거절되었습니다"),
}
SELLER_TEXT = {
    S.ARRIVED: _("회수 상품이 도착했습니다. 검수 결과를 입력해 주세요"),
    S.PICKUP_FAILED: _("회수에 실패했습니다. 회수를 다시 요청해 주세요"),
}


# ------------------------------------------------------------------------------------------- policy
def return_policy(*, store: Store) -> ReturnPolicy:
    """The store's return rules, created with the defaults (검수 후 환불, CJ대한통운) on first use."""
    p = ReturnPolicy.objects.filter(store=store).first()
    if p is not None:
        return p
    try:
        with transaction.atomic():
            return ReturnPolicy.objects.create(store=store)
    except IntegrityError:
        return ReturnPolicy.objects.get(store=store)


@transaction.atomic
def return_policy_update(
    *, store: Store, actor, inspect_before_refund: bool, pickup_carrier: str, warehouse_id=None
) -> ReturnPolicy:
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    if pickup_carrier not in CARRIERS:
        raise ValidationError(_("알 수 없는 택배사입니다."), code="unknown_carrier")
    wh = None
    if warehouse_id not in (None, ""):
        wh = _seller_warehouse(store, warehouse_id)
    p = return_policy(store=store)
    p.inspect_before_refund, p.pickup_carrier, p.warehouse = bool(inspect_before_refund), pickup_carrier, wh
    p.save()
    return p


# ------------------------------------------------------------------------------------------- state machine
def _transition(
    case: ReturnCase,
    to: str,
    *,
    actor,
    role: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ReturnCaseEvent:
    if to not in TRANSITIONS.get(case.status, set()):
        raise Conflict(
            _("'%(f)s' 상태의 회수·검수는 '%(t)s'(으)로 바꿀 수 없습니다.")
            % {"f": S(case.status).label, "t": S(to).label},
            code="illegal_transition",
        )
    at = at or timezone.now()
    before = case.status
    case.status, case.updated_at = to, at
    case.save(update_fields=["status", "updated_at"])
    return _audit(case, before, to, actor=actor, role=role, reason=reason, data=data, at=at)


def _audit(
    case: ReturnCase,
    before: str,
    to: str,
    *,
    actor,
    role: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ReturnCaseEvent:
    at = at or timezone.now()
    ev = ReturnCaseEvent.objects.create(
        case=case,
        from_status=before,
        to_status=to,
        actor=actor,
        actor_role=role,
        reason=(reason or "")[:300],
        data=data or {},
        created_at=at,
    )
    audit(
        order=case.order,
        kind=f"return_{to}",
        actor=actor,
        role=role,
        reason=reason,
        at=at,
        data={"claim": case.claim_id, "case": case.pk, **(data or {})},
    )
    transaction.on_commit(lambda: return_case_notify(event_id=ev.pk))
    return ev


def _can(case: ReturnCase, to: str) -> None:
    if to not in TRANSITIONS.get(case.status, set()):
        raise Conflict(
            _("'%(f)s' 상태의 회수·검수는 '%(t)s'(으)로 바꿀 수 없습니다.")
            % {"f": S(case.status).label, "t": S(to).label},
            code="illegal_transition",
        )


def _seller_warehouse(store: Store, warehouse_id) -> Warehouse:
    wh = (
        Warehouse.objects.filter(pk=warehouse_id, store=store, is_active=True).first()
        if str(warehouse_id).isdigit()
        else None
    )
    if wh is None:
        raise NotFound(_("창고를 찾을 수 없습니다."))
    return wh


def _case_for_seller(*, store: Store, actor, case_id) -> ReturnCase:
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    case = (
        ReturnCase.objects.select_for_update(of=("self",))
        .select_related("order__purchase", "claim", "warehouse")
        .filter(pk=case_id, store=store)
        .first()
        if str(case_id).isdigit()
        else None
    )
    if case is None:
        raise NotFound(_("회수·검수 건을 찾을 수 없습니다."))
    return case


def _claim_lines(case: ReturnCase):
    return list(case.claim.lines.select_related("line__product", "exchange_variant__product"))


def _is_cold(case: ReturnCase) -> bool:
    return any(cl.line.product.cold_chain for cl in _claim_lines(case))


# ------------------------------------------------------------------------------------------- notifications
def _notify_once(**kw) -> bool:
    try:
        with transaction.atomic():
            Notification.objects.create(created_at=timezone.now(), **kw)
        return True
    except IntegrityError:
        return False


def return_case_notify(*, event_id: int) -> None:
    """Shopper (in-app + e-mail) and seller (in-app) notifications of one return-case step, once each."""
    ev = (
        ReturnCaseEvent.objects.select_related("case__order__user", "case__store", "case__claim")
        .filter(pk=event_id)
        .first()
    )
    if ev is None or ev.from_status == ev.to_status:
        return
    case, order = ev.case, ev.case.order
    kind_label = case.claim.get_kind_display()
    body = _("%(k)s · %(s)s · 주문번호 %(n)s") % {"k": kind_label, "s": case.store.name, "n": order.number}
    if ev.to_status in SHOPPER_TEXT:
        title = str(SHOPPER_TEXT[ev.to_status])
        if (
            _notify_once(
                user_id=order.user_id,
                kind=f"return_{ev.to_status}",
                title=title[:120],
                body=(f"{body}\n{ev.reason}" if ev.reason else body)[:500],
                url=f"/me/orders/{order.pk}/",
                dedupe_key=f"rc{ev.pk}:shopper",
            )
            and order.user.email
        ):
            send_mail(f"[kkot] {title}", body, None, [order.user.email], fail_silently=True)
    if ev.to_status in SELLER_TEXT:
        _notify_once(
            store_id=case.store_id,
            kind=f"return_{ev.to_status}",
            title=str(SELLER_TEXT[ev.to_status])[:120],
            body=body,
            url=f"/seller/{case.store.slug}/returns/{case.pk}/",
            dedupe_key=f"rc{ev.pk}:store",
        )
