"""Recommendation jobs (django-tasks API, executed by huey). Idempotent: a queued run is claimed atomically,
so a task delivered twice trains once; training publishes a new version only when it completes."""

from __future__ import annotations

from django_tasks import task


@task()
def recs_train_task(*, run_id: int) -> str:
    """Train the queued run ``run_id``; returns its final status ("skipped" when already taken)."""
    from kkot.recommendations.services import recs_run_claim, recs_train

    run = recs_run_claim(run_id=run_id)
    if run is None:
        return "skipped"
    return recs_train(run=run).status


@task()
def recs_train_scheduled_task() -> str:
    """The daily training: skipped while another run is queued or running (started less than 2 hours ago)."""
    from datetime import timedelta

    from django.utils import timezone

    from kkot.recommendations.models import RecsModelRun
    from kkot.recommendations.services import recs_train

    busy = RecsModelRun.objects.filter(status__in=[RecsModelRun.Status.QUEUED, RecsModelRun.Status.RUNNING],
                                       created_at__gte=timezone.now() - timedelta(hours=2)).exists()
    if busy:
        return "skipped"
    return recs_train(trigger=RecsModelRun.Trigger.SCHEDULE).status
