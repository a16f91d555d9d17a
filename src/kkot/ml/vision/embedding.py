"""Visual-similarity vectors: an image embedding model combined with foreground colour features.

Any stronger embedding model can be plugged in through :class:`EmbeddingModel` (an object with
``dim`` and ``embed(images) -> (N, dim) float32``); kkot's own :class:`~kkot.ml.vision.cnn.CnnEmbedder`
is the default, loaded lazily once per process from ``kkot/ml/models/vision_cnn``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from kkot.ml.vision.cnn import CnnEmbedder
from kkot.ml.vision.colour import colour_features
from kkot.ml.vision.features import HogProjector

__all__ = ["DEFAULT_MODEL_DIR", "EmbeddingModel", "VisualEncoder", "default_embedder", "default_hog"]

SHIPPED_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "vision_cnn"
#: ``KKOT_VISION_MODEL`` points at another model folder in the same format (e.g. one trained on a catalog).
DEFAULT_MODEL_DIR = Path(os.environ.get("KKOT_VISION_MODEL") or SHIPPED_MODEL_DIR)


@runtime_checkable
class EmbeddingModel(Protocol):
    @property
    def dim(self) -> int: ...

    def embed(self, images: np.ndarray | list) -> np.ndarray: ...


@functools.lru_cache(maxsize=1)
def default_embedder() -> CnnEmbedder:
    """kkot's shipped CNN (loaded once per process)."""
    return CnnEmbedder.load(DEFAULT_MODEL_DIR)


@functools.lru_cache(maxsize=1)
def default_hog() -> HogProjector | None:
    """The shipped HOG projector (PCA fitted on clothing_dataset_small), or None when absent."""
    f = DEFAULT_MODEL_DIR / "hog_pca.npz"
    return HogProjector.load(f) if f.exists() else None


class VisualEncoder:
    """Image -> one L2-normalised search vector made of three weighted parts:
    the embedding model's vector, a HOG shape descriptor and foreground colour features.

    ``weights`` = (embedding, shape, colour) shares of the squared norm: how much each part counts in the
    cosine similarity. ``hog=False`` (or no shipped projector) drops the shape part.
    """

    def __init__(
        self,
        model: EmbeddingModel | None = None,
        *,
        hog: HogProjector | bool = True,
        weights: tuple[float, float, float] = (0.40, 0.30, 0.30),
    ) -> None:
        self._model = model
        self._hog = hog
        self.weights = weights

    @property
    def model(self) -> EmbeddingModel:
        if self._model is None:
            self._model = default_embedder()
        return self._model

    @property
    def hog(self) -> HogProjector | None:
        if self._hog is True:
            self._hog = default_hog() or False
        return self._hog or None

    @property
    def dim(self) -> int:
        return int(self.model.dim) + (self.hog.dim if self.hog is not None else 0) + 32

    def encode(self, images: np.ndarray | list, *, colour_images: np.ndarray | list | None = None) -> np.ndarray:
        """``images``: uint8 (N, H, W, 3) or a list of arrays / PIL images. ``colour_images``: optional
        higher-resolution copies used for the colour part (defaults to ``images``)."""
        if not isinstance(images, np.ndarray):
            images = [np.asarray(im) for im in images]
        emb = np.asarray(self.model.embed(images), np.float32)
        shape = self.hog.transform(images) if self.hog is not None else None
        src = images if colour_images is None else colour_images
        col = np.stack([colour_features(np.asarray(im)) for im in src]).astype(np.float32)
        return self.combine(emb, col, shape)

    def combine(self, embeddings: np.ndarray, colour: np.ndarray, shape: np.ndarray | None = None) -> np.ndarray:
        """Join precomputed parts (each (N, d)) into L2-normalised search vectors."""
        we, wh, wc = self.weights
        parts = [(embeddings, we), (colour, wc)]
        if shape is not None:
            parts.insert(1, (shape, wh))
        total = sum(w for _, w in parts)
        out = []
        for arr, w in parts:
            a = np.asarray(arr, np.float32)
            a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-9)
            out.append(a * np.sqrt(w / total))
        v = np.concatenate(out, axis=1)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
