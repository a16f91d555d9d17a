"""Constants and helpers shared by both rollup paths."""

from __future__ import annotations

import datetime as dt

ATTRIBUTION_DAYS = 7
MAX_BACKFILL_DAYS = 3 * 366
ROLLUP_SCHEMA = 4  # RollupDay.schema of a day whose AdDaily, CustomerDaily and CustomerSummary rows are built too


def section_key(section: str) -> str:
    """Collapse per-item sections: ``category:12`` -> ``category``, ``search:3`` -> ``search``."""
    head = section.split(":", 1)[0]
    return head if head in ("category", "search") else section


def runs(days: list[dt.date]) -> list[list[dt.date]]:
    """Sorted days cut into runs of consecutive days."""
    out: list[list[dt.date]] = []
    for d in sorted(days):
        if out and d - out[-1][-1] == dt.timedelta(days=1):
            out[-1].append(d)
        else:
            out.append([d])
    return out
