import json

import pytest
from django.test import Client

from kkot.core.testing import make_product, make_store, make_user
from kkot.fulfillment import services as fs
from kkot.fulfillment.models import TrackingEvent
from kkot.orders.tests.factories import place, variant

pytestmark = pytest.mark.django_db
URL = "/api/v1/carriers/webhooks/"


def _post(carrier, payload, sig=None):
    body = json.dumps(payload).encode()
    return Client().post(URL + carrier, body, content_type="application/json",
                         headers={"X-Kkot-Signature": sig or fs.sign(body)})


def test_webhook_route():
    store = make_store()
    owner = store.memberships.get().user
    p = make_product(store=store)
    order = place(make_user(), [(variant(p, "블랙 / M").pk, 1)]).orders.get()
    fs.shipment_create(order=order, actor=owner, carrier="hanjin", tracking_number="1234567890")
    ev = {"id": "h-1", "tracking_number": "1234567890", "event": "hub_in", "occurred_at": "2030-01-02T03:04:05+09:00"}
    r = _post("hanjin", ev)
    assert (r.status_code, r.json()) == (200, {"outcome": "applied"})
    assert _post("hanjin", ev).json() == {"outcome": "duplicate"}
    r = _post("nope", ev)
    assert (r.status_code, r.json()["code"]) == (400, "unknown_carrier")
    r = _post("hanjin", {**ev, "id": "h-2"}, sig="bad")
    assert (r.status_code, r.json()["code"]) == (400, "bad_signature")
    r = _post("hanjin", {**ev, "id": "h-3", "tracking_number": "1111111111"})
    assert (r.status_code, r.json()["code"]) == (404, "unknown_shipment")
    assert r.json()["message"] == "등록되지 않은 송장번호입니다: 1111111111"
    assert TrackingEvent.objects.count() == 1
