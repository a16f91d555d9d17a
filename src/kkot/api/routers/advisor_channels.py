"""Custom inflow channels API (tag "분석", issue 8), under ``/api/v1/seller/stores/{slug}/advisor/channels``:
list the store's channels with their tracking link and numbers for a period, and create one.

A channel is 채널 / 그룹 / 이름 / 상세 plus a short code; the tracking link is the store page with ``?kin=<code>``.
Bad input stores nothing: empty or overlong fields and a malformed code are 400 ``inflow_channel_invalid``
(``details`` names each field), a code the store already uses is 400 ``duplicate_code``."""

from __future__ import annotations

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from kkot.advisor import selectors as adv
from kkot.advisor.custom_channels import custom_channel_stats
from kkot.api.auth import seller_store, seller_token
from kkot.api.schemas.advisor import RangeParams
from kkot.api.schemas.common import SELLER_ERRORS
from kkot.events import inflow
from kkot.stores.models import StoreMembership
from kkot.stores.services import require_role

router = Router(auth=seller_token, tags=["분석"])
BASE = "/stores/{kkslug:slug}/advisor/channels"


class InflowChannelIn(Schema):
    code: str = Field(..., max_length=100, description="영문 소문자·숫자·-·_ 2~20자, 스토어 안에서 유일")
    channel: str = Field(..., max_length=200, description="채널 (예: 인스타그램), 40자까지")
    group: str = Field(..., max_length=200, description="그룹 (예: SNS), 40자까지")
    name: str = Field(..., max_length=200, description="이름 (예: 11월 릴스), 60자까지")
    detail: str = Field("", max_length=1000, description="상세 (예: @kkot_store 프로필 링크), 200자까지")


class InflowChannelOut(Schema):
    id: int
    key: str = Field(description="이벤트·유입 채널 분석에서 쓰는 채널 키 (kin:<id>)")
    code: str
    channel: str
    group: str
    name: str
    detail: str
    is_active: bool
    tracking_link: str


class InflowChannelStatsOut(InflowChannelOut):
    visits: int
    orders: int
    conversion: float | None = Field(description="유입당 결제율 = 결제 ÷ 방문 (방문이 없으면 null)")
    revenue: int


class InflowChannelsOut(Schema):
    start: str
    end: str
    channels: list[InflowChannelStatsOut]


def _out(request, slug: str, c) -> dict:
    store_url = request.build_absolute_uri(reverse("storefront:store", args=[slug]))
    return {
        "id": c.pk,
        "key": inflow.custom_channel_key(c.pk),
        "code": c.code,
        "channel": c.channel,
        "group": c.group,
        "name": c.name,
        "detail": c.detail,
        "is_active": c.is_active,
        "tracking_link": inflow.tracking_link(store_url=store_url, code=c.code),
    }


@router.get(
    BASE,
    response={200: InflowChannelsOut, **SELLER_ERRORS},
    summary="맞춤 유입 채널 목록",
    description="스토어가 만든 유입 채널(채널·그룹·이름·상세)과 추적 링크(?kin=코드), 기간의 방문·결제·유입당 "
    "결제율·매출. 결제는 주문 전 7일 안의 마지막 방문 채널에 기여합니다.",
)
def channels_list(request, slug: str, params: Query[RangeParams]):
    store = seller_store(request, slug)
    rng = adv.parse_range(store_id=store.pk, start=params.start, end=params.end)
    rows = custom_channel_stats(store_id=store.pk, start=rng.start, end=rng.end)
    return {
        "start": rng.start.isoformat(),
        "end": rng.end.isoformat(),
        "channels": [
            dict(
                _out(request, slug, r.channel),
                visits=r.visits,
                orders=r.orders,
                conversion=r.conversion,
                revenue=int(r.revenue),
            )
            for r in rows
        ],
    }


@router.post(
    BASE,
    response={201: InflowChannelOut, **SELLER_ERRORS},
    summary="맞춤 유입 채널 만들기",
    description="채널·그룹·이름·상세와 코드로 유입 채널을 만들고 추적 링크를 돌려줍니다. 빈 값·너무 긴 값·잘못된 "
    "코드 400 inflow_channel_invalid, 이미 쓰는 코드 400 duplicate_code. 매니저 이상.",
)
def channels_create(request, slug: str, payload: InflowChannelIn):
    store = seller_store(request, slug)
    require_role(store=store, user=request.auth.user, role=StoreMembership.Role.MANAGER)
    c = inflow.inflow_channel_create(
        store=store,
        code=payload.code,
        channel=payload.channel,
        group=payload.group,
        name=payload.name,
        detail=payload.detail,
    )
    return Status(201, _out(request, slug, c))
