"""Which aspect set (and which store-category model) a product's reviews use: ``fashion``, ``food``,
``cosmetics`` or ``default`` (the names :func:`kkot.ml.reviews.aspects_for_category` knows)."""

from __future__ import annotations

import threading

FASHION_TOP = {"fashion", "fashion-goods"}
FASHION_MID = {"baby-clothes", "sportswear"}
GROUP_OF_TOP = {"beauty": "cosmetics", "food": "food"}
GROUPS = ("fashion", "food", "cosmetics", "default")

_lock = threading.Lock()
_groups: dict[int, str] = {}


def _load() -> dict[int, str]:
    from kkot.catalog.models import Category

    rows = list(Category.objects.values_list("id", "slug", "path"))
    slug = {i: s for i, s, _p in rows}
    out = {}
    for i, _s, path in rows:
        ids = [int(x) for x in path.strip("/").split("/") if x]
        top = slug.get(ids[0], "") if ids else ""
        mid = slug.get(ids[1], "") if len(ids) > 1 else ""
        if top in FASHION_TOP or mid in FASHION_MID:
            out[i] = "fashion"
        else:
            out[i] = GROUP_OF_TOP.get(top, "default")
    return out


def category_group(category_id: int | None) -> str:
    """The group of a catalog category id (unknown -> ``default``). Cached per process."""
    if category_id is None:
        return "default"
    group = _groups.get(category_id)
    if group is None:
        with _lock:
            _groups.clear()
            _groups.update(_load())
        group = _groups.get(category_id, "default")
    return group


def categories_in_group(group: str) -> list[int]:
    category_group(None)
    if not _groups:
        category_group(-1)
    return [i for i, g in _groups.items() if g == group]
