"""Scheduled and on-demand order jobs (django-tasks API, executed by huey). Idempotent: run twice or after a
crash, they do the same work once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from kkot.orders.models import WebhookDelivery

WEBHOOK_BACKOFF_S = [10, 60, 300, 1800, 7200]


@task()
def payments_expire_task() -> int:
    from kkot.orders.services.payments import payments_expire

    return payments_expire()


@task()
def orders_auto_confirm_task() -> int:
    """구매확정 for orders delivered more than KKOT_AUTO_CONFIRM_DAYS ago with no open claim."""
    from kkot.orders.services.lifecycle import orders_auto_confirm

    return orders_auto_confirm()


@task()
def webhook_deliver(*, delivery_id: int) -> bool:
    """One attempt; on failure re-enqueue itself with backoff, at most len(WEBHOOK_BACKOFF_S) + 1 attempts."""
    from kkot.orders.services.notify import webhook_attempt

    if webhook_attempt(delivery_id=delivery_id):
        return True
    d = WebhookDelivery.objects.get(pk=delivery_id)
    if d.attempts > len(WEBHOOK_BACKOFF_S):
        WebhookDelivery.objects.filter(pk=d.pk).update(status=WebhookDelivery.Status.FAILED)
        return False
    delay = WEBHOOK_BACKOFF_S[d.attempts - 1]
    webhook_deliver.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(delivery_id=delivery_id)
    return False
