"""Character input of the sequence sentiment models (:mod:`charcnn`, :mod:`chargru`), numpy only.

A text becomes the code points of ``" " + text + " "`` (lower-cased, whitespace squeezed, at most
``max_len`` characters). Each character is embedded as the sum of a character embedding (the training
set's most frequent characters; the others share one "unknown" row) and, for Hangul syllables, the
embeddings of its three jamo (initial, medial, final), so a rare syllable still looks like its frequent
neighbours. Both models' first layer is linear in that embedding, so they precompute each known
character's projection once (:func:`known_embeddings`) and add the jamo part of unknown syllables apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["CharHead", "encode_chars", "build_vocab", "jamo_sum", "known_embeddings", "unknown_hangul", "N_JAMO"]

_HANGUL0, _HANGUL1 = 0xAC00, 0xD7A3
# jamo table rows: 0 = none (not a Hangul syllable), 1..19 initial, 20..40 medial, 41..68 final (0 = none)
N_JAMO = 1 + 19 + 21 + 28


def _code_points(texts: Sequence[str], max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Padded ``(n, longest)`` uint32 code points of ``" " + text + " "`` (0 = padding) and lengths."""
    docs = [(" " + " ".join(t.replace("\x00", " ").lower().split()) + " ")[:max_len] for t in texts]
    lens = np.fromiter((len(d) for d in docs), np.int64, len(docs))
    width = int(lens.max()) if len(docs) else 0
    out = np.zeros((len(docs), width), np.uint32)
    if len(docs) and width:
        flat = np.frombuffer("".join(docs).encode("utf-32-le"), dtype=np.uint32)
        mask = np.arange(width)[None, :] < lens[:, None]
        out[mask] = flat
    return out, lens


def encode_chars(
    texts: Sequence[str], vocab: np.ndarray, max_len: int = 150, jamo: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(char_ids, jamo_ids, lengths, code_points)`` for ``texts`` (arrays padded to the longest).

    ``vocab`` is a sorted uint32 array of code points; character id ``i + 2`` is ``vocab[i]``, 1 is
    unknown and 0 padding. ``jamo_ids`` is ``(n, longest, 3)`` into the jamo table (0 = none), or
    empty without ``jamo``.
    """
    cp, lens = _code_points(texts, max_len)
    pos = np.searchsorted(vocab, cp)
    pos_c = np.minimum(pos, max(len(vocab) - 1, 0))
    known = (vocab[pos_c] == cp) if len(vocab) else np.zeros(cp.shape, bool)
    ids = np.where(known, pos_c + 2, 1).astype(np.int32)
    ids[cp == 0] = 0
    if not jamo:
        return ids, np.zeros(0, np.int32), lens, cp
    hangul = (cp >= _HANGUL0) & (cp <= _HANGUL1)
    s = cp.astype(np.int64) - _HANGUL0
    jm = np.zeros(cp.shape + (3,), np.int32)
    jm[..., 0] = np.where(hangul, 1 + s // 588, 0)
    jm[..., 1] = np.where(hangul, 20 + (s % 588) // 28, 0)
    jm[..., 2] = np.where(hangul, 41 + s % 28, 0)
    return ids, jm, lens, cp


def build_vocab(texts: Sequence[str], size: int = 3000, max_len: int = 150) -> np.ndarray:
    """The ``size`` most frequent code points of ``texts`` (sorted uint32 array)."""
    cp, _ = _code_points(texts, max_len)
    u, cnt = np.unique(cp[cp > 0], return_counts=True)
    top = u[np.argsort(-cnt, kind="stable")[:size]]
    return np.sort(top).astype(np.uint32)



def jamo_sum(jamo_emb: np.ndarray, cp: np.ndarray) -> np.ndarray:
    """Sum of the three jamo embeddings of code points ``cp`` (1-D; zero rows for non-Hangul)."""
    c = cp.astype(np.int64)
    s = c - _HANGUL0
    hangul = ((c >= _HANGUL0) & (c <= _HANGUL1))[:, None]
    j = jamo_emb[1 + s // 588 % 19] + jamo_emb[20 + (s % 588) // 28] + jamo_emb[41 + s % 28]
    return np.where(hangul, j, 0.0).astype(np.float32)


def known_embeddings(vocab: np.ndarray, char_emb: np.ndarray, jamo_emb: np.ndarray) -> np.ndarray:
    """``(V + 2, dim)`` full input embedding of every character id (row 1, unknown, without jamo)."""
    e = char_emb.astype(np.float32).copy()
    e[2:] += jamo_sum(jamo_emb, vocab)
    return e


def unknown_hangul(ids: np.ndarray, cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and positions of Hangul syllables outside the vocabulary (their jamo part is added apart)."""
    return np.nonzero((ids == 1) & (cp >= _HANGUL0) & (cp <= _HANGUL1))


class CharHead:
    """What both character models share around their own ``features``: the character input tables, the linear
    output and its storage. A subclass (a dataclass) has ``vocab``, ``char_emb``, ``jamo_emb``, ``out_w`` and
    ``out_b`` and defines ``features(texts) -> (n, f)``."""

    vocab: np.ndarray
    char_emb: np.ndarray
    jamo_emb: np.ndarray
    out_w: np.ndarray
    out_b: float

    def features(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - defined by the model
        raise NotImplementedError

    def score(self, texts: Sequence[str], chunk: int = 512) -> np.ndarray:
        """Scores (logits, > 0 positive) of already-cleaned texts; chunks of similar length."""
        n = len(texts)
        out = np.zeros(n, np.float64)
        if n == 0:
            return out
        order = np.argsort([len(t) for t in texts], kind="stable")
        for i in range(0, n, chunk):
            idx = order[i : i + chunk]
            out[idx] = self.features([texts[j] for j in idx]) @ self.out_w + self.out_b
        return out

    def head_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The shared arrays for ``weights.npz``: vocabulary (uint32), embeddings and output (float16)."""
        return {
            f"{prefix}vocab": self.vocab.astype(np.uint32),
            f"{prefix}char_emb": self.char_emb.astype(np.float16),
            f"{prefix}jamo_emb": self.jamo_emb.astype(np.float16),
            f"{prefix}out_w": self.out_w.astype(np.float16),
            f"{prefix}out_b": np.asarray([self.out_b], np.float32),
        }
