"""Periodic schedule for the huey consumer (laptop: inside `kkot serve`; scale-out: `kkot manage run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def payments_expire_every_5_minutes():
    from kkot.orders.tasks import payments_expire_task

    payments_expire_task.enqueue()


@db_periodic_task(crontab(minute="17", hour="*"))
def auto_confirm_hourly():
    from kkot.orders.tasks import orders_auto_confirm_task

    orders_auto_confirm_task.enqueue()
