"""Review jobs (django-tasks API, executed by huey). Idempotent: they take ids and rewrite derived rows."""

from __future__ import annotations

from django_tasks import task


@task()
def review_analyze_task(review_id: int) -> bool:
    """Analyse one review after it was written or edited (skipped when its text was analysed already)."""
    from kkot.reviews.analysis import review_analyze

    return review_analyze(review_id=review_id)


@task()
def review_models_retrain_task() -> int:
    """Retrain the store-category sentiment models that have enough new reviews (see reviews.training)."""
    from kkot.reviews.training import review_models_retrain_due

    return len(review_models_retrain_due())
