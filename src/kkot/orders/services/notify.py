"""Side effects of order events, run after commit: in-app notifications (shopper and store), e-mail to the
shopper through Django's e-mail backend, and a signed webhook to the seller's URL delivered by a task with
bounded retries. Each is keyed by the event, so running it twice sends nothing twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.orders.models import Claim, Notification, OrderEvent, OrderStatus, WebhookDelivery

log = logging.getLogger("kkot.orders")

SHOPPER_TITLES = {
    OrderStatus.PAID: _("결제가 완료되었습니다"),
    OrderStatus.PREPARING: _("판매자가 주문을 확인했습니다"),
    OrderStatus.SHIPPING: _("상품이 발송되었습니다"),
    OrderStatus.DELIVERED: _("배송이 완료되었습니다"),
    OrderStatus.CONFIRMED: _("구매가 확정되었습니다. 리뷰를 남겨 주세요!"),
    OrderStatus.CANCELLED: _("주문이 취소되었습니다"),
    OrderStatus.RETURNED: _("반품이 완료되었습니다"),
}
SELLER_TITLES = {
    OrderStatus.PAID: _("새 주문이 들어왔습니다"),
    OrderStatus.CANCELLED: _("주문이 취소되었습니다"),
    OrderStatus.CONFIRMED: _("구매가 확정되었습니다"),
}


def _notify(*, key: str, kind: str, title: str, body: str, url: str, user_id=None, store_id=None) -> bool:
    try:
        with transaction.atomic():
            Notification.objects.create(user_id=user_id, store_id=store_id, kind=kind, title=title, body=body[:500],
                                        url=url, dedupe_key=key[:120], created_at=timezone.now())
        return True
    except IntegrityError:
        return False


def order_event_notify(*, event_id: int) -> None:
    ev = OrderEvent.objects.select_related("order__store", "order__user").filter(pk=event_id).first()
    if ev is None or ev.kind != "status":
        return
    order = ev.order
    to = ev.to_status
    body = _("주문번호 %(n)s") % {"n": order.number}
    if to in SHOPPER_TITLES and _notify(key=f"ev{ev.pk}:shopper", kind=f"order_{to}", title=SHOPPER_TITLES[to], body=body,
                                        url=f"/me/orders/{order.pk}/", user_id=order.user_id):
        if order.user.email:
            send_mail(f"[kkot] {SHOPPER_TITLES[to]}", f"{order.store.name}\n{body}\n{ev.reason}".strip(), None,
                      [order.user.email], fail_silently=True)
    if to in SELLER_TITLES:
        _notify(key=f"ev{ev.pk}:store", kind=f"order_{to}", title=SELLER_TITLES[to], body=body,
                url=f"/seller/{order.store.slug}/orders/{order.pk}/", store_id=order.store_id)
    if order.store.webhook_url:
        payload = {"event": f"order.{to}", "order": order.number, "status": to, "from": ev.from_status,
                   "total": int(order.total), "at": ev.created_at.isoformat()}
        try:
            with transaction.atomic():
                d = WebhookDelivery.objects.create(store=order.store, event=f"order.{to}", dedupe_key=f"ev{ev.pk}",
                                                   payload=payload, created_at=timezone.now())
        except IntegrityError:
            return
        from kkot.orders.tasks import webhook_deliver

        transaction.on_commit(lambda: webhook_deliver.enqueue(delivery_id=d.pk))


def claim_notify(*, claim_id: int) -> None:
    claim = Claim.objects.select_related("order__store").filter(pk=claim_id).first()
    if claim is None:
        return
    order = claim.order
    label = f"{claim.get_kind_display()} {claim.get_status_display()}"
    _notify(key=f"claim{claim.pk}:{claim.status}:store", kind="claim", title=_("%(l)s: 주문 %(n)s") % {"l": label,
            "n": order.number}, body=claim.detail or claim.get_reason_display(),
            url=f"/seller/{order.store.slug}/orders/{order.pk}/", store_id=order.store_id)
    _notify(key=f"claim{claim.pk}:{claim.status}:shopper", kind="claim", title=label,
            body=claim.reject_reason or _("주문번호 %(n)s") % {"n": order.number}, url=f"/me/orders/{order.pk}/",
            user_id=order.user_id)


def webhook_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_attempt(*, delivery_id: int, timeout: float = 5.0) -> bool:
    """POST one delivery; True when the seller's server answered 2xx."""
    import urllib.error
    import urllib.request

    d = WebhookDelivery.objects.select_related("store").get(pk=delivery_id)
    if d.status == WebhookDelivery.Status.DELIVERED:
        return True
    body = json.dumps(d.payload, ensure_ascii=False).encode()
    req = urllib.request.Request(d.store.webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Kkot-Event": d.event, "X-Kkot-Delivery": str(d.pk),
        "X-Kkot-Signature": "sha256=" + webhook_signature(d.store.webhook_secret or "", body)})
    d.attempts += 1
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - seller-configured https/http URL
            d.last_status_code = resp.status
        ok = 200 <= (d.last_status_code or 0) < 300
        d.last_error = ""
    except urllib.error.HTTPError as exc:
        d.last_status_code, d.last_error, ok = exc.code, str(exc)[:300], False
    except (urllib.error.URLError, OSError, ValueError) as exc:
        d.last_error, ok = str(exc)[:300], False
    if ok:
        d.status, d.delivered_at = WebhookDelivery.Status.DELIVERED, timezone.now()
    d.save()
    return ok
