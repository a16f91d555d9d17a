"""A small fastText-style network over the same hashed n-grams as the linear model (numpy inference).

``h = X @ E`` (a length-normalised bag of n-gram embeddings, ``2**n_bits x dim``), then one ReLU layer
and a linear output: ``score = relu(h @ W1 + b1) @ w2 + b2``. Its score is added to the linear model's
with a weight chosen on validation data, which lets the sentiment model use a few n-gram interactions
(e.g. a praise word next to a negation) that a linear model cannot. Training needs torch (the ``train``
extra, :func:`train_hash_mlp`); inference is numpy only and costs a sparse-dense product per batch.
The embedding table is stored with 8-bit codebook quantisation (:mod:`kkot.ml.reviews.quant`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["HashMLP", "train_hash_mlp"]


@dataclass
class HashMLP:
    """Embedding bag + one hidden layer over hashed n-gram ids (``n_bits`` <= the featurizer's)."""

    n_bits: int
    emb: np.ndarray  # (2**n_bits, dim) float32
    w1: np.ndarray  # (dim, hidden)
    b1: np.ndarray  # (hidden,)
    w2: np.ndarray  # (hidden,)
    b2: float

    def score_coo(
        self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int, col_bits: int
    ) -> np.ndarray:
        """Scores of ``n`` texts from the featurizer's ``coo`` output (``cols`` hashed into ``col_bits``)."""
        if n == 0:
            return np.zeros(0)
        c = cols >> (col_bits - self.n_bits) if col_bits > self.n_bits else cols
        x = sp.csr_matrix((vals.astype(np.float32), (rows, c)), shape=(n, 1 << self.n_bits))
        h = x @ self.emb
        a = np.maximum(h @ self.w1 + self.b1, 0.0)
        return (a @ self.w2 + self.b2).astype(np.float64)

    def arrays(self, prefix: str = "mlp_") -> dict[str, np.ndarray]:
        """Arrays to store in ``weights.npz`` (embedding quantised to 8 bits)."""
        from kkot.ml.reviews.quant import quantize

        codes, book = quantize(self.emb)
        return {
            f"{prefix}emb_codes": codes,
            f"{prefix}emb_book": book,
            f"{prefix}w1": self.w1.astype(np.float32),
            f"{prefix}b1": self.b1.astype(np.float32),
            f"{prefix}w2": self.w2.astype(np.float32),
            f"{prefix}b2": np.asarray([self.b2], np.float32),
        }

    @classmethod
    def from_arrays(cls, n_bits: int, z: Any, prefix: str = "mlp_") -> HashMLP:
        from kkot.ml.reviews.quant import dequantize

        emb = dequantize(z[f"{prefix}emb_codes"], z[f"{prefix}emb_book"])
        if emb.shape[0] != 1 << n_bits:
            raise ValueError(f"embedding rows {emb.shape[0]} do not match n_bits={n_bits}")
        return cls(
            n_bits,
            emb,
            z[f"{prefix}w1"].astype(np.float32),
            z[f"{prefix}b1"].astype(np.float32),
            z[f"{prefix}w2"].astype(np.float32),
            float(z[f"{prefix}b2"][0]),
        )


def train_hash_mlp(
    coo_of: Callable[[list[str]], tuple[np.ndarray, np.ndarray, np.ndarray]],
    texts: list[str],
    labels: np.ndarray,
    col_bits: int,
    n_bits: int = 18,
    dim: int = 16,
    hidden: int = 32,
    epochs: int = 3,
    lr: float = 3e-3,
    batch_size: int = 256,
    seed: int = 0,
    progress: bool = True,
) -> HashMLP:
    """Train a :class:`HashMLP` with torch (CPU, class-balanced logistic loss, SparseAdam on the table).

    ``coo_of`` is the featurizer's ``coo`` (hashed into ``col_bits``); ids are folded to ``n_bits``.
    """
    import torch

    torch.manual_seed(seed)
    y_np = np.asarray(labels, np.float32)
    n = len(texts)
    cols_l, vals_l, counts = [], [], np.zeros(n, np.int64)
    for i in range(0, n, 20000):
        r, c, v = coo_of(texts[i : i + 20000])
        order = np.argsort(r, kind="stable")
        cols_l.append(c[order] >> (col_bits - n_bits))
        vals_l.append(v[order].astype(np.float32))
        counts[i : i + 20000] = np.bincount(r, minlength=min(20000, n - i))
    cols = np.concatenate(cols_l)
    vals = np.concatenate(vals_l)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])

    class _Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = torch.nn.EmbeddingBag(1 << n_bits, dim, mode="sum", sparse=True)
            torch.nn.init.normal_(self.emb.weight, 0.0, 0.05)
            self.l1 = torch.nn.Linear(dim, hidden)
            self.l2 = torch.nn.Linear(hidden, 1)

        def forward(self, c: Any, o: Any, v: Any) -> Any:
            return self.l2(torch.relu(self.l1(self.emb(c, o, per_sample_weights=v)))).squeeze(-1)

    net = _Net()
    opt_e = torch.optim.SparseAdam(list(net.emb.parameters()), lr=lr)
    opt_d = torch.optim.Adam(list(net.l1.parameters()) + list(net.l2.parameters()), lr=1e-3)
    pos = max(float(y_np.sum()), 1.0)
    w_pos, w_neg = n / (2 * pos), n / (2 * max(n - pos, 1.0))
    rng = np.random.default_rng(seed)
    steps = range(epochs)
    if progress:
        from tqdm import tqdm

        steps = tqdm(steps, desc="hash-mlp epochs")
    for _ in steps:
        perm = rng.permutation(n)
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            a, b = offsets[idx], offsets[idx + 1]
            lens = b - a
            take = np.repeat(a - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens) + np.arange(lens.sum())
            off = np.concatenate([[0], np.cumsum(lens)[:-1]])
            c = torch.from_numpy(cols[take])
            v = torch.from_numpy(vals[take])
            yb = torch.from_numpy(y_np[idx])
            logit = net(c, torch.from_numpy(off), v)
            wt = torch.where(yb > 0, torch.tensor(w_pos), torch.tensor(w_neg))
            loss = (
                torch.nn.functional.binary_cross_entropy_with_logits(logit, yb, reduction="none") * wt
            ).mean()
            opt_e.zero_grad()
            opt_d.zero_grad()
            loss.backward()
            opt_e.step()
            opt_d.step()
    with torch.no_grad():
        return HashMLP(
            n_bits,
            net.emb.weight.numpy().copy(),
            net.l1.weight.numpy().T.copy(),
            net.l1.bias.numpy().copy(),
            net.l2.weight.numpy().ravel().copy(),
            float(net.l2.bias.item()),
        )
