"""The platform's visual index (search by photo, visually similar products).

One vector per product: its representative image's search vector (computed by the image task). The index is
:class:`kkot.ml.vision.VectorIndex` (faiss HNSW when installed and large enough, else exact numpy), saved under
``VAR_DIR/assist/visual/<version>/`` with ``current.json`` naming the version; every process notices a new
version on its next query and reloads it. Writers are serialised by a row lock on :class:`VisualIndexState`.

Products that are 판매중 or 품절 are indexed (stock changes need no re-index); a query keeps only products on
sale, in stock, of an open store.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction

from kkot.assist import vision
from kkot.assist.models import ImageAnalysis, VisualIndexState
from kkot.catalog.models import Product
from kkot.stores.models import Store

logger = logging.getLogger("kkot.assist")

INDEXED_STATUSES = (Product.Status.ON_SALE, Product.Status.SOLD_OUT)


def index_root() -> Path:
    return Path(settings.VAR_DIR) / "assist" / "visual"


def current_version(root: Path | None = None) -> int | None:
    try:
        return int(json.loads(((root or index_root()) / "current.json").read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class _Cache:
    lock = threading.Lock()
    root: Path | None = None
    version: int | None = None
    index = None
    colours: dict[int, list[str]] = {}


def current_index():
    """The process's copy of the index, reloaded when another process published a new version; None if none."""
    root = index_root()
    v = current_version(root)
    if v is None:
        return None
    if _Cache.version == v and _Cache.root == root and _Cache.index is not None:
        return _Cache.index
    with _Cache.lock:
        if _Cache.version != v or _Cache.root != root:
            from kkot.ml.vision import VectorIndex

            try:
                idx = VectorIndex.load(root / f"v{v}")
                colours = json.loads((root / f"v{v}" / "colours.json").read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                logger.warning("assist: visual index v%s unreadable: %s", v, exc)
                return _Cache.index
            _Cache.index, _Cache.version, _Cache.root = idx, v, root
            _Cache.colours = {int(k): c for k, c in colours.items()}
    return _Cache.index


def reset_cache() -> None:
    _Cache.index = _Cache.version = _Cache.root = None
    _Cache.colours = {}


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


def _publish(root: Path, idx, colours: dict[int, list[str]], state: VisualIndexState) -> None:
    state.version += 1
    path = root / f"v{state.version}"
    tmp = root / f".tmp-v{state.version}"
    shutil.rmtree(tmp, ignore_errors=True)
    idx.save(tmp)
    (tmp / "colours.json").write_text(
        json.dumps({str(k): v for k, v in colours.items()}, ensure_ascii=False), encoding="utf-8"
    )
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)
    pointer = root / ".current.json.tmp"
    pointer.write_text(json.dumps({"version": state.version}))
    os.replace(pointer, root / "current.json")
    for old in root.iterdir():  # keep the last two versions (a reader may still be loading the previous one)
        if (
            old.is_dir()
            and old.name.startswith("v")
            and old.name[1:].isdigit()
            and int(old.name[1:]) < state.version - 1
        ):
            shutil.rmtree(old, ignore_errors=True)
    state.items = len(idx)
    state.backend = "hnsw" if getattr(idx, "_hnsw", None) is not None else "exact"
    state.model_version = vision.model_version()
    state.save()


def _indexable(product_ids: list[int] | None) -> set[int]:
    qs = Product.objects.filter(status__in=INDEXED_STATUSES, store__status=Store.Status.OPEN)
    if product_ids is not None:
        qs = qs.filter(pk__in=product_ids)
    return set(qs.values_list("pk", flat=True))


def visual_index_sync(*, product_ids: list[int]) -> int:
    """Add, replace or remove these products in the index and publish a new version. Returns the index size."""
    from kkot.ml.vision import VectorIndex

    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        state, _c = VisualIndexState.objects.select_for_update().get_or_create(pk=1)
        v = current_version(root)
        idx = None
        colours: dict[int, list[str]] = {}
        if v is not None:
            try:
                idx = VectorIndex.load(root / f"v{v}")
                colours = {
                    int(k): c
                    for k, c in json.loads(
                        (root / f"v{v}" / "colours.json").read_text(encoding="utf-8")
                    ).items()
                }
            except (OSError, ValueError):
                idx = None
        if idx is None or state.model_version != vision.model_version():
            return _rebuild_locked(root, state)
        keep = _indexable(product_ids)
        vecs = representative_vectors(sorted(keep))
        idx.remove([p for p in product_ids if p not in vecs])
        for p in product_ids:
            if p not in vecs:
                colours.pop(p, None)
        add = [p for p in sorted(vecs) if len(vecs[p][0]) == idx.dim]
        if add:
            idx.add(add, np.stack([vecs[p][0] for p in add]))
            colours.update({p: vecs[p][1] for p in add})
        _publish(root, idx, colours, state)
        return len(idx)


def _rebuild_locked(root: Path, state: VisualIndexState) -> int:
    from kkot.ml.vision import VectorIndex

    vecs = representative_vectors(sorted(_indexable(None)))
    dim = vision.encoder().dim
    ids = [p for p in sorted(vecs) if len(vecs[p][0]) == dim]
    idx = VectorIndex(dim)
    if ids:
        idx.add(ids, np.stack([vecs[p][0] for p in ids]))
    _publish(root, idx, {p: vecs[p][1] for p in ids}, state)
    return len(idx)


def visual_index_rebuild() -> int:
    """The whole index from the stored vectors (management command ``assist_visual_rebuild``)."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        state, _c = VisualIndexState.objects.select_for_update().get_or_create(pk=1)
        return _rebuild_locked(root, state)


# ---------------------------------------------------------------- queries
@dataclass
class VisualHit:
    product: Product
    score: float
    colours: list[str]


def _filter_hits(
    ids: np.ndarray, scores: np.ndarray, *, k: int, exclude: set[int], store_id: int | None, colour: str = ""
) -> list[VisualHit]:
    cand = [
        (int(i), float(s))
        for i, s in zip(ids.tolist(), scores.tolist(), strict=True)
        if i >= 0 and int(i) not in exclude
    ]
    if colour:
        cand = [(i, s) for i, s in cand if colour in _Cache.colours.get(i, [])[:2]]
    if not cand:
        return []
    qs = Product.objects.filter(
        pk__in=[i for i, _s in cand],
        status=Product.Status.ON_SALE,
        stock_total__gt=0,
        store__status=Store.Status.OPEN,
    )
    if store_id is not None:
        qs = qs.filter(store_id=store_id)
    from django.db.models import Prefetch

    from kkot.catalog.models import ProductImage

    products = {
        p.pk: p
        for p in qs.select_related("store").prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))
        )
    }
    out = []
    for i, s in cand:
        if i in products:
            out.append(VisualHit(products[i], round(s, 4), _Cache.colours.get(i, [])))
            if len(out) == k:
                break
    return out


def visual_search(
    vector: np.ndarray,
    *,
    k: int = 24,
    colour: str = "",
    store_id: int | None = None,
    exclude: set[int] | None = None,
    candidates: int = 200,
) -> list[VisualHit]:
    """Visible, in-stock products most similar to ``vector`` (best first); [] when there is no index."""
    idx = current_index()
    if idx is None or len(idx) == 0 or len(vector) != idx.dim:
        return []
    with vision.single_thread():  # one query: BLAS threads only add overhead (see kkot.assist.vision)
        ids, sc = idx.search(np.asarray(vector, np.float32)[None], k=min(candidates, len(idx)))
    return _filter_hits(ids[0], sc[0], k=k, exclude=exclude or set(), store_id=store_id, colour=colour)


def visual_similar(*, product_id: int, k: int = 8, store_id: int | None = None) -> list[VisualHit]:
    """Products that look like ``product_id`` (its representative image), best first."""
    idx = current_index()
    if idx is None or product_id not in idx:
        return []
    got = representative_vectors([int(product_id)]).get(int(product_id))
    if got is None:
        return []
    return visual_search(
        got[0],
        k=k,
        store_id=store_id,
        exclude={int(product_id)},
        candidates=400 if store_id is not None else 100,
    )


def colour_chips(hits: list[VisualHit], query_colours: list[str], limit: int = 8) -> list[str]:
    """Colour filter chips: the query photo's colours first, then the results' main colours."""
    out: list[str] = []
    for c in [*query_colours, *(h.colours[0] for h in hits if h.colours)]:
        if c and c not in out:
            out.append(c)
    return out[:limit]


def photo_query(*, upload) -> tuple[np.ndarray, list[str]]:
    """A shopper's photo -> (search vector, Korean colour names). Validated like every upload (type, size,
    pixel count, decompression bombs); a bad file raises ``ValidationError`` with a Korean message."""
    from django.utils.translation import gettext as _

    from kkot.core.errors import ValidationError
    from kkot.ml.vision.checks import ANALYSIS_SIDE
    from kkot.ml.vision.colour import dominant_colours
    from kkot.ml.vision.io import ImageLoadError, load_image

    max_bytes = settings.KKOT_MAX_IMAGE_BYTES
    if getattr(upload, "size", 0) and upload.size > max_bytes:
        raise ValidationError(
            _("사진 파일이 너무 큽니다(최대 %(mb)dMB).") % {"mb": max_bytes // 2**20}, code="image_too_large"
        )
    try:
        img = load_image(
            upload.read(max_bytes + 1) if hasattr(upload, "read") else upload,
            max_bytes=max_bytes,
            max_pixels=settings.KKOT_MAX_IMAGE_PIXELS,
            max_side=ANALYSIS_SIDE,
        )
    except ImageLoadError as exc:
        raise ValidationError(exc.message, code=f"image_{exc.code}") from None
    rgb = img.array()
    vec = vision.encode_query(rgb)
    with vision.single_thread():
        colours = [c.name for c in dominant_colours(rgb)[:2]]
    return vec, colours
