"""Vectorised hashed n-gram features for Korean text (numpy only, no per-n-gram Python loop).

Each text contributes character n-grams (spaces included, so spacing variants share grams) and word
uni/bi-grams. Substring hashes come from polynomial prefix hashes computed for a whole batch at once
in uint64 arithmetic (wrapping mod 2**64), so a batch of thousands of reviews is featurised in a few
milliseconds. Values are ``count / sqrt(number of n-grams)`` per text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["HashFeaturizer"]

_P = np.uint64(0x100000001B3)  # odd multiplier (FNV prime)
_P_INV = np.uint64(pow(int(_P), -1, 2**64))
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SALTS = [np.uint64((0xA24BAED4963EE407 * (k + 1)) % 2**64) for k in range(16)]


@dataclass(frozen=True)
class HashFeaturizer:
    """Hashed character ``char_ngrams`` and word ``word_ngrams`` features in ``2**n_bits`` buckets."""

    n_bits: int = 20
    char_min: int = 1
    char_max: int = 5
    word_max: int = 2

    @property
    def n_features(self) -> int:
        return 1 << self.n_bits

    def to_json(self) -> dict[str, int]:
        return {"n_bits": self.n_bits, "char_min": self.char_min, "char_max": self.char_max,
                "word_max": self.word_max}

    # -- core -------------------------------------------------------------------------------------
    def coo(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(rows, cols, values)`` with one entry per n-gram occurrence (duplicates not summed).

        Each occurrence has value ``1 / sqrt(number of n-grams of its text)``, so summing duplicates
        (as ``scipy.sparse`` does) gives ``count / sqrt(total)``: a length-normalised bag of n-grams.
        """
        n = len(texts)
        if n == 0:
            e = np.zeros(0, np.int64)
            return e, e, np.zeros(0, np.float32)
        docs = [" " + " ".join(t.replace("\x00", " ").lower().split()) + " " for t in texts]
        lens = np.fromiter((len(d) for d in docs), np.int64, n)
        big = "\x00".join(docs)
        codes = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        length = codes.shape[0]
        doc_ids = np.arange(n, dtype=np.int64)
        doc_of = np.repeat(doc_ids, lens + 1)[:length]
        starts = np.zeros(n, np.int64)
        np.cumsum(lens[:-1] + 1, out=starts[1:])
        # chars left in the same doc from each position (0 at separators)
        rem = np.repeat(starts + lens, lens + 1)[:length] - np.arange(length)

        with np.errstate(over="ignore"):
            pinv_pow = np.full(length + 1, _P_INV, np.uint64)
            pinv_pow[0] = 1
            pinv_pow = np.cumprod(pinv_pow, dtype=np.uint64)
            p_pow = np.full(max(length, self.char_max) + 1, _P, np.uint64)
            p_pow[0] = 1
            p_pow = np.cumprod(p_pow, dtype=np.uint64)
            s = np.zeros(length + 1, np.uint64)
            np.cumsum((codes + np.uint64(1)) * pinv_pow[1:], out=s[1:], dtype=np.uint64)
            # prefix hash H[i] = P^i * S[i];  hash[a, b) = H[b] - H[a] * P^(b - a)
            h = p_pow[: length + 1] * s

            rows_l: list[np.ndarray] = []
            cols_l: list[np.ndarray] = []
            shift = np.uint64(64 - self.n_bits)
            for k in range(self.char_min, self.char_max + 1):
                a = np.flatnonzero(rem[: length - k + 1] >= k)
                hv = h[a + k] - h[a] * p_pow[k]
                rows_l.append(doc_of[a])
                cols_l.append((((hv ^ _SALTS[k]) * _MIX) >> shift).astype(np.int64))
            # words: spans between consecutive spaces of the same doc
            sp_pos = np.flatnonzero(codes == 32)
            sp_doc = doc_of[sp_pos]
            for k in range(1, self.word_max + 1):
                if sp_pos.shape[0] <= k:
                    break
                a = sp_pos[:-k] + 1
                b = sp_pos[k:]
                ok = (sp_doc[:-k] == sp_doc[k:]) & (b > a)
                a, b = a[ok], b[ok]
                hv = h[b] - h[a] * p_pow[b - a]
                rows_l.append(doc_of[a])
                cols_l.append((((hv ^ _SALTS[8 + k]) * _MIX) >> shift).astype(np.int64))
        rows = np.concatenate(rows_l)
        cols = np.concatenate(cols_l)
        total = np.bincount(rows, minlength=n).astype(np.float32)
        total[total == 0] = 1.0
        vals = (1.0 / np.sqrt(total))[rows]
        return rows, cols, vals

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sparse ``(len(texts), 2**n_bits)`` float32 matrix."""
        r, c, v = self.coo(texts)
        return sp.csr_matrix((v, (r, c)), shape=(len(texts), self.n_features), dtype=np.float32)

    def transform_batches(self, texts: Sequence[str], batch_size: int = 20000) -> sp.csr_matrix:
        """:meth:`transform` in batches (bounded memory for hundreds of thousands of texts)."""
        parts = [self.transform(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
        if not parts:
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        return sp.vstack(parts).tocsr()

    def score(self, texts: Sequence[str], weights: np.ndarray, bias: float = 0.0) -> np.ndarray:
        """Linear scores ``X @ weights + bias`` without building a sparse matrix."""
        r, c, v = self.coo(texts)
        return np.bincount(r, weights=v * weights[c], minlength=len(texts)) + bias
