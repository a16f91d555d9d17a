"""Claims: cancel, return, exchange, per order line and quantity.

- Cancel before dispatch (결제완료, 상품준비중): applied at once with an immediate refund. After dispatch a cancel
  request becomes a return request. Cancelling an unpaid order cancels its whole unpaid purchase.
- Return/exchange after delivery: the shopper requests, the seller approves or rejects. Approval of a return
  restocks and refunds; an exchange restocks the returned units and reserves the replacement option.
  With a pickup (회수, :mod:`kkot.fulfillment.returns`) approval is deferred (``defer_settlement``): the pickup
  arrives, the seller inspects, restocks or disposes, then the refund (:func:`claim_return_refund`) or the
  replacement (:func:`claim_exchange_ship`) follows through the same refund and stock paths.
- Who pays the return shipping: the shopper for 단순변심/기타 (round trip when the order shipped free, one way
  otherwise, deducted from the refund), the seller for 상품불량/오배송/배송지연.
- Refund arithmetic: see :mod:`kkot.orders.pricing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.orders.models import (
    SHOPPER_PAYS,
    Claim,
    ClaimKind,
    ClaimLine,
    ClaimReason,
    ClaimStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
)
from kkot.orders.pricing import ZERO, discount_share
from kkot.orders.services.lifecycle import audit, order_transition
from kkot.orders.services.payments import payment_fail, payment_refund
from kkot.orders.services.stock import stock_release, stock_reserve, stock_restock, stock_ship_lines
from kkot.stores.models import StoreMembership
from kkot.stores.services import require_role

BEFORE_DISPATCH = {OrderStatus.PAID, OrderStatus.PREPARING}


@dataclass
class ClaimItem:
    line_id: int
    quantity: int
    exchange_variant_id: int | None = None


def _order_for_shopper(order_id, user) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id, user=user).first() if str(order_id).isdigit() else None
    if order is None:
        raise NotFound(_("주문을 찾을 수 없습니다."))
    return order


def _claim_lines(order: Order, items: list[ClaimItem]) -> list[tuple[OrderLine, int, int | None]]:
    if not items:
        raise ValidationError(_("취소/반품할 상품을 선택해 주세요."), code="empty_claim")
    lines = {ln.pk: ln for ln in order.lines.select_for_update()}
    pending = {}
    for cl in ClaimLine.objects.filter(claim__order=order, claim__status__in=[ClaimStatus.REQUESTED, ClaimStatus.APPROVED],
                                       claim__kind__in=[ClaimKind.RETURN, ClaimKind.EXCHANGE]):
        pending[cl.line_id] = pending.get(cl.line_id, 0) + cl.quantity
    out = []
    for it in items:
        ln = lines.get(int(it.line_id)) if str(it.line_id).isdigit() else None
        if ln is None:
            raise NotFound(_("주문 상품을 찾을 수 없습니다."))
        try:
            q = int(it.quantity)
        except (TypeError, ValueError):
            q = 0
        if q < 1 or q > ln.active_qty - pending.get(ln.pk, 0):
            raise ValidationError(_("수량이 올바르지 않습니다: %(n)s (가능 %(a)d개)")
                                  % {"n": ln.product_name, "a": ln.active_qty - pending.get(ln.pk, 0)},
                                  code="invalid_quantity")
        out.append((ln, q, it.exchange_variant_id))
    return out


def _line_refund(ln: OrderLine, q: int) -> Decimal:
    before = ln.cancelled_qty + ln.returned_qty
    return ln.unit_price * q - discount_share(ln.discount, ln.quantity, before, before + q)


def return_shipping_fee(*, reason: str, base_fee: Decimal, order_shipping_fee: Decimal, refund: Decimal) -> Decimal:
    """What a return costs the shopper (kept from the refund): nothing when the seller is at fault; for
    단순변심/기타 the store's base fee, twice when the order shipped free (both ways); never more than the refund."""
    if reason not in SHOPPER_PAYS:
        return ZERO
    return min(base_fee * (2 if order_shipping_fee == 0 else 1), refund)


def _all_units_gone(order: Order) -> bool:
    return all(ln.active_qty == 0 for ln in order.lines.all())


@transaction.atomic
def claim_request(*, order_id, user, kind: str, reason: str, items: list[ClaimItem], detail: str = "") -> Claim:
    """A shopper's cancel/return/exchange request for some units of some lines of one order."""
    order = _order_for_shopper(order_id, user)
    if kind not in ClaimKind.values or reason not in ClaimReason.values:
        raise ValidationError(_("요청 종류나 사유가 올바르지 않습니다."), code="invalid_claim")
    now = timezone.now()
    if kind == ClaimKind.CANCEL and order.status == OrderStatus.PENDING_PAYMENT:
        payment = Payment.objects.filter(purchase=order.purchase_id, status=PaymentStatus.PENDING).first()
        if payment is None:
            raise Conflict(_("결제 처리 중입니다. 잠시 후 다시 시도해 주세요."), code="payment_in_progress")
        payment_fail(payment_id=payment.pk, code="shopper_cancel", message=_("구매자가 주문을 취소했습니다."),
                     status=PaymentStatus.CANCELLED)
        order.refresh_from_db()
        return _record(order, user, ClaimKind.CANCEL, reason, detail, [(ln, ln.quantity, None) for ln in order.lines.all()],
                       status=ClaimStatus.COMPLETED, now=now)
    if kind == ClaimKind.CANCEL and order.status not in BEFORE_DISPATCH:
        if order.status in (OrderStatus.SHIPPING, OrderStatus.DELIVERED):
            kind = ClaimKind.RETURN  # already dispatched: a cancel becomes a return
        else:
            raise Conflict(_("이 주문은 취소할 수 없는 상태입니다(%(s)s).") % {"s": OrderStatus(order.status).label},
                           code="illegal_transition")
    if kind in (ClaimKind.RETURN, ClaimKind.EXCHANGE) and order.status not in (OrderStatus.SHIPPING, OrderStatus.DELIVERED):
        raise Conflict(_("반품/교환은 배송이 시작된 뒤에 신청할 수 있습니다."), code="illegal_transition")
    lines = _claim_lines(order, items)
    if kind == ClaimKind.CANCEL:
        claim = _record(order, user, kind, reason, detail, lines, status=ClaimStatus.APPROVED, now=now)
        _apply_cancel(order, claim, lines, actor=user, role="shopper")
        return claim
    if kind == ClaimKind.EXCHANGE:
        for ln, _q, ev in lines:
            if not ev or not ln.product.variants.filter(pk=ev, is_active=True).exists():
                raise ValidationError(_("교환할 옵션을 선택해 주세요: %(n)s") % {"n": ln.product_name},
                                      code="invalid_exchange_option")
    return _record(order, user, kind, reason, detail, lines, status=ClaimStatus.REQUESTED, now=now)


def _record(order, user, kind, reason, detail, lines, *, status, now) -> Claim:
    claim = Claim.objects.create(order=order, kind=kind, status=status, reason=reason, detail=(detail or "")[:300],
                                 requested_by=user, created_at=now,
                                 resolved_at=now if status != ClaimStatus.REQUESTED else None)
    ClaimLine.objects.bulk_create([ClaimLine(claim=claim, line=ln, quantity=q, exchange_variant_id=ev)
                                   for ln, q, ev in lines])
    audit(order=order, kind=f"claim_{kind}_requested", actor=user, role="shopper", reason=detail or reason, at=now,
          data={"claim": claim.pk, "lines": {ln.pk: q for ln, q, _ev in lines}})
    from kkot.orders.services.notify import claim_notify

    transaction.on_commit(lambda: claim_notify(claim_id=claim.pk))
    return claim


def _apply_cancel(order: Order, claim: Claim, lines, *, actor, role) -> None:
    refund = ZERO
    for ln, q, _ev in lines:
        refund += _line_refund(ln, q)
        OrderLine.objects.filter(pk=ln.pk).update(cancelled_qty=F("cancelled_qty") + q)
    stock_release(quantities={ln.variant_id: q for ln, q, _ev in lines})
    order.refresh_from_db()
    whole = _all_units_gone(order)
    if whole and not order.shipping_refunded:
        refund += order.shipping_fee
        Order.objects.filter(pk=order.pk).update(shipping_refunded=True)
    claim.refund_amount = refund
    claim.status = ClaimStatus.COMPLETED
    claim.save(update_fields=["refund_amount", "status"])
    payment_refund(order=order, amount=refund, reason=_("주문 취소"), idempotency_key=f"claim-{claim.pk}", claim=claim)
    if whole:
        order_transition(order=order, to=OrderStatus.CANCELLED, actor=actor, role=role, reason=_("전체 취소"))
    else:
        audit(order=order, kind="partial_cancel", actor=actor, role=role, data={"claim": claim.pk, "refund": int(refund)})


def _claim_for_seller(*, store, actor, claim_id) -> Claim:
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    claim = (Claim.objects.select_for_update().select_related("order").filter(pk=claim_id, order__store=store).first()
             if str(claim_id).isdigit() else None)
    if claim is None:
        raise NotFound(_("요청을 찾을 수 없습니다."))
    if claim.status != ClaimStatus.REQUESTED:
        raise Conflict(_("이미 처리된 요청입니다."), code="claim_resolved")
    return claim


def _settle_return(order: Order, claim: Claim, lines, *, actor, role: str, restock: bool, at) -> Decimal:
    """The refund of an accepted return: units counted as returned, the return shipping fee kept when the shopper
    pays, the refund through :func:`payment_refund` (idempotent per claim), 반품완료 when nothing is left.
    ``restock``: put the units back on the shelf here (without a pickup; with one, the inspection decides)."""
    refund = ZERO
    for ln, q, _ev in lines:
        refund += _line_refund(ln, q)
        OrderLine.objects.filter(pk=ln.pk).update(returned_qty=F("returned_qty") + q)
    if restock:
        stock_restock(quantities={ln.variant_id: q for ln, q, _ev in lines}, ref=order.number)
    fee = return_shipping_fee(reason=claim.reason, base_fee=order.store.shipping_base_fee,
                              order_shipping_fee=order.shipping_fee, refund=refund)
    claim.return_shipping_fee, claim.refund_amount = fee, refund - fee
    claim.status, claim.resolved_at = ClaimStatus.COMPLETED, at
    claim.save(update_fields=["return_shipping_fee", "refund_amount", "status", "resolved_at"])
    payment_refund(order=order, amount=refund - fee, reason=_("반품"), idempotency_key=f"claim-{claim.pk}",
                   claim=claim)
    order.refresh_from_db()
    audit(order=order, kind="claim_return_approved" if restock else "claim_return_refunded", actor=actor,
          role=role, at=at, data={"claim": claim.pk, "refund": int(refund - fee), "return_shipping_fee": int(fee)})
    if _all_units_gone(order) and order.status == OrderStatus.DELIVERED:
        order_transition(order=order, to=OrderStatus.RETURNED, actor=actor, role=role, reason=_("전체 반품"), at=at)
    return refund - fee


def _notify_claim(claim: Claim) -> None:
    from kkot.orders.services.notify import claim_notify

    transaction.on_commit(lambda: claim_notify(claim_id=claim.pk))


@transaction.atomic
def claim_approve(*, store, actor, claim_id, defer_settlement: bool = False) -> Claim:
    """Seller accepts a return (restock + refund) or an exchange (restock + reserve the replacement).

    ``defer_settlement`` (the pickup flow in :mod:`kkot.fulfillment.returns`): the claim only becomes 승인;
    stock, refund and replacement follow the pickup and its inspection through :func:`claim_return_refund`,
    :func:`claim_exchange_ship`, :func:`claim_exchange_convert` and :func:`claim_reject_after_inspection`."""
    claim = _claim_for_seller(store=store, actor=actor, claim_id=claim_id)
    order = Order.objects.select_for_update().get(pk=claim.order_id)
    lines = [(cl.line, cl.quantity, cl.exchange_variant_id) for cl in claim.lines.select_related("line")]
    now = timezone.now()
    if defer_settlement:
        claim.status, claim.resolved_at = ClaimStatus.APPROVED, now
        claim.save(update_fields=["status", "resolved_at"])
        audit(order=order, kind=f"claim_{claim.kind}_approved", actor=actor, role="seller", at=now,
              data={"claim": claim.pk, "pickup": True})
    elif claim.kind == ClaimKind.EXCHANGE:
        stock_reserve(quantities={ev: q for _ln, q, ev in lines})
        stock_restock(quantities={ln.variant_id: q for ln, q, _ev in lines}, ref=order.number)
        claim.status, claim.resolved_at = ClaimStatus.APPROVED, now
        claim.save(update_fields=["status", "resolved_at"])
        audit(order=order, kind="claim_exchange_approved", actor=actor, role="seller", at=now, data={"claim": claim.pk})
    else:
        _settle_return(order, claim, lines, actor=actor, role="seller", restock=True, at=now)
    _notify_claim(claim)
    return claim


def _approved_claim(claim_id, kind: str | None = None) -> tuple[Claim, Order]:
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first() if str(claim_id).isdigit() else None
    if claim is None:
        raise NotFound(_("요청을 찾을 수 없습니다."))
    if claim.status != ClaimStatus.APPROVED or (kind is not None and claim.kind != kind):
        raise Conflict(_("승인된 %(k)s 요청이 아닙니다(현재: %(k2)s %(s)s).")
                       % {"k": ClaimKind(kind).label if kind else _("반품/교환"), "k2": claim.get_kind_display(),
                          "s": claim.get_status_display()}, code="claim_state")
    return claim, Order.objects.select_for_update().get(pk=claim.order_id)


@transaction.atomic
def claim_return_refund(*, claim_id, actor, role: str = "seller", at=None) -> Claim:
    """Refund an approved (pickup-flow) return; its stock was handled by the inspection (restock or dispose)."""
    claim, order = _approved_claim(claim_id, ClaimKind.RETURN)
    lines = [(cl.line, cl.quantity, None) for cl in claim.lines.select_related("line")]
    _settle_return(order, claim, lines, actor=actor, role=role, restock=False, at=at or timezone.now())
    _notify_claim(claim)
    return claim


@transaction.atomic
def claim_exchange_ship(*, claim_id, actor, at=None) -> Claim:
    """The replacement of an approved (pickup-flow) exchange leaves the warehouse: the new options are reserved
    and shipped through the ledger in one go (Conflict ``out_of_stock`` and nothing changes when one is short),
    and the exchange is complete."""
    claim, order = _approved_claim(claim_id, ClaimKind.EXCHANGE)
    at = at or timezone.now()
    cls = [cl for cl in claim.lines.all() if cl.exchange_variant_id]
    stock_reserve(quantities={cl.exchange_variant_id: cl.quantity for cl in cls})
    stock_ship_lines(lines=[(cl.exchange_variant_id, cl.quantity, cl.line_id) for cl in cls], ref=order.number,
                     actor=actor)
    claim.status = ClaimStatus.COMPLETED
    claim.save(update_fields=["status"])
    audit(order=order, kind="claim_exchange_completed", actor=actor, role="seller", at=at, data={"claim": claim.pk})
    _notify_claim(claim)
    return claim


@transaction.atomic
def claim_exchange_convert(*, claim_id, actor, reason: str = "") -> Claim:
    """An approved (pickup-flow) exchange becomes a return (e.g. the new option is sold out); the refund follows
    with :func:`claim_return_refund`."""
    claim, order = _approved_claim(claim_id, ClaimKind.EXCHANGE)
    claim.kind = ClaimKind.RETURN
    claim.save(update_fields=["kind"])
    audit(order=order, kind="claim_exchange_converted", actor=actor, role="seller", reason=reason,
          data={"claim": claim.pk})
    return claim


@transaction.atomic
def claim_reject_after_inspection(*, claim_id, actor, reason: str) -> Claim:
    """The returned units failed inspection and the seller refuses the claim (the units go back to the shopper)."""
    if not (reason or "").strip():
        raise ValidationError(_("거부 사유를 입력해 주세요."), code="reason_required")
    claim, order = _approved_claim(claim_id)
    claim.status, claim.reject_reason, claim.resolved_at = ClaimStatus.REJECTED, reason.strip()[:300], timezone.now()
    claim.save(update_fields=["status", "reject_reason", "resolved_at"])
    audit(order=order, kind=f"claim_{claim.kind}_rejected", actor=actor, role="seller", reason=reason)
    _notify_claim(claim)
    return claim


@transaction.atomic
def claim_reject(*, store, actor, claim_id, reason: str) -> Claim:
    if not (reason or "").strip():
        raise ValidationError(_("거부 사유를 입력해 주세요."), code="reason_required")
    claim = _claim_for_seller(store=store, actor=actor, claim_id=claim_id)
    claim.status, claim.reject_reason, claim.resolved_at = ClaimStatus.REJECTED, reason.strip()[:300], timezone.now()
    claim.save(update_fields=["status", "reject_reason", "resolved_at"])
    audit(order=claim.order, kind=f"claim_{claim.kind}_rejected", actor=actor, role="seller", reason=reason)
    from kkot.orders.services.notify import claim_notify

    transaction.on_commit(lambda: claim_notify(claim_id=claim.pk))
    return claim


@transaction.atomic
def claim_complete_exchange(*, store, actor, claim_id) -> Claim:
    """The replacement has been shipped: the exchange is done."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    claim = Claim.objects.select_for_update().filter(pk=claim_id, order__store=store, kind=ClaimKind.EXCHANGE,
                                                     status=ClaimStatus.APPROVED).first()
    if claim is None:
        raise NotFound(_("요청을 찾을 수 없습니다."))
    claim.status = ClaimStatus.COMPLETED
    claim.save(update_fields=["status"])
    stock_ship_lines(lines=[(cl.exchange_variant_id, cl.quantity, cl.line_id) for cl in claim.lines.all()
                            if cl.exchange_variant_id], ref=claim.order.number, actor=actor)
    audit(order=claim.order, kind="claim_exchange_completed", actor=actor, role="seller")
    return claim
