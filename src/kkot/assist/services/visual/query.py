"""Queries on the visual index: search by photo, visually similar products, colour chips."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.conf import settings

from kkot.assist import vision
from kkot.assist.services.visual.segments import VisualSegments, current_index
from kkot.assist.services.visual.sync import representative_vectors
from kkot.catalog.models import Product
from kkot.stores.models import Store


@dataclass
class VisualHit:
    product: Product
    score: float
    colours: list[str]


def _filter_hits(
    segments: VisualSegments,
    ids: np.ndarray,
    scores: np.ndarray,
    *,
    k: int,
    exclude: set[int],
    store_id: int | None,
    colour: str = "",
) -> list[VisualHit]:
    cand = [
        (int(i), float(s))
        for i, s in zip(ids.tolist(), scores.tolist(), strict=True)
        if i >= 0 and int(i) not in exclude
    ]
    if colour:
        cand = [(i, s) for i, s in cand if colour in segments.colours(i)[:2]]
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
            out.append(VisualHit(products[i], round(s, 4), segments.colours(i)))
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
    """Visible, in-stock products most similar to ``vector`` (a stored photo vector; best first); [] when there
    is no index."""
    idx = current_index()
    if idx is None or len(idx) == 0:
        return []
    vector = np.asarray(vector, np.float32).reshape(-1)
    with vision.single_thread():  # one query: BLAS threads only add overhead (see kkot.assist.vision)
        if idx.head is not None:  # the index holds catalog search vectors: the query goes through the same head
            if len(vector) != idx.head.in_dim:
                return []
            vector = idx.head.transform(vector[None])[0]
        if len(vector) != idx.dim:
            return []
        ids, sc = idx.search(vector, k=min(candidates, len(idx)))
    return _filter_hits(idx, ids, sc, k=k, exclude=exclude or set(), store_id=store_id, colour=colour)


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
