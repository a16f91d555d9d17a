"""Hand-made shape features: HOG (numpy) projected by PCA fitted on ship-safe photos.

Complements the CNN embedding in :class:`~kkot.ml.vision.embedding.VisualEncoder` (the CNN learned 10
clothing classes only; HOG describes the silhouette of any product: bags, watches, shoes...).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

__all__ = ["HogProjector", "hog"]


def hog(images: np.ndarray, cell: int = 8, bins: int = 9) -> np.ndarray:
    """Plain HOG (unsigned gradients, cell histograms, 2x2 block L2-Hys) for uint8 (N, S, S, 3)."""
    g = np.asarray(images, np.float32).mean(-1)
    gx = ndi.correlate1d(g, np.array([-1.0, 0.0, 1.0], np.float32), axis=2)
    gy = ndi.correlate1d(g, np.array([-1.0, 0.0, 1.0], np.float32), axis=1)
    mag = np.hypot(gx, gy)
    b0 = (np.floor((np.degrees(np.arctan2(gy, gx)) % 180.0) / (180.0 / bins)).astype(np.int64)) % bins
    n, s, _ = g.shape
    c = s // cell
    cy = np.minimum(np.arange(s) // cell, c - 1)
    cell_idx = (cy[:, None] * c + cy[None, :]) * bins  # (s, s)
    idx = cell_idx[None] + b0 + (np.arange(n) * c * c * bins)[:, None, None]
    hist = np.bincount(idx.ravel(), weights=mag.ravel(), minlength=n * c * c * bins)
    hist = hist.reshape(n, c, c, bins).astype(np.float32)
    blocks = np.concatenate([hist[:, :-1, :-1], hist[:, 1:, :-1], hist[:, :-1, 1:], hist[:, 1:, 1:]], axis=-1)
    blocks /= np.linalg.norm(blocks, axis=-1, keepdims=True) + 1e-6
    blocks = np.minimum(blocks, 0.2)
    blocks /= np.linalg.norm(blocks, axis=-1, keepdims=True) + 1e-6
    return blocks.reshape(n, -1)


class HogProjector:
    """HOG at ``size`` px -> PCA (``dim`` components, whitened lightly) -> L2-normalised vector."""

    def __init__(self, size: int = 64, dim: int = 96) -> None:
        self.size, self.dim = size, dim
        self.mean_: np.ndarray | None = None
        self.components_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def _hog(self, images: np.ndarray | list) -> np.ndarray:
        from kkot.ml.vision.data import square_resize

        s = self.size
        if isinstance(images, np.ndarray) and images.ndim == 4 and images.shape[1:3] == (s, s):
            arr = images
        else:
            arr = np.stack([square_resize(np.asarray(im), s) for im in images])
        return np.concatenate([hog(arr[i : i + 512]) for i in range(0, len(arr), 512)])

    def fit(self, images: np.ndarray) -> HogProjector:
        h = self._hog(images)
        self.mean_ = h.mean(0)
        _, sv, vt = np.linalg.svd(h - self.mean_, full_matrices=False)
        self.components_ = vt[: self.dim].astype(np.float32)
        self.scale_ = (1.0 / np.sqrt(sv[: self.dim] / np.sqrt(len(h)) + 1e-3)).astype(np.float32)
        return self

    def transform(self, images: np.ndarray | list) -> np.ndarray:
        z = ((self._hog(images) - self.mean_) @ self.components_.T) * self.scale_
        return (z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-9)).astype(np.float32)

    def save(self, path: str | Path) -> None:
        np.savez_compressed(Path(path), mean=self.mean_, components=self.components_, scale=self.scale_,
                            size=np.array(self.size), dim=np.array(self.dim))

    @classmethod
    def load(cls, path: str | Path) -> HogProjector:
        with np.load(Path(path), allow_pickle=False) as z:
            m = cls(int(z["size"]), int(z["dim"]))
            m.mean_, m.components_, m.scale_ = z["mean"], z["components"], z["scale"]
        return m
