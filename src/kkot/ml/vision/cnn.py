"""kkot's compact image CNN: numpy inference from a ``.npz`` (no torch needed to serve).

Architecture (channels ``C = (c1, c2, c3, c4)``), input ``S x S`` RGB:
``conv3x3/2(3,c1)-BN-ReLU -> conv3x3(c1,c2)-BN-ReLU-maxpool2 -> conv3x3(c2,c3)-BN-ReLU ->
conv3x3(c3,c3)-BN-ReLU-maxpool2 -> conv3x3(c3,c4)-BN-ReLU -> global avg+max pool -> linear(2*c4, D)`` =
embedding (L2-normalised) ``-> linear(D, n_classes)`` = logits. Batch norm is folded into the convolutions
at export. The training code (torch) is in :mod:`kkot.ml.vision.train`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["CnnEmbedder", "conv_plan"]


def conv_plan(channels: tuple[int, int, int, int]) -> list[tuple[int, int, int, bool]]:
    """(in, out, stride, pool_after) for each conv layer."""
    c1, c2, c3, c4 = channels
    return [(3, c1, 2, False), (c1, c2, 1, True), (c2, c3, 1, False), (c3, c3, 1, True), (c3, c4, 1, False)]


def _conv3x3_relu(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1) -> np.ndarray:
    """x (N, H, W, Cin) float32; w (9*Cin, Cout) in (ky, kx, cin) order; padding 1; ReLU."""
    n, h0, w0, c = x.shape
    h, wd = (h0 - 1) // stride + 1, (w0 - 1) // stride + 1
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cols = np.empty((n, h, wd, 9, c), dtype=np.float32)
    k = 0
    for dy in range(3):
        for dx in range(3):
            cols[:, :, :, k, :] = xp[:, dy : dy + stride * h : stride, dx : dx + stride * wd : stride, :]
            k += 1
    out = cols.reshape(n * h * wd, 9 * c) @ w
    out += b
    np.maximum(out, 0.0, out=out)
    return out.reshape(n, h, wd, -1)


def _maxpool2(x: np.ndarray) -> np.ndarray:
    n, h, w, c = x.shape
    x = x[:, : h // 2 * 2, : w // 2 * 2]
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


@dataclass
class CnnEmbedder:
    """Image embedding model (the interface any stronger embedding model must also offer).

    ``embed(images) -> (N, dim) float32`` L2-normalised; ``predict_proba(images)`` over ``classes``.
    Images: uint8 ``(N, H, W, 3)`` at any size (resized to ``input_size``) or a list of PIL images.
    """

    weights: dict[str, np.ndarray]
    channels: tuple[int, int, int, int]
    input_size: int
    classes: list[str]
    mean: np.ndarray
    std: np.ndarray
    meta: dict

    @property
    def dim(self) -> int:
        return int(self.weights["emb_w"].shape[1])

    # --- persistence (json + npz; no pickle) ---
    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path / "weights.npz", **{k: v.astype(np.float32) for k, v in self.weights.items()}
        )
        cfg = {
            "format": "kkot-cnn-v1",
            "channels": list(self.channels),
            "input_size": self.input_size,
            "classes": self.classes,
            "mean": [float(v) for v in self.mean],
            "std": [float(v) for v in self.std],
            "meta": self.meta,
        }
        (path / "config.json").write_text(json.dumps(cfg, ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> CnnEmbedder:
        path = Path(path)
        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if cfg.get("format") != "kkot-cnn-v1":
            raise ValueError(f"unknown model format in {path}")
        with np.load(path / "weights.npz", allow_pickle=False) as z:
            weights = {k: z[k].astype(np.float32) for k in z.files}
        return cls(
            weights=weights,
            channels=tuple(cfg["channels"]),
            input_size=int(cfg["input_size"]),
            classes=list(cfg["classes"]),
            mean=np.asarray(cfg["mean"], np.float32),
            std=np.asarray(cfg["std"], np.float32),
            meta=cfg.get("meta", {}),
        )

    # --- inference ---
    def _prepare(self, images: np.ndarray | list) -> np.ndarray:
        from kkot.ml.vision.data import square_resize

        s = self.input_size
        if isinstance(images, np.ndarray) and images.ndim == 4 and images.shape[1:3] == (s, s):
            arr = images
        else:
            arr = np.stack([square_resize(np.asarray(im), s) for im in images])
        x = arr.astype(np.float32) / 255.0
        return (x - self.mean) / self.std

    def _pooled(self, x: np.ndarray) -> np.ndarray:
        for i, (_, _, stride, pool) in enumerate(conv_plan(self.channels)):
            x = _conv3x3_relu(x, self.weights[f"conv{i}_w"], self.weights[f"conv{i}_b"], stride)
            if pool:
                x = _maxpool2(x)
        return np.concatenate([x.mean(axis=(1, 2)), x.max(axis=(1, 2))], axis=1)

    def _features(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pooled = self._pooled(x)
        emb = pooled @ self.weights["emb_w"] + self.weights["emb_b"]
        logits = np.maximum(emb, 0.0) @ self.weights["cls_w"] + self.weights["cls_b"]
        return emb, logits

    def _run(self, images: np.ndarray | list, batch_size: int, tta: bool) -> tuple[np.ndarray, np.ndarray]:
        x_all = self._prepare(images)
        embs, logits = [], []
        for i in range(0, len(x_all), batch_size):
            x = x_all[i : i + batch_size]
            e, lg = self._features(x)
            if tta:
                e2, lg2 = self._features(x[:, :, ::-1].copy())
                e, lg = (e + e2) / 2, (lg + lg2) / 2
            embs.append(e)
            logits.append(lg)
        return np.concatenate(embs), np.concatenate(logits)

    def pooled_features(
        self, images: np.ndarray | list, *, batch_size: int = 128, tta: bool = True
    ) -> np.ndarray:
        """(N, 2 * c4) square-rooted global average + max pooled activations of the last convolution
        (mirror-averaged when ``tta``): richer than the embedding, e.g. for catalog-trained heads."""
        x_all = self._prepare(images)
        out = []
        for i in range(0, len(x_all), batch_size):
            x = x_all[i : i + batch_size]
            p = self._pooled(x)
            if tta:
                p = (p + self._pooled(x[:, :, ::-1].copy())) / 2
            out.append(p)
        return np.sqrt(np.concatenate(out)).astype(np.float32)

    def embed(self, images: np.ndarray | list, *, batch_size: int = 128, tta: bool = True) -> np.ndarray:
        emb, _ = self._run(images, batch_size, tta)
        return (emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-9)).astype(np.float32)

    def predict_proba(
        self, images: np.ndarray | list, *, batch_size: int = 128, tta: bool = True
    ) -> np.ndarray:
        _, lg = self._run(images, batch_size, tta)
        lg = lg - lg.max(axis=1, keepdims=True)
        p = np.exp(lg)
        return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)

    def predict(self, images: np.ndarray | list, **kw: object) -> list[str]:
        return [self.classes[i] for i in self.predict_proba(images, **kw).argmax(1)]  # type: ignore[arg-type]
