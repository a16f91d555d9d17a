"""Typed query objects and their runners (PostHog style): ``run_query(SalesQuery(...)) -> SalesResult``.

A query is a frozen dataclass (its fields are the whole question); a runner reads the rollup tables first and
returns a typed, picklable result. Results are cached under a key made of the query and the rollup version
(the last time any rollup day was rebuilt), so a rebuild invalidates every cached answer at once.

Privacy: customer breakdowns hide any cell with fewer than ``K_MIN`` customers (k-anonymity) *inside the result*,
so pages, the API and exports cannot show what the result does not contain.
"""


from kkot.advisor.life_stage import LIFE_STAGES  # noqa: F401
from kkot.advisor.queries import customers, funnel, sales, sections  # noqa: F401 - register the runners
from kkot.advisor.queries.ads import AdsQuery, AdsResult, BudgetMove, CampaignRow, run_ads  # noqa: F401
from kkot.advisor.queries.base import (  # noqa: F401 - public API
    CACHE_SECONDS,
    CHANNEL_LABELS,
    K_MIN,
    MAX_RANGE_DAYS,
    RUNNERS,
    ZERO,
    DateRange,
    _minus_year,
    cache_key,
    parse_range,
    rollup_version,
    run_query,
    validate_range,
)
from kkot.advisor.queries.customers import run_customers  # noqa: F401
from kkot.advisor.queries.duck import LongKeywordQuery, LongKeywordResult  # noqa: F401
from kkot.advisor.queries.funnel import run_funnel  # noqa: F401
from kkot.advisor.queries.sales import run_sales  # noqa: F401
from kkot.advisor.queries.sections import run_sections, section_label  # noqa: F401
from kkot.advisor.queries.types import (  # noqa: F401 - public API
    Cell,
    CustomersQuery,
    CustomersResult,
    FunnelQuery,
    FunnelResult,
    FunnelRow,
    FunnelStep,
    ProductSales,
    SalesPoint,
    SalesQuery,
    SalesResult,
    SalesTotals,
    SectionClicksQuery,
    SectionClicksResult,
    SectionRow,
)
