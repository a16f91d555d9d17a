"""Scheduled and on-demand order jobs (django-tasks API, executed by huey). Idempotent: run twice or after a
crash, they do the same work once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from kkot.orders.models import ClaimStatus, Order, OrderStatus, WebhookDelivery

WEBHOOK_BACKOFF_S = [10, 60, 300, 1800, 7200]


@task()
def payments_expire_task() -> int:
    from kkot.orders.services.payments import payments_expire

    return payments_expire()


@task()
def orders_auto_confirm_task() -> int:
    """구매확정 for orders delivered more than KKOT_AUTO_CONFIRM_DAYS ago with no open claim."""
    from kkot.core.errors import KkotError
    from kkot.orders.services.lifecycle import order_confirm

    cutoff = timezone.now() - timedelta(days=settings.KKOT_AUTO_CONFIRM_DAYS)
    ids = (Order.objects.filter(status=OrderStatus.DELIVERED, delivered_at__lte=cutoff)
           .exclude(claims__status__in=[ClaimStatus.REQUESTED, ClaimStatus.APPROVED])
           .values_list("pk", flat=True))
    n = 0
    for pk in list(ids):
        try:
            order_confirm(order=Order(pk=pk), actor=None, role="system")
            n += 1
        except KkotError:
            continue  # a claim opened meanwhile
    return n


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
