"""Periodic schedule of the advisor (huey; laptop: inside `kkot serve`; scale-out: `kkot manage run_huey`).
Crontabs are in TIME_ZONE (Asia/Seoul)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7", hour="*"))
def advisor_rollup_hourly():
    from kkot.advisor.tasks import advisor_rollup_task

    advisor_rollup_task.enqueue()


@db_periodic_task(crontab(minute="0", hour="8", day_of_week="1"))
def weekly_reports_monday_morning():
    from kkot.advisor.tasks import advisor_weekly_reports_task

    advisor_weekly_reports_task.enqueue()
