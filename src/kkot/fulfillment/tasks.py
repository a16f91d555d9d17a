"""Fulfillment jobs (django-tasks API, executed by huey). Idempotent: each writes every event once."""

from __future__ import annotations

from django_tasks import task


@task()
def shipments_poll_task() -> int:
    from kkot.fulfillment.services import shipments_poll

    return shipments_poll()


@task()
def shipments_delay_alert_task() -> int:
    from kkot.fulfillment.services import shipments_delay_alert

    return shipments_delay_alert()


@task()
def back_in_stock_notify_task() -> int:
    from kkot.fulfillment.services import back_in_stock_notify

    return back_in_stock_notify()


@task()
def promise_model_fit_task() -> int:
    """Refit the delivery-date model from the shipment history and publish it for every web process."""
    from kkot.fulfillment.promise import promise_model_fit

    return promise_model_fit().n_records
