"""Daily retraining for the huey consumer (laptop: inside `kkot serve`; scale-out: `kkot manage run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="40", hour="4"))
def recs_train_daily():
    from kkot.recommendations.tasks import recs_train_scheduled_task

    recs_train_scheduled_task.enqueue()
