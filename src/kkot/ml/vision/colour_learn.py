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

No learned parameters here: a platform fits the head on its own catalog's colour labels.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from kkot.ml.vision.colour import (
    ANALYSIS_SIDE,
    COLOUR_NAMES,
    ERODE,
    NAME_WEIGHTS,
    _pixel_weights,
    name_scores,
)
from kkot.ml.vision.segment import Foreground, resize_max_side, segment_foreground

__all__ = ["DESCRIPTOR_DIM", "colour_histograms"]

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
