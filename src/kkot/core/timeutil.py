"""Time helpers: everything is timezone-aware, shown in Asia/Seoul."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SEOUL = ZoneInfo("Asia/Seoul")


def now() -> dt.datetime:
    return timezone.now()


def seoul(value: dt.datetime) -> dt.datetime:
    return value.astimezone(SEOUL)


def seoul_today() -> dt.date:
    return seoul(now()).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a Seoul calendar day as aware datetimes."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SEOUL)
    return start, start + dt.timedelta(days=1)
