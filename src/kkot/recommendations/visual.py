"""Visual similarity in "비슷한 상품": products whose representative photo looks like this product's, from the
platform's visual index (:mod:`kkot.assist.services.visual`), blended into the content-based widget.

Blending: content and visual items alternate (content first, or visual first when the content widget only had
its popular-in-category fallback); duplicates are dropped; each item keeps its own true reason. Without a
visual index, or when this product is not in it, the widget is returned unchanged. Never raises.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("kkot.recommendations")
REASON = _("이 상품과 비슷한 스타일")


def visual_items(*, product, store_id: int | None, k: int, exclude: set[int]) -> list:
    from kkot.assist.services.visual import visual_similar
    from kkot.recommendations.selectors import RecItem

    hits = visual_similar(product_id=product.pk, k=k + len(exclude), store_id=store_id)
    return [
        RecItem(product=h.product, position=0, reason=str(REASON), kind="visual", score=h.score)
        for h in hits
        if h.product.pk not in exclude
    ][:k]


def blend_visual(widget, *, product, store_id: int | None, k: int = 8):
    """``widget`` (비슷한 상품) with visually similar products blended in."""
    try:
        seen = {product.pk}
        vis = visual_items(product=product, store_id=store_id, k=k, exclude=seen)
    except Exception:  # a page never fails because of recommendations
        logger.exception("recs: visual similarity failed")
        return widget
    if not vis:
        return widget
    content = list(widget.items)
    first, second = (vis, content) if widget.source != "model" else (content, vis)
    merged = []
    for i in range(max(len(first), len(second))):
        for src in (first, second):
            if i < len(src) and src[i].product.pk not in seen:
                seen.add(src[i].product.pk)
                merged.append(src[i])
    for pos, item in enumerate(merged[:k], start=1):
        item.position = pos
    widget.items = merged[:k]
    widget.source = "model"
    widget.note = (widget.note + " +visual").strip()
    return widget
