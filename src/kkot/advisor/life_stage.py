"""Estimated life stage of a shopper from the categories of their order lines (the customers dashboard)."""

from __future__ import annotations

LIFE_STAGES = {  # category slug (any level) -> life stage
    "kids": "영유아 자녀 가구",
    "pet": "반려동물 가구",
    "furniture-main": "신혼·새 살림 가구",
    "bedding": "신혼·새 살림 가구",
    "kitchen": "신혼·새 살림 가구",
    "meal-kit": "1인 가구",
    "snack": "1인 가구",
}
CONFIDENCE_CAP_LINES = 4  # 1 line 40%, 2: 60%, 3: 80%, 4 or more: 90%


def stage_of_category() -> dict[int, str]:
    """Category id -> life stage, through the nearest ancestor (or itself) named in ``LIFE_STAGES``."""
    from kkot.catalog.models import Category

    cats = {c.pk: c for c in Category.objects.only("pk", "slug", "parent_id")}
    out = {}
    for pk, c in cats.items():
        node = c
        while node is not None:
            if node.slug in LIFE_STAGES:
                out[pk] = LIFE_STAGES[node.slug]
                break
            node = cats.get(node.parent_id)
    return out


def dominant_stage(lines_by_category: dict[int | None, int], stage_of: dict[int, str]) -> tuple[str, int]:
    """The life stage with the most order lines and their number (ties: by name); ``("", 0)`` when none."""
    per_stage: dict[str, int] = {}
    for cat, n in lines_by_category.items():
        st = stage_of.get(cat) if cat is not None else None
        if st:
            per_stage[st] = per_stage.get(st, 0) + n
    if not per_stage:
        return "", 0
    st, n = max(per_stage.items(), key=lambda kv: (kv[1], kv[0]))
    return st, n


def confidence(lines: int) -> float:
    """Confidence of a life-stage estimate backed by ``lines`` order lines (capped: stated, not learned)."""
    return min(0.9, 0.4 + 0.2 * (min(lines, CONFIDENCE_CAP_LINES) - 1))
