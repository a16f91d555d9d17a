"""Reads other slices call: the typed queries (see :mod:`kkot.advisor.queries`), the insights feed, and table
exports built from query results (so the k-anonymity of the result applies to the export too)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kkot.advisor.insights import Feed, insights_feed  # noqa: F401 - public API
from kkot.advisor.queries import (  # noqa: F401 - public API
    K_MIN,
    AdsQuery,
    CustomersQuery,
    DateRange,
    FunnelQuery,
    LongKeywordQuery,
    SalesQuery,
    SectionClicksQuery,
    parse_range,
    run_query,
)
from kkot.advisor.report import weekly_report_enabled  # noqa: F401 - public API
from kkot.core.errors import ValidationError

EXPORT_TABLES = ("sales", "products", "channels", "keywords", "customers", "sections", "campaigns", "ad_keywords",
                 "ad_products")


def signals_overview(*, store_id: int, today) -> dict:
    """Recommendation-widget stats (last 30 days) and complaint-aspect trends (14 vs 56 days) up to ``today``."""
    from kkot.core.timeutil import day_bounds
    from kkot.recommendations.stats import widget_stats
    from kkot.stores.models import Store

    try:
        from kkot.reviews.selectors import aspect_complaint_trends
    except ImportError:  # the reviews capability is not installed
        complaints = []
    else:
        complaints = aspect_complaint_trends(store_id=store_id, today=today)
    widgets = widget_stats(store=Store.objects.get(pk=store_id), days=30, now=day_bounds(today)[1])
    return {"widgets": widgets, "complaints": complaints}


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.2f}%"


def export_table(*, table: str, rng: DateRange, interval: str = "day") -> tuple[list[str], list[list[Any]]]:
    """Header and rows of one dashboard table for CSV/Excel. Hidden customer cells stay hidden."""
    sid, s, e = rng.store_id, rng.start, rng.end
    if table == "sales":
        r = run_query(SalesQuery(sid, s, e, interval=interval, compare=None))
        return ([_("기간"), _("매출"), _("환불"), _("순매출"), _("주문수"), _("객단가")],
                [[p.period.isoformat(), int(p.totals.revenue), int(p.totals.refunds), int(p.totals.net),
                  p.totals.orders, int(p.totals.aov)] for p in r.points])
    if table == "products":
        r = run_query(SalesQuery(sid, s, e, compare=None))
        return ([_("상품번호"), _("상품명"), _("판매수량"), _("주문수"), _("매출"), _("조회수")],
                [[p.product_id, p.name, p.units, p.orders, int(p.revenue), p.views] for p in r.top_products])
    if table in ("channels", "keywords"):
        r = run_query(FunnelQuery(sid, s, e))
        rows = r.channels if table == "channels" else r.keywords
        return ([_("유입 채널") if table == "channels" else _("검색어"), _("방문"), _("상품 조회 방문"), _("장바구니 방문"),
                 _("결제"), _("유입당 결제율")],
                [[x.label, x.visits, x.pv_sessions, x.cart_sessions, x.orders, _pct(x.conversion)] for x in rows])
    if table == "customers":
        r = run_query(CustomersQuery(sid, s, e))
        out = []
        for group, cells in ((_("구분"), [r.new, r.returning, r.regulars]), (_("RFM"), r.rfm), (_("성별"), r.gender),
                             (_("연령"), r.age), (_("생활 단계(추정)"), r.life_stage)):
            for c in cells:
                out.append([group, c.label, _("{k}명 미만 비공개").format(k=K_MIN) if c.hidden else c.customers,
                            _pct(c.share), c.note])
        return [_("분류"), _("항목"), _("고객 수"), _("비율"), _("비고")], out
    if table == "sections":
        r = run_query(SectionClicksQuery(sid, s, e))
        return ([_("페이지"), _("섹션"), _("노출"), _("클릭"), _("클릭률")],
                [[x.page_type, x.label, x.impressions, x.clicks, _pct(x.ctr)] for x in r.rows])
    if table in ("campaigns", "ad_keywords", "ad_products"):
        r = run_query(AdsQuery(sid, s, e))
        rows = {"campaigns": r.campaigns, "ad_keywords": r.keywords, "ad_products": r.products}[table]
        return ([_("항목"), _("광고비"), _("광고 클릭"), _("기여 주문"), _("기여 매출(환불 차감)"), _("ROAS")],
                [[x.label, int(x.spend), x.clicks, x.orders, int(x.revenue), x.roas_pct] for x in rows])
    raise ValidationError(_("내보낼 수 없는 표입니다."), code="export_table_unknown", details={"table": table})
