"""The platform's visual index (search by photo, visually similar products).

One vector per product: its representative image's search vector (computed by the image task), kept as a
base segment plus a small delta (:mod:`.segments`), updated by :mod:`.sync` and read by :mod:`.query`.
"""

from kkot.assist.services.visual.query import (
    VisualHit,
    colour_chips,
    photo_query,
    visual_search,
    visual_similar,
)
from kkot.assist.services.visual.segments import (
    VisualSegments,
    current_index,
    current_version,
    index_root,
    reset_cache,
)
from kkot.assist.services.visual.sync import (
    COMPACT_MIN_ITEMS,
    INDEXED_STATUSES,
    representative_vectors,
    visual_index_rebuild,
    visual_index_sync,
)

__all__ = [
    "COMPACT_MIN_ITEMS",
    "INDEXED_STATUSES",
    "VisualHit",
    "VisualSegments",
    "colour_chips",
    "current_index",
    "current_version",
    "index_root",
    "photo_query",
    "representative_vectors",
    "reset_cache",
    "visual_index_rebuild",
    "visual_index_sync",
    "visual_search",
    "visual_similar",
]
