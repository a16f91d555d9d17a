"""Event-log jobs (django-tasks API, executed by huey). Idempotent: a day's Parquet file is replaced whole."""

from __future__ import annotations

from django_tasks import task


@task()
def events_export_parquet_task(days: int | None = None) -> dict:
    """Export finished days of the event log to date-partitioned Parquet (see :mod:`kkot.events.export`)."""
    from kkot.events.export import events_export_parquet

    return events_export_parquet(days=days)
