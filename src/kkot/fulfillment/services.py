"""Shipments and tracking. The shipment state machine: an event is stored once per (shipment, code, time)
and advances the status only when it ranks higher (out-of-order and repeated events change nothing). The order
follows: a shipment created -> 배송중 (``order_ship``), a delivered event -> 배송완료 (``order_mark_delivered``).
Side effects (shopper notification, e-mail, 알림톡) run after commit, once per event."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kkot.catalog.bulk.reader import data_rows, open_sheet
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.fulfillment.carriers import TrackingUpdate, carrier_adapter, message_adapter, sits_over_day_off
from kkot.fulfillment.models import RANK, CarrierWebhookEvent, Shipment, ShipmentStatus, TrackingEvent
from kkot.inventory.models import BackInStockRequest, Warehouse
from kkot.inventory.services import warehouse_default
from kkot.orders.models import Notification, Order, OrderStatus
from kkot.orders.services.lifecycle import CARRIERS, order_mark_delivered, order_ship, validate_tracking
from kkot.orders.services.tracking_import import TrackingImportResult, carrier_code, tracking_import
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

COLD_CARRIERS = {"fresh"}
CODE_BY_LABEL = {str(ShipmentStatus(c).label): c for c in RANK if c != "ready"}
CODE_BY_LABEL.update({"미배달": "failed", "반송": "failed"})


def webhook_secret() -> bytes:
    return getattr(settings, "KKOT_CARRIER_WEBHOOK_SECRET", "kkot-test-carrier-webhook-secret").encode()


def sign(body: bytes, secret: bytes | None = None) -> str:
    return hmac.new(secret or webhook_secret(), body, hashlib.sha256).hexdigest()


def _is_cold(order: Order) -> bool:
    return order.lines.filter(product__cold_chain=True).exists()


# ------------------------------------------------------------------------------------------- create
@transaction.atomic
def shipment_create(*, order: Order, actor, carrier: str, tracking_number: str, warehouse_id: int | None = None,
                    role: str = "seller", at: datetime | None = None) -> Shipment:
    """발송처리 with a shipment: validates the carrier and number, the cold-chain rules, then moves the order to
    배송중 (which also writes the stock ledger's ship movements)."""
    if actor is not None and role == "seller":
        require_role(store=order.store, user=actor, role=StoreMembership.Role.MANAGER)
    tn = validate_tracking(carrier, tracking_number)
    at = at or timezone.now()
    if Shipment.objects.filter(carrier=carrier, tracking_number=tn).exists():
        raise Conflict(_("이미 등록된 송장번호입니다."), code="duplicate_tracking_number")
    wh = None
    if warehouse_id is not None:
        wh = Warehouse.objects.filter(pk=warehouse_id, store=order.store).first() if str(warehouse_id).isdigit() \
            else None
        if wh is None:
            raise NotFound(_("창고를 찾을 수 없습니다."))
    cold = _is_cold(order)
    if cold:
        if carrier not in COLD_CARRIERS:
            raise ValidationError(_("냉장/냉동 상품은 신선 배송이 가능한 택배사(%(c)s)로만 보낼 수 있습니다.")
                                  % {"c": ", ".join(CARRIERS[c][0] for c in sorted(COLD_CARRIERS))},
                                  code="cold_chain_carrier")
        wh = wh or warehouse_default(store=order.store, cold_chain=True)
        if not wh.cold_chain:
            raise ValidationError(_("냉장/냉동 상품은 냉장 보관이 가능한 창고에서만 보낼 수 있습니다."),
                                  code="cold_chain_warehouse")
        if sits_over_day_off(timezone.localtime(at).date()):
            raise ValidationError(_("냉장/냉동 상품은 다음 날이 주말이나 공휴일이면 발송할 수 없습니다. "
                                    "다음 영업일에 발송해 주세요."), code="cold_chain_day")
    wh = wh or warehouse_default(store=order.store)
    order_ship(order=order, actor=actor, carrier=carrier, tracking_number=tn, role=role, at=at)
    return Shipment.objects.create(order=order, store=order.store, warehouse=wh, carrier=carrier,
                                   tracking_number=tn, dest_postcode=order.purchase.postcode, created_at=at)


def shipments_import(*, store: Store, actor, data: bytes, filename: str = "") -> TrackingImportResult:
    """발송처리 by sheet (주문번호, 택배사, 송장번호): the orders app's row-by-row import, with every good row
    dispatched through :func:`shipment_create` so each order gets its shipment (and the cold-chain rules)."""

    def ship(*, order: Order, actor, carrier: str, tracking_number: str) -> Shipment:
        return shipment_create(order=order, actor=actor, carrier=carrier, tracking_number=tracking_number)

    return tracking_import(store=store, actor=actor, data=data, filename=filename, ship=ship)


# ------------------------------------------------------------------------------------------- events
@transaction.atomic
def tracking_event_record(*, shipment: Shipment, code: str, occurred_at: datetime, location: str = "",
                          source: str = TrackingEvent.Source.MANUAL) -> TrackingEvent | None:
    """Store one carrier event. Returns None for a duplicate (nothing changes). A late (out-of-order) event is
    kept in the timeline but never moves the status backwards."""
    if code not in RANK or code == "ready":
        raise ValidationError(_("알 수 없는 배송 단계입니다."), code="unknown_event")
    try:
        with transaction.atomic():
            ev = TrackingEvent.objects.create(shipment=shipment, code=code, occurred_at=occurred_at,
                                              location=(location or "")[:60], source=source)
    except IntegrityError:
        return None
    s = Shipment.objects.select_for_update().get(pk=shipment.pk)
    fields = []
    if s.last_event_at is None or occurred_at > s.last_event_at:
        s.last_event_at = occurred_at
        fields.append("last_event_at")
    if RANK[code] > RANK[s.status]:
        s.status = code
        fields.append("status")
        if code == "delivered":
            s.delivered_at = occurred_at
            fields.append("delivered_at")
    if fields:
        s.save(update_fields=fields)
    if s.kind != Shipment.Kind.OUTBOUND:  # a pickup (회수) or an exchange's replacement: its return case follows
        if "status" in fields:
            from kkot.fulfillment.returns import return_tracking_progress

            return_tracking_progress(shipment=s, code=code, at=occurred_at)
    else:
        if code == "delivered" and s.status == "delivered":
            order = Order.objects.get(pk=s.order_id)
            if order.status == OrderStatus.SHIPPING:
                order_mark_delivered(order=order, at=occurred_at)
        if "status" in fields and code in ("delivered", "failed"):
            from kkot.fulfillment.promise import promise_outcome_record

            promise_outcome_record(order_id=s.order_id, delivered_at=occurred_at, failed=code == "failed")
    transaction.on_commit(lambda: tracking_event_notify(event_id=ev.pk))
    return ev


def tracking_poll(*, shipment: Shipment, now: datetime | None = None) -> int:
    """Ask the shipment's carrier adapter for its timeline and store the events already past. Returns new."""
    now = now or timezone.now()
    wh = shipment.warehouse
    updates = carrier_adapter(shipment.carrier).timeline(
        tracking_number=shipment.tracking_number, dispatched_at=shipment.created_at,
        origin_postcode=shipment.origin_postcode or (wh.postcode if wh else "") or shipment.store.return_postcode,
        dest_postcode=shipment.dest_postcode)
    n = 0
    for u in updates:
        if u.occurred_at <= now and tracking_event_record(shipment=shipment, code=u.code, occurred_at=u.occurred_at,
                                                          location=u.location,
                                                          source=TrackingEvent.Source.SIMULATED):
            n += 1
    return n


def shipments_poll(*, now: datetime | None = None) -> int:
    n = 0
    for s in Shipment.objects.select_related("warehouse", "store").exclude(status__in=["delivered", "failed"]):
        n += tracking_poll(shipment=s, now=now)
    return n


def _shipment_by_number(carrier: str, tracking_number: str, store: Store | None = None) -> Shipment:
    qs = Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number)
    if store is not None:
        qs = qs.filter(store=store)
    s = qs.first()
    if s is None:
        raise NotFound(_("등록되지 않은 송장번호입니다: %(t)s") % {"t": tracking_number}, code="unknown_shipment")
    return s


def tracking_webhook_receive(*, carrier: str, headers: dict[str, str], body: bytes) -> str:
    """A carrier's signed push: ``{"id", "tracking_number", "event", "occurred_at", "location"}``.
    Bad signature, unknown carrier, malformed body, unknown shipment: an error and nothing stored.
    A replay of a seen event id: ``duplicate``."""
    if carrier not in CARRIERS:
        raise ValidationError(_("알 수 없는 택배사입니다."), code="unknown_carrier")
    given = headers.get("X-Kkot-Signature") or headers.get("x-kkot-signature") or ""
    if not hmac.compare_digest(given, sign(body)):
        raise ValidationError(_("서명이 올바르지 않습니다."), code="bad_signature")
    try:
        data = json.loads(body)
        event_id, tn, code = str(data["id"]), str(data["tracking_number"]), str(data["event"])
        occurred_at = parse_datetime(str(data["occurred_at"]))
        assert occurred_at is not None and occurred_at.tzinfo is not None and code in RANK and code != "ready"
        assert 0 < len(event_id) <= 80
    except Exception:
        raise ValidationError(_("이벤트 형식이 올바르지 않습니다."), code="malformed") from None
    with transaction.atomic():
        shipment = _shipment_by_number(carrier, tn.replace("-", ""))
        try:
            with transaction.atomic():
                seen = CarrierWebhookEvent.objects.create(carrier=carrier, event_id=event_id, outcome="applied")
        except IntegrityError:
            return "duplicate"
        ev = tracking_event_record(shipment=shipment, code=code, occurred_at=occurred_at,
                                   location=str(data.get("location", ""))[:60], source=TrackingEvent.Source.WEBHOOK)
        if ev is None:
            seen.outcome = "duplicate_event"
            seen.save(update_fields=["outcome"])
            return "duplicate_event"
        return "applied"


# ------------------------------------------------------------------------------------------- upload
COLS = ("택배사", "송장번호", "배송단계", "일시")


@dataclass
class EventImportResult:
    applied: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def tracking_events_import(*, store: Store, actor, data: bytes, filename: str = "") -> EventImportResult:
    """CSV/xlsx of tracking events (택배사, 송장번호, 배송단계, 일시[, 위치]). All or nothing: any broken row
    and nothing is applied; every bad row is reported as {row, column, message}."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    sheet = open_sheet(data, filename)
    try:
        missing = [c for c in COLS if c not in sheet.header]
        if missing:
            raise ValidationError(_("필수 열이 없습니다: %(c)s") % {"c": ", ".join(missing)}, code="sheet_header")
        idx = {c: sheet.header.index(c) for c in (*COLS, "위치") if c in sheet.header}
        rows = [(n, {c: ("" if vals[i] is None else str(vals[i]).strip()) for c, i in idx.items()})
                for n, vals in data_rows(sheet)]
    finally:
        if sheet.close:
            sheet.close()
    if not rows:
        raise ValidationError(_("입력된 행이 없습니다."), code="sheet_empty")
    res = EventImportResult()
    good: list[tuple[Shipment, TrackingUpdate]] = []
    tz = timezone.get_current_timezone()
    for n, r in rows:
        carrier = carrier_code(r["택배사"])
        if carrier is None:
            res.errors.append({"row": n, "column": "택배사", "message": _("알 수 없는 택배사입니다.")})
            continue
        try:
            tn = validate_tracking(carrier, r["송장번호"])
        except ValidationError as e:
            res.errors.append({"row": n, "column": "송장번호", "message": e.message})
            continue
        code = CODE_BY_LABEL.get(r["배송단계"]) or (r["배송단계"] if r["배송단계"] in RANK else None)
        if code is None or code == "ready":
            res.errors.append({"row": n, "column": "배송단계",
                               "message": _("배송단계는 집하, 간선상차, 간선하차, 배송출발, 배송완료, 미배달/반송 중 하나입니다.")})
            continue
        at = parse_datetime(r["일시"].replace("/", "-"))
        if at is None:
            res.errors.append({"row": n, "column": "일시", "message": _("일시는 2024-05-01 14:30 형식으로 입력해 주세요.")})
            continue
        if at.tzinfo is None:
            at = timezone.make_aware(at, tz)
        try:
            s = _shipment_by_number(carrier, tn, store=store)
        except NotFound as e:
            res.errors.append({"row": n, "column": "송장번호", "message": e.message})
            continue
        good.append((s, TrackingUpdate(tn, code, at, r.get("위치", ""))))
    if res.errors:
        return res
    with transaction.atomic():
        for s, u in sorted(good, key=lambda x: x[1].occurred_at):
            if tracking_event_record(shipment=s, code=u.code, occurred_at=u.occurred_at, location=u.location,
                                     source=TrackingEvent.Source.UPLOAD):
                res.applied += 1
            else:
                res.unchanged += 1
    return res


# ------------------------------------------------------------------------------------------- notifications
STEP_TEXT = {
    "picked_up": _("택배사가 상품을 가져갔습니다(집하)"),
    "hub_in": _("상품이 터미널에 도착했습니다(간선상차)"),
    "hub_out": _("상품이 배송지 터미널을 출발했습니다(간선하차)"),
    "out_for_delivery": _("오늘 배송 예정입니다(배송출발)"),
    "failed": _("배송하지 못했습니다(미배달/반송). 판매자에게 문의해 주세요"),
}


# Pickups: 회수 접수, arrival and failure are announced by the return case (returns.py); the courier's visit here.
PICKUP_STEP_TEXT = {
    "picked_up": _("택배 기사님이 회수 상품을 가져갔습니다"),
}


def _notify_once(**kw) -> bool:
    try:
        with transaction.atomic():
            Notification.objects.create(created_at=timezone.now(), **kw)
        return True
    except IntegrityError:
        return False


def tracking_event_notify(*, event_id: int) -> None:
    """Shopper: in-app + e-mail + 알림톡 for each step, once (the 배송완료 step is announced by the order's own
    status notification, so it is not repeated here)."""
    ev = TrackingEvent.objects.select_related("shipment__order__user", "shipment__order__purchase",
                                              "shipment__store").filter(pk=event_id).first()
    if ev is None:
        return
    kind = ev.shipment.kind
    texts = PICKUP_STEP_TEXT if kind == Shipment.Kind.PICKUP else STEP_TEXT
    if ev.code not in texts:
        return
    order = ev.shipment.order
    title = str(texts[ev.code])
    if kind == Shipment.Kind.REPLACEMENT:
        title = _("[교환] %(t)s") % {"t": title}
    body = _("%(s)s · 주문번호 %(n)s") % {"s": ev.shipment.store.name, "n": order.number}
    if _notify_once(user_id=order.user_id, kind=f"tracking_{ev.code}", title=title, body=body,
                    url=f"/me/orders/{order.pk}/", dedupe_key=f"trk{ev.pk}:shopper"):
        if order.user.email:
            send_mail(f"[kkot] {title}", body, None, [order.user.email], fail_silently=True)
        message_adapter().send(phone=order.purchase.phone, text=f"[kkot] {title} ({body})", template=ev.code)


def shipments_delay_alert(*, hours: int | None = None, now: datetime | None = None) -> int:
    """Seller alert for parcels that have not moved for ``hours`` (KKOT_SHIPMENT_DELAY_HOURS, 48): once per
    stall (a new event re-arms it)."""
    hours = hours or getattr(settings, "KKOT_SHIPMENT_DELAY_HOURS", 48)
    now = now or timezone.now()
    cutoff = now - timedelta(hours=hours)
    n = 0
    for s in Shipment.objects.select_related("order").exclude(status__in=["delivered", "failed"]):
        last = s.last_event_at or s.created_at
        if last > cutoff or s.delay_alerted_for == last:
            continue
        if _notify_once(store_id=s.store_id, kind="shipment_delayed", title=_("배송이 지연되고 있습니다"),
                        body=_("주문 %(n)s · %(c)s %(t)s: %(h)d시간 넘게 배송 상태가 바뀌지 않았습니다.")
                        % {"n": s.order.number, "c": CARRIERS[s.carrier][0], "t": s.tracking_number, "h": hours},
                        url=f"/seller/{s.store.slug}/shipments/{s.pk}/",
                        dedupe_key=f"delay{s.pk}:{int(last.timestamp())}"):
            n += 1
        Shipment.objects.filter(pk=s.pk).update(delay_alerted_for=last)
    return n


def back_in_stock_notify(*, now: datetime | None = None) -> int:
    """Tell shoppers who asked that their option is back (in-app + e-mail), once per request."""
    now = now or timezone.now()
    n = 0
    for r in BackInStockRequest.objects.select_related("variant__product__store", "user").filter(
            notified_at__isnull=True, variant__stock__gt=0):
        with transaction.atomic():
            if not BackInStockRequest.objects.filter(pk=r.pk, notified_at__isnull=True).update(notified_at=now):
                continue
            p = r.variant.product
            title = _("재입고 알림: %(p)s") % {"p": p.name}
            body = _("%(v)s 옵션을 다시 구매할 수 있습니다.") % {"v": r.variant.label or p.name}
            if _notify_once(user_id=r.user_id, kind="back_in_stock", title=title[:120], body=body,
                            url=f"/s/{p.store.slug}/p/{p.pk}/", dedupe_key=f"restock{r.pk}"):
                n += 1
                if r.user.email:
                    transaction.on_commit(lambda e=r.user.email, t=title, b=body:
                                          send_mail(f"[kkot] {t}", b, None, [e], fail_silently=True))
    return n
