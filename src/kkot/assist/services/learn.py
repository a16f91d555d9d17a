"""Models the assistant learns from the platform's own catalog: tag co-occurrence, title+image category,
colour names (sellers' colour attributes over their representative photos) and the search vectors of the visual
index (a head over the stored photo vectors trained on leaf categories and colour names).

Both are saved under ``VAR_DIR/assist/`` in safe formats (json / npz) and loaded once per process (reloaded
when the file changes).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np
from django.conf import settings

from kkot.assist.textrules import TagSuggester, product_features
from kkot.catalog.models import Category, Product

logger = logging.getLogger("kkot.assist")
MAX_TRAIN_PRODUCTS = 50_000
MIN_CATEGORY_EXAMPLES = 3
MIN_COLOUR_EXAMPLES = 5  # products per colour name before the colour model learns that name
# below these the shipped rules (which know every name) name colours better than a model that knows a few
MIN_COLOUR_CLASSES = 8
MIN_COLOUR_PRODUCTS = 300
MIN_SEARCH_PRODUCTS = 300  # products with a photo before the visual index uses a catalog-trained search head
TRAIN_INLINE_MAX = 2000


def assist_dir() -> Path:
    return Path(settings.VAR_DIR) / "assist"


def _ancestors() -> dict[int, list[int]]:
    return {c.pk: c.ancestor_ids or [c.pk] for c in Category.objects.only("pk", "path")}


def _product_rows(limit: int = MAX_TRAIN_PRODUCTS):
    return Product.objects.order_by("-pk").values_list("pk", "name", "category_id", "attributes")[:limit]


def tag_model_train() -> TagSuggester:
    from kkot.catalog.models import Product as P

    anc = _ancestors()
    tags: dict[int, list[str]] = {}
    for pid, t in P.tags.through.objects.values_list("product_id", "tag__name"):
        tags.setdefault(pid, []).append(t)
    docs = [
        (product_features(title=name, category_ids=anc.get(cat, [cat]), attributes=attrs), tags.get(pid, []))
        for pid, name, cat, attrs in _product_rows()
    ]
    model = TagSuggester().fit(docs)
    path = assist_dir() / "tags.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(model.to_dict(), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return model


class _Loaded:
    lock = threading.Lock()
    items: dict[str, tuple[float, object]] = {}


def _cached(key: str, path: Path, loader):
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    got = _Loaded.items.get(key)
    if got and got[0] == mtime and str(path) == key.split("|", 1)[1]:
        return got[1]
    with _Loaded.lock:
        try:
            obj = loader(path)
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("assist: %s unreadable: %s", path, exc)
            return None
        _Loaded.items[key] = (mtime, obj)
        return obj


def tag_model() -> TagSuggester | None:
    path = assist_dir() / "tags.json"
    model = _cached(
        f"tags|{path}", path, lambda p: TagSuggester.from_dict(json.loads(p.read_text(encoding="utf-8")))
    )
    if model is None:
        n = Product.objects.count()
        if 0 < n <= TRAIN_INLINE_MAX:
            model = tag_model_train()  # a small catalog: well under a second
        elif n:
            from kkot.assist.tasks import assist_models_train_task

            assist_models_train_task.enqueue()  # a large one trains in the background (and daily)
    return model


class CatalogPhoto(NamedTuple):
    """One product as the catalog-trained models see it: its labels and its representative photo's vector."""

    pid: int
    name: str
    category_id: int
    attributes: dict
    vector: np.ndarray


def catalog_photos() -> list[CatalogPhoto]:
    """The newest products (at most ``MAX_TRAIN_PRODUCTS``) whose representative photo the current model has
    analysed, read once for all the models trained from them."""
    from kkot.assist.services.visual import representative_vectors

    vecs = representative_vectors(None)
    return [CatalogPhoto(pid, name, cat, attrs or {}, vecs[pid][0])
            for pid, name, cat, attrs in _product_rows() if pid in vecs]


def _one_dim(rows: list[CatalogPhoto]) -> bool:
    return len({len(r.vector) for r in rows}) == 1


def category_model_train(photos: list[CatalogPhoto] | None = None) -> int:
    """Title + representative-image category model over the catalog's leaf categories; returns classes."""
    from kkot.ml.vision import CategoryPredictor

    rows = catalog_photos() if photos is None else photos
    counts = Counter(r.category_id for r in rows)
    rows = [r for r in rows if counts[r.category_id] >= MIN_CATEGORY_EXAMPLES]
    if len({r.category_id for r in rows}) < 2 or not _one_dim(rows):
        return 0
    model = CategoryPredictor().fit(
        [r.name for r in rows], np.stack([r.vector for r in rows]), [str(r.category_id) for r in rows]
    )
    path = assist_dir() / "category"
    model.save(path)
    (path / "trained.json").write_text(json.dumps({"products": len(rows), "classes": len(model.classes_)}))
    return len(model.classes_)


def category_model():
    from kkot.ml.vision import CategoryPredictor

    path = assist_dir() / "category"
    return _cached(
        f"category|{path / 'category.json'}",
        path / "category.json",
        lambda p: CategoryPredictor.load(p.parent),
    )


def model_version_of(path_name: str) -> str:
    p = assist_dir() / path_name
    try:
        return f"{path_name.split('/')[0].split('.')[0]}:{int(p.stat().st_mtime)}"
    except OSError:
        return ""


def _single_colour(attrs) -> str | None:
    """The product's one colour value; products in several colours (or none) teach nothing about one photo."""
    v = (attrs or {}).get("color")
    vals = [str(x) for x in (v if isinstance(v, list) else [v]) if x not in (None, "")]
    return vals[0] if len(set(vals)) == 1 else None


def colour_model_train(photos: list[CatalogPhoto] | None = None) -> int:
    """Colour names over the representative photos' search vectors, learnt from the sellers' colour attribute
    (set by hand or by accepting a suggestion); returns the number of names learnt (0: not enough data)."""
    from kkot.ml.vision import CatalogColourModel

    rows = [(r, c) for r in (catalog_photos() if photos is None else photos) if (c := _single_colour(r.attributes))]
    counts = Counter(c for _r, c in rows)
    rows = [(r, c) for r, c in rows if counts[c] >= MIN_COLOUR_EXAMPLES]
    if (
        len({c for _r, c in rows}) < max(2, MIN_COLOUR_CLASSES)
        or len(rows) < MIN_COLOUR_PRODUCTS
        or not _one_dim([r for r, _c in rows])
    ):
        return 0
    model = CatalogColourModel().fit(np.stack([r.vector for r, _c in rows]), [c for _r, c in rows])
    path = assist_dir() / "colour"
    model.save(str(path))
    (path / "trained.json").write_text(json.dumps({"products": len(rows), "classes": len(model.classes_)}))
    return len(model.classes_)


def colour_model():
    from kkot.ml.vision import CatalogColourModel

    path = assist_dir() / "colour"
    return _cached(
        f"colour|{path / 'catalog_colour.json'}",
        path / "catalog_colour.json",
        lambda p: CatalogColourModel.load(str(p.parent)),
    )


def search_head_dir() -> Path:
    return assist_dir() / "search_head"


def search_head_train(photos: list[CatalogPhoto] | None = None) -> str:
    """Train the visual index's search head on the catalog (leaf categories, single colours) and make it current;
    returns its version, or "" when the catalog is too small (the index then keeps the stored vectors)."""
    from kkot.ml.vision import CatalogSearchHead

    rows = catalog_photos() if photos is None else photos
    counts = Counter(r.category_id for r in rows)
    rows = [r for r in rows if counts[r.category_id] >= MIN_CATEGORY_EXAMPLES]
    if len(rows) < MIN_SEARCH_PRODUCTS or len({r.category_id for r in rows}) < 2 or not _one_dim(rows):
        return ""
    colour_of = [_single_colour(r.attributes) for r in rows]
    named = Counter(c for c in colour_of if c)
    head = CatalogSearchHead().fit(
        np.stack([r.vector for r in rows]),
        [str(r.category_id) for r in rows],
        [c if c and named[c] >= MIN_COLOUR_EXAMPLES else None for c in colour_of],
        min_colour_names=MIN_COLOUR_CLASSES,
    )
    root = search_head_dir()
    root.mkdir(parents=True, exist_ok=True)
    version = f"{time.time_ns() // 1_000_000}"
    tmp = root / f".tmp-{version}"
    head.save(tmp)
    os.replace(tmp, root / version)
    ptr = root / ".current.json.tmp"
    ptr.write_text(json.dumps({"version": version, "products": len(rows)}))
    os.replace(ptr, root / "current.json")
    for old in sorted(d.name for d in root.iterdir() if d.is_dir() and d.name.isdigit())[:-2]:
        shutil.rmtree(root / old, ignore_errors=True)  # keep this head and the previous one
    return version


def search_head_version() -> str:
    """The current search head's version ("" when there is none)."""
    try:
        return str(json.loads((search_head_dir() / "current.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return ""
