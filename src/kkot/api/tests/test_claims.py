"""Seller claim endpoints (approve, reject a return): refunds, exact codes for bad input and resolved claims, and
"nothing changed" checks (database snapshots) for each refusal."""

from __future__ import annotations

import pytest

from kkot.api.tests.helpers import BASE, complete_return, db_snapshot, delivered_with_return
from kkot.fulfillment.models import ReturnCase
from kkot.orders.models import (
    Payment,
)

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------- claims


def test_approve_a_change_of_mind_return_refunds_minus_return_shipping(seller):
    order, claim = delivered_with_return(seller.store, qty=2, claim_qty=1)
    # 2 x 29,000 = 58,000 >= 50,000: shipped free, so the shopper pays the round trip 2 x 3,000
    r = seller.call("POST", f"{BASE}/claims/{claim.pk}/approve")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["id"], body["kind"], body["status"], body["status_label"]) == (
        claim.pk,
        "return",
        "approved",
        "승인",
    )
    assert body["resolved_at"].endswith("+09:00")
    case = ReturnCase.objects.get(claim=claim)
    assert (
        body["return_case_id"],
        body["pickup_carrier"],
        body["pickup_tracking_number"],
        body["refund_pending"],
    ) == (case.pk, "cj", case.pickup.tracking_number, True)
    assert (
        body["refund_amount"],
        order.lines.get().returned_qty,
        Payment.objects.get(purchase=order.purchase).refunded,
    ) == (0, 0, 0)
    claim_body = complete_return(seller, case.pk)["claim"]
    assert (claim_body["status"], claim_body["refund_amount"], claim_body["return_shipping_fee"]) == (
        "completed",
        29000 - 6000,
        6000,
    )
    assert order.lines.get().returned_qty == 1
    assert Payment.objects.get(purchase=order.purchase).refunded == 23000

    before = db_snapshot()
    for path, payload in (
        (f"{BASE}/claims/{claim.pk}/approve", {}),
        (f"{BASE}/claims/{claim.pk}/reject", {"reason": "늦었어요"}),
    ):
        r = seller.call("POST", path, payload)
        assert (r.status_code, r.json()["code"]) == (409, "claim_resolved"), r.content
    assert db_snapshot() == before


def test_reject_a_return(seller):
    order, claim = delivered_with_return(seller.store)
    r = seller.call("POST", f"{BASE}/claims/{claim.pk}/reject", {"reason": "  사용 흔적이 있습니다.  "})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["reject_reason"], r.json()["refund_amount"]) == (
        "rejected",
        "사용 흔적이 있습니다.",
        0,
    )
    assert Payment.objects.get(purchase=order.purchase).refunded == 0
    r = seller.call("POST", f"{BASE}/claims/{claim.pk}/approve")
    assert (r.status_code, r.json()["code"]) == (409, "claim_resolved")


@pytest.mark.parametrize(
    "payload,status,code",
    [
        ({"reason": ""}, 400, "reason_required"),
        ({"reason": "   "}, 400, "reason_required"),
        ({}, 422, "invalid_request"),
        ({"reason": "가" * 301}, 422, "invalid_request"),
        ({"reason": None}, 422, "invalid_request"),
    ],
)
def test_bad_reject_input_changes_nothing(seller, payload, status, code):
    _order, claim = delivered_with_return(seller.store)
    before = db_snapshot()
    r = seller.call("POST", f"{BASE}/claims/{claim.pk}/reject", payload)
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert db_snapshot() == before


def test_unknown_claim_is_404(seller):
    r = seller.call("POST", f"{BASE}/claims/999999/approve")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
