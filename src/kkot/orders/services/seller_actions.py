"""Seller actions that are not claims the shopper started: 판매자 취소 and the webhook signing key."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.orders.models import Claim, ClaimKind, ClaimLine, ClaimReason, ClaimStatus, Order
from kkot.orders.services.claims import BEFORE_DISPATCH, _apply_cancel
from kkot.orders.services.lifecycle import audit
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role


@transaction.atomic
def order_cancel_by_seller(*, store: Store, actor, order_id, reason: str) -> Claim:
    """판매자 취소 of a paid/preparing order (out of stock, cannot ship): every active unit is cancelled through
    the same path as a shopper's cancel (ClaimKind.CANCEL, reason 기타, immediate refund incl. shipping, stock
    released), the audit rows say role "seller", and the shopper is notified after commit."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("취소 사유를 입력해 주세요. 구매자에게 전달됩니다."), code="reason_required")
    order = (Order.objects.select_for_update().filter(store=store, pk=order_id).first()
             if str(order_id).isdigit() else None)
    if order is None:
        raise NotFound(_("주문을 찾을 수 없습니다."))
    if order.status not in BEFORE_DISPATCH:
        raise Conflict(_("결제완료 또는 상품준비중인 주문만 판매자가 취소할 수 있습니다(현재: %(s)s).")
                       % {"s": order.get_status_display()}, code="illegal_transition")
    lines = [(ln, ln.active_qty, None) for ln in order.lines.select_for_update().order_by("pk") if ln.active_qty > 0]
    if not lines:
        raise Conflict(_("취소할 상품이 없습니다."), code="nothing_to_cancel")
    now = timezone.now()
    claim = Claim.objects.create(order=order, kind=ClaimKind.CANCEL, status=ClaimStatus.APPROVED,
                                 reason=ClaimReason.OTHER, detail=reason[:300], requested_by=actor, created_at=now,
                                 resolved_at=now)
    ClaimLine.objects.bulk_create([ClaimLine(claim=claim, line=ln, quantity=q) for ln, q, _ev in lines])
    audit(order=order, kind="claim_cancel_requested", actor=actor, role="seller", reason=reason, at=now,
          data={"claim": claim.pk, "lines": {ln.pk: q for ln, q, _ev in lines}, "by": "seller"})
    _apply_cancel(order, claim, lines, actor=actor, role="seller")
    from kkot.orders.services.notify import claim_notify

    transaction.on_commit(lambda: claim_notify(claim_id=claim.pk))
    return claim


SIGNATURE_SCHEME = "X-Kkot-Signature: sha256=HEX(HMAC-SHA256(secret, raw request body))"


@transaction.atomic
def store_webhook_secret_rotate(*, store: Store, actor) -> str:
    """A new signing key for the store's order webhooks (owner only). Returned once; the old key stops working."""
    require_role(store=store, user=actor, role=StoreMembership.Role.OWNER)
    secret = "whsec_" + secrets.token_hex(29)  # 64 characters, the column's size
    Store.objects.filter(pk=store.pk).update(webhook_secret=secret)
    store.webhook_secret = secret
    return secret


def store_notifications_mark_read(*, store: Store, actor) -> int:
    """Mark every unread notification of the store as read; returns how many."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    from kkot.orders.models import Notification

    return Notification.objects.filter(store=store, read_at__isnull=True).update(read_at=timezone.now())
