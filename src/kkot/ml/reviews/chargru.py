"""A small bidirectional character GRU for Korean sentiment (numpy inference; torch training in
``seq_train``).

Characters are embedded as in :mod:`kkot.ml.reviews.chars`; a one-layer bidirectional GRU reads them and
its outputs are max- and mean-pooled over each text's characters (``[max fwd, max bwd, mean fwd, mean
bwd]``); a linear layer gives the score. It reads word order (negations, "not bad", contrasts), which a
bag of n-grams cannot, and so adds to the linear model in a sum.

Inference is numpy only and batched: the input projection of every known character is precomputed
(a table per direction), so each time step costs one ``(texts, hidden) @ (hidden, 3 hidden)`` matmul for
a whole length-sorted chunk of texts; the backward direction reads each text reversed within its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kkot.ml.reviews.chars import CharHead, encode_chars, jamo_sum, known_embeddings, unknown_hangul

__all__ = ["CharGRU"]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@dataclass
class CharGRU(CharHead):
    """Embedding (chars + jamo) -> bidirectional GRU -> max+mean pooling -> linear.

    Per direction ``d`` (0 forward, 1 backward) the GRU weights follow torch's layout transposed:
    ``w_ih[d]`` ``(dim, 3 hidden)``, ``w_hh[d]`` ``(hidden, 3 hidden)``, gate order reset, update, new.
    """

    vocab: np.ndarray  # (V,) uint32 sorted code points
    char_emb: np.ndarray  # (V + 2, dim)
    jamo_emb: np.ndarray  # (N_JAMO, dim)
    w_ih: list[np.ndarray]
    b_ih: list[np.ndarray]
    w_hh: list[np.ndarray]
    b_hh: list[np.ndarray]
    out_w: np.ndarray  # (4 hidden,)
    out_b: float
    max_len: int = 150
    _tab: list[np.ndarray] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def hidden(self) -> int:
        return int(self.w_hh[0].shape[0])

    def _tables(self) -> list[np.ndarray]:
        """Per direction ``(V + 2, 3 hidden)``: every known character's input projection (+ bias)."""
        if self._tab is None:
            e = known_embeddings(self.vocab, self.char_emb, self.jamo_emb)
            self._tab = [np.ascontiguousarray(e @ w + b) for w, b in zip(self.w_ih, self.b_ih, strict=True)]
        return self._tab

    def _run(self, xi: np.ndarray, d: int) -> np.ndarray:
        """GRU outputs ``(n, steps, hidden)`` of one direction over input projections ``xi``."""
        n, steps, _ = xi.shape
        hd = self.hidden
        w, b = self.w_hh[d], self.b_hh[d]
        h = np.zeros((n, hd), np.float32)
        out = np.empty((n, steps, hd), np.float32)
        for s in range(steps):
            g = h @ w + b
            a = xi[:, s]
            rz = _sigmoid(a[:, : 2 * hd] + g[:, : 2 * hd])
            nn = np.tanh(a[:, 2 * hd :] + rz[:, :hd] * g[:, 2 * hd :])
            h = nn + rz[:, hd:] * (h - nn)
            out[:, s] = h
        return out

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Pooled features ``(n, 4 hidden)`` of cleaned texts."""
        ids, _, lens, cp = encode_chars(texts, self.vocab, self.max_len, jamo=False)
        n, length = ids.shape
        ur, up = unknown_hangul(ids, cp)
        uj = jamo_sum(self.jamo_emb, cp[ur, up]) if ur.size else None
        valid = np.arange(length)[None, :] < lens[:, None]  # (n, L)
        # backward direction: position s reads character len - 1 - s (padding beyond the length)
        rev = np.where(valid, lens[:, None] - 1 - np.arange(length)[None, :], 0)
        maxes, means = [], []
        for d, tab in enumerate(self._tables()):
            pos = up if d == 0 else lens[ur] - 1 - up
            xi = tab[ids if d == 0 else np.take_along_axis(ids, rev, axis=1)]
            if uj is not None:
                xi[ur, pos] += uj @ self.w_ih[d]
            o = self._run(xi, d)
            o *= valid[:, :, None]
            means.append(o.sum(axis=1) / lens[:, None])
            o[~valid] = -np.inf
            maxes.append(o.max(axis=1))
        return np.concatenate(maxes + means, axis=1)

    # -- persistence ------------------------------------------------------------------------------
    def arrays(self, prefix: str = "seq_") -> dict[str, np.ndarray]:
        """Arrays for ``weights.npz`` (float16 weights, float32 biases; the vocabulary as uint32)."""
        a = self.head_arrays(prefix)
        for d in range(2):
            a[f"{prefix}w_ih{d}"] = self.w_ih[d].astype(np.float16)
            a[f"{prefix}w_hh{d}"] = self.w_hh[d].astype(np.float16)
            a[f"{prefix}b_ih{d}"] = self.b_ih[d].astype(np.float32)
            a[f"{prefix}b_hh{d}"] = self.b_hh[d].astype(np.float32)
        return a

    def config(self) -> dict[str, Any]:
        """Settings stored in ``model.json``."""
        return {"kind": "bigru", "hidden": self.hidden, "max_len": self.max_len}

    @classmethod
    def from_arrays(cls, config: dict[str, Any], z: Any, prefix: str = "seq_") -> CharGRU:
        """Inverse of :meth:`arrays` + :meth:`config`."""
        f = lambda k: z[f"{prefix}{k}"].astype(np.float32)  # noqa: E731
        m = cls(
            z[f"{prefix}vocab"].astype(np.uint32),
            f("char_emb"),
            f("jamo_emb"),
            [f(f"w_ih{d}") for d in range(2)],
            [f(f"b_ih{d}") for d in range(2)],
            [f(f"w_hh{d}") for d in range(2)],
            [f(f"b_hh{d}") for d in range(2)],
            f("out_w"),
            float(z[f"{prefix}out_b"][0]),
            int(config.get("max_len", 150)),
        )
        if m.hidden != int(config.get("hidden", m.hidden)):
            raise ValueError("GRU weights do not match the configured hidden size")
        return m

    def rounded(self) -> CharGRU:
        """A copy with weights rounded through float16 (exactly what :meth:`arrays` stores)."""
        r = lambda a: a.astype(np.float16).astype(np.float32)  # noqa: E731
        return CharGRU(
            self.vocab,
            r(self.char_emb),
            r(self.jamo_emb),
            [r(w) for w in self.w_ih],
            [b.astype(np.float32) for b in self.b_ih],
            [r(w) for w in self.w_hh],
            [b.astype(np.float32) for b in self.b_hh],
            r(self.out_w),
            self.out_b,
            self.max_len,
        )
