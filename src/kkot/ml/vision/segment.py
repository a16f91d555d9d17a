"""Foreground (product) segmentation without a learned model.

Border-seeded flood fill in CIE Lab: the background is whatever is connected to the image border through
pixels that look like the border colours *and* are not on an edge; edges act as barriers so a white shirt on
a white background is still separated by its outline. Holes inside the product are filled. Works on product
photos (studio or plain background); on cluttered photos it falls back to a centre prior.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

ADAPT_MIN = 3.0

__all__ = ["Foreground", "rgb_to_lab", "segment_foreground", "resize_max_side"]


def resize_max_side(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Area-average downscale (uint8 in, uint8 out) so max(H, W) <= max_side."""
    from PIL import Image

    h, w = rgb.shape[:2]
    if max(h, w) <= max_side:
        return rgb
    s = max_side / max(h, w)
    im = Image.fromarray(rgb).resize((max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.BOX)
    return np.asarray(im)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 (..., 3) -> CIE Lab (D65) float32 (..., 3)."""
    c = rgb.astype(np.float32) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array(
        [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]],
        dtype=np.float32,
    )
    xyz = c @ m.T
    xyz /= np.array([0.95047, 1.0, 1.08883], dtype=np.float32)
    d = 6.0 / 29.0
    f = np.where(xyz > d**3, np.cbrt(xyz), xyz / (3 * d * d) + 4.0 / 29.0)
    lab = np.empty_like(f)
    lab[..., 0] = 116.0 * f[..., 1] - 16.0
    lab[..., 1] = 500.0 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200.0 * (f[..., 1] - f[..., 2])
    return lab


@dataclass(frozen=True)
class Foreground:
    """Result of :func:`segment_foreground` (arrays at the analysed size)."""

    mask: np.ndarray  # bool (H, W): True on the product
    lab: np.ndarray  # float32 (H, W, 3)
    bg_lab: np.ndarray  # float32 (3,): main background colour
    border_uniformity: float  # share of border pixels close to the main background colour (0..1)
    fraction: float  # share of the image covered by the product
    bbox: tuple[int, int, int, int]  # (top, left, bottom, right) of the product, exclusive ends
    method: str  # "flood" or "centre" (fallback)


def _border(a: np.ndarray, width: int) -> np.ndarray:
    return np.concatenate(
        [a[:width].reshape(-1, a.shape[-1]), a[-width:].reshape(-1, a.shape[-1]),
         a[:, :width].reshape(-1, a.shape[-1]), a[:, -width:].reshape(-1, a.shape[-1])]
    )


def _border_colours(border: np.ndarray, k: int = 3, iters: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Tiny k-means over border Lab pixels; returns (centres, shares) sorted by share."""
    rng = np.random.default_rng(0)
    pts = border if len(border) <= 2000 else border[rng.choice(len(border), 2000, replace=False)]
    centres = pts[np.linspace(0, len(pts) - 1, k).astype(int)].copy()
    for _ in range(iters):
        d = ((pts[:, None, :] - centres[None]) ** 2).sum(-1)
        lab = d.argmin(1)
        for j in range(k):
            sel = pts[lab == j]
            if len(sel):
                centres[j] = sel.mean(0)
    d = ((pts[:, None, :] - centres[None]) ** 2).sum(-1)
    shares = np.bincount(d.argmin(1), minlength=k) / len(pts)
    order = np.argsort(-shares)
    return centres[order], shares[order]


def segment_foreground(
    rgb: np.ndarray,
    *,
    colour_tol: float = 10.0,
    edge_tol: float = 6.0,
    min_border_share: float = 0.12,
) -> Foreground:
    """Segment the product in an RGB uint8 array (analyse at ~96-256 px for speed).

    When almost nothing is found (a white product on a white background), it retries with tighter
    tolerances before concluding that there is no product.
    """
    fg = _segment(rgb, colour_tol, edge_tol, min_border_share)
    if fg.method == "flood" and fg.fraction < 0.02:
        retry = _segment(rgb, colour_tol * 0.4, edge_tol * 0.5, min_border_share)
        if retry.fraction > fg.fraction:
            return retry
    return fg


def _segment(rgb: np.ndarray, colour_tol: float, edge_tol: float, min_border_share: float) -> Foreground:
    lab = rgb_to_lab(rgb)
    h, w = lab.shape[:2]
    bw = max(1, min(h, w) // 64)
    border = _border(lab, bw)
    centres, shares = _border_colours(border)
    bg_cols = centres[shares >= min_border_share]
    if len(bg_cols) == 0:
        bg_cols = centres[:1]
    dist = np.sqrt(((lab[:, :, None, :] - bg_cols[None, None]) ** 2).sum(-1)).min(-1)
    d_border = np.sqrt(((border - centres[0]) ** 2).sum(-1))
    uniformity = float((d_border < colour_tol).mean())
    # adaptive tolerance: a clean studio background (tiny spread) gets a tight threshold so that an
    # off-white product on pure white is still foreground
    near = d_border[d_border < colour_tol]
    if len(near) > 0.5 * len(d_border):
        colour_tol = float(np.clip(2.0 * np.percentile(near, 90) + ADAPT_MIN, ADAPT_MIN, colour_tol))
    # edge barrier: Lab gradient magnitude (Sobel), lightly dilated to close gaps in outlines
    grad = np.zeros((h, w), np.float32)
    for ch, wgt in ((0, 1.0), (1, 0.7), (2, 0.7)):
        gx = ndi.sobel(lab[..., ch], axis=1)
        gy = ndi.sobel(lab[..., ch], axis=0)
        grad += wgt * np.hypot(gx, gy) / 8.0
    edges = ndi.binary_dilation(grad > edge_tol, iterations=1)
    candidate = (dist < colour_tol) & ~edges
    # seed from the border: components of the candidate that touch the border
    labels, n = ndi.label(candidate)
    border_ids = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    border_ids = border_ids[border_ids > 0]
    bg = np.isin(labels, border_ids)
    # the edge pixels around background regions that look like background belong to it too
    bg |= ndi.binary_dilation(bg, iterations=1) & (dist < colour_tol * 1.5)
    fg = ndi.binary_fill_holes(~bg)
    fg = ndi.binary_opening(fg, iterations=1)
    labels, n = ndi.label(fg)
    method = "flood"
    if n:
        sizes = ndi.sum(fg, labels, index=np.arange(1, n + 1))
        keep = np.flatnonzero(sizes >= max(sizes.max() * 0.08, 0.002 * h * w)) + 1
        fg = np.isin(labels, keep)
    frac = float(fg.mean())
    if uniformity < 0.35 or frac > 0.93:
        # cluttered or no clear background: fall back to a centred ellipse prior
        yy, xx = np.mgrid[0:h, 0:w]
        fg = ((yy - h / 2) / (h * 0.38)) ** 2 + ((xx - w / 2) / (w * 0.34)) ** 2 <= 1.0
        method = "centre"
        frac = float(fg.mean())
    if fg.any():
        rows = np.flatnonzero(fg.any(1))
        cols = np.flatnonzero(fg.any(0))
        bbox = (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
    else:
        bbox = (0, 0, 0, 0)
    return Foreground(
        mask=fg, lab=lab, bg_lab=centres[0].astype(np.float32), border_uniformity=uniformity,
        fraction=frac, bbox=bbox, method=method,
    )
