"""Background work of search (django-tasks, executed by huey)."""

from __future__ import annotations

from django_tasks import task

from kkot.search.index import ENGINE


@task()
def search_index_rebuild() -> int:
    """Rebuild the platform search index from the DB and save it; every process picks it up on its next sync.

    Idempotent and argument-free: running it twice just builds the same index twice.
    Returns the number of indexed products.
    """
    return ENGINE.rebuild().n
