import json
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kkot.catalog.models import Product, Variant
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.core.testing import make_product, make_store, make_user
from kkot.fulfillment import services as fs
from kkot.fulfillment.carriers import ConsoleMessages, SimulatedCarrier, sits_over_day_off
from kkot.fulfillment.models import Shipment
from kkot.fulfillment.selectors import low_stock_list, tracking_timeline
from kkot.inventory.models import StockLevel, StockMovement
from kkot.inventory.services import back_in_stock_request, stock_receive, warehouse_create
from kkot.orders.models import Notification, Order, OrderStatus
from kkot.orders.services.claims import ClaimItem, claim_approve, claim_request
from kkot.orders.tests.factories import DECLINE, place, variant

pytestmark = pytest.mark.django_db
KST = timezone.get_current_timezone()
TUE = datetime(2024, 5, 21, 10, 0, tzinfo=KST)  # an ordinary Tuesday


def _buy(qty=2, label="블랙 / M", params=None, cold=False):
    store = make_store()
    owner = store.memberships.get().user
    p = make_product(store=store)
    if cold:
        Product.objects.filter(pk=p.pk).update(cold_chain=True)
    buyer = make_user()
    kw = {"params": params} if params else {}
    purchase = place(buyer, [(variant(p, label).pk, qty)], **kw)
    return store, owner, buyer, p, purchase.orders.get()


def _moves(v):
    return list(StockMovement.objects.filter(variant=v).order_by("pk").values_list("kind", "qty"))


def test_checkout_ship_and_return_write_ledger_movements():
    store, owner, buyer, p, order = _buy()
    v = variant(p, "블랙 / M")
    assert _moves(v) == [("receive", 5), ("reserve", -2)]
    s = fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPING and s.status == "ready"
    assert _moves(v)[-1] == ("ship", -2)
    ship = StockMovement.objects.get(kind="ship")
    assert ship.order_line_id == order.lines.get().pk and ship.ref == order.number
    lv = StockLevel.objects.get(variant=v)
    assert (lv.on_hand, lv.reserved) == (3, 0)
    fs.tracking_event_record(shipment=s, code="delivered", occurred_at=TUE + timedelta(days=1))
    claim = claim_request(order_id=order.pk, user=buyer, kind="return", reason="change_of_mind",
                          items=[ClaimItem(line_id=order.lines.get().pk, quantity=1)], detail="")
    claim_approve(store=store, actor=owner, claim_id=claim.pk)
    assert _moves(v)[-1] == ("return_restock", 1)
    assert Variant.objects.get(pk=v.pk).stock == 4


def test_declined_payment_releases_reservation():
    store = make_store()
    p = make_product(store=store)
    buyer = make_user()
    try:
        place(buyer, [(variant(p, "블랙 / M").pk, 2)], params=DECLINE)
    except ValidationError:
        pass
    assert _moves(variant(p, "블랙 / M")) == [("receive", 5), ("reserve", -2), ("release", 2)]
    assert Variant.objects.get(pk=variant(p, "블랙 / M").pk).stock == 5


def test_bad_shipment_input_changes_nothing():
    store, owner, buyer, p, order = _buy()
    for carrier, tn, code in [("dhl", "123", "unknown_carrier"), ("cj", "12AB", "invalid_tracking_number")]:
        with pytest.raises(ValidationError) as e:
            fs.shipment_create(order=order, actor=owner, carrier=carrier, tracking_number=tn)
        assert e.value.code == code
    assert not Shipment.objects.exists()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_events_idempotent_and_never_backwards(django_capture_on_commit_callbacks):
    store, owner, buyer, p, order = _buy()
    s = fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
    ConsoleMessages.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        t = TUE + timedelta(hours=8)
        assert fs.tracking_event_record(shipment=s, code="picked_up", occurred_at=t) is not None
        assert fs.tracking_event_record(shipment=s, code="picked_up", occurred_at=t) is None  # duplicate
        fs.tracking_event_record(shipment=s, code="out_for_delivery", occurred_at=t + timedelta(hours=20))
        fs.tracking_event_record(shipment=s, code="hub_in", occurred_at=t + timedelta(hours=2))  # late arrival
    s.refresh_from_db()
    assert s.status == "out_for_delivery"
    assert [e.code for e in s.events.all()] == ["picked_up", "hub_in", "out_for_delivery"]
    kinds = sorted(Notification.objects.filter(user=buyer, kind__startswith="tracking").values_list("kind", flat=True))
    assert kinds == ["tracking_hub_in", "tracking_out_for_delivery", "tracking_picked_up"]
    assert len(ConsoleMessages.sent) == 3
    assert len([m for m in mail.outbox if "집하" in m.subject]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        fs.tracking_event_record(shipment=s, code="delivered", occurred_at=t + timedelta(hours=26))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    tl = tracking_timeline(order_id=order.pk)
    assert [e.code for e in tl[0]["events"]][-1] == "delivered"


def _post(carrier, payload, sig=None):
    body = json.dumps(payload).encode()
    return fs.tracking_webhook_receive(carrier=carrier, headers={"X-Kkot-Signature": sig or fs.sign(body)},
                                       body=body)


def test_webhook_signed_replay_unknown():
    store, owner, buyer, p, order = _buy()
    s = fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
    ev = {"id": "e1", "tracking_number": "1234-5678-9012", "event": "picked_up",
          "occurred_at": "2024-05-21T18:10:00+09:00", "location": "마포"}
    assert _post("cj", ev) == "applied"
    assert _post("cj", ev) == "duplicate"
    with pytest.raises(ValidationError) as e:
        _post("cj", {**ev, "id": "e2"}, sig="0" * 64)
    assert e.value.code == "bad_signature"
    with pytest.raises(ValidationError) as e:
        _post("dhl", ev)
    assert e.value.code == "unknown_carrier"
    with pytest.raises(ValidationError) as e:
        _post("cj", {"id": "e3", "event": "picked_up"})
    assert e.value.code == "malformed"
    with pytest.raises(NotFound) as e:
        _post("cj", {**ev, "id": "e4", "tracking_number": "999999999999"})
    assert e.value.code == "unknown_shipment"
    assert s.events.count() == 1


def test_csv_upload_all_or_nothing():
    store, owner, buyer, p, order = _buy()
    s = fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
    bad = ("택배사,송장번호,배송단계,일시,위치\n"
           "CJ대한통운,123456789012,집하,2024-05-21 18:00,마포\n"
           "DHL,123456789012,집하,2024-05-21 18:00,\n"
           "cj,12,집하,2024-05-21 18:00,\n"
           "cj,123456789012,도착,2024-05-21 18:00,\n"
           "cj,123456789012,배송출발,어제,\n"
           "cj,999999999999,집하,2024-05-21 18:00,\n").encode()
    res = fs.tracking_events_import(store=store, actor=owner, data=bad, filename="t.csv")
    assert [(e["row"], e["column"]) for e in res.errors] == [(3, "택배사"), (4, "송장번호"), (5, "배송단계"),
                                                            (6, "일시"), (7, "송장번호")]
    assert res.applied == 0 and not s.events.exists()
    good = "택배사,송장번호,배송단계,일시\ncj,123456789012,집하,2024-05-21 18:00\ncj,123456789012,간선상차,2024-05-21 21:00\n"
    res = fs.tracking_events_import(store=store, actor=owner, data=good.encode(), filename="t.csv")
    assert (res.applied, res.errors) == (2, [])
    res = fs.tracking_events_import(store=store, actor=owner, data=good.encode(), filename="t.csv")
    assert (res.applied, res.unchanged) == (0, 2)
    other = make_store()
    res = fs.tracking_events_import(store=other, actor=other.memberships.get().user, data=good.encode(),
                                    filename="t.csv")
    assert res.errors and res.applied == 0


def test_cold_chain_rules():
    store, owner, buyer, p, order = _buy(cold=True)
    with pytest.raises(ValidationError) as e:
        fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
    assert e.value.code == "cold_chain_carrier"
    fri = datetime(2024, 5, 24, 10, 0, tzinfo=KST)
    with pytest.raises(ValidationError) as e:
        fs.shipment_create(order=order, actor=owner, carrier="fresh", tracking_number="AB1234567890", at=fri)
    assert e.value.code == "cold_chain_day"
    assert sits_over_day_off(datetime(2024, 5, 21).date()) is False
    assert sits_over_day_off(datetime(2024, 5, 4).date()) is True  # Saturday; 5/5 어린이날 Sunday, 5/6 대체공휴일
    s = fs.shipment_create(order=order, actor=owner, carrier="fresh", tracking_number="AB1234567890", at=TUE)
    assert s.warehouse.cold_chain


def test_simulated_carrier_timeline_and_polling():
    store, owner, buyer, p, order = _buy()
    s = fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
    tl = SimulatedCarrier("cj").timeline(tracking_number="123456789012", dispatched_at=TUE,
                                         origin_postcode="04001", dest_postcode="04001")
    times = [u.occurred_at for u in tl]
    assert times == sorted(times) and tl[0].code == "picked_up" and tl[-1].code in ("delivered", "failed")
    assert all(t.weekday() != 6 for t in times)
    assert fs.tracking_poll(shipment=s, now=TUE + timedelta(days=10)) == 5
    assert fs.tracking_poll(shipment=s, now=TUE + timedelta(days=10)) == 0
    # Saturday evening dispatch: nothing moves on Sunday
    sat = datetime(2024, 5, 18, 19, 0, tzinfo=KST)
    tl = SimulatedCarrier("cj").timeline(tracking_number="1", dispatched_at=sat, origin_postcode="04001",
                                         dest_postcode="63000")
    assert all(u.occurred_at.astimezone(KST).weekday() != 6 for u in tl)


def test_delay_alert_once_per_stall():
    store, owner, buyer, p, order = _buy()
    s = fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
    fs.tracking_event_record(shipment=s, code="picked_up", occurred_at=TUE + timedelta(hours=8))
    assert fs.shipments_delay_alert(hours=48, now=TUE + timedelta(hours=30)) == 0
    assert fs.shipments_delay_alert(hours=48, now=TUE + timedelta(hours=60)) == 1
    assert fs.shipments_delay_alert(hours=48, now=TUE + timedelta(hours=70)) == 0
    assert Notification.objects.filter(store=store, kind="shipment_delayed").count() == 1


def test_back_in_stock_notification_once():
    store = make_store()
    owner = store.memberships.get().user
    p = make_product(store=store)
    shopper = make_user()
    v = variant(p, "블랙 / L")
    back_in_stock_request(user=shopper, variant_id=v.pk)
    assert fs.back_in_stock_notify() == 0
    wh = warehouse_create(store=store, actor=owner, name="창고", code="main")
    stock_receive(store=store, actor=owner, warehouse_id=wh.pk, variant_id=v.pk, qty=4)
    assert fs.back_in_stock_notify() == 1
    assert fs.back_in_stock_notify() == 0
    n = Notification.objects.get(user=shopper, kind="back_in_stock")
    assert n.url == f"/s/{store.slug}/p/{p.pk}/"


def test_low_stock_days_of_cover_and_reorder():
    store, owner, buyer, p, order = _buy(qty=4)  # 블랙 / M: 5 -> 1 left, 4 sold today
    rows = low_stock_list(store=store, window_days=28, cover_days=14, lead_days=7)
    assert len(rows) == 1
    r = rows[0]
    assert (r.available, r.per_day, r.days_of_cover, r.reorder_qty) == (1, 0.14, 7.0, 2)
    assert low_stock_list(store=make_store()) == []


def test_duplicate_tracking_number_refused():
    store, owner, buyer, p, order = _buy()
    fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
    store2, owner2, _b, _p, order2 = _buy()
    with pytest.raises(Conflict):
        fs.shipment_create(order=order2, actor=owner2, carrier="cj", tracking_number="123456789012")
