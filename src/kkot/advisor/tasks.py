"""Rollup jobs (django-tasks API, executed by huey). Idempotent: a day is replaced as a whole."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def advisor_rollup_task(days: int | None = None) -> dict:
    """Incremental rollup (missing days + yesterday + today), or the last ``days`` days."""
    from kkot.advisor.rollups import advisor_rollup

    return advisor_rollup(days=days)


@task()
def advisor_rollup_day_task(day: str) -> dict:
    """Rebuild one Seoul day (``YYYY-MM-DD``)."""
    from kkot.advisor.rollups import rollup_day

    return rollup_day(day=dt.date.fromisoformat(day))


@task()
def advisor_weekly_reports_task(today: str | None = None) -> dict:
    """Last week's report to every open store that did not turn it off; once per store and week."""
    from kkot.advisor.report import weekly_reports_send_all

    return weekly_reports_send_all(today=dt.date.fromisoformat(today) if today else None)
