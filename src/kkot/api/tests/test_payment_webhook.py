"""The payment webhook: a deposit pays once, replays and out-of-order events are ignored, forged or broken
requests store nothing (database snapshots)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kkot.api.main import api
from kkot.api.tests.helpers import buy, db_snapshot, status_of
from kkot.core.testing import make_product, make_user
from kkot.orders.models import (
    OrderStatus,
    Payment,
    PaymentStatus,
    PaymentWebhookEvent,
)
from kkot.orders.payments import sign
from kkot.orders.tests.factories import TIMEOUT, place, variant

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/payments/webhooks/"


# ------------------------------------------------------------------------------------------ webhook


def hook(
    provider: str, event: dict | bytes, *, secret: bytes | None = None, client: Client | None = None, **extra
):
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    return (client or Client()).post(
        WEBHOOK + provider,
        body,
        content_type="application/json",
        HTTP_X_KKOT_SIGNATURE=sign(body, secret),
        **extra,
    )


def _vbank_order(store):
    purchase = place(
        make_user(),
        [(variant(make_product(store=store, code="VB"), "블랙 / M").pk, 1)],
        provider="bank_transfer",
        params={},
    )
    return purchase.orders.get(), Payment.objects.get(purchase=purchase)


def test_deposit_webhook_pays_once_and_a_replay_is_a_duplicate(seller):
    order, payment = _vbank_order(seller.store)
    assert order.status == OrderStatus.PENDING_PAYMENT
    event = {
        "id": "ev-1",
        "type": "deposit.received",
        "payment_ref": payment.provider_ref,
        "amount": int(payment.amount),
    }
    # a real PG posts without any CSRF token or cookie
    r = hook("bank_transfer", event, client=Client(enforce_csrf_checks=True))
    assert (r.status_code, r.json()) == (200, {"outcome": "paid"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    after_first = db_snapshot()
    r = hook("bank_transfer", event)
    assert (r.status_code, r.json()) == (200, {"outcome": "duplicate"})
    assert db_snapshot() == after_first
    assert PaymentWebhookEvent.objects.get().outcome == "paid"


def test_out_of_order_cancel_after_paid_is_ignored(seller):
    order, payment = _vbank_order(seller.store)
    ref = payment.provider_ref
    assert hook("bank_transfer", {"id": "ev-2", "type": "deposit.received", "payment_ref": ref}).json() == {
        "outcome": "paid"
    }
    r = hook("bank_transfer", {"id": "ev-1", "type": "payment.cancelled", "payment_ref": ref})
    assert (r.status_code, r.json()) == (200, {"outcome": "ignored_paid"})
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.PAID, PaymentStatus.PAID)
    assert order.events.filter(to_status="cancelled").count() == 0


def test_card_timeout_settled_by_webhook(seller):
    order = buy(seller.store, params=TIMEOUT)
    payment = Payment.objects.get(purchase=order.purchase)
    r = hook("test_card", {"id": "tc-1", "type": "payment.failed", "payment_ref": payment.provider_ref})
    assert r.json() == {"outcome": "failed"}
    assert status_of(order) == OrderStatus.CANCELLED
    r = hook("test_card", {"id": "tc-2", "type": "payment.approved", "payment_ref": payment.provider_ref})
    assert r.json() == {"outcome": "late_payment_refund_required"}


@pytest.mark.parametrize(
    "case,status,code",
    [
        ("forged", 400, "bad_signature"),
        ("unsigned", 400, "bad_signature"),
        ("signature_of_other_body", 400, "bad_signature"),
        ("malformed_json", 400, "malformed"),
        ("missing_field", 400, "malformed"),
        ("bad_amount", 400, "malformed"),
        ("unknown_provider", 400, "unknown_provider"),
    ],
)
def test_forged_or_broken_webhook_stores_nothing(seller, case, status, code):
    order, payment = _vbank_order(seller.store)
    event = {"id": "ev-x", "type": "deposit.received", "payment_ref": payment.provider_ref}
    body = json.dumps(event).encode()
    before = db_snapshot()
    if case == "forged":
        r = hook("bank_transfer", event, secret=b"guessed-secret")
    elif case == "unsigned":
        r = Client().post(WEBHOOK + "bank_transfer", body, content_type="application/json")
    elif case == "signature_of_other_body":
        r = Client().post(
            WEBHOOK + "bank_transfer",
            body.replace(b"ev-x", b"ev-y"),
            content_type="application/json",
            HTTP_X_KKOT_SIGNATURE=sign(body),
        )
    elif case == "malformed_json":
        r = hook("bank_transfer", b"{not json")
    elif case == "missing_field":
        r = hook("bank_transfer", {"id": "ev-x", "type": "deposit.received"})
    elif case == "bad_amount":
        r = hook("bank_transfer", dict(event, amount="많이"))
    else:
        r = hook("paypal", event)
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert r.json()["message"]
    assert not PaymentWebhookEvent.objects.exists()
    assert db_snapshot() == before
    assert status_of(order) == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b'"event"',
        json.dumps({"id": "x" * 65, "type": "payment.approved", "payment_ref": "r"}).encode(),
        json.dumps({"id": "", "type": "payment.approved", "payment_ref": "r"}).encode(),
        json.dumps({"id": "a", "type": "t" * 31, "payment_ref": "r"}).encode(),
        json.dumps({"id": "a", "type": "payment.approved", "payment_ref": "r" * 65}).encode(),
        b'{"id": "a", "type": "payment.approved", "payment_ref": "r", "amount": 1e400}',
        b'{"id": "a", "type": "payment.approved", "payment_ref": "r", "amount": NaN}',
        b'{"id": "a", "type": "payment.approved", "payment_ref": "r", "note": Infinity}',
        b'{"id": "a", "type": "payment.approved", "payment_ref": "r", "amount": true}',
    ],
)
def test_signed_but_unstorable_event_is_malformed_not_a_server_error(body):
    """A correctly signed body that is not an event kkot can store (list, over-long id, infinite amount, NaN)
    is 400 malformed on SQLite and PostgreSQL alike, and stores nothing."""
    r = hook("test_card", body)
    assert (r.status_code, r.json()["code"]) == (400, "malformed"), r.content
    assert not PaymentWebhookEvent.objects.exists()


def test_nul_character_in_webhook_body_is_refused():
    body = b'{"id": "a\\u0000", "type": "payment.approved", "payment_ref": "r"}'
    r = hook("test_card", body)
    assert r.status_code in (400, 422) and r.json()["code"] in ("malformed", "invalid_request"), r.content
    assert not PaymentWebhookEvent.objects.exists()


def test_webhook_only_accepts_post():
    r = Client().get(WEBHOOK + "test_card")
    assert (r.status_code, r.json()["code"]) == (405, "method_not_allowed")


def test_webhook_is_documented():
    op = api.get_openapi_schema()["paths"]["/api/v1/payments/webhooks/{provider}"]["post"]
    assert "security" not in op and op["tags"] == ["결제"]
    assert "X-Kkot-Signature" in op["description"] and "HMAC-SHA256" in op["description"]
    props = op["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert set(props) == {"id", "type", "payment_ref", "amount"} and props["amount"]["type"] == "integer"
    assert any(p["name"] == "X-Kkot-Signature" and p["in"] == "header" for p in op["parameters"])
    assert {str(k) for k in op["responses"]} >= {"200", "400"}
