"""무통장입금: a virtual account per payment with a deposit deadline. The bank's deposit notification
arrives as a signed ``deposit.received`` webhook; unpaid orders are cancelled by a task after the deadline."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kkot.orders.payments.base import ChargeResult, PaymentProvider, RefundResult

BANKS = ["국민은행", "신한은행", "우리은행", "하나은행", "농협은행", "기업은행"]


class BankTransferProvider(PaymentProvider):
    code = "bank_transfer"
    name = gettext_lazy("무통장입금 (가상계좌)")  # read per request, in its language
    fee_rate = Decimal("0.01")

    def charge(self, *, payment, params: dict[str, Any]) -> ChargeResult:
        h = hashlib.sha256(payment.idempotency_key.encode()).hexdigest()
        bank = BANKS[int(h[:2], 16) % len(BANKS)]
        account = f"{int(h[2:8], 16) % 900 + 100}-{int(h[8:14], 16) % 900000 + 100000}-{int(h[14:18], 16) % 90 + 10}"
        deadline = timezone.now() + timedelta(hours=settings.KKOT_DEPOSIT_HOURS)
        vbank = _("가상계좌")  # outside the f-string, where makemessages can see it
        return ChargeResult(status="pending", provider_ref="vb_" + h[:24], method_label=f"{bank} {vbank}",
                            vbank_name=bank, vbank_account=account, vbank_holder="kkot(꽃)", deposit_deadline=deadline)

    def refund(self, *, payment, amount: Decimal, idempotency_key: str) -> RefundResult:
        return RefundResult(provider_ref="vbr_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24])
