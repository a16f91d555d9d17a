"""Background work of the assistant (django-tasks, executed by huey). Take ids, idempotent."""

from __future__ import annotations

from django_tasks import task


@task()
def image_analyse_task(*, image_id: int) -> str:
    """Checks + colours + hashes + search vector of one image, then the product's suggestions and index entry."""
    from kkot.assist.services.checks import image_analyse
    from kkot.assist.services.suggestions import suggestions_refresh
    from kkot.assist.services.visual import visual_index_sync

    analysis = image_analyse(image_id=image_id)
    if analysis is None:
        return "gone"
    suggestions_refresh(product_id=analysis.product_id)
    visual_index_sync(product_ids=[analysis.product_id])
    return analysis.state


@task()
def product_changed_task(*, product_ids: list[int]) -> int:
    """After a product is saved, published, hidden or deleted: refresh suggestions and its index entry."""
    from kkot.assist.services.suggestions import suggestions_refresh
    from kkot.assist.services.visual import visual_index_sync

    for pid in product_ids:
        suggestions_refresh(product_id=pid)
    return visual_index_sync(product_ids=product_ids)


@task()
def visual_index_rebuild_task() -> int:
    from kkot.assist.services.visual import visual_index_rebuild

    return visual_index_rebuild()


@task()
def exposure_stats_refresh_task() -> int:
    from kkot.assist.services.exposure import exposure_stats_refresh

    return exposure_stats_refresh()


@task()
def assist_models_train_task() -> dict:
    """Retrain the tag co-occurrence, title+image category and colour-name models and the visual index's search
    head from the catalog; a new head rebuilds the index through it."""
    from kkot.assist.services import learn
    from kkot.assist.services.visual import visual_index_rebuild

    learn.tag_model_train()
    photos = learn.catalog_photos()  # read once for the three models below
    out = {
        "category_classes": learn.category_model_train(photos),
        "colour_classes": learn.colour_model_train(photos),
        "search_head": learn.search_head_train(photos),
    }
    if out["search_head"]:
        out["indexed"] = visual_index_rebuild()
    return out
