"""Incremental build: missing days, then yesterday and today."""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import Min

from kkot.advisor.models import RollupDay
from kkot.advisor.rollups.ads import ROLLUP_SCHEMA
from kkot.advisor.rollups.common import MAX_BACKFILL_DAYS
from kkot.advisor.rollups.common import runs as _runs
from kkot.advisor.rollups.day import rollup_day
from kkot.advisor.rollups.range import rollup_range
from kkot.core.timeutil import seoul_today
from kkot.events.models import Event
from kkot.orders.models import Order, Refund


def _first_day() -> dt.date | None:
    from kkot.core.timeutil import seoul

    firsts = [
        v
        for v in (
            Event.objects.aggregate(m=Min("ts"))["m"],
            Order.objects.aggregate(m=Min("paid_at"))["m"],
            Refund.objects.aggregate(m=Min("created_at"))["m"],
        )
        if v is not None
    ]
    return seoul(min(firsts)).date() if firsts else None


RANGE_MIN_DAYS = 3


def advisor_rollup(*, days: int | None = None, today: dt.date | None = None) -> dict:
    """Incremental build. ``days=N`` rebuilds the last N days (today included); without it, every day not built yet
    (back to the first event or order, at most 3 years) plus yesterday and today, whose data may still change."""
    t0 = time.perf_counter()
    today = today or seoul_today()
    if days is not None:
        if days < 1 or days > MAX_BACKFILL_DAYS:
            from kkot.core.errors import ValidationError

            raise ValidationError(f"days는 1~{MAX_BACKFILL_DAYS} 사이여야 합니다.", code="rollup_days_range")
        todo = [today - dt.timedelta(days=i) for i in range(days - 1, -1, -1)]
    else:
        first = _first_day()
        if first is None:
            return {"days": 0, "events": 0, "orders": 0, "seconds": 0.0, "events_per_s": 0.0}
        first = max(first, today - dt.timedelta(days=MAX_BACKFILL_DAYS))
        built = set(
            RollupDay.objects.filter(day__gte=first, schema__gte=ROLLUP_SCHEMA).values_list("day", flat=True)
        )
        todo = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
        todo = [d for d in todo if d not in built or d >= today - dt.timedelta(days=1)]
    events = orders = 0
    for run in _runs(todo):
        if len(run) >= RANGE_MIN_DAYS:  # a backfill: grouped SQL over the whole run at once
            r = rollup_range(start=run[0], end=run[-1])
        else:  # the scheduled case (yesterday + today): day by day
            r = {"events": 0, "orders": 0}
            for d in run:
                one = rollup_day(day=d)
                r["events"] += one["events"]
                r["orders"] += one["orders"]
        events += r["events"]
        orders += r["orders"]
    seconds = time.perf_counter() - t0
    return {
        "days": len(todo),
        "events": events,
        "orders": orders,
        "seconds": round(seconds, 2),
        "events_per_s": round(events / seconds, 1) if seconds > 0 else 0.0,
    }
