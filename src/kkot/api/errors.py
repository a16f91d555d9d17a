"""One JSON error shape for the whole API: ``{"code", "message", "details"}`` with a Korean message.

Domain errors (:class:`kkot.core.errors.KkotError`) keep their own code and status; ninja's request
validation becomes ``invalid_request`` (422), a body that is not JSON ``invalid_json`` (400), a missing or
bad token ``unauthorized`` (401), an unknown path or id ``not_found`` (404), a wrong method
``method_not_allowed`` (405). Nothing else leaks out as HTML.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kkot.core.errors import KkotError

logger = logging.getLogger("kkot.api")


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


# Korean messages for the pydantic error types a client is most likely to hit.
_FIELD_MESSAGES = {
    "missing": N_("필수 항목입니다."),
    "int_type": N_("정수를 입력해 주세요(금액은 소수점 없는 원 단위 정수)."),
    "int_parsing": N_("정수를 입력해 주세요."),
    "int_from_float": N_("소수점 없는 정수를 입력해 주세요."),
    "float_parsing": N_("숫자를 입력해 주세요."),
    "bool_type": N_("true 또는 false로 입력해 주세요."),
    "bool_parsing": N_("true 또는 false로 입력해 주세요."),
    "string_type": N_("문자열을 입력해 주세요."),
    "string_too_long": N_("입력이 너무 깁니다."),
    "string_too_short": N_("값을 입력해 주세요."),
    "too_long": N_("항목이 너무 많습니다."),
    "greater_than_equal": N_("값이 너무 작습니다."),
    "less_than_equal": N_("값이 너무 큽니다."),
    "literal_error": N_("허용되지 않는 값입니다."),
    "enum": N_("허용되지 않는 값입니다."),
    "list_type": N_("목록(배열)으로 입력해 주세요."),
    "dict_type": N_("객체로 입력해 주세요."),
    "model_type": N_("객체로 입력해 주세요."),
    "model_attributes_type": N_("객체로 입력해 주세요."),
    "extra_forbidden": N_("알 수 없는 항목입니다."),
    "datetime_parsing": N_("날짜·시각 형식이 올바르지 않습니다(ISO 8601)."),
    "datetime_type": N_("날짜·시각 형식이 올바르지 않습니다(ISO 8601)."),
    "datetime_from_date_parsing": N_("날짜·시각 형식이 올바르지 않습니다(ISO 8601)."),
    "time_parsing": N_("시각 형식이 올바르지 않습니다(HH:MM)."),
    "time_type": N_("시각 형식이 올바르지 않습니다(HH:MM)."),
    "json_invalid": N_("JSON 형식이 올바르지 않습니다."),
    "value_error": N_("값이 올바르지 않습니다."),
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details}


def json_error(code: str, message: str, status: int, details: Any = None, **headers: str) -> JsonResponse:
    resp = JsonResponse(error_body(code, message, details), status=status, json_dumps_params={"ensure_ascii": False})
    for k, v in headers.items():
        resp[k.replace("_", "-")] = v
    return resp


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        etype = err.get("type", "")
        loc = [p for p in err.get("loc", []) if p not in ("data", "payload", "filters", "params")]
        out.append({
            "loc": [_jsonable(p) for p in loc],
            "type": etype,
            "message": _(_FIELD_MESSAGES[etype]) if etype in _FIELD_MESSAGES else str(err.get("msg", "")),
        })
    return out


def install(api) -> None:
    """Register the handlers on a NinjaAPI (replaces ninja's defaults)."""

    def create(request: HttpRequest, status: int, body: dict, **headers: str) -> HttpResponse:
        resp = api.create_response(request, body, status=status)
        for k, v in headers.items():
            resp[k.replace("_", "-")] = v
        return resp

    @api.exception_handler(KkotError)
    def kkot_error(request, exc: KkotError):
        return create(request, exc.status, error_body(exc.code, exc.message, exc.details))

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request, exc: NinjaValidationError):
        return create(request, 422, error_body(
            "invalid_request", _("요청 형식이 올바르지 않습니다."), validation_details(exc.errors)))

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        return create(request, 401, error_body(
            "unauthorized", _("인증이 필요합니다. 'Authorization: Bearer kk_...' 헤더에 유효한 API 토큰을 넣어 주세요.")),
            WWW_Authenticate="Bearer")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return create(request, 404, error_body("not_found", _("요청한 대상을 찾을 수 없습니다.")))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400 and isinstance(exc.__cause__, RequestDataTooBig):
            return create(request, 413, error_body("payload_too_large", _("요청 본문이 너무 큽니다.")))
        if exc.status_code == 400:
            return create(request, 400, error_body("invalid_json", _("요청 본문(JSON)을 해석할 수 없습니다.")))
        code, message = STATUS_CODES.get(exc.status_code, ("error", _("요청을 처리할 수 없습니다.")))
        return create(request, exc.status_code, error_body(code, _(message)))

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception):
        logger.exception("API error on %s %s", request.method, request.path)
        return create(request, 500, error_body("server_error", _("서버 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.")))


STATUS_CODES = {
    401: ("unauthorized", N_("인증이 필요합니다.")),
    403: ("forbidden", N_("이 작업을 할 권한이 없습니다.")),
    404: ("not_found", N_("요청한 대상을 찾을 수 없습니다.")),
    405: ("method_not_allowed", N_("허용되지 않는 요청 방식입니다.")),
    413: ("payload_too_large", N_("요청 본문이 너무 큽니다.")),
    429: ("throttled", N_("요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.")),
}


def not_found_view(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Catch-all for /api/... paths that match no route (and ids refused by the path converter)."""
    return json_error("not_found", _("요청한 대상을 찾을 수 없습니다."), 404)


def method_not_allowed(allowed: str) -> JsonResponse:
    return json_error("method_not_allowed", _("허용되지 않는 요청 방식입니다."), 405, Allow=allowed)
