"""A test card provider that behaves like a real PG, deterministically by card number (for demos and tests).

- 4242 4242 4242 4242 and any other Luhn-valid number: approved
- 4000 0000 0000 0002: declined (잔액 부족)
- 4000 0000 0000 0069: declined (유효기간 만료)
- 4000 0000 0000 0119: timeout (no answer; settled later by a ``payment.approved``/``payment.failed`` webhook)
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kkot.orders.payments.base import ChargeResult, PaymentProvider, ProviderError, RefundResult

DECLINES = {
    "4000000000000002": ("insufficient_funds", gettext_lazy("잔액이 부족합니다.")),
    "4000000000000069": ("expired_card", gettext_lazy("유효기간이 지난 카드입니다.")),
}
TIMEOUT = "4000000000000119"


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


class TestCardProvider(PaymentProvider):
    __test__ = False  # not a pytest class
    code = "test_card"
    name = gettext_lazy("신용/체크카드 (테스트)")  # read per request, in its language
    fee_rate = Decimal("0.033")

    def charge(self, *, payment, params: dict[str, Any]) -> ChargeResult:
        number = re.sub(r"[\s-]", "", str(params.get("card_number", "")))
        if not re.fullmatch(r"\d{15,16}", number) or not luhn_ok(number):
            raise ProviderError("card_invalid", _("카드 번호가 올바르지 않습니다."))
        ref = "tc_" + hashlib.sha256(payment.idempotency_key.encode()).hexdigest()[:24]
        label = _("카드 ****%(last4)s") % {"last4": number[-4:]}
        if number == TIMEOUT:
            return ChargeResult(status="timeout", provider_ref=ref, method_label=label)
        if number in DECLINES:
            code, msg = DECLINES[number]
            return ChargeResult(status="declined", provider_ref=ref, method_label=label, failure_code=code,
                                failure_message=str(msg))
        return ChargeResult(status="approved", provider_ref=ref, method_label=label)

    def refund(self, *, payment, amount: Decimal, idempotency_key: str) -> RefundResult:
        return RefundResult(provider_ref="tcr_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24])
