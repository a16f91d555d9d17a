"""A small character CNN for Korean sentiment (numpy inference; trained with torch, see ``seq_train``).

Characters are embedded as in :mod:`kkot.ml.reviews.chars`; convolutions of several widths (ReLU) are
max- and mean-pooled over the valid positions of each text and a linear layer gives the score.

Inference is numpy only: the first layer is linear in looked-up embeddings, so each character's
projection through every filter slice is precomputed once (a table per width and shift) and a
convolution is a sum of gathered table rows, for a whole length-sorted chunk of texts at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kkot.ml.reviews.chars import CharHead, encode_chars, jamo_sum, known_embeddings, unknown_hangul

__all__ = ["CharCNN"]


@dataclass
class CharCNN(CharHead):
    """Embedding (chars + jamo) -> convolutions of ``widths`` (ReLU) -> max+mean pooling -> linear."""

    vocab: np.ndarray  # (V,) uint32 sorted code points
    char_emb: np.ndarray  # (V + 2, dim); row 0 (padding) is zero
    jamo_emb: np.ndarray  # (N_JAMO, dim); row 0 is zero
    widths: tuple[int, ...]
    conv_w: list[np.ndarray]  # per width: (width, dim, filters)
    conv_b: list[np.ndarray]  # per width: (filters,)
    out_w: np.ndarray  # (2 * sum(filters),): [max pools of all widths, mean pools of all widths]
    out_b: float
    max_len: int = 150
    _tab: list[list[np.ndarray]] | None = field(default=None, init=False, repr=False, compare=False)

    def _tables(self) -> list[list[np.ndarray]]:
        """Per width and shift, ``(V + 2, filters)`` = each known character's embedding @ that filter slice.

        The first layer is linear in the (looked-up) inputs, so the convolution becomes a sum of table
        rows: no matmul at inference except for unknown Hangul syllables (see :meth:`features`).
        """
        if self._tab is None:
            e = known_embeddings(self.vocab, self.char_emb, self.jamo_emb)
            self._tab = [[np.ascontiguousarray(e @ w[s]) for s in range(w.shape[0])] for w in self.conv_w]
        return self._tab

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Pooled features ``(n, 2 * sum(filters))`` (max pools, then mean pools) of cleaned texts."""
        ids, _, lens, cp = encode_chars(texts, self.vocab, self.max_len, jamo=False)
        n, length = ids.shape
        kmax = max(self.widths)
        ids_p = np.zeros((n, length + kmax - 1), np.int32)
        ids_p[:, :length] = ids
        # unknown Hangul syllables: their jamo part, added through the filters below
        ur, up = unknown_hangul(ids, cp)
        uj = jamo_sum(self.jamo_emb, cp[ur, up]) if ur.size else None
        maxes, means = [], []
        for k, tab, w, b in zip(self.widths, self._tables(), self.conv_w, self.conv_b, strict=True):
            t = max(length - k + 1, 1)
            h = tab[0][ids_p[:, :t]]
            h += b
            for s in range(1, k):
                h += tab[s][ids_p[:, s : s + t]]
            if uj is not None:
                for s in range(k):
                    ok = (up - s >= 0) & (up - s < t)
                    np.add.at(h, (ur[ok], up[ok] - s), uj[ok] @ w[s])
            np.maximum(h, 0.0, out=h)
            valid = np.maximum(lens - k + 1, 1)
            h *= (np.arange(t)[None, :] < valid[:, None])[:, :, None]
            maxes.append(h.max(axis=1))
            means.append(h.sum(axis=1) / valid[:, None])
        return np.concatenate(maxes + means, axis=1)

    # -- persistence ------------------------------------------------------------------------------
    def arrays(self, prefix: str = "seq_") -> dict[str, np.ndarray]:
        """Arrays for ``weights.npz`` (float16 weights; the vocabulary as uint32)."""
        a = self.head_arrays(prefix)
        for k, w, b in zip(self.widths, self.conv_w, self.conv_b, strict=True):
            a[f"{prefix}conv{k}_w"] = w.astype(np.float16)
            a[f"{prefix}conv{k}_b"] = b.astype(np.float32)
        return a

    def config(self) -> dict[str, Any]:
        """Settings stored in ``model.json``."""
        return {"kind": "cnn", "widths": list(self.widths), "max_len": self.max_len}

    @classmethod
    def from_arrays(cls, config: dict[str, Any], z: Any, prefix: str = "seq_") -> CharCNN:
        """Inverse of :meth:`arrays` + :meth:`config`."""
        widths = tuple(int(k) for k in config["widths"])
        f32 = np.float32
        return cls(
            z[f"{prefix}vocab"].astype(np.uint32),
            z[f"{prefix}char_emb"].astype(f32),
            z[f"{prefix}jamo_emb"].astype(f32),
            widths,
            [z[f"{prefix}conv{k}_w"].astype(f32) for k in widths],
            [z[f"{prefix}conv{k}_b"].astype(f32) for k in widths],
            z[f"{prefix}out_w"].astype(f32),
            float(z[f"{prefix}out_b"][0]),
            int(config.get("max_len", 150)),
        )

    def rounded(self) -> CharCNN:
        """A copy with weights rounded through float16 (exactly what :meth:`arrays` stores)."""
        r = lambda a: a.astype(np.float16).astype(np.float32)  # noqa: E731
        return CharCNN(
            self.vocab,
            r(self.char_emb),
            r(self.jamo_emb),
            self.widths,
            [r(w) for w in self.conv_w],
            [b.astype(np.float32) for b in self.conv_b],
            r(self.out_w),
            self.out_b,
            self.max_len,
        )
