"""상품등록 도우미 API (bearer token): image checks per image, suggestions and the seller's decisions, the
search-exposure checklist, the store's products with the most to gain, and the store's assistant settings.

Images uploaded through ``POST .../products/{id}/images`` are checked the same way as in the seller center."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from kkot.api.auth import seller_store, seller_token
from kkot.api.schemas.common import SELLER_ERRORS
from kkot.assist.selectors import image_checks_for, suggestions_for
from kkot.assist.services.checks import settings_for, settings_update
from kkot.assist.services.exposure import product_checklist, store_opportunities
from kkot.assist.services.suggestions import suggestion_decide
from kkot.catalog.services import product_get_for_store
from kkot.core.errors import NotFound
from kkot.stores.models import StoreMembership
from kkot.stores.services import require_role

router = Router(auth=seller_token, tags=["상품등록 도우미"])

STORE = "/stores/{kkslug:slug}"
PRODUCT = STORE + "/products/{kkid:product_id}"


class CheckOut(Schema):
    code: str
    status: str = Field(description="pass / warn / fail / unavailable")
    value: float | None
    value_text: str
    message: str
    fix: str


class ImageChecksOut(Schema):
    image_id: int
    state: str = Field(description="pending / done / error")
    overall: str
    colours: list[dict]
    checks: list[CheckOut]


class SuggestionOut(Schema):
    id: int
    kind: str
    value: str
    label: str
    score: float
    source: str
    model_version: str
    decision: str
    decided_at: str | None = None

    @staticmethod
    def resolve_decided_at(obj):
        return obj.decided_at.isoformat() if obj.decided_at else None


class GainOut(Schema):
    value: float | None = Field(
        description="상품당 판매량의 기대 증가율(0.25 = +25%), 데이터가 부족하면 null"
    )
    text: str
    basis: str


class ChecklistItemOut(Schema):
    code: str
    label: str
    ok: bool
    detail: str
    gain: GainOut | None


class AssistOut(Schema):
    product_id: int
    images: list[ImageChecksOut]
    suggestions: list[SuggestionOut]
    checklist: list[ChecklistItemOut]


class DecisionIn(Schema):
    id: int = Field(description="제안 id")
    accept: bool


class DecisionsIn(Schema):
    decisions: list[DecisionIn] = Field(max_length=50)


class OpportunityOut(Schema):
    product_id: int
    name: str
    score: float
    items: list[ChecklistItemOut]


class AssistSettingsIn(Schema):
    block_publish_on_failed_checks: bool


class AssistSettingsOut(Schema):
    block_publish_on_failed_checks: bool


def _assist(product) -> dict:
    checks = image_checks_for(product=product)
    return {
        "product_id": product.pk,
        "images": [
            {
                "image_id": c.image_id,
                "state": c.state,
                "overall": c.overall,
                "colours": c.colours,
                "checks": c.checks,
            }
            for c in checks.values()
        ],
        "suggestions": suggestions_for(product=product),
        "checklist": product_checklist(product=product),
    }


@router.get(
    PRODUCT + "/assist",
    response={200: AssistOut, **SELLER_ERRORS},
    summary="이미지 검사·추천·노출 체크리스트",
    description="이미지마다 검사 결과(통과/주의/실패/검사 불가, 수치, 고치는 방법)와 색상, 상품의 추천(색상, "
    "카테고리 top-3, 소재·계절·핏·패턴, 태그)과 결정, 검색 노출 체크리스트와 기대 효과.",
)
def product_assist(request, slug: str, product_id: int):
    return _assist(product_get_for_store(store=seller_store(request, slug), product_id=product_id))


@router.post(
    PRODUCT + "/suggestions/decisions",
    response={200: AssistOut, **SELLER_ERRORS},
    summary="추천 수락·거절",
    description="수락한 추천은 상품에 바로 반영됩니다. 하나라도 실패하면 아무것도 바뀌지 않습니다. 매니저 이상.",
)
def suggestions_decide(request, slug: str, product_id: int, payload: DecisionsIn):
    store = seller_store(request, slug)
    product = product_get_for_store(store=store, product_id=product_id)
    require_role(store=store, user=request.auth.user, role=StoreMembership.Role.MANAGER)
    with transaction.atomic():
        for d in payload.decisions:
            s = suggestion_decide(store=store, suggestion_id=d.id, actor=request.auth.user, accept=d.accept)
            if s.product_id != product.pk:
                raise NotFound(_("제안을 찾을 수 없습니다."))
    product.refresh_from_db()
    return _assist(product)


@router.get(
    STORE + "/assist/opportunities",
    response={200: list[OpportunityOut], **SELLER_ERRORS},
    summary="노출 개선 효과가 큰 상품",
    description="체크리스트 항목을 고쳤을 때 기대 효과가 큰 순서(최대 50개).",
)
def opportunities(request, slug: str):
    return [
        {"product_id": o.product.pk, "name": o.product.name, "score": o.score, "items": o.items}
        for o in store_opportunities(store=seller_store(request, slug))
    ]


@router.get(
    STORE + "/assist/settings", response={200: AssistSettingsOut, **SELLER_ERRORS}, summary="도우미 설정 조회"
)
def assist_settings_get(request, slug: str):
    return settings_for(seller_store(request, slug))


@router.put(
    STORE + "/assist/settings",
    response={200: AssistSettingsOut, **SELLER_ERRORS},
    summary="도우미 설정 변경",
    description="block_publish_on_failed_checks: 대표 이미지 검사에 실패한 상품의 판매 시작을 막습니다. 매니저 이상.",
)
def assist_settings_put(request, slug: str, payload: AssistSettingsIn):
    store = seller_store(request, slug)
    return settings_update(
        store=store,
        actor=request.auth.user,
        block_publish_on_failed_checks=payload.block_publish_on_failed_checks,
    )
