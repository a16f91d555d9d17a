"""Request and response shapes of the Biz Advisor API (seller token)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from kkot.advisor.ads import services as ads
from kkot.advisor.models import Campaign

MAX_ID = 2**63 - 1


class RangeParams(Schema):
    start: str | None = Field(
        None, max_length=10, description="시작일 YYYY-MM-DD (서울). 없으면 종료일 29일 전"
    )
    end: str | None = Field(None, max_length=10, description="종료일 YYYY-MM-DD, 양끝 포함. 없으면 오늘")


class SalesParams(RangeParams):
    interval: str = Field("day", pattern="^(day|week|month)$", description="day | week | month")
    compare: str = Field(
        "previous", pattern="^(previous|last_year|none)$", description="previous | last_year | none"
    )


class TotalsOut(Schema):
    revenue: int
    refunds: int
    net: int
    orders: int
    refund_count: int
    aov: int


class PointOut(Schema):
    period: dt.date
    totals: TotalsOut


class ProductSalesOut(Schema):
    product_id: int
    name: str
    units: int
    orders: int
    revenue: int
    views: int


class SalesOut(Schema):
    start: dt.date
    end: dt.date
    totals: TotalsOut
    points: list[PointOut]
    compare_totals: TotalsOut | None
    top_products: list[ProductSalesOut]


class StepOut(Schema):
    key: str
    label: str
    count: int
    rate: float | None


class FunnelRowOut(Schema):
    key: str
    label: str
    visits: int
    pv_sessions: int
    cart_sessions: int
    orders: int
    conversion: float


class FunnelOut(Schema):
    start: dt.date
    end: dt.date
    steps: list[StepOut]
    channels: list[FunnelRowOut]
    keywords: list[FunnelRowOut]


class CellOut(Schema):
    label: str
    customers: int | None = Field(description="20명 미만이면 null (비공개)")
    share: float | None
    note: str


class CustomersOut(Schema):
    start: dt.date
    end: dt.date
    k_min: int
    customers: int | None = Field(description="전체 고객 수; 20명 미만이면 null")
    hidden_cells: int
    new: CellOut
    returning: CellOut
    regulars: CellOut
    rfm: list[CellOut]
    gender: list[CellOut]
    age: list[CellOut]
    life_stage: list[CellOut]


class InsightOut(Schema):
    kind: str
    score: float
    title: str
    evidence: str
    advice: str
    chart: str
    url: str


class InsightsOut(Schema):
    items: list[InsightOut]
    notes: list[str]


class CampaignRowOut(Schema):
    campaign_id: int
    name: str
    channel: str
    target_roas: int
    spend: int
    clicks: int
    orders: int
    revenue: int
    roas: float | None
    status: str
    budget_limited: bool


class RoasRowOut(Schema):
    label: str
    spend: int
    orders: int
    revenue: int
    roas: float | None


class MoveOut(Schema):
    from_campaign_id: int
    to_campaign_id: int | None
    amount: int
    expected_revenue_change: int
    text: str


class AdsOut(Schema):
    start: dt.date
    end: dt.date
    attribution: str
    campaigns: list[CampaignRowOut]
    keywords: list[RoasRowOut]
    products: list[RoasRowOut]
    advice: list[MoveOut]


class CampaignIn(Schema):
    name: str = Field(max_length=80)
    channel: str = Field(Campaign.Channel.NAVER_SA, max_length=20)
    target_roas: int = Field(300, ge=1, le=100_000, description="목표 ROAS (%)")
    keyword: str = Field("", max_length=100)
    product_id: int | None = Field(None, ge=1, le=MAX_ID)
    daily_budget: int | None = Field(None, ge=1, le=1_000_000_000)
    start_date: dt.date
    end_date: dt.date | None = None


class CampaignOut(Schema):
    id: int
    name: str
    channel: str
    target_roas: int
    keyword: str
    product_id: int | None
    daily_budget: int | None
    start_date: dt.date
    end_date: dt.date | None
    landing_param: str


class SpendRowIn(Schema):
    campaign_id: int = Field(ge=1, le=MAX_ID)
    day: dt.date
    amount: int = Field(ge=0, le=1_000_000_000, description="원")
    keyword: str = Field("", max_length=100)
    product_id: int | None = Field(None, ge=1, le=MAX_ID)
    impressions: int | None = Field(None, ge=0, le=2**31 - 1)
    clicks: int | None = Field(None, ge=0, le=2**31 - 1)


class SpendIn(Schema):
    rows: list[SpendRowIn] = Field(min_length=1, max_length=ads.MAX_API_ROWS)


class SpendOut(Schema):
    rows: int
    created: int
    updated: int
