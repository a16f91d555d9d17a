"""Periodic fulfillment jobs for the huey consumer."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/10"))
def tracking_poll_every_10_minutes():
    from kkot.fulfillment.tasks import shipments_poll_task

    shipments_poll_task.enqueue()


@db_periodic_task(crontab(minute="23", hour="*"))
def delay_alerts_hourly():
    from kkot.fulfillment.tasks import shipments_delay_alert_task

    shipments_delay_alert_task.enqueue()


@db_periodic_task(crontab(minute="*/5"))
def back_in_stock_every_5_minutes():
    from kkot.fulfillment.tasks import back_in_stock_notify_task

    back_in_stock_notify_task.enqueue()


@db_periodic_task(crontab(minute="7,37"))
def promise_model_refit_half_hourly():
    from kkot.fulfillment.tasks import promise_model_fit_task

    promise_model_fit_task.enqueue()
