"""Dominant product colours named in Korean, ignoring the background.

Pipeline: segment the product (:func:`kkot.ml.vision.segment.segment_foreground`), name every foreground
pixel by its nearest colour prototype in CIE Lab (hand-written prototypes from standard colour values; no
learned parameters), and report each name's share. Highlights and deep shadows are down-weighted because
they carry the lighting, not the dye. ``멀티`` is reported when no colour dominates. When a shade comes
first (스카이블루, 네이비, 와인, ...), its base hue is offered as the alternative name (``SHADE_FAMILY``).

A platform with sellers' colour labels can learn its own mapping: :class:`ColourClassifier` over
:func:`kkot.ml.vision.colour_learn.colour_histograms` (foreground Lab / hue / name histograms).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kkot.ml.vision.segment import Foreground, resize_max_side, rgb_to_lab, segment_foreground

__all__ = [
    "COLOUR_NAMES",
    "FASHION_COLOUR_MAP",
    "ColourClassifier",
    "ColourShare",
    "colour_descriptor",
    "colour_features",
    "dominant_colours",
]

COLOUR_NAMES: tuple[str, ...] = (
    "블랙",
    "화이트",
    "아이보리",
    "베이지",
    "그레이",
    "네이비",
    "블루",
    "스카이블루",
    "그린",
    "카키",
    "옐로우",
    "오렌지",
    "레드",
    "와인",
    "핑크",
    "퍼플",
    "브라운",
    "실버",
    "골드",
    "멀티",
)

# sRGB prototypes per name (several per name: shades that commonly occur in product photos).
_PROTOTYPES: dict[str, list[tuple[int, int, int]]] = {
    "블랙": [(18, 18, 18), (38, 38, 42), (58, 58, 60), (48, 46, 44)],
    "화이트": [(250, 250, 250), (236, 236, 238), (218, 218, 222)],
    "아이보리": [(250, 246, 228), (240, 233, 212)],
    "베이지": [(222, 204, 176), (205, 185, 152), (190, 170, 140)],
    "그레이": [(128, 128, 128), (102, 102, 105), (160, 160, 163), (188, 188, 190)],
    "네이비": [(22, 30, 65), (35, 45, 90), (45, 50, 75)],
    "블루": [(30, 80, 180), (55, 105, 200), (75, 110, 155), (20, 60, 140), (100, 130, 170), (75, 150, 205)],
    "스카이블루": [(150, 200, 235), (175, 208, 232)],
    "그린": [(30, 130, 60), (70, 165, 95), (20, 85, 50), (0, 120, 110), (140, 200, 120)],
    "카키": [(110, 110, 62), (88, 92, 55), (135, 128, 85)],
    "옐로우": [(245, 215, 40), (250, 232, 110), (222, 180, 40)],
    "오렌지": [(240, 125, 30), (250, 155, 80), (215, 95, 35)],
    "레드": [(200, 30, 40), (225, 55, 55), (165, 20, 30), (155, 50, 55)],
    "와인": [(110, 22, 42), (88, 22, 36), (115, 30, 60)],
    "핑크": [(240, 150, 180), (232, 100, 150), (250, 195, 205), (205, 55, 125)],
    "퍼플": [(110, 50, 140), (145, 95, 175), (78, 40, 100), (185, 165, 215)],
    "브라운": [
        (110, 70, 40),
        (145, 95, 55),
        (78, 50, 32),
        (165, 115, 75),
        (100, 75, 58),
        (72, 58, 50),
        (95, 80, 70),
    ],
    "골드": [(205, 165, 65)],
}

#: Mapping of the 44 ``baseColour`` labels of fashion_product_images_small_subset onto kkot's names
#: (used only by the benchmark; "" = unlabelled rows, excluded).
FASHION_COLOUR_MAP: dict[str, str] = {
    "Black": "블랙",
    "White": "화이트",
    "Off White": "아이보리",
    "Cream": "아이보리",
    "Beige": "베이지",
    "Nude": "베이지",
    "Skin": "베이지",
    "Taupe": "베이지",
    "Khaki": "베이지",  # English khaki is the light tan of chinos; Korean 카키 is olive (= "Olive" below)
    "Tan": "브라운",
    "Grey": "그레이",
    "Grey Melange": "그레이",
    "Charcoal": "그레이",
    "Navy Blue": "네이비",
    "Blue": "블루",
    "Turquoise Blue": "스카이블루",
    "Teal": "그린",
    "Green": "그린",
    "Sea Green": "그린",
    "Fluorescent Green": "그린",
    "Olive": "카키",
    "Yellow": "옐로우",
    "Mustard": "옐로우",
    "Orange": "오렌지",
    "Rust": "오렌지",
    "Peach": "핑크",
    "Red": "레드",
    "Maroon": "와인",
    "Burgundy": "와인",
    "Pink": "핑크",
    "Magenta": "핑크",
    "Purple": "퍼플",
    "Lavender": "퍼플",
    "Mauve": "퍼플",
    "Brown": "브라운",
    "Coffee Brown": "브라운",
    "Copper": "브라운",
    "Bronze": "브라운",
    "Silver": "실버",
    "Steel": "실버",  # steel watches and cufflinks: silver metal
    "Metallic": "실버",
    "Gold": "골드",
    "Multi": "멀티",
}


@dataclass(frozen=True)
class ColourShare:
    name: str  # Korean colour name from COLOUR_NAMES
    share: float  # share of the product's pixels named this colour (0..1, weighted towards the centre)
    rgb: tuple[int, int, int]  # mean colour of those pixels
    score: float = 0.0  # soft score used for ranking (nearby names share credit: black/navy, red/wine)

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


def _proto_arrays() -> tuple[np.ndarray, np.ndarray]:
    names, cols = [], []
    for name, protos in _PROTOTYPES.items():
        for p in protos:
            names.append(COLOUR_NAMES.index(name))
            cols.append(p)
    lab = rgb_to_lab(np.asarray(cols, dtype=np.uint8)[None])[0]
    return lab.astype(np.float32), np.asarray(names, dtype=np.int64)


_PROTO_LAB, _PROTO_NAME = _proto_arrays()
_GROUP_STARTS = np.flatnonzero(np.r_[True, _PROTO_NAME[1:] != _PROTO_NAME[:-1]])
_GROUP_NAMES = _PROTO_NAME[_GROUP_STARTS]
MAX_PIXELS = 3000  # pixels sampled per image for naming (evenly strided, deterministic)
L_WEIGHT = 0.6


def name_pixels(lab: np.ndarray) -> np.ndarray:
    """Index into COLOUR_NAMES for each Lab pixel (..., 3)."""
    flat = lab.reshape(-1, 3)
    w = np.array([L_WEIGHT, 1.0, 1.0], np.float32)
    d = (((flat[:, None, :] - _PROTO_LAB[None]) * w) ** 2).sum(-1)
    return _PROTO_NAME[d.argmin(1)].reshape(lab.shape[:-1])


# Tunable constants (chosen on the development 80% of the internal evaluation set; see MODEL_CARD.md).
SOFT_T = 9.0  # temperature (Lab units) of the soft assignment of a pixel to colour names
CENTRE_SIGMA = 0.45  # centre prior: Gaussian width relative to the product's bounding box
SKIN_WEIGHT = 0.15  # weight of skin-like pixels (models wearing the product) when they are a minority
SHADE_SIGMA = 30.0  # lightness window around the product's median lightness
ANALYSIS_SIDE = 96  # colours are read at this size
ERODE = 2  # pixels (at 96 px) removed along the product outline: anti-aliasing halo and soft shadows
#: grey pixels are often shading of black or white products: they count less (tuned on the dev split)
NAME_WEIGHTS = {"그레이": 0.75}
#: the base hue of a shade: offered as the alternative (second) name when the shade comes first
SHADE_FAMILY = {
    "스카이블루": "블루",
    "네이비": "블루",
    "와인": "레드",
    "핑크": "레드",
    "카키": "그린",
    "골드": "옐로우",
}


def name_scores(lab: np.ndarray) -> np.ndarray:
    """Soft scores (N, len(COLOUR_NAMES)) of Lab pixels (N, 3); rows sum to 1 (멀티 always 0)."""
    w = np.array([L_WEIGHT, 1.0, 1.0], np.float32)
    x = lab.astype(np.float32) * w
    p = _PROTO_LAB * w
    d2 = (x * x).sum(1)[:, None] - 2.0 * (x @ p.T) + (p * p).sum(1)[None]  # (N, P)
    # prototypes are grouped by name: min over each group
    group_min = np.minimum.reduceat(d2, _GROUP_STARTS, axis=1)
    best = np.full((len(lab), len(COLOUR_NAMES)), np.inf, np.float32)
    best[:, _GROUP_NAMES] = group_min
    z = -(best - best.min(1, keepdims=True)) / (2 * SOFT_T**2)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def _pixel_weights(fg: Foreground, mask: np.ndarray) -> np.ndarray:
    h, w = mask.shape
    t, l_, b, r = fg.bbox
    yy, xx = np.nonzero(mask)
    cy, cx = (t + b) / 2, (l_ + r) / 2
    sy, sx = max(b - t, 1) * CENTRE_SIGMA, max(r - l_, 1) * CENTRE_SIGMA
    wts = np.exp(-0.5 * (((yy - cy) / sy) ** 2 + ((xx - cx) / sx) ** 2))
    px = fg.lab[mask]
    lum = px[:, 0]
    med = float(np.median(lum))
    wts *= np.exp(-(((lum - med) / SHADE_SIGMA) ** 2))
    a, bb = px[:, 1], px[:, 2]
    chroma = np.hypot(a, bb)
    hue = np.degrees(np.arctan2(bb, a))
    skin = (lum > 30) & (lum < 88) & (hue > 25) & (hue < 75) & (chroma > 9) & (chroma < 45)
    if 0.02 < skin.mean() < 0.55:
        wts = np.where(skin, wts * SKIN_WEIGHT, wts)
    return wts.astype(np.float32)


def dominant_colours(
    rgb: np.ndarray,
    *,
    fg: Foreground | None = None,
    top: int = 3,
    min_share: float = 0.08,
    multi_threshold: float = 0.20,
) -> list[ColourShare]:
    """Dominant colours of the product in an RGB uint8 image, largest share first.

    Names are ranked by their soft score; the first two are always returned (the second is the best
    alternative name), further ones only with ``share >= min_share``. When the largest score is below
    ``multi_threshold`` and three or more colours pass ``min_share``, ``멀티`` is put first.
    """
    from scipy import ndimage as ndi

    small = resize_max_side(rgb, ANALYSIS_SIDE)
    if fg is None or fg.mask.shape != small.shape[:2]:
        fg = segment_foreground(small)
    mask = ndi.binary_erosion(fg.mask, iterations=ERODE)
    if mask.sum() < 16:
        mask = fg.mask if fg.mask.sum() >= 16 else np.ones(fg.mask.shape, bool)
    px_lab = fg.lab[mask]
    px_rgb = small[mask].astype(np.float32)
    wts = _pixel_weights(fg, mask)
    if len(px_lab) > MAX_PIXELS:
        sel = np.linspace(0, len(px_lab) - 1, MAX_PIXELS).astype(int)
        px_lab, px_rgb, wts = px_lab[sel], px_rgb[sel], wts[sel]
    scores = name_scores(px_lab)
    shares = (scores * wts[:, None]).sum(0)
    for nm, f in NAME_WEIGHTS.items():
        shares[COLOUR_NAMES.index(nm)] *= f
    shares = shares / max(float(shares.sum()), 1e-9)
    hard = scores.argmax(1)
    hard_share = np.bincount(hard, weights=wts, minlength=len(COLOUR_NAMES)) / max(float(wts.sum()), 1e-9)
    order = [int(j) for j in np.argsort(-shares)]
    parent = SHADE_FAMILY.get(COLOUR_NAMES[order[0]])
    if parent is not None and COLOUR_NAMES[order[1]] != parent and hard_share[order[1]] < min_share:
        # a shade's alternative name is its base hue (a light blue shirt is also "블루"), unless the
        # runner-up is a real second colour of the product
        order.remove(COLOUR_NAMES.index(parent))
        order.insert(1, COLOUR_NAMES.index(parent))
    out: list[ColourShare] = []
    for rank, j in enumerate(order[:top]):
        # the runner-up is always kept (an alternative name for the main colour); others need a real share
        if rank >= 2 and hard_share[j] < min_share:
            break
        sel = hard == j
        mean = px_rgb[sel].mean(0) if sel.any() else px_rgb.mean(0)
        out.append(
            ColourShare(COLOUR_NAMES[j], float(hard_share[j]), tuple(int(v) for v in mean), float(shares[j]))
        )
    passing = int((hard_share >= min_share).sum())
    if shares[order[0]] < multi_threshold and passing >= 3:
        covered = float(hard_share[hard_share >= min_share].sum())
        out.insert(0, ColourShare("멀티", covered, out[0].rgb, float(shares[order[0]])))
        out = out[:top]
    return out


def colour_features(rgb: np.ndarray, *, fg: Foreground | None = None) -> np.ndarray:
    """A 32-d foreground colour descriptor for visual similarity: name shares (20) + Lab stats (12).

    L2-normalised so it can be concatenated with an image embedding.
    """
    small = resize_max_side(rgb, 96)
    if fg is None or fg.mask.shape != small.shape[:2]:
        fg = segment_foreground(small)
    mask = fg.mask if fg.mask.sum() >= 16 else np.ones(fg.mask.shape, bool)
    px = fg.lab[mask]
    idx = name_pixels(px)
    shares = np.bincount(idx, minlength=len(COLOUR_NAMES)).astype(np.float32)
    shares /= max(shares.sum(), 1.0)
    q = np.percentile(px, [25, 50, 75], axis=0).astype(np.float32) / 100.0  # (3, 3)
    stats = np.concatenate([q.ravel(), px.std(0).astype(np.float32) / 50.0])
    v = np.concatenate([np.sqrt(shares), stats]).astype(np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-9)


def colour_descriptor(rgb: np.ndarray) -> np.ndarray:
    """268-d foreground colour descriptor for a learned colour head: sqrt of a 6x6x6 RGB histogram of the
    product's pixels (216), :func:`colour_features` (32) and the rule-based name scores (20)."""
    small = resize_max_side(rgb, ANALYSIS_SIDE)
    fg = segment_foreground(small)
    px = small[fg.mask] if fg.mask.sum() >= 16 else small.reshape(-1, 3)
    q = px.astype(np.int32) * 6 // 256
    h = np.bincount(q[:, 0] * 36 + q[:, 1] * 6 + q[:, 2], minlength=216).astype(np.float32)
    names = np.zeros(len(COLOUR_NAMES), np.float32)
    for c in dominant_colours(small, fg=fg, top=len(COLOUR_NAMES), min_share=0.0):
        names[COLOUR_NAMES.index(c.name)] = c.score
    return np.concatenate([np.sqrt(h / max(h.sum(), 1.0)), colour_features(small, fg=fg), names])


class ColourClassifier:
    """A colour head the platform trains on its own catalog (seller-entered colour names per photo).

    ``fit(descriptors, names)`` with :func:`kkot.ml.vision.colour_learn.colour_histograms` rows (or the older
    :func:`colour_descriptor`); ``predict_top(descriptors, k)`` returns
    (name, probability) lists. Logistic regression; saved as json + npz (no pickle).
    """

    def __init__(self, c: float = 0.1) -> None:
        self.c = c
        self.classes_: list[str] = []
        self.mean_ = self.scale_ = self.coef_ = self.intercept_ = None

    def fit(self, descriptors: np.ndarray, names: list[str]) -> ColourClassifier:
        from sklearn.linear_model import LogisticRegression

        x = np.asarray(descriptors, np.float32)
        self.classes_ = sorted(set(names))
        y = np.array([self.classes_.index(n) for n in names])
        self.mean_, self.scale_ = x.mean(0), x.std(0) + 1e-6
        m = LogisticRegression(C=self.c, max_iter=1000).fit((x - self.mean_) / self.scale_, y)
        self.coef_, self.intercept_ = m.coef_.astype(np.float32), m.intercept_.astype(np.float32)
        return self

    def predict_proba(self, descriptors: np.ndarray) -> np.ndarray:
        z = (
            (np.asarray(descriptors, np.float32) - self.mean_) / self.scale_
        ) @ self.coef_.T + self.intercept_
        if z.shape[1] == 1:  # binary
            z = np.concatenate([-z, z], axis=1) / 2
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)

    def predict_top(self, descriptors: np.ndarray, k: int = 2) -> list[list[tuple[str, float]]]:
        p = self.predict_proba(descriptors)
        return [[(self.classes_[j], float(p[i, j])) for j in np.argsort(-p[i])[:k]] for i in range(len(p))]

    def save(self, path: str) -> None:
        import json
        from pathlib import Path

        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            d / "colour_head.npz",
            mean=self.mean_,
            scale=self.scale_,
            coef=self.coef_,
            intercept=self.intercept_,
        )
        (d / "colour_head.json").write_text(
            json.dumps(
                {"format": "kkot-colour-head-v1", "c": self.c, "classes": self.classes_}, ensure_ascii=False
            )
        )

    @classmethod
    def load(cls, path: str) -> ColourClassifier:
        import json
        from pathlib import Path

        d = Path(path)
        cfg = json.loads((d / "colour_head.json").read_text())
        if cfg.get("format") != "kkot-colour-head-v1":
            raise ValueError(f"not a kkot colour head: {d}")
        m = cls(cfg["c"])
        m.classes_ = list(cfg["classes"])
        with np.load(d / "colour_head.npz", allow_pickle=False) as z:
            m.mean_, m.scale_, m.coef_, m.intercept_ = z["mean"], z["scale"], z["coef"], z["intercept"]
        return m
