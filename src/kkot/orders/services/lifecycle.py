"""The order state machine. Every status change goes through :func:`order_transition`: it checks the
transition is allowed, writes an ``OrderEvent`` audit row, and schedules notifications after commit.

결제대기 → 결제완료 → 상품준비중(발주확인) → 배송중 → 배송완료 → 구매확정
결제대기/결제완료/상품준비중 → 취소완료 (payment failed or deadline passed, or an approved cancel claim)
배송완료 → 반품완료 (an approved return of every unit)
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.core.errors import Conflict, ValidationError
from kkot.orders.models import ClaimStatus, Order, OrderEvent, OrderStatus
from kkot.stores.models import StoreMembership
from kkot.stores.services import require_role

S = OrderStatus
TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_PAYMENT: {S.PAID, S.CANCELLED},
    S.PAID: {S.PREPARING, S.CANCELLED},
    S.PREPARING: {S.SHIPPING, S.CANCELLED},
    S.SHIPPING: {S.DELIVERED},
    S.DELIVERED: {S.CONFIRMED, S.RETURNED},
    S.CONFIRMED: set(),
    S.CANCELLED: set(),
    S.RETURNED: set(),
}
TIMESTAMP_FIELD = {S.PAID: "paid_at", S.PREPARING: "accepted_at", S.SHIPPING: "shipped_at",
                   S.DELIVERED: "delivered_at", S.CONFIRMED: "confirmed_at", S.CANCELLED: "cancelled_at"}

CARRIERS = {
    "cj": ("CJ대한통운", r"^\d{10,12}$"),
    "hanjin": ("한진택배", r"^\d{10,12}$"),
    "lotte": ("롯데택배", r"^\d{12}$"),
    "epost": ("우체국택배", r"^\d{13}$"),
    "logen": ("로젠택배", r"^\d{11}$"),
    "fresh": ("신선특급", r"^[A-Z]{2}\d{10}$"),
}


def audit(*, order: Order, kind: str, actor: User | None, role: str, reason: str = "", from_status: str = "",
          to_status: str = "", data: dict[str, Any] | None = None, at: datetime | None = None) -> OrderEvent:
    return OrderEvent.objects.create(order=order, kind=kind, actor=actor, actor_role=role, reason=reason[:300],
                                     from_status=from_status, to_status=to_status, data=data or {},
                                     created_at=at or timezone.now())


def order_transition(*, order: Order, to: str, actor: User | None, role: str, reason: str = "",
                     at: datetime | None = None, data: dict[str, Any] | None = None) -> Order:
    """Move a (row-locked) order to ``to``; refuse anything the state machine does not allow."""
    if to not in TRANSITIONS.get(order.status, set()):
        raise Conflict(
            _("'%(from)s' 상태의 주문은 '%(to)s'(으)로 바꿀 수 없습니다.")
            % {"from": S(order.status).label, "to": S(to).label},
            code="illegal_transition",
        )
    at = at or timezone.now()
    before = order.status
    order.status = to
    fields = ["status", "updated_at"]
    if to in TIMESTAMP_FIELD:
        setattr(order, TIMESTAMP_FIELD[to], at)
        fields.append(TIMESTAMP_FIELD[to])
    order.save(update_fields=fields)
    event = audit(order=order, kind="status", actor=actor, role=role, reason=reason, from_status=before,
                  to_status=to, data=data, at=at)
    from kkot.orders.services.notify import order_event_notify

    transaction.on_commit(lambda: order_event_notify(event_id=event.pk))
    return order


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def _seller_role(order: Order, actor: User) -> None:
    require_role(store=order.store, user=actor, role=StoreMembership.Role.MANAGER)


@transaction.atomic
def orders_accept(*, store, actor: User, order_ids: list[int]) -> int:
    """발주확인 in bulk: paid orders of this store become 상품준비중. All or nothing."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    orders = list(Order.objects.select_for_update().filter(store=store, pk__in=order_ids).order_by("pk"))
    if len(orders) != len(set(order_ids)):
        from kkot.core.errors import NotFound

        raise NotFound(_("선택한 주문 중 찾을 수 없는 주문이 있습니다."))
    for o in orders:
        if _open_claim(o, kinds=("cancel",)):
            raise Conflict(_("취소 요청이 있는 주문은 먼저 처리해 주세요: %(n)s") % {"n": o.number}, code="claim_open")
        order_transition(order=o, to=S.PREPARING, actor=actor, role="seller", reason=_("발주확인"))
    return len(orders)


def validate_tracking(carrier: str, tracking_number: str) -> str:
    tn = re.sub(r"[\s-]", "", tracking_number or "")
    if carrier not in CARRIERS:
        raise ValidationError(_("알 수 없는 택배사입니다."), code="unknown_carrier")
    if not re.fullmatch(CARRIERS[carrier][1], tn):
        raise ValidationError(_("%(c)s 송장번호 형식이 올바르지 않습니다.") % {"c": CARRIERS[carrier][0]},
                              code="invalid_tracking_number")
    return tn


@transaction.atomic
def order_ship(*, order: Order, actor: User | None, carrier: str, tracking_number: str, role: str = "seller",
               at: datetime | None = None) -> Order:
    """발송처리: carrier + tracking number; a paid order is accepted on the way if the seller skipped it."""
    if actor is not None and role == "seller":
        _seller_role(order, actor)
    tn = validate_tracking(carrier, tracking_number)
    order = _locked(order)
    if _open_claim(order, kinds=("cancel",)):
        raise Conflict(_("취소 요청이 있는 주문은 발송할 수 없습니다."), code="claim_open")
    if order.status == S.PAID:
        order_transition(order=order, to=S.PREPARING, actor=actor, role=role, reason=_("발주확인"), at=at)
    order.carrier, order.tracking_number = carrier, tn
    order.save(update_fields=["carrier", "tracking_number"])
    from kkot.orders.services.stock import stock_ship

    stock_ship(order=order, actor=actor, at=at)  # the stock ledger's "ship" movements (ADR 0007)
    return order_transition(order=order, to=S.SHIPPING, actor=actor, role=role, at=at,
                            data={"carrier": carrier, "tracking_number": tn})


@transaction.atomic
def order_mark_delivered(*, order: Order, actor: User | None = None, role: str = "system",
                         at: datetime | None = None) -> Order:
    order = _locked(order)
    if order.status == S.DELIVERED:
        return order  # idempotent: carrier events repeat
    return order_transition(order=order, to=S.DELIVERED, actor=actor, role=role, at=at)


def _open_claim(order: Order, kinds=("cancel", "return", "exchange")) -> bool:
    return order.claims.filter(kind__in=kinds, status__in=[ClaimStatus.REQUESTED, ClaimStatus.APPROVED]).exists()


@transaction.atomic
def order_confirm(*, order: Order, actor: User | None, role: str = "shopper", at: datetime | None = None) -> Order:
    """구매확정 by the shopper, or automatically (role="system") 7 days after delivery without an open claim.
    Creates the settlement lines."""
    order = _locked(order)
    if role == "shopper" and (actor is None or order.user_id != actor.pk):
        from kkot.core.errors import NotFound

        raise NotFound(_("주문을 찾을 수 없습니다."))
    if order.status == S.CONFIRMED:
        return order
    if _open_claim(order):
        raise Conflict(_("처리 중인 취소/반품/교환 요청이 있어 구매확정할 수 없습니다."), code="claim_open")
    order = order_transition(order=order, to=S.CONFIRMED, actor=actor, role=role, at=at,
                             reason=_("자동 구매확정") if role == "system" else "")
    from kkot.orders.services.settlement import settlement_create

    settlement_create(order=order)
    return order


def orders_auto_confirm(*, now: datetime | None = None) -> int:
    """구매확정 for orders delivered more than KKOT_AUTO_CONFIRM_DAYS ago with no open claim (run by a task;
    running it twice confirms nothing twice)."""
    from datetime import timedelta

    from django.conf import settings

    from kkot.core.errors import KkotError

    cutoff = (now or timezone.now()) - timedelta(days=settings.KKOT_AUTO_CONFIRM_DAYS)
    ids = list(Order.objects.filter(status=S.DELIVERED, delivered_at__lte=cutoff)
               .exclude(claims__status__in=[ClaimStatus.REQUESTED, ClaimStatus.APPROVED])
               .values_list("pk", flat=True))
    n = 0
    for pk in ids:
        try:
            order_confirm(order=Order(pk=pk), actor=None, role="system")
            n += 1
        except KkotError:
            continue  # a claim opened meanwhile
    return n
