"""Carrier tracking webhooks: no token, no CSRF, authenticated by an HMAC signature over the raw body."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kkot.api.schemas.common import ErrorOut
from kkot.core.errors import ValidationError
from kkot.fulfillment.services import tracking_webhook_receive

router = Router(tags=["배송"])

DESCRIPTION = """\
택배사가 배송 단계를 알리는 주소입니다. `X-Kkot-Signature`: 본문 바이트의 HMAC-SHA256(hex), 키는
`KKOT_CARRIER_WEBHOOK_SECRET`. 본문: `{"id", "tracking_number", "event", "occurred_at", "location"}`,
event는 `picked_up`(집하), `hub_in`(간선상차), `hub_out`(간선하차), `out_for_delivery`(배송출발),
`delivered`(배송완료), `failed`(미배달/반송). occurred_at은 시간대가 있는 ISO 8601.

응답 200 `{"outcome"}`: `applied`, `duplicate`(같은 id 재전송), `duplicate_event`(같은 단계·시각).
서명이 틀리면 400 `bad_signature`, 형식 오류 400 `malformed`, 모르는 택배사 400 `unknown_carrier`,
등록되지 않은 송장 404 `unknown_shipment`: 이때는 아무것도 저장하지 않습니다.
"""


class CarrierWebhookOut(Schema):
    outcome: str


@router.post("/webhooks/{carrier}", response={200: CarrierWebhookOut, 400: ErrorOut, 404: ErrorOut, 413: ErrorOut},
             summary="택배사 배송 이벤트 웹훅", description=DESCRIPTION)
def carrier_webhook(request, carrier: str):
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise ValidationError(_("요청 본문이 너무 큽니다."), code="payload_too_large", status=413) from exc
    return {"outcome": tracking_webhook_receive(carrier=carrier, headers=dict(request.headers), body=body)}
