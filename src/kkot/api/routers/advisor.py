"""Biz Advisor API (tag "분석"), under ``/api/v1/seller/stores/{slug}/advisor/``: sales, funnel, customers
(k-anonymity applies: cells under 20 customers come back as ``null``), insights, ad campaigns with ROAS, and
campaign/spend writes. The same typed queries as the seller pages answer, so the numbers are identical.

Bad input changes nothing: a reversed or absurd date range is 400 ``date_range_*``; a spend payload over 1 MB is
413 ``payload_too_large`` and over 5,000 rows 422; a row naming another store's campaign is 404 ``not_found``
(the whole batch is refused); any other bad row is 400 ``spend_invalid`` with every row's error."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kkot.advisor import selectors as adv
from kkot.advisor.ads import services as ads
from kkot.advisor.models import Campaign
from kkot.api.auth import seller_store, seller_token
from kkot.api.schemas.advisor import (
    AdsOut,
    CampaignIn,
    CampaignOut,
    CustomersOut,
    FunnelOut,
    InsightsOut,
    RangeParams,
    SalesOut,
    SalesParams,
    SpendIn,
    SpendOut,
)
from kkot.api.schemas.common import SELLER_ERRORS
from kkot.core.errors import KkotError, NotFound
from kkot.stores.models import StoreMembership
from kkot.stores.services import require_role

router = Router(auth=seller_token, tags=["분석"])
BASE = "/stores/{kkslug:slug}/advisor"
MAX_SPEND_BODY = 1024 * 1024


def _rng(store, p: RangeParams):
    return adv.parse_range(store_id=store.pk, start=p.start, end=p.end)


def _totals(t) -> dict:
    return {
        "revenue": int(t.revenue),
        "refunds": int(t.refunds),
        "net": int(t.net),
        "orders": t.orders,
        "refund_count": t.refund_count,
        "aov": int(t.aov),
    }


def _cell(c) -> dict:
    return {"label": c.label, "customers": c.customers, "share": c.share, "note": c.note}


def _writer(request, slug):
    store = seller_store(request, slug)
    require_role(store=store, user=request.auth.user, role=StoreMembership.Role.MANAGER)
    return store


@router.get(
    BASE + "/sales",
    response={200: SalesOut, **SELLER_ERRORS},
    summary="매출 분석",
    description="매출·환불·순매출·주문수·객단가를 일/주/월로, 비교 기간(previous 직전 같은 길이, last_year 작년 "
    "같은 기간)과 함께. 매출은 결제일(서울) 기준, 환불은 환불한 날 기준.",
)
def sales(request, slug: str, params: Query[SalesParams]):
    store = seller_store(request, slug)
    rng = _rng(store, params)
    res = adv.run_query(
        adv.SalesQuery(
            store.pk,
            rng.start,
            rng.end,
            interval=params.interval,
            compare=None if params.compare == "none" else params.compare,
        )
    )
    return {
        "start": rng.start,
        "end": rng.end,
        "totals": _totals(res.totals),
        "points": [{"period": p.period, "totals": _totals(p.totals)} for p in res.points],
        "compare_totals": _totals(res.compare_totals) if res.compare_totals else None,
        "top_products": [
            {
                "product_id": p.product_id,
                "name": p.name,
                "units": p.units,
                "orders": p.orders,
                "revenue": int(p.revenue),
                "views": p.views,
            }
            for p in res.top_products
        ],
    }


def _frow(r) -> dict:
    return {
        "key": r.key,
        "label": r.label,
        "visits": r.visits,
        "pv_sessions": r.pv_sessions,
        "cart_sessions": r.cart_sessions,
        "orders": r.orders,
        "conversion": round(r.conversion, 6),
    }


@router.get(
    BASE + "/funnel",
    response={200: FunnelOut, **SELLER_ERRORS},
    summary="유입·전환 분석",
    description="방문 → 상품 조회 → 장바구니 → 결제 단계와, 유입 채널별·검색어별 유입당 결제율.",
)
def funnel(request, slug: str, params: Query[RangeParams]):
    store = seller_store(request, slug)
    rng = _rng(store, params)
    res = adv.run_query(adv.FunnelQuery(store.pk, rng.start, rng.end))
    return {
        "start": rng.start,
        "end": rng.end,
        "steps": [{"key": s.key, "label": s.label, "count": s.count, "rate": s.rate} for s in res.steps],
        "channels": [_frow(c) for c in res.channels],
        "keywords": [_frow(k) for k in res.keywords],
    }


@router.get(
    BASE + "/customers",
    response={200: CustomersOut, **SELLER_ERRORS},
    summary="고객 분석",
    description="신규·재구매·단골, RFM, 성별·연령(고객이 밝힌 정보), 추정 생활 단계. 20명 미만인 칸은 "
    "customers·share가 null입니다(k-익명성).",
)
def customers(request, slug: str, params: Query[RangeParams]):
    store = seller_store(request, slug)
    rng = _rng(store, params)
    r = adv.run_query(adv.CustomersQuery(store.pk, rng.start, rng.end))
    return {
        "start": rng.start,
        "end": rng.end,
        "k_min": r.k_min,
        "customers": r.customers if r.customers >= r.k_min else None,
        "hidden_cells": r.hidden_cells,
        "new": _cell(r.new),
        "returning": _cell(r.returning),
        "regulars": _cell(r.regulars),
        "rfm": [_cell(c) for c in r.rfm],
        "gender": [_cell(c) for c in r.gender],
        "age": [_cell(c) for c in r.age],
        "life_stage": [_cell(c) for c in r.life_stage],
    }


@router.get(
    BASE + "/insights",
    response={200: InsightsOut, **SELLER_ERRORS},
    summary="인사이트 피드",
    description="근거와 제안이 붙은 발견 사항, 중요한 순서. url은 근거 차트가 있는 판매자센터 페이지.",
)
def insights(request, slug: str, params: Query[RangeParams]):
    from django.urls import reverse

    store = seller_store(request, slug)
    rng = _rng(store, params)
    feed = adv.insights_feed(store_id=store.pk, today=rng.end)
    return {
        "items": [
            {
                "kind": i.kind,
                "score": round(i.score, 2),
                "title": i.title,
                "evidence": i.evidence,
                "advice": i.advice,
                "chart": i.chart,
                "url": reverse(f"sellercenter:advisor_{i.chart}", args=[store.slug])
                + (f"#{i.anchor}" if i.anchor else ""),
            }
            for i in feed.items
        ],
        "notes": feed.notes,
    }


@router.get(
    BASE + "/campaigns",
    response={200: AdsOut, **SELLER_ERRORS},
    summary="광고 캠페인 ROAS",
    description="캠페인·키워드·상품별 광고비, 기여 주문·매출(환불 차감), ROAS(%)와 예산 이동 제안.",
)
def campaigns(request, slug: str, params: Query[RangeParams]):
    store = seller_store(request, slug)
    rng = _rng(store, params)
    res = adv.run_query(adv.AdsQuery(store.pk, rng.start, rng.end))

    def rr(r):
        return {
            "label": r.label,
            "spend": int(r.spend),
            "orders": r.orders,
            "revenue": int(r.revenue),
            "roas": None if r.roas is None else round(r.roas, 2),
        }

    return {
        "start": rng.start,
        "end": rng.end,
        "attribution": _(
            "주문 전 7일(168시간) 안의 같은 고객의 마지막 광고 클릭(?kc=캠페인번호)에 기여, 환불 차감"
        ),
        "campaigns": [
            {
                "campaign_id": c.campaign_id,
                "name": c.label,
                "channel": c.channel,
                "target_roas": c.target_roas,
                "spend": int(c.spend),
                "clicks": c.clicks,
                "orders": c.orders,
                "revenue": int(c.revenue),
                "roas": None if c.roas is None else round(c.roas, 2),
                "status": c.status,
                "budget_limited": c.budget_limited,
            }
            for c in res.campaigns
        ],
        "keywords": [rr(k) for k in res.keywords],
        "products": [rr(p) for p in res.products],
        "advice": [
            {
                "from_campaign_id": m.from_id,
                "to_campaign_id": m.to_id,
                "amount": int(m.amount),
                "expected_revenue_change": int(m.expected_revenue_change),
                "text": m.text,
            }
            for m in res.advice
        ],
    }


@router.post(
    BASE + "/campaigns",
    response={201: CampaignOut, **SELLER_ERRORS},
    summary="광고 캠페인 만들기",
    description="광고 링크 끝에 landing_param(?kc=번호)을 붙이면 광고 클릭이 기록됩니다. 같은 이름 400 "
    "campaign_invalid. 매니저 이상.",
)
def campaign_create(request, slug: str, payload: CampaignIn):
    store = _writer(request, slug)
    c = ads.campaign_create(
        store=store,
        name=payload.name,
        channel=payload.channel,
        target_roas=payload.target_roas,
        keyword=payload.keyword,
        product_id=payload.product_id,
        daily_budget=Decimal(payload.daily_budget) if payload.daily_budget else None,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )
    return Status(
        201,
        {
            "id": c.pk,
            "name": c.name,
            "channel": c.channel,
            "target_roas": c.target_roas,
            "keyword": c.keyword,
            "product_id": c.product_id,
            "daily_budget": int(c.daily_budget) if c.daily_budget else None,
            "start_date": c.start_date,
            "end_date": c.end_date,
            "landing_param": f"?kc={c.pk}",
        },
    )


@router.post(
    BASE + "/spend",
    response={200: SpendOut, **SELLER_ERRORS, 413: SELLER_ERRORS[400]},
    summary="광고비 올리기",
    description="일별 광고비 행(캠페인·날짜, 선택: 키워드·상품·노출수·클릭수). 전부 저장되거나 하나도 저장되지 "
    "않습니다. 같은 캠페인·날짜·키워드·상품의 행은 덮어씁니다. 다른 스토어의 캠페인 404, 잘못된 "
    "행 400 spend_invalid(행마다 오류), 1MB 초과 413, 5,000행 초과 422. 매니저 이상.",
)
def spend_upload(request, slug: str, payload: SpendIn):
    store = _writer(request, slug)
    if len(request.body) > MAX_SPEND_BODY:
        raise KkotError(
            _("요청이 너무 큽니다(최대 1MB). 나누어 보내 주세요."), code="payload_too_large", status=413
        )
    own = set(Campaign.objects.filter(store=store).values_list("pk", flat=True))
    foreign = [i for i, r in enumerate(payload.rows, start=1) if r.campaign_id not in own]
    if foreign:
        raise NotFound(_("캠페인을 찾을 수 없습니다."), details={"rows": foreign[:100]})
    return ads.adspend_record(
        store=store,
        rows=[
            ads.SpendInput(
                campaign=str(r.campaign_id),
                day=r.day,
                amount=r.amount,
                keyword=r.keyword,
                product_id=r.product_id,
                impressions=r.impressions,
                clicks=r.clicks,
            )
            for r in payload.rows
        ],
    )
