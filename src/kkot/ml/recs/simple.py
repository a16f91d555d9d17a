"""Simple, strong baselines: popularity with time decay and item-to-item transitions."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from kkot.ml.recs.base import (
    BaseRecommender,
    Interactions,
    Reason,
    csr_from_arrays,
    csr_to_arrays,
    register,
)
from kkot.ml.recs.sknn import gather_rows

_I = np.zeros(0, dtype=np.int64)
_F = np.zeros(0, dtype=np.float32)


def prune_rows(m: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Keep the ``n`` largest entries of every row (ties: smaller column first)."""
    m = m.tocsr()
    m.sum_duplicates()
    m.eliminate_zeros()
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    order = np.lexsort((m.indices, -m.data, rows))
    rows, cols, data = rows[order], m.indices[order], m.data[order]
    rank = np.arange(rows.size) - m.indptr[rows]
    keep = rank < n
    out = sp.csr_matrix((data[keep], (rows[keep], cols[keep])), shape=m.shape, dtype=np.float32)
    out.sort_indices()
    return out


@register
class PopularityRecommender(BaseRecommender):
    """Most popular items, each event weighted by ``0.5 ** (age / half_life)``.

    Ages are measured from the newest event, in the unit of the timestamps (seconds), or in sessions
    when the interactions carry no timestamps. ``half_life=None`` means no decay.
    """

    name: ClassVar[str] = "popular"
    params: ClassVar[tuple[str, ...]] = ("half_life",)
    _serves_empty: ClassVar[bool] = True

    def __init__(self, half_life: float | None = None, fill_popular: bool = True) -> None:
        super().__init__(fill_popular=fill_popular)
        self.half_life = None if half_life is None else float(half_life)

    def _fit(self, interactions: Interactions) -> None:
        if interactions.timestamps is not None:
            t = interactions.timestamps
        else:
            t = interactions.session_index().astype(np.float64)
        w = np.ones(t.size) if interactions.weights is None else interactions.weights.copy()
        if self.half_life is not None and t.size:
            w = w * np.power(0.5, (t.max() - t) / self.half_life)
        self.pop = np.bincount(interactions.items, weights=w, minlength=self.n_items).astype(np.float32)
        self._prepare()

    #: how many of the most popular items a request considers (exclusions beyond it leave padding)
    max_candidates: ClassVar[int] = 2000

    def _prepare(self) -> None:
        order = np.lexsort((np.arange(self.n_items), -self.pop))
        order = order[self.pop[order] > 0][: self.max_candidates]
        self._ids = order.astype(np.int64)
        self._scores = self.pop[self._ids]

    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._ids, self._scores

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        if self.pop[item] <= 0:
            return None
        return Reason(item=item, model=self.name, kind="popular", score=float(self.pop[item]),
                      count=int(self.item_counts[item]))

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"pop": self.pop}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.pop = arrays["pop"].astype(np.float32)
        if self.pop.shape != (self.n_items,):
            raise ValueError("pop has the wrong length")
        self._prepare()


def transition_counts(
    interactions: Interactions, window: int, backward: float = 0.0, gap_power: float = 1.0
) -> sp.csr_matrix:
    """Sparse matrix of ``a -> b`` counts where ``b`` follows ``a`` at most ``window`` steps later in
    a session, each pair weighted ``1 / gap**gap_power``; ``backward`` adds the reverse direction."""
    items = interactions.items
    sess = interactions.session_index()
    rows, cols, vals = [], [], []
    for g in range(1, window + 1):
        if items.size <= g:
            break
        same = sess[:-g] == sess[g:]
        a, b = items[:-g][same], items[g:][same]
        keep = a != b
        a, b = a[keep], b[keep]
        w = np.full(a.size, 1.0 / g**gap_power, dtype=np.float32)
        rows.append(a)
        cols.append(b)
        vals.append(w)
        if backward:
            rows.append(b)
            cols.append(a)
            vals.append(w * backward)
    n = interactions.n_items
    if not rows:
        return sp.csr_matrix((n, n), dtype=np.float32)
    m = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n), dtype=np.float32
    )
    m.sum_duplicates()
    return m


@register
class TransitionRecommender(BaseRecommender):
    """Item-to-item transitions ("often viewed next"), the sequential-rules model (SR, Ludewig 2018).

    Score of ``b`` for a history = sum over history items ``a`` (age ``d`` = 0 for the last one) of
    ``exp(-d / history_decay) * T[a, b] / (row_sum(a) + smoothing)**norm_power``.
    """

    name: ClassVar[str] = "transitions"
    params: ClassVar[tuple[str, ...]] = (
        "window", "backward", "gap_power", "history_decay", "norm_power", "max_neighbors", "n_last"
    )

    def __init__(
        self,
        window: int = 3,
        backward: float = 0.0,
        gap_power: float = 1.0,
        history_decay: float = 1.0,
        norm_power: float = 0.0,
        max_neighbors: int = 200,
        n_last: int = 10,
        fill_popular: bool = True,
    ) -> None:
        super().__init__(fill_popular=fill_popular)
        self.window = int(window)
        self.backward = float(backward)
        self.gap_power = float(gap_power)
        self.history_decay = float(history_decay)
        self.norm_power = float(norm_power)
        self.max_neighbors = int(max_neighbors)
        self.n_last = int(n_last)

    def _fit(self, interactions: Interactions) -> None:
        counts = transition_counts(interactions, self.window, self.backward, self.gap_power)
        self.row_sum = np.asarray(counts.sum(axis=1)).ravel().astype(np.float32)
        self.trans = prune_rows(counts, self.max_neighbors)

    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = h[-self.n_last :][::-1]  # newest first
        ages = np.arange(h.size)
        rows = h
        flat, _ = gather_rows(self.trans.indptr.astype(np.int64), rows)
        if flat.size == 0:
            return _I, _F
        lengths = np.diff(self.trans.indptr)[rows]
        w = np.exp(-ages / self.history_decay) / (self.row_sum[rows] + 1.0) ** self.norm_power
        vals = self.trans.data[flat] * np.repeat(w, lengths)
        cand, inv = np.unique(self.trans.indices[flat], return_inverse=True)
        return cand.astype(np.int64), np.bincount(inv, weights=vals).astype(np.float32)

    def _similar(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        row = self.trans.getrow(item)
        return row.indices.astype(np.int64), row.data

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        best = None
        for age, a in enumerate(h[-self.n_last :][::-1]):
            v = float(self.trans[int(a), item])
            if v > 0 and (best is None or v > best[0]):
                best = (v, int(a), age)
        if best is None:
            return None
        v, a, age = best
        return Reason(item=item, model=self.name, kind="next", anchor=a, score=v, count=round(v),
                      share=v / float(self.row_sum[a]) if self.row_sum[a] else None, age=age)

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"row_sum": self.row_sum, **csr_to_arrays("trans", self.trans)}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.row_sum = arrays["row_sum"].astype(np.float32)
        self.trans = csr_from_arrays("trans", arrays)
        if self.trans.shape != (self.n_items, self.n_items) or self.row_sum.shape != (self.n_items,):
            raise ValueError("transition matrix has the wrong shape")
