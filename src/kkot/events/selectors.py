"""Event log reads (small, for tests and seller dashboards; heavy questions go to rollups / Parquet)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from kkot.events.models import Event


def events_recent(*, store_id: int | None = None, limit: int = 100) -> QuerySet[Event]:
    qs = Event.objects.all()
    if store_id is not None:
        qs = qs.filter(store_id=store_id)
    return qs.order_by("-ts", "-id")[:limit]


def event_counts_by_kind(*, store_id: int | None = None) -> dict[str, int]:
    qs = Event.objects.all()
    if store_id is not None:
        qs = qs.filter(store_id=store_id)
    return dict(qs.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
