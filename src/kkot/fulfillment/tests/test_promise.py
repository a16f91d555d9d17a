"""Delivery promise on the platform: the 30-shipment / 90% rule, texts, records and outcomes."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from kkot.core.testing import make_product, make_store, make_user
from kkot.fulfillment import promise as pm
from kkot.fulfillment import services as fs
from kkot.fulfillment.models import PromiseRecord
from kkot.ml.forecast import ShipmentRecord
from kkot.orders.tests.factories import place, variant

pytestmark = pytest.mark.django_db
KST = timezone.get_current_timezone()
TUE = datetime(2024, 5, 21, 10, 0, tzinfo=KST)
SEOUL_PC = "04524"


def _history(store, n, *, lag=0):
    dcal, tcal = pm._calendars()
    origin, out, d = pm._origin(store), [], datetime(2024, 3, 4).date()
    while len(out) < n:
        if dcal.is_open(d):
            pick = dcal.add(d, lag)
            out.append(ShipmentRecord(
                ordered_at=datetime.combine(d, time(10), KST), store=str(store.pk), carrier="cj", origin=origin,
                dest="capital", picked_up_at=datetime.combine(pick, time(18), KST),
                delivered_at=datetime.combine(tcal.add(pick, 1), time(13), KST), cutoff=time(14)))
        d += timedelta(days=1)
    return out


@pytest.fixture
def history(monkeypatch):
    box = {"rows": []}
    monkeypatch.setattr(pm, "shipment_history", lambda **kw: box["rows"])
    pm.promise_model_reset()
    yield box
    pm.promise_model_reset()


def test_29_comparable_shipments_give_the_declared_range_30_give_a_date(history):
    store = make_store()
    p = make_product(store=store)
    history["rows"] = _history(store, 29)
    pm.promise_model_fit()  # the task publishes the model; requests only read it
    got = pm.delivery_promise(product=p, postcode=SEOUL_PC, at=TUE)
    assert (got.kind, got.date, got.probability, got.text, got.support) == ("range", None, None,
                                                                             "결제 후 2일 이내 출고", 29)
    history["rows"] = _history(store, 30)
    pm.promise_model_reset()
    pm.promise_model_fit()  # the task publishes the model; requests only read it
    got = pm.delivery_promise(product=p, postcode=SEOUL_PC, at=TUE)
    assert (got.kind, got.date, got.probability, got.text, got.support) == (
        "date", datetime(2024, 5, 22).date(), 1.0, "내일(수) 도착 예정", 30)
    # another region has no comparable history
    assert pm.delivery_promise(product=p, postcode="63100", at=TUE).kind == "range"


def test_texts_for_later_dates_and_made_to_order_range(history):
    store = make_store()
    p = make_product(store=store)
    history["rows"] = _history(store, 40, lag=1)
    pm.promise_model_fit()  # the task publishes the model; requests only read it
    assert pm.delivery_promise(product=p, postcode=SEOUL_PC, at=TUE).text == "모레(목) 도착 예정"
    fri = datetime(2024, 5, 24, 10, 0, tzinfo=KST)  # Fri: dispatch Mon 27th, arrive Tue 28th
    assert pm.delivery_promise(product=p, postcode=SEOUL_PC, at=fri).text == "5/28(화) 도착 예정"
    p.made_to_order, p.dispatch_days = True, 5
    assert pm.declared_range(dispatch_days=5, made_to_order=True).text == "주문 제작 · 결제 후 5~7일 이내 출고"


def test_record_at_checkout_and_outcome_when_delivered(history):
    store = make_store()
    owner = store.memberships.get().user
    p = make_product(store=store)
    history["rows"] = _history(store, 30)
    pm.promise_model_fit()  # the task publishes the model; requests only read it
    purchase = place(make_user(), [(variant(p, "블랙 / M").pk, 1)])
    (rec,) = pm.promise_record_for_purchase(purchase=purchase)
    order = purchase.orders.get()
    assert rec.order_id == order.pk and rec.kind == "date" and rec.on_time is None
    assert pm.promise_record(order=order).pk == rec.pk  # idempotent
    s = fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012",
                           at=timezone.now())
    arrive = datetime.combine(rec.promised_date, time(12), KST)
    fs.tracking_event_record(shipment=s, code="delivered", occurred_at=arrive)
    rec.refresh_from_db()
    assert (rec.on_time, rec.days_late, rec.delivered_at) == (True, 0, arrive)
    stats = pm.promise_on_time_rate(store=store)
    assert (stats.shown, stats.resolved, stats.on_time, stats.rate) == (1, 1, 1, 1.0)
    assert pm.promise_on_time_rate(store=make_store()).rate is None


def test_failed_parcel_counts_as_missed(history):
    store = make_store()
    owner = store.memberships.get().user
    p = make_product(store=store)
    history["rows"] = _history(store, 30)
    pm.promise_model_fit()  # the task publishes the model; requests only read it
    purchase = place(make_user(), [(variant(p, "블랙 / M").pk, 1)])
    (rec,) = pm.promise_record_for_purchase(purchase=purchase)
    s = fs.shipment_create(order=purchase.orders.get(), actor=owner, carrier="cj", tracking_number="123456789013",
                           at=timezone.now())
    fs.tracking_event_record(shipment=s, code="failed", occurred_at=timezone.now())
    rec.refresh_from_db()
    assert (rec.on_time, rec.failed) == (False, True)
    assert PromiseRecord.objects.get().kind == "date"
    assert pm.promise_on_time_rate(store=store).rate == 0.0
