"""Sessions in CSR form (:class:`Interactions`) and the item-key <-> dense-id map (:class:`ItemIndex`).

See :mod:`kkot.ml.recs.base` for the vocabulary (item id, history) every model shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Interactions:
    """Sessions (or users) as a CSR of item ids, oldest event first within each session.

    ``indptr`` has ``n_sessions + 1`` entries; session ``s`` is ``items[indptr[s]:indptr[s+1]]``.
    Sessions are assumed to be in chronological order when ``timestamps`` is absent.
    """

    indptr: np.ndarray
    items: np.ndarray
    n_items: int
    timestamps: np.ndarray | None = None
    weights: np.ndarray | None = None
    item_texts: Sequence[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        indptr = np.asarray(self.indptr, dtype=np.int64)
        items = np.asarray(self.items, dtype=np.int64)
        if indptr.ndim != 1 or indptr.size < 1 or indptr[0] != 0 or indptr[-1] != items.size:
            raise ValueError("indptr must start at 0 and end at len(items)")
        if np.any(np.diff(indptr) < 0):
            raise ValueError("indptr must be non-decreasing")
        if self.n_items < 0:
            raise ValueError("n_items must be >= 0")
        if items.size and (items.min() < 0 or items.max() >= self.n_items):
            raise ValueError("item ids must lie in [0, n_items)")
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "items", items)
        for name in ("timestamps", "weights"):
            arr = getattr(self, name)
            if arr is not None:
                arr = np.asarray(arr, dtype=np.float64)
                if arr.shape != items.shape:
                    raise ValueError(f"{name} must have one value per event")
                object.__setattr__(self, name, arr)
        if self.item_texts is not None and len(self.item_texts) != self.n_items:
            raise ValueError("item_texts must have one text per item")

    @classmethod
    def from_sequences(
        cls,
        sequences: Iterable[Sequence[int] | np.ndarray],
        n_items: int | None = None,
        timestamps: Iterable[Sequence[float]] | None = None,
        item_texts: Sequence[str] | None = None,
    ) -> Interactions:
        seqs = [np.asarray(s, dtype=np.int64).ravel() for s in sequences]
        lengths = np.fromiter((s.size for s in seqs), dtype=np.int64, count=len(seqs))
        indptr = np.zeros(len(seqs) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        items = np.concatenate(seqs) if seqs else np.zeros(0, dtype=np.int64)
        if n_items is None:
            n_items = int(items.max()) + 1 if items.size else 0
        ts = None
        if timestamps is not None:
            tl = [np.asarray(t, dtype=np.float64).ravel() for t in timestamps]
            ts = np.concatenate(tl) if tl else np.zeros(0)
        return cls(indptr, items, int(n_items), ts, None, item_texts)

    @property
    def n_sessions(self) -> int:
        return int(self.indptr.size - 1)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    def session(self, s: int) -> np.ndarray:
        return self.items[self.indptr[s] : self.indptr[s + 1]]

    def sequences(self) -> list[np.ndarray]:
        return [self.session(s) for s in range(self.n_sessions)]

    def session_index(self) -> np.ndarray:
        """Session number of every event."""
        return np.repeat(np.arange(self.n_sessions, dtype=np.int64), self.lengths)

    def session_times(self) -> np.ndarray:
        """Time of each session (last event); the session number when there are no timestamps."""
        if self.timestamps is None or self.n_sessions == 0:
            return np.arange(self.n_sessions, dtype=np.float64)
        out = np.full(self.n_sessions, -np.inf)
        np.maximum.at(out, self.session_index(), self.timestamps)
        out[self.lengths == 0] = self.timestamps.min() if self.timestamps.size else 0.0
        return out

    def subset(self, sessions: np.ndarray) -> Interactions:
        sessions = np.asarray(sessions, dtype=np.int64)
        lengths = self.lengths[sessions]
        indptr = np.zeros(sessions.size + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        idx = (
            np.concatenate([np.arange(self.indptr[s], self.indptr[s + 1]) for s in sessions])
            if sessions.size
            else np.zeros(0, dtype=np.int64)
        )
        idx = idx.astype(np.int64)
        return Interactions(
            indptr,
            self.items[idx],
            self.n_items,
            None if self.timestamps is None else self.timestamps[idx],
            None if self.weights is None else self.weights[idx],
            self.item_texts,
        )

    def to_csr(self, binary: bool = True) -> sp.csr_matrix:
        """Session x item matrix (binary presence, or summed weights)."""
        data = np.ones(self.items.size, dtype=np.float32) if self.weights is None else self.weights
        m = sp.csr_matrix(
            (data.astype(np.float32), self.items, self.indptr), shape=(self.n_sessions, self.n_items)
        )
        m.sum_duplicates()
        if binary:
            m.data[:] = 1.0
        return m


class ItemIndex:
    """Maps external item keys (product ids, strings) to dense ids and back."""

    def __init__(self, keys: Iterable[Any] = ()) -> None:
        self.keys: list[Any] = []
        self._ids: dict[Any, int] = {}
        for key in keys:
            self.add(key)

    def add(self, key: Any) -> int:
        if key not in self._ids:
            self._ids[key] = len(self.keys)
            self.keys.append(key)
        return self._ids[key]

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, key: Any, default: int = -1) -> int:
        return self._ids.get(key, default)

    def encode(self, keys: Iterable[Any]) -> np.ndarray:
        return np.fromiter((self._ids.get(k, -1) for k in keys), dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> list[Any]:
        return [self.keys[i] if 0 <= i < len(self.keys) else None for i in ids]
