"""The shopper's in-app notifications: marking them read (scoped to the user)."""

from __future__ import annotations

from django.utils import timezone

from kkot.orders.models import Notification


def notifications_mark_read(*, user, ids: list | None = None) -> int:
    """Mark the given notifications (or all when ``ids`` is None) of ``user`` read; returns how many changed.
    Ids of other users' notifications are ignored."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in ids if str(i).isdigit() and int(i) < 2**63])
    return qs.update(read_at=timezone.now())
