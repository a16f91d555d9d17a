"""Seller return-case endpoints (회수·검수): the whole flow through the API (approve -> the carrier's pickup events
-> inspection -> restock / dispose -> refund, or rejection, or an exchange's replacement), every refused step
with its code and "nothing changed" (database snapshots), another store's case 404, a viewer 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kkot.api.tests.conftest import call
from kkot.api.tests.helpers import db_snapshot, delivered_with_return, pickup_arrives, return_case_in
from kkot.catalog.models import Variant
from kkot.core.testing import make_product, make_user
from kkot.fulfillment.models import ReturnCase
from kkot.fulfillment.services import tracking_event_record
from kkot.inventory.models import StockMovement
from kkot.inventory.services import warehouse_create
from kkot.orders.models import Claim, Payment, Refund
from kkot.orders.tests.factories import variant

pytestmark = pytest.mark.django_db

BASE = "/api/v1/seller/stores/alpha"


def approve(seller, claim) -> dict:
    r = seller.call("POST", f"{BASE}/claims/{claim.pk}/approve")
    assert r.status_code == 200, r.content
    return r.json()


def post(seller, case_id: int, step: str, body: dict, *, status: int = 200, code: str = "") -> dict:
    """One step; a refused step (``code``) must change nothing."""
    before = db_snapshot() if code else None
    r = seller.call("POST", f"{BASE}/returns/{case_id}/{step}", body)
    assert r.status_code == status, r.content
    if code:
        assert r.json()["code"] == code, r.content
        assert db_snapshot() == before
    return r.json()


def stock(product, label: str) -> int:
    return Variant.objects.get(pk=variant(product, label).pk).stock


def refunded(order) -> int:
    return int(Payment.objects.get(purchase=order.purchase).refunded)


def test_return_flow_pickup_inspection_restock_refund(seller):
    product = make_product(store=seller.store, code="A-1")
    fc = warehouse_create(store=seller.store, actor=seller.user, name="풀필먼트", code="fc", kind="fc")
    # 2 x 29,000 = 58,000: shipped free, so a change of mind pays the round trip 2 x 3,000
    order, claim = delivered_with_return(seller.store, qty=2, claim_qty=1, product=product)
    assert stock(product, "블랙 / M") == 3
    body = approve(seller, claim)
    assert (body["status"], body["refund_amount"], body["refund_pending"]) == ("approved", 0, True)
    case_id = body["return_case_id"]

    r = seller.call("GET", f"{BASE}/returns")
    assert r.status_code == 200, r.content
    page = r.json()
    assert [
        (c["id"], c["claim_id"], c["order_number"], c["kind"], c["status"], c["status_label"])
        for c in page["items"]
    ] == [(case_id, claim.pk, order.number, "return", "pickup_requested", "회수요청")]
    assert (
        page["count"],
        page["counts"]["open"],
        page["counts"]["pickup_requested"],
        page["counts"]["all"],
    ) == (1, 1, 1, 1)
    assert page["items"][0]["pickup"]["tracking_number"] == body["pickup_tracking_number"]
    assert seller.call("GET", f"{BASE}/returns?status=completed").json()["items"] == []
    assert seller.call("GET", f"{BASE}/returns?page=2").json()["items"] == []

    # nothing can be inspected or restocked before the parcel is back
    post(seller, case_id, "inspect", {"passed": True}, status=409, code="illegal_transition")
    post(seller, case_id, "restock", {}, status=409, code="illegal_transition")

    pickup_arrives(case_id)
    d = seller.call("GET", f"{BASE}/returns/{case_id}").json()
    assert (d["status"], d["next_statuses"], d["inspect_before_refund"]) == (
        "arrived",
        ["failed", "passed"],
        True,
    )
    assert (d["pickup"]["kind"], d["pickup"]["carrier"], d["pickup"]["status"]) == (
        "pickup",
        "cj",
        "delivered",
    )
    assert [e["code"] for e in d["pickup_events"]] == ["picked_up", "delivered"]
    assert [(a["from_status"], a["to_status"], a["actor_role"]) for a in d["audit"]] == [
        ("", "pickup_requested", "seller"),
        ("pickup_requested", "in_transit", "system"),
        ("in_transit", "arrived", "system"),
    ]
    assert d["audit"][0]["data"]["tracking_number"] == body["pickup_tracking_number"]
    assert (d["claim"]["id"], d["claim"]["status"], d["warehouse_id"]) == (
        claim.pk,
        "approved",
        d["warehouse_id"],
    )

    post(seller, case_id, "inspect", {"passed": False, "note": "  "}, status=400, code="reason_required")
    d = post(seller, case_id, "inspect", {"passed": True, "note": "이상 없음"})
    assert (d["status"], d["inspection"]["passed"], d["inspection"]["note"]) == ("passed", True, "이상 없음")
    assert d["inspection"]["inspected_at"].endswith("+09:00")
    assert refunded(order) == 0 and stock(product, "블랙 / M") == 3
    post(seller, case_id, "restock", {"warehouse_id": 999999}, status=404, code="not_found")

    d = post(seller, case_id, "restock", {"warehouse_id": fc.pk})
    assert (
        d["status"],
        d["claim"]["status"],
        d["claim"]["refund_amount"],
        d["claim"]["return_shipping_fee"],
    ) == ("completed", "completed", 23000, 6000)
    assert d["refunded_at"] is not None
    assert [a["to_status"] for a in d["audit"]][-3:] == ["passed", "restocked", "completed"]
    assert refunded(order) == 23000 and list(Refund.objects.values_list("amount", flat=True)) == [23000]
    mv = StockMovement.objects.filter(variant=variant(product, "블랙 / M")).latest("pk")
    assert (mv.kind, mv.qty, mv.warehouse_id) == ("return_restock", 1, fc.pk)
    assert stock(product, "블랙 / M") == 4
    # done: every further step is refused and changes nothing
    post(seller, case_id, "restock", {}, status=409, code="illegal_transition")
    post(seller, case_id, "dispose", {"reason": "파손"}, status=409, code="illegal_transition")
    post(seller, case_id, "reject", {"reason": "늦음"}, status=409, code="illegal_transition")


def test_failed_inspection_then_rejection_refunds_nothing(seller):
    product = make_product(store=seller.store, code="A-1")
    order, claim = delivered_with_return(seller.store, product=product)
    case_id = approve(seller, claim)["return_case_id"]
    pickup_arrives(case_id)
    post(seller, case_id, "reject", {"reason": "사용 흔적"}, status=409, code="illegal_transition")
    d = post(seller, case_id, "inspect", {"passed": False, "note": "사용 흔적이 있습니다"})
    assert (d["status"], d["inspection"]["passed"], sorted(d["next_statuses"])) == (
        "failed",
        False,
        ["disposed", "rejected", "restocked"],
    )
    post(seller, case_id, "reject", {"reason": "   "}, status=400, code="reason_required")
    post(seller, case_id, "reject", {}, status=422, code="invalid_request")
    d = post(seller, case_id, "reject", {"reason": "사용 흔적이 있어 반품할 수 없습니다"})
    assert (d["status"], d["claim"]["status"], d["claim"]["reject_reason"], d["claim"]["refund_amount"]) == (
        "rejected",
        "rejected",
        "사용 흔적이 있어 반품할 수 없습니다",
        0,
    )
    assert refunded(order) == 0 and not Refund.objects.exists() and stock(product, "블랙 / M") == 3
    assert d["next_statuses"] == []


def test_dispose_refunds_without_restocking(seller):
    product = make_product(store=seller.store, code="A-1")
    order, claim = delivered_with_return(seller.store, product=product, reason="defective")
    case_id = approve(seller, claim)["return_case_id"]
    pickup_arrives(case_id)
    post(seller, case_id, "inspect", {"passed": True})
    post(seller, case_id, "dispose", {"reason": " "}, status=400, code="reason_required")
    post(seller, case_id, "dispose", {"reason": "가" * 201}, status=422, code="invalid_request")
    d = post(seller, case_id, "dispose", {"reason": "포장 훼손"})
    # the seller's fault (불량): no return shipping fee
    assert (
        d["status"],
        d["disposition_reason"],
        d["claim"]["refund_amount"],
        d["claim"]["return_shipping_fee"],
    ) == ("completed", "포장 훼손", 29000, 0)
    assert refunded(order) == 29000 and stock(product, "블랙 / M") == 3
    mv = StockMovement.objects.filter(variant=variant(product, "블랙 / M")).latest("pk")
    assert (mv.kind, mv.qty, mv.reason) == ("dispose", 1, "포장 훼손")


def test_exchange_replacement_ships_after_inspection_and_restock(seller):
    product = make_product(store=seller.store, code="A-1")
    order, claim = delivered_with_return(
        seller.store, product=product, kind="exchange", exchange_to="화이트 / L"
    )
    body = approve(seller, claim)
    assert (body["kind"], body["status"], body["refund_pending"]) == ("exchange", "approved", False)
    case_id = body["return_case_id"]
    pickup_arrives(case_id)
    ship = {"carrier": "cj", "tracking_number": "6123-4567-8901"}
    post(seller, case_id, "replacement", ship, status=409, code="inspection_required")
    post(seller, case_id, "inspect", {"passed": True})
    post(seller, case_id, "replacement", ship, status=409, code="illegal_transition")  # not restocked yet
    d = post(seller, case_id, "restock", {})
    assert (d["status"], d["claim"]["status"], d["next_statuses"]) == (
        "restocked",
        "approved",
        ["completed", "replacement_shipped"],
    )
    assert stock(product, "블랙 / M") == 4 and stock(product, "화이트 / L") == 2
    post(
        seller,
        case_id,
        "replacement",
        {"carrier": "cj", "tracking_number": "12"},
        status=400,
        code="invalid_tracking_number",
    )
    post(
        seller,
        case_id,
        "replacement",
        {"carrier": "nope", "tracking_number": "6123-4567-8901"},
        status=400,
        code="unknown_carrier",
    )
    d = post(seller, case_id, "replacement", ship)
    assert (
        d["status"],
        d["claim"]["status"],
        d["replacement"]["kind"],
        d["replacement"]["tracking_number"],
    ) == ("replacement_shipped", "completed", "replacement", "612345678901")
    assert stock(product, "화이트 / L") == 1 and refunded(order) == 0
    post(seller, case_id, "convert", {}, status=409, code="illegal_transition")
    # the replacement's carrier delivers it: the case is complete
    rc = ReturnCase.objects.get(pk=case_id)
    tracking_event_record(
        shipment=rc.replacement, code="delivered", occurred_at=timezone.now() - timedelta(hours=1)
    )
    d = seller.call("GET", f"{BASE}/returns/{case_id}").json()
    assert (d["status"], [e["code"] for e in d["replacement_events"]]) == ("completed", ["delivered"])


def test_sold_out_exchange_converts_to_a_refund(seller):
    product = make_product(store=seller.store, code="A-1")
    order, claim = delivered_with_return(
        seller.store, product=product, kind="exchange", exchange_to="블랙 / L"
    )
    case_id = approve(seller, claim)["return_case_id"]
    pickup_arrives(case_id)
    post(seller, case_id, "inspect", {"passed": True})
    post(seller, case_id, "restock", {})
    post(
        seller,
        case_id,
        "replacement",
        {"carrier": "cj", "tracking_number": "6123-4567-8901"},
        status=409,
        code="out_of_stock",
    )
    d = post(seller, case_id, "convert", {"reason": "옵션 품절"})
    assert (
        d["kind"],
        d["status"],
        d["claim"]["kind"],
        d["claim"]["status"],
        d["claim"]["refund_amount"],
    ) == ("return", "completed", "return", "completed", 23000)
    assert refunded(order) == 23000


def test_refund_at_approval_when_the_store_does_not_inspect_first(seller):
    from kkot.fulfillment.returns import return_policy_update

    return_policy_update(
        store=seller.store, actor=seller.user, inspect_before_refund=False, pickup_carrier="hanjin"
    )
    order, claim = delivered_with_return(seller.store, qty=2, claim_qty=1)
    body = approve(seller, claim)
    assert (body["status"], body["refund_amount"], body["return_shipping_fee"], body["refund_pending"]) == (
        "completed",
        23000,
        6000,
        False,
    )
    assert body["pickup_carrier"] == "hanjin" and refunded(order) == 23000
    d = seller.call("GET", f"{BASE}/returns/{body['return_case_id']}").json()
    assert (d["status"], d["inspect_before_refund"]) == ("pickup_requested", False)
    pickup_arrives(body["return_case_id"])
    post(seller, body["return_case_id"], "inspect", {"passed": True})
    d = post(seller, body["return_case_id"], "restock", {})
    assert d["status"] == "completed" and refunded(order) == 23000  # refunded once


def test_failed_pickup_is_requested_again(seller):
    case = return_case_in(seller.store, "pickup_failed")
    first = case.pickup.tracking_number
    post(seller, case.pk, "pickup-retry", {"carrier": "nope"}, status=400, code="unknown_carrier")
    d = post(seller, case.pk, "pickup-retry", {})
    assert d["status"] == "pickup_requested" and d["pickup"]["tracking_number"] != first
    assert [p["tracking_number"] for p in d["pickups"]] == [first, d["pickup"]["tracking_number"]]
    post(seller, case.pk, "pickup-retry", {}, status=409, code="illegal_transition")


@pytest.mark.parametrize(
    "step,body",
    [
        ("inspect", {}),
        ("inspect", {"passed": "maybe"}),
        ("inspect", {"passed": True, "extra": 1}),
        ("inspect", {"passed": True, "note": "가" * 301}),
        ("restock", {"warehouse_id": 0}),
        ("restock", {"warehouse_id": "1"}),
        ("dispose", {}),
        ("replacement", {"carrier": "cj"}),
    ],
)
def test_bad_input_is_422_and_changes_nothing(seller, step, body):
    case = return_case_in(seller.store, "arrived")
    post(seller, case.pk, step, body, status=422, code="invalid_request")


def test_another_stores_case_is_404_everywhere(seller, other):
    theirs = return_case_in(other.store, "passed")
    before = db_snapshot()
    for step, body in (
        ("inspect", {"passed": True}),
        ("restock", {}),
        ("dispose", {"reason": "x"}),
        ("reject", {"reason": "x"}),
        ("pickup-retry", {}),
        ("convert", {}),
        ("replacement", {"carrier": "cj", "tracking_number": "6123-4567-8901"}),
    ):
        r = seller.call("POST", f"{BASE}/returns/{theirs.pk}/{step}", body)
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), (step, r.content)
    for path in (
        f"{BASE}/returns/{theirs.pk}",
        f"{BASE}/returns/999999",
        "/api/v1/seller/stores/bravo/returns",
    ):
        r = seller.call("GET", path)
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), path
    assert seller.call("GET", f"{BASE}/returns").json()["items"] == []
    assert db_snapshot() == before
    # their store's warehouse is not ours either
    mine = return_case_in(seller.store, "passed")
    wh = warehouse_create(store=other.store, actor=other.user, name="남의 창고", code="x", kind="fc")
    post(seller, mine.pk, "restock", {"warehouse_id": wh.pk}, status=404, code="not_found")


def test_viewer_reads_cases_but_cannot_move_them(seller):
    from kkot.accounts.services import api_token_create
    from kkot.stores.services import staff_add

    case = return_case_in(seller.store, "arrived")
    viewer = make_user()
    staff_add(store=seller.store, actor=seller.user, email=viewer.email, role="viewer")
    _t, raw = api_token_create(user=viewer, store=seller.store, name="viewer")
    assert call(Client(), "GET", f"{BASE}/returns/{case.pk}", token=raw).status_code == 200
    before = db_snapshot()
    r = call(Client(), "POST", f"{BASE}/returns/{case.pk}/inspect", {"passed": True}, token=raw)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    _order, claim = delivered_with_return(seller.store)
    before = db_snapshot()
    r = call(Client(), "POST", f"{BASE}/claims/{claim.pk}/approve", {}, token=raw)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert db_snapshot() == before and Claim.objects.get(pk=claim.pk).status == "requested"
