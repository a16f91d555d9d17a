"""Query objects (frozen dataclasses: the whole question) and their typed results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from kkot.advisor.queries.base import K_MIN, ZERO, DateRange, _minus_year
from kkot.core.errors import ValidationError


@dataclass(frozen=True)
class SalesQuery(DateRange):
    interval: str = "day"  # day | week | month
    compare: str | None = "previous"  # previous | last_year | None

    def validate(self) -> None:
        super().validate()
        if self.interval not in ("day", "week", "month"):
            raise ValidationError(_("집계 단위는 일/주/월 중에서 선택해 주세요."), code="interval_invalid")
        if self.compare not in ("previous", "last_year", None):
            raise ValidationError(_("비교 기준은 이전 기간 또는 작년 같은 기간이어야 합니다."), code="compare_invalid")

    def compare_range(self) -> tuple[dt.date, dt.date] | None:
        if self.compare == "previous":
            return self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1)
        if self.compare == "last_year":
            return _minus_year(self.start), _minus_year(self.end)
        return None


@dataclass(frozen=True)
class FunnelQuery(DateRange):
    keywords: int = 20


@dataclass(frozen=True)
class CustomersQuery(DateRange):
    pass


@dataclass(frozen=True)
class SectionClicksQuery(DateRange):
    pass



# -- results ---------------------------------------------------------------------------------------------------
@dataclass
class SalesTotals:
    revenue: Decimal = ZERO
    refunds: Decimal = ZERO
    orders: int = 0
    refund_count: int = 0

    @property
    def net(self) -> Decimal:
        return self.revenue - self.refunds

    @property
    def aov(self) -> Decimal:
        """객단가: revenue per paid order (KRW, rounded)."""
        return (self.revenue / self.orders).quantize(Decimal(1)) if self.orders else ZERO


@dataclass
class SalesPoint:
    period: dt.date
    totals: SalesTotals


@dataclass
class ProductSales:
    product_id: int
    name: str
    units: int
    orders: int
    revenue: Decimal
    views: int


@dataclass
class SalesResult:
    query: SalesQuery
    totals: SalesTotals
    points: list[SalesPoint]
    compare_totals: SalesTotals | None
    compare_points: list[SalesPoint]
    top_products: list[ProductSales]

    def change(self, attr: str) -> float | None:
        """Relative change vs the comparison period (0.12 = +12%), None without a base."""
        if self.compare_totals is None:
            return None
        base, now = getattr(self.compare_totals, attr), getattr(self.totals, attr)
        return float((now - base) / base) if base else None


@dataclass
class FunnelStep:
    key: str
    label: str
    count: int
    rate: float | None  # from the previous step


@dataclass
class FunnelRow:
    key: str
    label: str
    visits: int
    pv_sessions: int
    cart_sessions: int
    orders: int
    revenue: Decimal = ZERO

    @property
    def conversion(self) -> float:
        """유입당 결제율: orders per visit."""
        return self.orders / self.visits if self.visits else 0.0

    @property
    def conversion_pct(self) -> str:
        return f"{self.conversion:.2%}"


@dataclass
class FunnelResult:
    query: FunnelQuery
    steps: list[FunnelStep]
    total: FunnelRow
    channels: list[FunnelRow]
    keywords: list[FunnelRow]


@dataclass
class Cell:
    label: str
    customers: int | None  # None = hidden (fewer than K_MIN)
    share: float | None
    note: str = ""

    @property
    def hidden(self) -> bool:
        return self.customers is None

    @property
    def share_pct(self) -> str:
        return "" if self.share is None else f"{self.share:.1%}"


@dataclass
class CustomersResult:
    query: CustomersQuery
    customers: int
    new: Cell
    returning: Cell
    regulars: Cell
    rfm: list[Cell]
    gender: list[Cell]
    age: list[Cell]
    life_stage: list[Cell]
    k_min: int = K_MIN
    hidden_cells: int = 0

    @property
    def headline(self) -> list[Cell]:
        return [self.new, self.returning, self.regulars]


@dataclass
class SectionRow:
    page_type: str
    section: str
    label: str
    impressions: int
    clicks: int
    percentile: int | None = None  # rank among all stores' sections of the same page (0 = lowest)

    @property
    def ctr(self) -> float:
        return self.clicks / self.impressions if self.impressions else 0.0

    @property
    def ctr_pct(self) -> str:
        return f"{self.ctr:.2%}"


@dataclass
class SectionClicksResult:
    query: SectionClicksQuery
    rows: list[SectionRow]
    advice: list[str] = field(default_factory=list)
    # (page_type, section) -> 10 x 10 grid of click counts by normalised position inside the section (rows = y)
    density: dict = field(default_factory=dict)
    # section -> {position: clicks} for the product grids of the store home (best, new)
    positions: dict = field(default_factory=dict)
    banner_order: list = field(default_factory=list)

