"""The in-process product search index: one bm25s index for the whole platform plus a small delta.

* ``Segment``: a bm25s index over products with their filter/sort columns as numpy arrays.
* The *main* segment is built from every visible product (판매중/품절) and saved under
  ``VAR_DIR/search/<version>/`` (bm25s' own npy/json files + ``columns.npz`` + ``meta.json``; no pickle).
* Products changed since the main build go into a small *delta* segment, rebuilt on each change, whose
  BM25 statistics (document frequencies, document count, average length) are those of the main
  index, so a changed product scores as it would after a full rebuild. Their stale main rows are masked.
* Changes are detected from the DB at most every ``KKOT_SEARCH_SYNC_SECONDS`` (default 2) with one
  aggregate query (count, max(updated_at), count of recent rows) plus the list of non-open stores.
* When the delta grows past ``KKOT_SEARCH_DELTA_MAX`` products (default max(500, 5% of main)), the task
  ``search_index_rebuild`` is enqueued; every process notices the new version on disk and loads it.
"""

from kkot.search.index.docs import (  # noqa: F401
    _COLUMNS,
    _DOC_FIELDS,
    ATTR_SEP,
    BIGRAM_WEIGHT,
    BODY_BG,
    DESC_CHARS,
    MARGIN_US,
    NAME,
    NAME_BG,
    NAME_BOOST,
    PRIOR_WEIGHT,
    SCHEMA,
    SYNONYM_WEIGHT,
    Doc,
    _category_info,
    _ts,
    _us,
    db_fingerprint,
    load_docs,
    search_dir,
)
from kkot.search.index.engine import (  # noqa: F401
    ENGINE,
    Engine,
    Snapshot,
)
from kkot.search.index.query import (  # noqa: F401
    Filters,
    Hits,
    _add_attr_counts,
    _effective_price,
    _filter_and_facet,
    _Part,
    _sort_keys,
    _unit_masks,
    run_query,
)
from kkot.search.index.segment import (  # noqa: F401
    Segment,
    _BorrowedStatsBM25,
    _columns,
    build_delta,
    build_main,
    current_version,
    load_segment,
    save_segment,
)
