"""Build the daily rollup tables from the event log and the order/refund rows.

Two paths give the same rows (a test compares them on events around Seoul midnight):

- :func:`rollup_range` (backfills, the demo): one grouped SQL statement per table over the whole date range,
  bucketing timestamps by Seoul day inside the database (SQLite ``date(ts, '+9 hours')``, PostgreSQL
  ``(ts AT TIME ZONE 'Asia/Seoul')::date``) and inserting with ``INSERT ... SELECT``; last-touch attribution is
  a window-function query into a temporary table.
- :func:`rollup_day` (the scheduled task: yesterday and today): grouped ORM queries over one day's rows, Python
  over the groups and the day's paid orders.

A day (or range) is replaced as a whole in one transaction, so running it again gives the same rows.

Definitions (documented in the dashboards too):

- visits: distinct sessions (30-minute idle visits) with any event for the store that day.
- revenue: ``Order.total`` of orders whose payment completed (``paid_at``) that day; refunds are subtracted on the
  day the refund was made (``Refund.created_at``), whichever day the order was paid.
- channel / keyword of an order: the store visit of the same shopper that started last at or before the order and
  at most 7 days before it (last touch), and the last search of that visit up to the order. Orders of shoppers without a tracked visit (opt-out, guests) count under channel ''.
- ads (``AdDaily``, :mod:`.ads`), customers (``CustomerDaily`` and ``CustomerSummary``, :mod:`.customers`) and
  recommendation widgets (``recommendations.WidgetDaily``, :mod:`.widgets`) are built with every day too, from the
  same functions the dashboards use on the raw rows for days not built yet (tested equal). ``RollupDay.schema``
  says which tables a day has; the incremental job rebuilds days of an older schema.
- section impressions: explicit ``impression`` events; store-home sections are also shown on every store-home
  page view (``StoreDaily.home_views``), which the queries use when a section has no explicit impressions.
"""

from kkot.advisor.rollups.common import ATTRIBUTION_DAYS, MAX_BACKFILL_DAYS, section_key  # noqa: F401
from kkot.advisor.rollups.day import _attribute, _event_aggregates, rollup_day  # noqa: F401
from kkot.advisor.rollups.incremental import RANGE_MIN_DAYS, _first_day, _runs, advisor_rollup  # noqa: F401
from kkot.advisor.rollups.range import SECTION_KEY_SQL, _day_sql, _range_sql, rollup_range  # noqa: F401
