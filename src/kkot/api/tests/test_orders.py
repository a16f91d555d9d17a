"""Seller order endpoints (list, detail, accept, ship): happy paths, every bad input with its exact code, and
"nothing changed" checks (database snapshots) for each refusal, another store's order 404, a viewer 403."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client

from kkot.api.tests.helpers import BASE, buy, complete_return, db_snapshot, delivered_with_return, status_of
from kkot.core.testing import make_product, make_user
from kkot.core.timeutil import SEOUL
from kkot.orders.models import (
    Order,
    OrderStatus,
)
from kkot.orders.services.lifecycle import order_mark_delivered, order_ship
from kkot.orders.tests.factories import DECLINE, TIMEOUT, coupon, place, variant

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------ orders


def test_order_list_filters_and_shape(seller, other):
    product = make_product(store=seller.store, code="A-1")
    paid = buy(seller.store, product=product, qty=2)
    returned, _claim = delivered_with_return(seller.store, product=product)
    other_product = make_product(store=seller.store, code="A-2", name="면 반팔 티셔츠")
    old = buy(seller.store, product=other_product)
    Order.objects.filter(pk=old.pk).update(created_at=datetime(2024, 1, 31, 23, 30, tzinfo=SEOUL))
    bravo_order = buy(other.store)

    r = seller.call("GET", BASE + "/orders")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["count"], body["page"], body["per_page"]) == (3, 1, 20)
    assert [o["id"] for o in body["items"]] == [returned.pk, paid.pk, old.pk]  # newest first
    assert bravo_order.pk not in [o["id"] for o in body["items"]]
    item = body["items"][1]
    assert item["status"] == "paid" and item["status_label"] == "결제완료"
    assert (item["items_summary"], item["item_quantity"], item["recipient"]) == ("린넨 오버핏 셔츠", 2, "김구매")
    # 2 x 29,000 = 58,000: free shipping over 50,000
    assert isinstance(item["total"], int) and item["total"] == int(paid.total)
    assert item["items_total"] == 58000 and item["shipping_fee"] == 0
    assert item["created_at"].endswith("+09:00")
    assert item["purchase_number"] == paid.purchase.number and item["open_claims"] == []
    assert body["items"][0]["open_claims"] == ["return"]

    def ids(query):
        r = seller.call("GET", BASE + "/orders" + query)
        assert r.status_code == 200, r.content
        return [o["id"] for o in r.json()["items"]]

    assert ids("?status=paid") == [paid.pk, old.pk]
    assert ids("?status=delivered") == [returned.pk]
    assert ids("?claim=return") == [returned.pk]
    assert ids("?claim=exchange") == []
    assert ids("?status=paid&claim=return") == []
    assert ids(f"?q={paid.number}") == [paid.pk]
    assert ids(f"?q={paid.purchase.number}") == [paid.pk]
    assert ids("?q=반팔") == [old.pk]
    assert ids("?q=123456789012") == [returned.pk]  # tracking number
    assert ids("?date_from=2024-01-31&date_to=2024-01-31") == [old.pk]  # 23:30 Seoul is still the 31st
    assert ids("?date_to=2024-01-30") == []
    assert ids("?date_from=2024-02-01") == [returned.pk, paid.pk]
    assert ids("?per_page=2&page=2") == [old.pk]
    assert ids("?page=9") == []


@pytest.mark.parametrize("query,status,code", [
    ("?status=lost", 422, "invalid_request"),
    ("?claim=refund", 422, "invalid_request"),
    ("?date_from=2024-13-01", 422, "invalid_request"),
    ("?date_from=2024-03-02&date_to=2024-03-01", 400, "invalid_date_range"),
    ("?per_page=101", 422, "invalid_request"),
    ("?page=0", 422, "invalid_request"),
    ("?q=" + "가" * 101, 422, "invalid_request"),
])
def test_order_list_bad_filters(seller, query, status, code):
    r = seller.call("GET", BASE + "/orders" + query)
    assert (r.status_code, r.json()["code"]) == (status, code), r.content


def test_order_detail_with_lines_claims_payment_and_timeline(seller):
    coupon(seller.store, code="C10", kind="percent", amount=None, percent=10)
    product = make_product(store=seller.store, code="A-1")
    buyer = make_user()
    purchase = place(buyer, [(variant(product, "블랙 / M").pk, 2), (variant(product, "화이트 / M").pk, 1)],
                     coupons={seller.store.pk: "C10"})
    order = purchase.orders.get()
    order_ship(order=order, actor=seller.user, carrier="hanjin", tracking_number="1111-2222-3333")
    order_mark_delivered(order=order)
    from kkot.orders.services.claims import ClaimItem, claim_request

    line = order.lines.get(variant__label="블랙 / M")
    claim = claim_request(order_id=order.pk, user=buyer, kind="return", reason="defective",
                          items=[ClaimItem(line_id=line.pk, quantity=1)], detail="실밥이 풀렸어요")

    r = seller.call("GET", f"{BASE}/orders/{order.pk}")
    assert r.status_code == 200, r.content
    assert "4242" not in r.content.decode(), "a card number (even its last digits) reached the seller"
    body = r.json()
    assert (body["number"], body["status"], body["carrier"], body["tracking_number"]) == (
        order.number, "delivered", "hanjin", "111122223333")
    assert body["shipping_address"] == {"recipient": "김구매", "phone": "010-1234-5678", "postcode": "04001",
                                        "address1": "서울 마포구 월드컵로 1", "address2": "", "request_note": ""}
    # 2 x 29,000 + 30,000 = 88,000; 10% = 8,800 allocated 5,800 / 3,000; free shipping over 50,000
    assert [(ln["variant_label"], ln["unit_price"], ln["quantity"], ln["subtotal"], ln["discount"])
            for ln in body["lines"]] == [("블랙 / M", 29000, 2, 58000, 5800), ("화이트 / M", 30000, 1, 30000, 3000)]
    assert (body["items_total"], body["discount_total"], body["shipping_fee"], body["total"]) == (88000, 8800, 0, 79200)
    assert [(c["id"], c["kind"], c["status"], c["reason_label"], c["lines"]) for c in body["claims"]] == [
        (claim.pk, "return", "requested", "상품불량", [{"line_id": line.pk, "quantity": 1, "exchange_variant_id": None}])]
    assert body["open_claims"] == ["return"]
    pay = body["payment"]
    assert (pay["provider"], pay["method"], pay["status"], pay["order_total"], pay["refunded"], pay["refunds"]) == (
        "test_card", "신용/체크카드 (테스트)", "paid", 79200, 0, [])
    assert pay["paid_at"].endswith("+09:00")
    assert [(e["kind"], e["to_status"], e["label"], e["actor_role"]) for e in body["timeline"]] == [
        ("placed", "pending_payment", "주문 접수", "shopper"), ("status", "paid", "결제완료", "system"), ("status", "preparing", "상품준비중", "seller"),
        ("status", "shipping", "배송중", "seller"), ("status", "delivered", "배송완료", "system"),
        ("claim_return_requested", "", "반품 요청", "shopper")]
    assert body["timeline"][3]["data"] == {"carrier": "hanjin", "tracking_number": "111122223333"}
    assert body["timeline"][1]["data"] == {}  # the payment label ("카드 ****4242") stays out

    # approving the return opens a pickup; the refund follows the inspection (검수 후 환불, the default)
    r = seller.call("POST", f"{BASE}/claims/{claim.pk}/approve")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["refund_amount"], r.json()["refund_pending"]) == ("approved", 0, True)
    assert seller.call("GET", f"{BASE}/orders/{order.pk}").json()["payment"]["refunded"] == 0
    # 29,000 - 2,900 coupon share; seller's fault, no return shipping fee
    r = complete_return(seller, r.json()["return_case_id"])
    assert (r["claim"]["status"], r["claim"]["refund_amount"], r["claim"]["return_shipping_fee"]) == (
        "completed", 26100, 0)
    pay = seller.call("GET", f"{BASE}/orders/{order.pk}").json()["payment"]
    assert (pay["status"], pay["refunded"], [x["amount"] for x in pay["refunds"]]) == (
        "partially_refunded", 26100, [26100])
    assert pay["refunds"][0]["claim_id"] == claim.pk


def test_order_detail_of_unknown_or_other_store_order_is_404(seller, other):
    theirs = buy(other.store)
    for order_id in (theirs.pk, 999999, 10**18):
        r = seller.call("GET", f"{BASE}/orders/{order_id}")
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), order_id
    r = seller.call("GET", f"{BASE}/orders/{10**19}")  # too big for the path: still a JSON 404
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


# ------------------------------------------------------------------------------------ accept / ship


def test_accept_then_ship(seller):
    a, b = buy(seller.store), buy(seller.store)
    r = seller.call("POST", BASE + "/orders/accept", {"order_ids": [a.pk, b.pk, a.pk]})
    assert (r.status_code, r.json()) == (200, {"accepted": 2})
    assert status_of(a) == status_of(b) == OrderStatus.PREPARING
    r = seller.call("POST", f"{BASE}/orders/{a.pk}/ship", {"carrier": "epost", "tracking_number": "1234 5678 90123"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["carrier"], body["tracking_number"]) == ("shipping", "epost", "1234567890123")
    assert body["shipped_at"].endswith("+09:00")
    events = list(Order.objects.get(pk=a.pk).events.values_list("to_status", "actor_role", "actor_id"))
    assert events[-2:] == [("preparing", "seller", seller.user.pk), ("shipping", "seller", seller.user.pk)]


def test_ship_a_paid_order_accepts_it_on_the_way(seller):
    order = buy(seller.store)
    r = seller.call("POST", f"{BASE}/orders/{order.pk}/ship", {"carrier": "cj", "tracking_number": "6123-4567-8901"})
    assert r.status_code == 200, r.content
    assert [e["to_status"] for e in r.json()["timeline"]] == ["pending_payment", "paid", "preparing", "shipping"]


@pytest.mark.parametrize("payload,status,code", [
    ({"carrier": "dhl", "tracking_number": "123456789012"}, 400, "unknown_carrier"),
    ({"carrier": "CJ", "tracking_number": "123456789012"}, 400, "unknown_carrier"),
    ({"carrier": "cj", "tracking_number": "12AB"}, 400, "invalid_tracking_number"),
    ({"carrier": "lotte", "tracking_number": "12345678901"}, 400, "invalid_tracking_number"),  # lotte: 12 digits
    ({"carrier": "cj", "tracking_number": ""}, 400, "invalid_tracking_number"),
    ({"carrier": "cj"}, 422, "invalid_request"),
    ({"tracking_number": "123456789012"}, 422, "invalid_request"),
    ({"carrier": "cj", "tracking_number": 123456789012}, 422, "invalid_request"),
    ({"carrier": "cj", "tracking_number": "123456789012", "status": "delivered"}, 422, "invalid_request"),
    ("not json", 400, "invalid_json"),
])
def test_bad_ship_input_changes_nothing(seller, payload, status, code):
    order = buy(seller.store)
    before = db_snapshot()
    r = seller.call("POST", f"{BASE}/orders/{order.pk}/ship", payload)
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert db_snapshot() == before


def test_illegal_transitions_are_409_and_change_nothing(seller):
    shipped = buy(seller.store)
    order_ship(order=shipped, actor=seller.user, carrier="cj", tracking_number="123456789012")
    unpaid = buy(seller.store, params=TIMEOUT)  # payment outcome unknown: 결제대기
    declined_purchase = place(make_user(), [(variant(make_product(store=seller.store, code="D"), "블랙 / M").pk, 1)],
                              params=DECLINE)
    cancelled = declined_purchase.orders.get()
    assert (status_of(unpaid), status_of(cancelled)) == (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED)
    before = db_snapshot()
    for order in (shipped, unpaid, cancelled):
        r = seller.call("POST", f"{BASE}/orders/{order.pk}/ship", {"carrier": "cj", "tracking_number": "987654321098"})
        assert (r.status_code, r.json()["code"]) == (409, "illegal_transition"), (order.status, r.content)
        assert "(으)로 바꿀 수 없습니다" in r.json()["message"]
        r = seller.call("POST", BASE + "/orders/accept", {"order_ids": [order.pk]})
        assert (r.status_code, r.json()["code"]) == (409, "illegal_transition"), (order.status, r.content)
    assert db_snapshot() == before


def test_accept_is_all_or_nothing(seller, other):
    paid, shipped = buy(seller.store), buy(seller.store)
    order_ship(order=shipped, actor=seller.user, carrier="cj", tracking_number="123456789012")
    theirs = buy(other.store)
    before = db_snapshot()
    r = seller.call("POST", BASE + "/orders/accept", {"order_ids": [paid.pk, shipped.pk]})
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")
    r = seller.call("POST", BASE + "/orders/accept", {"order_ids": [paid.pk, theirs.pk]})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = seller.call("POST", BASE + "/orders/accept", {"order_ids": [paid.pk, 999999]})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert db_snapshot() == before
    assert status_of(paid) == OrderStatus.PAID and status_of(theirs) == OrderStatus.PAID


@pytest.mark.parametrize("payload", [{}, {"order_ids": []}, {"order_ids": ["1"]}, {"order_ids": [0]},
                                     {"order_ids": [2**63]}, {"order_ids": list(range(1, 1002))},
                                     {"order_ids": [1], "all": True}])
def test_bad_accept_input_is_422(seller, payload):
    order = buy(seller.store)
    before = db_snapshot()
    r = seller.call("POST", BASE + "/orders/accept", payload)
    assert (r.status_code, r.json()["code"]) == (422, "invalid_request"), r.content
    assert db_snapshot() == before and status_of(order) == OrderStatus.PAID


def test_another_stores_order_id_is_404_on_every_write(seller, other):
    theirs = buy(other.store)
    _o, their_claim = delivered_with_return(other.store)
    before = db_snapshot()
    for method, path, body in (
        ("POST", f"{BASE}/orders/{theirs.pk}/ship", {"carrier": "cj", "tracking_number": "123456789012"}),
        ("POST", BASE + "/orders/accept", {"order_ids": [theirs.pk]}),
        ("POST", f"{BASE}/claims/{their_claim.pk}/approve", {}),
        ("POST", f"{BASE}/claims/{their_claim.pk}/reject", {"reason": "안 됩니다"}),
    ):
        r = seller.call(method, path, body)
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), (path, r.content)
    assert db_snapshot() == before


def test_viewer_reads_but_cannot_accept_or_ship(seller):
    from kkot.accounts.services import api_token_create
    from kkot.stores.services import staff_add

    viewer = make_user()
    staff_add(store=seller.store, actor=seller.user, email=viewer.email, role="viewer")
    _t, raw = api_token_create(user=viewer, store=seller.store, name="viewer")
    order = buy(seller.store)
    from kkot.api.tests.conftest import call

    assert call(Client(), "GET", f"{BASE}/orders/{order.pk}", token=raw).status_code == 200
    before = db_snapshot()
    r = call(Client(), "POST", BASE + "/orders/accept", {"order_ids": [order.pk]}, token=raw)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    r = call(Client(), "POST", f"{BASE}/orders/{order.pk}/ship", {"carrier": "cj", "tracking_number": "123456789012"},
             token=raw)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert db_snapshot() == before
