"""Foreground colour descriptors for a learned colour head (:class:`~kkot.ml.vision.colour.ColourClassifier`).

:func:`colour_histograms` describes the product's pixels only (background removed by
:func:`~kkot.ml.vision.segment.segment_foreground`, outline eroded), each pixel weighted by the same
saliency as :func:`~kkot.ml.vision.colour.dominant_colours` (centre of the product, its usual lightness,
skin of a model down-weighted):

- a joint CIE Lab histogram (L 5 x a 7 x b 7 bins, square-rooted);
- a hue histogram of the chromatic pixels (18 bins, weighted by chroma) and the chromatic share;
- soft Korean colour-name shares of the whole product and of its top, middle and bottom thirds (a model
  wearing a shirt shows trousers below it), and the hard (nearest-name) shares;
- lightness / chroma percentiles.

No learned parameters in the descriptor: a platform fits :class:`CatalogColourModel` (two heads over the
descriptor and whatever else it keeps per photo, e.g. its search vector) on its own catalog's colour labels.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from kkot.ml.vision.colour import (
    ANALYSIS_SIDE,
    COLOUR_NAMES,
    ERODE,
    NAME_WEIGHTS,
    ColourClassifier,
    _pixel_weights,
    name_scores,
)
from kkot.ml.vision.segment import Foreground, resize_max_side, segment_foreground

__all__ = ["DESCRIPTOR_DIM", "CatalogColourModel", "colour_histograms"]

_L_EDGES = np.array([25.0, 45.0, 65.0, 85.0])  # 5 lightness bins
_AB_EDGES = np.array([-40.0, -20.0, -6.0, 6.0, 20.0, 40.0])  # 7 bins per opponent axis
_N_NAMES = len(COLOUR_NAMES)
DESCRIPTOR_DIM = 5 * 7 * 7 + 18 + 1 + 5 * _N_NAMES + 8
_NAME_W = np.array([NAME_WEIGHTS.get(n, 1.0) for n in COLOUR_NAMES], np.float32)
MAX_PIXELS = 2500


def _norm(v: np.ndarray) -> np.ndarray:
    return v / max(float(v.sum()), 1e-9)


def colour_histograms(rgb: np.ndarray, *, fg: Foreground | None = None) -> np.ndarray:
    """A ``DESCRIPTOR_DIM`` float32 vector describing the product's colours in an RGB uint8 image."""
    small = resize_max_side(np.asarray(rgb)[..., :3], ANALYSIS_SIDE)
    if fg is None or fg.mask.shape != small.shape[:2]:
        fg = segment_foreground(small)
    mask = ndi.binary_erosion(fg.mask, iterations=ERODE)
    if mask.sum() < 16:
        mask = fg.mask if fg.mask.sum() >= 16 else np.ones(fg.mask.shape, bool)
    px = fg.lab[mask]
    wts = _pixel_weights(fg, mask)
    yy = np.nonzero(mask)[0]
    top, _, bottom, _ = fg.bbox
    rel_y = (yy - top) / max(bottom - top, 1)
    if len(px) > MAX_PIXELS:
        sel = np.linspace(0, len(px) - 1, MAX_PIXELS).astype(int)
        px, wts, rel_y = px[sel], wts[sel], rel_y[sel]
    lum, a, b = px[:, 0], px[:, 1], px[:, 2]
    # joint Lab histogram
    code = (np.digitize(lum, _L_EDGES) * 7 + np.digitize(a, _AB_EDGES)) * 7 + np.digitize(b, _AB_EDGES)
    lab_hist = np.sqrt(_norm(np.bincount(code, weights=wts, minlength=5 * 7 * 7)))
    # hue of chromatic pixels
    chroma = np.hypot(a, b)
    hue = (np.degrees(np.arctan2(b, a)) % 360.0) // 20.0
    chromatic = chroma > 12.0
    hw = wts * np.minimum(chroma, 60.0) / 60.0 * chromatic
    hue_hist = np.bincount(hue[chromatic].astype(int), weights=hw[chromatic], minlength=18)[:18]
    chroma_share = float((wts * chromatic).sum() / max(float(wts.sum()), 1e-9))
    hue_hist = np.sqrt(hue_hist / max(float(wts.sum()), 1e-9))
    # soft name shares: whole product, thirds, and hard shares
    scores = name_scores(px) * _NAME_W
    parts = [_norm((scores * wts[:, None]).sum(0))]
    for lo, hi in ((0.0, 1 / 3), (1 / 3, 2 / 3), (2 / 3, 1.01)):
        s = (rel_y >= lo) & (rel_y < hi)
        parts.append(_norm((scores[s] * wts[s, None]).sum(0)) if s.any() else parts[0])
    parts.append(_norm(np.bincount(scores.argmax(1), weights=wts, minlength=_N_NAMES)))
    stats = np.concatenate(
        [
            np.percentile(lum, [10, 50, 90]) / 100.0,
            np.percentile(chroma, [10, 50, 90]) / 50.0,
            [float(fg.fraction), float(fg.method == "flood")],
        ]
    )
    return np.concatenate([lab_hist, hue_hist, [chroma_share], *parts, stats]).astype(np.float32)


class CatalogColourModel:
    """Colour names learnt from a catalog's own labels (sellers' colour attributes, accepted suggestions).

    Two heads over the same per-photo features, their probabilities joined by a geometric mean: a
    :class:`~kkot.ml.vision.colour.ColourClassifier` (logistic regression, inverse L2 strength ``c``) and a
    :class:`~kkot.ml.vision.metric.MetricHead` (cosine softmax, ``metric`` keyword arguments). The defaults
    were chosen on an inner split of the fashion catalog's training part (``bench/vision.py``). Saved as
    json + npz in one directory (no pickle).
    """

    FORMAT = "kkot-catalog-colour-v1"

    def __init__(self, c: float = 0.02, metric: dict | None = None) -> None:
        self.c = c
        self.metric = dict(metric or {"hidden": 256, "dim": 64, "epochs": 30, "m": 0.1})
        self.classes_: list[str] = []
        self.lr_: ColourClassifier | None = None
        self.head_ = None
        self.dim_ = 0

    def fit(self, features: np.ndarray, names: list[str]) -> CatalogColourModel:
        from kkot.ml.vision.metric import MetricHead

        x = np.asarray(features, np.float32)
        if x.ndim != 2 or len(x) != len(names):
            raise ValueError("features must be (n, d) with one colour name per row")
        if len(set(names)) < 2:
            raise ValueError("need at least two colour names to learn from")
        self.lr_ = ColourClassifier(c=self.c).fit(x, list(names))
        self.head_ = MetricHead(**self.metric).fit(x, list(names))
        self.classes_, self.dim_ = list(self.lr_.classes_), int(x.shape[1])
        return self

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """``(n, len(classes_))`` probabilities (rows sum to 1)."""
        if self.lr_ is None or self.head_ is None:
            raise RuntimeError("CatalogColourModel is not fitted")
        x = np.asarray(features, np.float32)
        if x.ndim != 2 or x.shape[1] != self.dim_:
            raise ValueError(f"expected (n, {self.dim_}) features, got {x.shape}")
        p = np.sqrt(self.lr_.predict_proba(x) * self.head_.predict_proba(x))  # both ordered by sorted names
        return p / np.maximum(p.sum(1, keepdims=True), 1e-12)

    def predict_top(self, features: np.ndarray, k: int = 3) -> list[list[tuple[str, float]]]:
        p = self.predict_proba(features)
        return [[(self.classes_[j], float(p[i, j])) for j in np.argsort(-p[i])[:k]] for i in range(len(p))]

    def save(self, path: str) -> None:
        import json
        from pathlib import Path

        if self.lr_ is None or self.head_ is None:
            raise RuntimeError("CatalogColourModel is not fitted")
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        self.lr_.save(str(d))
        self.head_.save(d)
        (d / "catalog_colour.json").write_text(
            json.dumps({"format": self.FORMAT, "c": self.c, "metric": self.metric, "dim": self.dim_,
                        "classes": self.classes_}, ensure_ascii=False),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: str) -> CatalogColourModel:
        import json
        from pathlib import Path

        from kkot.ml.vision.metric import MetricHead

        d = Path(path)
        cfg = json.loads((d / "catalog_colour.json").read_text(encoding="utf-8"))
        if cfg.get("format") != cls.FORMAT:
            raise ValueError(f"not a kkot catalog colour model: {d}")
        m = cls(cfg["c"], cfg["metric"])
        m.lr_, m.head_ = ColourClassifier.load(str(d)), MetricHead.load(d)
        m.classes_, m.dim_ = list(cfg["classes"]), int(cfg["dim"])
        if m.lr_.classes_ != m.classes_ or m.head_.classes_ != m.classes_:
            raise ValueError(f"catalog colour model {d}: its two heads disagree on the colour names")
        return m
