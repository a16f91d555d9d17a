"""Payment provider webhooks: no token, no CSRF, authenticated by an HMAC signature over the raw body."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from ninja import Router

from kkot.api.schemas.common import ErrorOut
from kkot.api.schemas.orders import WebhookOut
from kkot.core.errors import ValidationError
from kkot.orders.services.payments import payment_webhook_receive

router = Router(tags=["결제"])

WEBHOOK_DESCRIPTION = """\
결제대행사(PG)나 은행이 결제 결과를 알리는 주소입니다. 인증 토큰 없이 서명으로 확인합니다.

**서명**: `X-Kkot-Signature` 헤더에 요청 본문 바이트 그대로의 HMAC-SHA256을 16진수(소문자 64자)로 넣습니다.
키는 서버 설정 `KKOT_PAYMENT_WEBHOOK_SECRET`입니다. 본문을 다시 직렬화하지 말고 받은 바이트로 계산합니다.

```
X-Kkot-Signature: hex(hmac_sha256(secret, body))
```

**본문** (JSON):

| 항목 | 뜻 |
|---|---|
| `id` | 이벤트 id (문자열, 공급자 안에서 유일). 같은 id가 다시 오면 아무것도 바꾸지 않고 `duplicate` |
| `type` | `payment.approved`, `payment.failed`, `payment.cancelled`, `deposit.received` (가상계좌 입금) |
| `payment_ref` | 결제 요청 때 공급자가 준 참조 (예: `tc_...`, `vb_...`) |
| `amount` | 금액 (원, 정수, 선택). 결제 금액과 다르면 반영하지 않고 `amount_mismatch` |

예: `{"id": "ev_20240501_0001", "type": "deposit.received", "payment_ref": "vb_3f2a...", "amount": 32000}`

**응답**: 서명이 맞는 이벤트는 한 번만 저장되고 200 `{"outcome": ...}`을 돌려줍니다. PG는 200을 받으면
재전송을 멈추면 됩니다. outcome: `paid`, `failed`, `duplicate`(재전송), `already_paid`, `ignored_<결제상태>`
(순서가 뒤바뀐 이벤트, 예: 결제완료 뒤 도착한 `payment.cancelled` -> `ignored_paid`), `ignored_kind`,
`unknown_payment`, `amount_mismatch`, `late_payment_refund_required`(기한이 지난 입금: 전액 환불).

서명이 틀리면 400 `bad_signature`, 본문이 이벤트 형식이 아니면 400 `malformed`, 모르는 공급자는 400
`unknown_provider`: 이때는 아무것도 저장하지 않습니다. 공급자 코드: `test_card`, `bank_transfer`.
"""

EVENT_SCHEMA = {
    "type": "object",
    "required": ["id", "type", "payment_ref"],
    "properties": {
        "id": {"type": "string", "description": "이벤트 id (재전송 시 같은 값)"},
        "type": {"type": "string", "enum": ["payment.approved", "payment.failed", "payment.cancelled",
                                            "deposit.received"]},
        "payment_ref": {"type": "string", "description": "공급자의 결제 참조"},
        "amount": {"type": "integer", "description": "원 (KRW, 정수)"},
    },
}


@router.post("/webhooks/{provider}", response={200: WebhookOut, 400: ErrorOut, 413: ErrorOut},
             summary="결제 웹훅 수신", description=WEBHOOK_DESCRIPTION,
             openapi_extra={
                 "parameters": [{"in": "header", "name": "X-Kkot-Signature", "required": True,
                                 "schema": {"type": "string"}, "description": "본문의 HMAC-SHA256 (hex)"}],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": EVENT_SCHEMA}}},
             })
def payment_webhook(request, provider: str):
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise ValidationError(_("요청 본문이 너무 큽니다."), code="payload_too_large", status=413) from exc
    return {"outcome": payment_webhook_receive(provider=provider, headers=dict(request.headers), body=body)}
