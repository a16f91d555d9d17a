"""The kkot API: one NinjaAPI, routers per domain under /api/v1/, OpenAPI docs at /api/docs.

Swagger UI is served from ninja's own static files (``ninja`` is in INSTALLED_APPS), so the docs
work offline; no CDN is referenced.
"""

from __future__ import annotations

import re

from django.http import HttpResponseNotAllowed
from django.urls import URLPattern, register_converter
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from kkot.api import errors
from kkot.api.routers import (
    advisor,
    advisor_channels,
    assist,
    carriers,
    catalog,
    payments,
    recommendations,
    reviews,
    search,
    seller,
    seller_orders,
    seller_returns,
    stores,
)


class IdConverter:
    """Database ids in paths: 1-18 digits, so an id too big for a bigint is a 404, never a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class SlugConverter:
    """Store addresses as kkot allows them (see kkot.stores.models.SLUG_VALIDATOR); anything else is a 404."""

    regex = "[a-z0-9][a-z0-9-]{1,38}[a-z0-9]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdConverter, "kkid")
register_converter(SlugConverter, "kkslug")


class KoreanJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Korean as is (not \\uXXXX escapes): readable and about a third smaller."""

    json_dumps_params = {"ensure_ascii": False}


class KkotAPI(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern) and not getattr(pattern.callback, "_kkot_guarded", False):
                pattern.callback = _guarded(pattern.callback)
        return urls


_NUL_JSON = re.compile(rb"(?<!\\)\\u0000")


def _has_nul(request) -> bool:
    """NUL characters cannot be stored (PostgreSQL refuses them): refuse them at the door as bad input."""
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, vs in request.GET.lists() for v in vs):
        return True
    if request.content_type == "application/json" and request.method in ("POST", "PUT", "PATCH"):
        try:
            return bool(_NUL_JSON.search(request.body))
        except Exception:  # body too big etc.: the endpoint reports it
            return False
    return False


def _guarded(view):
    """JSON for what ninja answers in plain text (405), and NUL characters refused before any handler."""

    def wrapped(request, *args, **kwargs):
        if _has_nul(request):
            return errors.json_error("invalid_request", _("요청 형식이 올바르지 않습니다."), 422,
                                     [{"loc": [], "type": "nul_character", "message": _("NUL 문자는 쓸 수 없습니다.")}])
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return errors.method_not_allowed(response.get("Allow", ""))
        return response

    for attr in ("csrf_exempt", "__name__", "__module__", "__doc__"):
        if hasattr(view, attr):
            setattr(wrapped, attr, getattr(view, attr))
    wrapped._kkot_guarded = True
    return wrapped


DESCRIPTION = """\
**kkot**(꽃) 스마트스토어 API입니다.

* 공개(인증 없음): 카테고리, 스토어, 상품 목록·상세, 검색 — 스토어프런트 클라이언트용.
* 판매자(토큰): `Authorization: Bearer kk_...` 헤더. 토큰은 발급한 스토어 하나에만 쓸 수 있고,
  다른 스토어 주소나 다른 스토어의 상품 id는 404입니다. 뷰어 역할은 조회만 할 수 있습니다(변경 시 403).
* 금액은 원 단위 정수(소수점 없음), 시각은 ISO 8601(+09:00, 서울).
* 주문(판매자): 주문 목록·상세, 발주확인, 발송처리, 클레임 승인·거부, 정산 내역, 쿠폰 목록.
* 리뷰: 상품 리뷰·요약·상품문의(공개), 내 스토어 리뷰·답글·문의 답변·리뷰 분석(판매자).
* 결제 웹훅: `POST /api/v1/payments/webhooks/{provider}`, 토큰 없이 `X-Kkot-Signature`(본문의 HMAC-SHA256) 서명으로 확인.
* 목록은 `?page=&per_page=`(최대 100)로 나누며 `{"items", "count", "page", "per_page"}`를 돌려줍니다.
* 오류는 `{"code", "message", "details"}`: code는 바뀌지 않는 식별자, message는 한국어 설명입니다.
"""

api = KkotAPI(
    title="kkot API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="kkot_api",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True, "tryItOutEnabled": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=KoreanJSONRenderer(),
)
errors.install(api)

api.add_router("/v1/", catalog.router)
api.add_router("/v1/stores", stores.router)
api.add_router("/v1/search", search.router)
api.add_router("/v1/seller", seller.router)
api.add_router("/v1/seller", seller_orders.router)
api.add_router("/v1/seller", seller_returns.router)
api.add_router("/v1/seller", assist.router)
api.add_router("/v1/payments", payments.router)
api.add_router("/v1/carriers", carriers.router)
api.add_router("/v1/recommendations", recommendations.router)
api.add_router("/v1/", reviews.public_router)  # /v1/stores/{slug}/products/{id}/reviews ...
api.add_router("/v1/seller", reviews.seller_router)
api.add_router("/v1/seller", advisor.router)
api.add_router("/v1/seller", advisor_channels.router)
