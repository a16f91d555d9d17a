"""The delivery-date promise ("내일(화) 도착 예정"): honest, from the platform's own shipment history.

``delivery_promise`` shows a date only when the store has >= :data:`MIN_SUPPORT` comparable past shipments
(same store, made-to-order flag and destination region) and the earliest date reaches >= :data:`MIN_PROBABILITY`
calibrated probability (``kkot.ml.forecast.DeliveryEstimator``); otherwise the seller's declared range from
``Product.dispatch_days`` / ``made_to_order``. Every promise shown at checkout is recorded per order
(:class:`PromiseRecord`) with its outcome when the parcel arrives; ``promise_on_time_rate`` is the seller's score.

The estimator is fitted on the last :data:`HISTORY_DAYS` days of shipments, once per process per
:data:`MODEL_SECONDS` (``promise_model_reset()`` drops it, e.g. in tests).
"""

from __future__ import annotations

import logging
import os
import threading
import time as _time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.fulfillment.carriers import region
from kkot.fulfillment.models import PromiseRecord, Shipment
from kkot.ml.forecast import DeliveryEstimator, OrderQuery, ShipmentRecord, korean_calendar

log = logging.getLogger("kkot.fulfillment")

MIN_SUPPORT = 30
MIN_PROBABILITY = 0.9
HISTORY_DAYS = 365
MAX_HISTORY = 60_000
MODEL_SECONDS = 1800
COLD_CARRIER = "fresh"
DEFAULT_CARRIER = "cj"
WEEKDAYS = "월화수목금토일"


@dataclass(frozen=True)
class Promise:
    kind: str  # "date" | "range"
    date: date | None
    probability: float | None
    text: str
    support: int = 0


# ------------------------------------------------------------------------------------------- the model
_lock = threading.Lock()
_model: tuple[tuple[str, float], DeliveryEstimator] | None = None


def promise_model_reset() -> None:
    global _model
    with _lock:
        _model = None
        _last_request.clear()


def _calendars():
    # Sellers do not dispatch on weekends and holidays; carriers work Saturdays (see carriers.is_day_off).
    return korean_calendar(off_weekdays=(5, 6)), korean_calendar(off_weekdays=(6,))


def shipment_history(*, since: datetime | None = None, limit: int = MAX_HISTORY) -> list[ShipmentRecord]:
    """Past outbound shipments as estimator records (local times; regions from postcodes)."""
    return [r for _oid, r in shipment_history_by_order(since=since, limit=limit)]


def shipment_history_by_order(*, since: datetime | None = None, limit: int = MAX_HISTORY,
                              store_ids: list[int] | None = None) -> list[tuple[int, ShipmentRecord]]:
    """:func:`shipment_history` with the order id of each record (newest first)."""
    from kkot.fulfillment.models import TrackingEvent
    from kkot.orders.models import OrderLine

    since = since or timezone.now() - timedelta(days=HISTORY_DAYS)
    qs = Shipment.objects.filter(kind=Shipment.Kind.OUTBOUND, order__created_at__gte=since)
    lines = OrderLine.objects.filter(order__created_at__gte=since)
    events = TrackingEvent.objects.filter(code="picked_up", shipment__kind=Shipment.Kind.OUTBOUND,
                                          shipment__order__created_at__gte=since)
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
        lines = lines.filter(order__store_id__in=store_ids)
        events = events.filter(shipment__store_id__in=store_ids)
    # Three flat queries joined in Python (per-row subqueries were the slow part over a year of orders).
    picked_at: dict[int, datetime] = {}
    for sid, at in events.values_list("shipment_id", "occurred_at"):
        if sid not in picked_at or at < picked_at[sid]:
            picked_at[sid] = at
    mto_orders = set(lines.filter(product__made_to_order=True).values_list("order_id", flat=True))
    cold_orders = set(lines.filter(product__cold_chain=True).values_list("order_id", flat=True))
    rows = [(oid, ordered, store_id, carrier, wh_pc, ret_pc, dest, status, created, delivered, picked_at.get(pk),
             oid in mto_orders, oid in cold_orders, cutoff)
            for pk, oid, ordered, store_id, carrier, wh_pc, ret_pc, dest, status, created, delivered, cutoff in
            qs.order_by("-order__created_at", "-pk")
            .values_list("pk", "order_id", "order__created_at", "store_id", "carrier", "warehouse__postcode",
                         "store__return_postcode", "dest_postcode", "status", "created_at", "delivered_at",
                         "store__same_day_cutoff")[:limit]]
    out = []
    loc = timezone.localtime
    for (order_id, ordered, store_id, carrier, wh_pc, ret_pc, dest, status, created, delivered, picked, mto, cold,
         cutoff) in rows:
        if picked is None and status != "ready":
            picked = created  # events without a 집하 scan (manual uploads): 발송처리 time stands in
        out.append((order_id, ShipmentRecord(
            ordered_at=loc(ordered), store=str(store_id), carrier=carrier, origin=region(wh_pc or ret_pc or ""),
            dest=region(dest or ""), picked_up_at=loc(picked) if picked else None,
            delivered_at=loc(delivered) if delivered and status == "delivered" else None,
            failed=status == "failed", cutoff=cutoff, made_to_order=bool(mto), cold=bool(cold))))
    return out


def _model_path() -> Path:
    return Path(settings.VAR_DIR) / "promise" / "model.json"


def promise_model_fit() -> DeliveryEstimator:
    """Fit on the shipment history and publish the model file (atomic replace). Runs in the task queue."""
    dcal, tcal = _calendars()
    est = DeliveryEstimator(dispatch_calendar=dcal, transit_calendar=tcal).fit(shipment_history())
    path = _model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"model.{os.getpid()}.tmp")
    est.save(tmp)
    os.replace(tmp, path)
    return est


_last_request: dict[str, float] = {}


def promise_model() -> DeliveryEstimator:
    """This process's estimator, loaded from the published file and reloaded when a newer one appears.

    Requests never fit: when the file is missing or older than MODEL_SECONDS, a fit is queued (at most once per
    MODEL_SECONDS per process) and, until it lands, an empty model answers with the declared range."""
    global _model
    path = _model_path()

    def current():
        try:
            return (str(path), path.stat().st_mtime)
        except OSError:
            return None

    key = current()
    with _lock:
        if key is not None and (_model is None or _model[0] != key):
            try:
                _model = (key, DeliveryEstimator.load(path))
            except (OSError, ValueError, KeyError) as exc:
                log.warning("promise model unreadable, refitting: %s", exc)
                key = None
        stale = key is None or _time.time() - key[1] > MODEL_SECONDS
        due = stale and _time.monotonic() - _last_request.get(str(path), -1e9) > MODEL_SECONDS
        if due:
            _last_request[str(path)] = _time.monotonic()
    if due:
        from kkot.fulfillment.tasks import promise_model_fit_task

        promise_model_fit_task.enqueue()
        key = current()
        with _lock:  # immediate mode (tests, demo build): the file exists now
            if key is not None and (_model is None or _model[0] != key):
                _model = (key, DeliveryEstimator.load(path))
    if _model is None or _model[0][0] != str(path):
        dcal, tcal = _calendars()
        return DeliveryEstimator(dispatch_calendar=dcal, transit_calendar=tcal).fit([])
    return _model[1]


# ------------------------------------------------------------------------------------------- texts
def _date_text(d: date, today: date) -> str:
    wd = WEEKDAYS[d.weekday()]
    delta = (d - today).days
    if delta == 0:
        return _("오늘(%(w)s) 도착 예정") % {"w": wd}
    if delta == 1:
        return _("내일(%(w)s) 도착 예정") % {"w": wd}
    if delta == 2:
        return _("모레(%(w)s) 도착 예정") % {"w": wd}
    return _("%(m)d/%(d)d(%(w)s) 도착 예정") % {"m": d.month, "d": d.day, "w": wd}


def declared_range(*, dispatch_days: int, made_to_order: bool) -> Promise:
    days = max(1, int(dispatch_days))
    if made_to_order:
        text = _("주문 제작 · 결제 후 %(a)d~%(b)d일 이내 출고") % {"a": days, "b": days + 2}
    else:
        text = _("결제 후 %(a)d일 이내 출고") % {"a": days}
    return Promise(kind="range", date=None, probability=None, text=text)


# ------------------------------------------------------------------------------------------- promise
def _origin(store) -> str:
    from kkot.inventory.models import Warehouse

    wh = Warehouse.objects.filter(store=store).order_by("-is_default", "pk").values_list("postcode", flat=True).first()
    return region(wh or store.return_postcode or "")


def _usual_carrier(store, *, cold: bool) -> str:
    if cold:
        return COLD_CARRIER
    top = (Shipment.objects.filter(store=store).exclude(carrier=COLD_CARRIER).values("carrier")
           .annotate(n=Count("pk")).order_by("-n", "carrier").values_list("carrier", flat=True).first())
    return top or DEFAULT_CARRIER


def _estimate(*, store, made_to_order: bool, cold: bool, postcode: str, at: datetime, model=None):
    model = model or promise_model()
    if not any(k.startswith(f"{store.pk}\x1f") for k in model.support):
        from kkot.ml.forecast import PromiseEstimate

        return PromiseEstimate(None, 0.0, 0)  # no history at all: no queries, the declared range
    q = OrderQuery(ordered_at=timezone.localtime(at), store=str(store.pk), carrier=_usual_carrier(store, cold=cold),
                   origin=_origin(store), dest=region(postcode or ""), cutoff=store.same_day_cutoff,
                   made_to_order=made_to_order, cold=cold)
    return model.promise([q], threshold=MIN_PROBABILITY)[0]


def delivery_promise(*, product, postcode: str, at: datetime | None = None) -> Promise:
    """A date when the data backs it (>= MIN_SUPPORT comparable shipments, >= MIN_PROBABILITY), else the
    seller's declared range."""
    return delivery_promise_for_products(products=[product], postcode=postcode, at=at)


def delivery_promise_for_products(*, products, postcode: str, at: datetime | None = None) -> Promise:
    """One promise for products of ONE store shipped together: the latest date and the lowest probability of
    them; the declared range (the longest) as soon as any of them cannot be promised."""
    products = list(products)
    if not products:
        raise ValueError("no products")
    at = at or timezone.now()
    fallback = declared_range(dispatch_days=max(p.dispatch_days for p in products),
                              made_to_order=any(p.made_to_order for p in products))
    store = products[0].store
    try:
        model = promise_model()
        ests = [_estimate(store=store, made_to_order=mto, cold=cold, postcode=postcode, at=at, model=model)
                for mto, cold in sorted({(p.made_to_order, p.cold_chain) for p in products})]
    except Exception:  # the promise is a nicety: never break a page over it
        log.exception("delivery promise failed")
        return fallback
    support = min(e.support for e in ests)
    if any(e.date is None or e.support < MIN_SUPPORT or e.probability < MIN_PROBABILITY for e in ests):
        return Promise(fallback.kind, None, None, fallback.text, support)
    d = max(e.date for e in ests)
    prob = min(e.probability for e in ests)
    return Promise("date", d, prob, _date_text(d, timezone.localtime(at).date()), support)


# ------------------------------------------------------------------------------------------- records
def promise_record(*, order, postcode: str | None = None, at: datetime | None = None) -> PromiseRecord:
    """Record the promise of one order (the one shown at checkout: same inputs, order time). Idempotent."""
    existing = PromiseRecord.objects.filter(order=order).first()
    if existing is not None:
        return existing
    products = [ln.product for ln in order.lines.select_related("product", "product__store")]
    p = delivery_promise_for_products(products=products, postcode=postcode or order.purchase.postcode,
                                      at=at or order.created_at)
    try:
        with transaction.atomic():
            return PromiseRecord.objects.create(order=order, store_id=order.store_id, kind=p.kind,
                                                promised_date=p.date, probability=p.probability, support=p.support,
                                                text=p.text[:80], created_at=at or order.created_at)
    except IntegrityError:
        return PromiseRecord.objects.get(order=order)


def promise_record_for_purchase(*, purchase) -> list[PromiseRecord]:
    """Record the promise of every order of a checkout; never raises (a failure is logged)."""
    out = []
    for order in purchase.orders.select_related("store"):
        try:
            out.append(promise_record(order=order, postcode=purchase.postcode))
        except Exception:
            log.exception("recording the delivery promise of order %s failed", order.pk)
    return out


def promise_outcome_record(*, order_id: int, delivered_at: datetime | None = None, failed: bool = False) -> bool:
    """The parcel arrived (or failed): stamp the order's promise once. Returns whether a record changed."""
    rec = PromiseRecord.objects.filter(order_id=order_id, on_time__isnull=True).first()
    if rec is None:
        return False
    if failed:
        rec.failed, rec.on_time = True, False
    else:
        rec.delivered_at = delivered_at
        if rec.promised_date is not None:
            day = timezone.localtime(delivered_at).date()
            rec.days_late = (day - rec.promised_date).days
            rec.on_time = day <= rec.promised_date
        else:
            rec.on_time = True  # a range promise is about dispatch; delivered counts as kept
    rec.save(update_fields=["delivered_at", "failed", "on_time", "days_late"])
    return True


@dataclass(frozen=True)
class PromiseStats:
    shown: int  # date promises recorded in the window
    resolved: int  # delivered, failed, or past their date without delivery
    on_time: int
    rate: float | None  # on_time / resolved; None when nothing resolved yet
    mean_days_late: float | None


def promise_on_time_rate(*, store, days: int = 90, today: date | None = None) -> PromiseStats:
    """The seller's on-time rate of the dates it was promised (orders of the last ``days``). A promise whose
    date has passed without delivery counts as missed already."""
    today = today or timezone.localdate()
    qs = PromiseRecord.objects.filter(store=store, kind=PromiseRecord.Kind.DATE,
                                      created_at__gte=timezone.now() - timedelta(days=days))
    shown = qs.count()
    on_time = qs.filter(on_time=True).count()
    late = qs.filter(Q(on_time=False) | Q(on_time__isnull=True, promised_date__lt=today)).count()
    lates = list(qs.filter(days_late__isnull=False).values_list("days_late", flat=True))
    resolved = on_time + late
    return PromiseStats(shown, resolved, on_time, on_time / resolved if resolved else None,
                        sum(lates) / len(lates) if lates else None)
