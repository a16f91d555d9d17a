"""The platform's own search vector, learnt from its catalog on top of the vectors it already stores per photo.

:class:`CatalogSearchHead` joins three parts into one L2-normalised vector (each part's share of the cosine
similarity in ``weights``):

- a :class:`~kkot.ml.vision.metric.MetricHead` trained on the catalog's leaf categories (photos of the same
  kind of product end up close);
- the square-rooted probabilities of a :class:`~kkot.ml.vision.colour_learn.CatalogColourModel` trained on the
  sellers' colour names, when the catalog has enough of them (same kind *and* same colour rank first);
- the stored vector itself (what the photo looks like beyond its labels).

The weights (0.6, 0.2, 0.2) were chosen on an inner 80/20 split of the training part of the fashion catalog
(``fashion_product_images_small_subset``, over the shipped ``VisualEncoder`` vectors): same-articleType /
same-articleType-and-colour precision@10 0.735 / 0.326 for the stored vectors, 0.851 / 0.263 for the category
head alone, 0.840 / 0.495 for the three parts (see ``bench/vision.py``). Saved as json + npz (no pickle).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kkot.ml.vision.colour_learn import CatalogColourModel
from kkot.ml.vision.metric import MetricHead, search_vectors

__all__ = ["CatalogSearchHead"]


class CatalogSearchHead:
    """Stored photo vectors -> the catalog's search vectors (see the module docstring)."""

    FORMAT = "kkot-catalog-search-v1"
    WEIGHTS = (0.6, 0.2, 0.2)  # category head, colour probabilities, the stored vector
    CATEGORY_HEAD = {"hidden": 256, "dim": 64, "epochs": 40}

    def __init__(self, weights: Sequence[float] = WEIGHTS) -> None:
        self.weights = tuple(float(w) for w in weights)
        self.category: MetricHead | None = None
        self.colour: CatalogColourModel | None = None
        self.in_dim = 0

    def fit(
        self,
        vectors: np.ndarray,
        categories: Sequence[str],
        colours: Sequence[str | None] | None = None,
        min_colour_names: int = 2,
    ) -> CatalogSearchHead:
        """``categories``: one label per vector; ``colours``: the colour name of each vector or ``None`` (the
        colour part is trained on the named ones, and left out below ``min_colour_names`` distinct names)."""
        x = np.asarray(vectors, np.float32)
        if x.ndim != 2 or len(x) != len(categories):
            raise ValueError("vectors must be (n, d) with one category per row")
        if len(set(categories)) < 2:
            raise ValueError("need at least two categories to learn from")
        self.in_dim = int(x.shape[1])
        self.category = MetricHead(**self.CATEGORY_HEAD).fit(x, [str(c) for c in categories])
        self.colour = None
        if colours is not None:
            named = [i for i, c in enumerate(colours) if c]
            if len({colours[i] for i in named}) >= max(2, min_colour_names):
                self.colour = CatalogColourModel().fit(x[named], [str(colours[i]) for i in named])
        return self

    @property
    def dim(self) -> int:
        if self.category is None:
            raise RuntimeError("CatalogSearchHead is not fitted")
        # the head's output width (its embedding, or its hidden layer when trained without torch)
        cat_dim = self.category.transform(np.zeros((1, self.in_dim), np.float32)).shape[1]
        return cat_dim + (len(self.colour.classes_) if self.colour is not None else 0) + self.in_dim

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        """``(n, dim)`` float32 search vectors (L2-normalised) of ``(n, in_dim)`` stored vectors."""
        if self.category is None:
            raise RuntimeError("CatalogSearchHead is not fitted")
        x = np.asarray(vectors, np.float32)
        if x.ndim != 2 or x.shape[1] != self.in_dim:
            raise ValueError(f"expected (n, {self.in_dim}) vectors, got {x.shape}")
        w_cat, w_col, w_raw = self.weights
        parts = [(self.category.transform(x), w_cat)]
        if self.colour is not None:
            parts.append((np.sqrt(self.colour.predict_proba(x)), w_col))
        parts.append((x, w_raw))
        return np.ascontiguousarray(search_vectors(parts), np.float32)

    def save(self, path: str | Path) -> None:
        if self.category is None:
            raise RuntimeError("CatalogSearchHead is not fitted")
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        self.category.save(d / "category")
        if self.colour is not None:
            self.colour.save(str(d / "colour"))
        (d / "catalog_search.json").write_text(
            json.dumps({"format": self.FORMAT, "weights": self.weights, "in_dim": self.in_dim,
                        "colour": self.colour is not None}),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: str | Path) -> CatalogSearchHead:
        d = Path(path)
        cfg = json.loads((d / "catalog_search.json").read_text(encoding="utf-8"))
        if cfg.get("format") != cls.FORMAT:
            raise ValueError(f"not a kkot catalog search head: {d}")
        head = cls(cfg["weights"])
        head.in_dim = int(cfg["in_dim"])
        head.category = MetricHead.load(d / "category")
        head.colour = CatalogColourModel.load(str(d / "colour")) if cfg.get("colour") else None
        return head
