"""Keeping the visual index in step with products: small changes go to the delta, big ones compact into a base.

Writers are serialised by a row lock on :class:`VisualIndexState`. Products that are 판매중 or 품절 are indexed
(stock changes need no re-index); a query keeps only products on sale, in stock, of an open store.
"""

from __future__ import annotations

import logging

import numpy as np
from django.db import transaction

from kkot.assist import vision
from kkot.assist.models import ImageAnalysis, VisualIndexState
from kkot.assist.services.visual.segments import (
    Delta,
    index_root,
    load_head,
    publish_base,
    publish_delta,
    read_pointer,
)
from kkot.catalog.models import Product
from kkot.stores.models import Store

logger = logging.getLogger("kkot.assist")
INDEXED_STATUSES = (Product.Status.ON_SALE, Product.Status.SOLD_OUT)
#: Compact (write a new base) when the delta holds more than this many products or this share of the base.
COMPACT_MIN_ITEMS = 2000
COMPACT_SHARE = 0.05


def representative_vectors(product_ids: list[int] | None) -> dict[int, tuple[np.ndarray, list[str]]]:
    """Product id -> (search vector, colour names) of its first image analysed by the current model."""
    qs = ImageAnalysis.objects.filter(state=ImageAnalysis.State.DONE, embedding__isnull=False)
    if product_ids is not None:
        qs = qs.filter(product_id__in=product_ids)
    rows = qs.order_by("product_id", "image__position", "image_id").values_list(
        "product_id", "embedding", "colours", "model_version"
    )
    want = vision.model_version()
    out: dict[int, tuple[np.ndarray, list[str]]] = {}
    for pid, emb, colours, mv in rows.iterator(chunk_size=2000):
        if pid in out or mv != want:
            continue
        out[pid] = (np.frombuffer(bytes(emb), np.float32), [c["name"] for c in colours or []])
    return out


def _indexable(product_ids: list[int] | None) -> set[int]:
    qs = Product.objects.filter(status__in=INDEXED_STATUSES, store__status=Store.Status.OPEN)
    if product_ids is not None:
        qs = qs.filter(pk__in=product_ids)
    return set(qs.values_list("pk", flat=True))


def visual_index_sync(*, product_ids: list[int]) -> int:
    """Add, replace or remove these products and publish (a delta, or a new base when the delta has grown past
    the compaction threshold or the embedding model changed). Returns the index size."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        state, _c = VisualIndexState.objects.select_for_update().get_or_create(pk=1)
        ptr = read_pointer(root)
        if ptr is None or state.model_version != _index_model_version():
            return _rebuild_locked(root, state)
        base_dir = root / f"v{ptr['base']}"
        try:
            delta = Delta.load(base_dir, ptr.get("delta"))
            base_ids = set(np.load(base_dir / "ids.npy", allow_pickle=False).tolist())
            head = load_head(base_dir)  # the base's own head: its vectors and the delta's must match
        except (OSError, ValueError, KeyError):
            return _rebuild_locked(root, state)
        raw_dim = vision.encoder().dim
        vecs = representative_vectors(sorted(_indexable(product_ids)))
        for p in {int(p) for p in product_ids}:
            delta.void.add(p)
            delta.vectors.pop(p, None)
            delta.colours.pop(p, None)
            if p in vecs and len(vecs[p][0]) == raw_dim:
                delta.vectors[p] = head.transform(vecs[p][0][None])[0] if head is not None else vecs[p][0]
                delta.colours[p] = vecs[p][1]
        dim = head.dim if head is not None else raw_dim
        if len(delta) > max(COMPACT_MIN_ITEMS, COMPACT_SHARE * len(base_ids)):
            return _rebuild_locked(root, state)
        state.version = max(state.version, ptr["version"]) + 1
        publish_delta(root, delta, base=ptr["base"], version=state.version, dim=dim)
        state.items = len(base_ids - delta.void) + len(delta.vectors)
        state.save(update_fields=["version", "items", "updated_at"])
        return state.items


def _index_model_version() -> str:
    """The photo model and the catalog search head the index must be built with."""
    from kkot.assist.services.learn import search_head_version

    head = search_head_version()
    return vision.model_version() + (f"|{head}" if head else "")


def _current_head():
    """The current catalog search head (None: the index holds the stored vectors as they are)."""
    from kkot.assist.services.learn import search_head_dir, search_head_version
    from kkot.ml.vision import CatalogSearchHead

    version = search_head_version()
    if not version:
        return None
    try:
        head = CatalogSearchHead.load(search_head_dir() / version)
    except (OSError, ValueError, KeyError) as exc:
        logger.warning("assist: search head %s unreadable, indexing the stored vectors: %s", version, exc)
        return None
    return head if head.in_dim == vision.encoder().dim else None


def _rebuild_locked(root, state: VisualIndexState) -> int:
    """A new base from every stored vector (the delta folds in), through the current search head if any."""
    from kkot.ml.vision import VectorIndex

    version = _index_model_version()
    head = _current_head()
    vecs = representative_vectors(sorted(_indexable(None)))
    raw_dim = vision.encoder().dim
    ids = [p for p in sorted(vecs) if len(vecs[p][0]) == raw_dim]
    idx = VectorIndex(head.dim if head is not None else raw_dim)
    if ids:
        x = np.stack([vecs[p][0] for p in ids])
        idx.add(ids, head.transform(x) if head is not None else x)
    ptr = read_pointer(root)
    state.version = max(state.version, ptr["version"] if ptr else 0) + 1
    publish_base(root, idx, {p: vecs[p][1] for p in ids}, state.version, head=head)
    state.items = len(idx)
    state.backend = "hnsw" if getattr(idx, "_hnsw", None) is not None else "exact"
    state.model_version = version  # (an unreadable head is logged and skipped, not retried on every sync)
    state.save()
    return len(idx)


def visual_index_rebuild() -> int:
    """The whole index from the stored vectors (management command ``assist_visual_rebuild``)."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        state, _c = VisualIndexState.objects.select_for_update().get_or_create(pk=1)
        return _rebuild_locked(root, state)


__all__ = ["INDEXED_STATUSES", "representative_vectors", "visual_index_rebuild", "visual_index_sync"]
