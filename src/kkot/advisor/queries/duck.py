"""Heavy advisor questions answered by DuckDB over the Parquet export of the event log
(:mod:`kkot.events.export`), not by the database: here, conversion by search keyword over a long range.

Definition: for every visit (session) of the store that searched a keyword, the first time it searched it; the
visit *viewed* / *carted* after the search when it has a product view / add-to-cart at or after that time.
Only exported (finished) days are read; the partition filter on ``day`` makes DuckDB open only those files.
"""

from __future__ import annotations

from dataclasses import dataclass

from kkot.advisor.queries.base import RUNNERS, DateRange
from kkot.events.export import exported_days, parquet_root

SQL = """
WITH ev AS (
  SELECT session, kind, query, ts FROM read_parquet($glob, hive_partitioning = true)
  WHERE store_id = $store AND day BETWEEN $start AND $end),
s AS (SELECT session, query, MIN(ts) AS t FROM ev WHERE kind = 'search' AND query <> '' GROUP BY 1, 2),
x AS (SELECT session, MAX(ts) FILTER (WHERE kind = 'product_view') AS pv,
             MAX(ts) FILTER (WHERE kind = 'add_to_cart') AS cart
      FROM ev WHERE kind IN ('product_view', 'add_to_cart') GROUP BY 1)
SELECT s.query, COUNT(*) AS sessions, COUNT(*) FILTER (WHERE x.pv >= s.t) AS viewed,
       COUNT(*) FILTER (WHERE x.cart >= s.t) AS carted
FROM s LEFT JOIN x USING (session)
GROUP BY 1 ORDER BY sessions DESC, s.query LIMIT $limit
"""


@dataclass(frozen=True)
class LongKeywordQuery(DateRange):
    limit: int = 30

    def version(self) -> str:
        days = exported_days()
        return f"{len(days)}:{max(days) if days else ''}"


@dataclass
class KeywordConversion:
    query: str
    sessions: int
    viewed: int
    carted: int

    @property
    def cart_rate(self) -> float:
        return self.carted / self.sessions if self.sessions else 0.0

    @property
    def cart_rate_pct(self) -> str:
        return f"{self.cart_rate:.1%}"


@dataclass
class LongKeywordResult:
    query: LongKeywordQuery
    rows: list[KeywordConversion]
    days_read: int  # exported days inside the range


def run_long_keywords(q: LongKeywordQuery) -> LongKeywordResult:
    import duckdb

    days = [d for d in exported_days() if q.start <= d <= q.end]
    if not days:
        return LongKeywordResult(q, [], 0)
    con = duckdb.connect(config={"threads": 2})
    try:
        rows = con.execute(
            SQL,
            {
                "glob": str(parquet_root() / "day=*" / "events.parquet"),
                "store": q.store_id,
                "start": q.start,
                "end": q.end,
                "limit": q.limit,
            },
        ).fetchall()
    finally:
        con.close()
    return LongKeywordResult(q, [KeywordConversion(*r) for r in rows], len(days))


RUNNERS[LongKeywordQuery] = run_long_keywords
