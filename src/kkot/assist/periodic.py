"""Daily jobs of the assistant for the huey consumer: retrain the tag/category models and refresh the exposure
statistics from the day's catalog and sales; rebuild the visual index (drops what incremental syncs missed)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="20", hour="5"))
def assist_daily():
    from kkot.assist.tasks import (
        assist_models_train_task,
        exposure_stats_refresh_task,
        visual_index_rebuild_task,
    )

    assist_models_train_task.enqueue()
    exposure_stats_refresh_task.enqueue()
    visual_index_rebuild_task.enqueue()
