"""Periodic schedule of the event log (huey; crontabs in TIME_ZONE, Asia/Seoul)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="30", hour="3"))
def events_export_daily():
    from kkot.events.tasks import events_export_parquet_task

    events_export_parquet_task.enqueue()
