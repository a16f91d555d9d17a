"""Periodic review jobs for the huey consumer."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="41", hour="4"))
def review_models_retrain_daily():
    from kkot.reviews.tasks import review_models_retrain_task

    review_models_retrain_task.enqueue()
