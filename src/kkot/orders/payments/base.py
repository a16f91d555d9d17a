"""The payment provider interface.

A provider (PG adapter) turns kkot's requests into calls to a payment company and its notifications into
:class:`WebhookEvent` objects. kkot owns the state: it records a :class:`~kkot.orders.models.Payment` with an
idempotency key *before* calling the provider, applies results in one transaction, and stores every webhook
once (``PaymentWebhookEvent`` unique on provider + event id), so retries and replays change nothing.

To add a real PG (e.g. Toss Payments, KG Inicis, NICE):
1. Subclass :class:`PaymentProvider`, set ``code``/``name``/``fee_rate``.
2. ``charge``: authorise and capture ``payment.amount`` using ``payment.idempotency_key`` as the PG's
   idempotency key; return ``ChargeResult(status="approved"|"declined"|"pending"|"timeout", ...)``.
   "pending" means the money arrives later (virtual account); "timeout" means the outcome is unknown and a
   webhook or a status query will settle it (the stock stays reserved until then or until the deadline).
3. ``refund``: refund ``amount`` (partial allowed) with the given idempotency key.
4. ``parse_webhook``: verify the signature (raise ``ProviderError("bad_signature")``) and return the event.
5. Register it in ``KKOT_PAYMENT_PROVIDERS`` (settings) by dotted path.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


class ProviderError(Exception):
    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code
        self.message = message or code


@dataclass(frozen=True)
class ChargeResult:
    status: str  # approved | declined | pending | timeout
    provider_ref: str = ""
    method_label: str = ""
    failure_code: str = ""
    failure_message: str = ""
    vbank_name: str = ""
    vbank_account: str = ""
    vbank_holder: str = ""
    deposit_deadline: datetime | None = None


@dataclass(frozen=True)
class RefundResult:
    provider_ref: str


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    kind: str  # payment.approved | payment.failed | deposit.received | payment.cancelled
    provider_ref: str
    amount: Decimal | None
    payload: dict[str, Any]


class PaymentProvider:
    code = "base"
    name = ""
    fee_rate = Decimal("0")

    def charge(self, *, payment, params: dict[str, Any]) -> ChargeResult:
        raise NotImplementedError

    def refund(self, *, payment, amount: Decimal, idempotency_key: str) -> RefundResult:
        raise NotImplementedError

    def parse_webhook(self, *, headers: dict[str, str], body: bytes) -> WebhookEvent:
        verify_signature(headers, body)
        try:
            data = json.loads(body, parse_constant=_no_constant, parse_float=_finite_float)
            amount = data.get("amount")
            event = WebhookEvent(event_id=str(data["id"]), kind=str(data["type"]), provider_ref=str(data["payment_ref"]),
                                 amount=Decimal(str(amount)) if amount is not None else None, payload=data)
            # what cannot be stored (too long for the columns, NUL characters) is malformed, not a server error
            if (not 0 < len(event.event_id) <= 64 or not 0 < len(event.kind) <= 30 or len(event.provider_ref) > 64
                    or "\\u0000" in json.dumps(data)):
                raise ValueError("event fields out of range")
            return event
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
            raise ProviderError("malformed", "webhook body is not a valid event") from exc

    def fee(self, amount: Decimal) -> Decimal:
        from kkot.orders.pricing import won

        return won(amount * self.fee_rate)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def webhook_secret() -> bytes:
    return settings.KKOT_PAYMENT_WEBHOOK_SECRET.encode()


def sign(body: bytes, secret: bytes | None = None) -> str:
    return hmac.new(secret or webhook_secret(), body, hashlib.sha256).hexdigest()


def verify_signature(headers: dict[str, str], body: bytes) -> None:
    given = headers.get("X-Kkot-Signature") or headers.get("HTTP_X_KKOT_SIGNATURE") or ""
    if not hmac.compare_digest(given, sign(body)):
        raise ProviderError("bad_signature", "webhook signature does not match")


@cache
def providers() -> dict[str, PaymentProvider]:
    out = {}
    for path in settings.KKOT_PAYMENT_PROVIDERS:
        p = import_string(path)()
        out[p.code] = p
    return out


def get_provider(code: str) -> PaymentProvider:
    try:
        return providers()[code]
    except KeyError:
        raise ProviderError("unknown_provider", f"unknown payment provider {code!r}") from None
