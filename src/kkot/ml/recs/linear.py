"""SLIST: a closed-form linear item-to-item model for sessions (Choi et al., WWW 2021), on a pruned item set.

Two least-squares objectives share one item-to-item matrix ``B`` (rows: input items, columns: output items):

* **SLIS** (session-level, EASE-like): a session's items reconstruct themselves, ``||X - X B||``;
* **SLIT** (transitions): every prefix of a session predicts the rest of it, ``||S - T B||``, the prefix's items
  weighted by closeness to its last item and the future items by closeness to the prefix
  (``exp(-gap / train_weight)``).

Rows are weighted by session recency (``exp(-age / session_weight)``, in the interactions' time unit: seconds,
or sessions when there are no timestamps). The weighted ridge problem
``alpha ||X - XB||^2 + (1 - alpha) ||T - SB||^2 + reg ||B||^2`` has the closed form
``B = (G + reg I)^-1 R`` with ``G = alpha X^T X + (1 - alpha) S^T S`` and ``R = alpha X^T X + (1 - alpha) S^T T``.
With ``alpha = 1`` the model is EASE with its zero-diagonal constraint, ``B = I - P diag(1 / diag P)``.

Two solvers:

* ``dense``: Cholesky inverse of the ``m x m`` Gram matrix (float32 LAPACK), ``m^3`` time and ``m^2`` memory,
  inputs = outputs = the ``max_items`` most frequent items;
* ``local`` (default): column ``j`` of ``B`` is the ridge regression of ``j`` on its ``neighbors`` strongest
  inputs only (the largest ``R[:, j]``), ``B[N, j] = (G[N, N] + reg I)^-1 R[N, j]``; batched small solves, cost
  ``n_items * neighbors^3``. Inputs that never co-occur with ``j`` get 0 (in the exact solution they act only
  through other items); on closed neighbourhoods both solvers agree (tested). Outputs are every item with
  ``min_count`` events; inputs the ``max_items`` most frequent (the dense Gram matrix over them is
  ``max_items^2`` floats: 1.6 GB at 20,000), so rare items are still recommended, and a history's rare items are
  left to the blend's session-kNN.

``B`` is kept sparse, the ``keep`` largest positive entries of every row, so a request costs
``len(history) * keep`` and the saved file stays small. A history is weighted ``exp(-age / predict_weight)``
(age 0 = the newest item).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from kkot.ml.recs.base import BaseRecommender, Interactions, Reason, csr_from_arrays, csr_to_arrays, register
from kkot.ml.recs.linear_ops import (
    GramLookup,
    dense_top_rows,
    local_solve,
    normalize_rows,
    session_rows,
    spd_inverse,
    transition_rows,
)
from kkot.ml.recs.simple import prune_rows
from kkot.ml.recs.sknn import gather_rows

_I = np.zeros(0, dtype=np.int64)
_F = np.zeros(0, dtype=np.float32)


@register
class SessionLinear(BaseRecommender):
    name: ClassVar[str] = "slist"
    params: ClassVar[tuple[str, ...]] = (
        "alpha",
        "reg",
        "session_weight",
        "train_weight",
        "predict_weight",
        "min_count",
        "max_items",
        "keep",
        "normalize",
        "max_len",
        "solver",
        "neighbors",
        "label",
    )

    def __init__(
        self,
        alpha: float = 0.2,
        reg: float = 10.0,
        session_weight: float | None = None,
        train_weight: float = 1.0,
        predict_weight: float = 1.0,
        min_count: int = 3,
        max_items: int = 12_000,
        keep: int = 500,
        normalize: str = "l2",
        max_len: int = 50,
        solver: str = "local",
        neighbors: int = 200,
        label: str = "slist",
        fill_popular: bool = True,
    ) -> None:
        super().__init__(fill_popular=fill_popular)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError("alpha must lie in [0, 1]")
        if normalize not in {"none", "l1", "l2"}:
            raise ValueError("normalize must be 'none', 'l1' or 'l2'")
        self.alpha = float(alpha)
        self.reg = float(reg)
        self.session_weight = None if session_weight is None else float(session_weight)
        self.train_weight = float(train_weight)
        self.predict_weight = float(predict_weight)
        self.min_count = int(min_count)
        self.max_items = int(max_items)
        self.keep = int(keep)
        self.normalize = normalize
        self.max_len = int(max_len)
        if solver not in {"local", "dense"}:
            raise ValueError("solver must be 'local' or 'dense'")
        self.solver = solver
        self.neighbors = int(neighbors)
        self.label = label

    # -- fitting ----------------------------------------------------------------------------------
    def _item_sets(self) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, outputs). Dense solver: both are the ``max_items`` most frequent items with ``min_count``
        events. Local solver: both are every item with ``min_count`` events (``max_items`` then sizes the dense
        block of the Gram matrix)."""
        ok = np.flatnonzero(self.item_counts >= max(self.min_count, 1)).astype(np.int64)
        if self.solver == "local":
            return ok, ok
        return self._top(ok), self._top(ok)

    def _top(self, ok: np.ndarray) -> np.ndarray:
        order = np.lexsort((ok, -self.item_counts[ok]))
        return np.sort(ok[order[: self.max_items]]).astype(np.int64)

    def _fit(self, interactions: Interactions) -> None:
        self.items_in, self.items_out = self._item_sets()
        m_in, m_out = self.items_in.size, self.items_out.size
        if m_in == 0:
            self.B = sp.csr_matrix((0, m_out), dtype=np.float32)
            self._prepare()
            return
        in_col = np.full(self.n_items, -1, dtype=np.int64)
        in_col[self.items_in] = np.arange(m_in)
        out_col = np.full(self.n_items, -1, dtype=np.int64)
        out_col[self.items_out] = np.arange(m_out)
        c_in, c_out = in_col[interactions.items], out_col[interactions.items]
        times = interactions.session_times()
        if self.session_weight and times.size:
            rec = np.exp(-(times.max() - times) / self.session_weight).astype(np.float32)
        else:
            rec = np.ones(interactions.n_sessions, dtype=np.float32)
        gram = sp.csr_matrix((m_in, m_in), dtype=np.float32)
        target = sp.csr_matrix((m_in, m_out), dtype=np.float32)
        if self.alpha > 0:
            x = normalize_rows(session_rows(interactions.indptr, c_in, m_in), self.normalize)
            y = session_rows(interactions.indptr, c_out, m_out)
            xw = (x.T @ sp.diags(rec * self.alpha)).tocsr()
            gram = gram + (xw @ x).tocsr()
            target = target + (xw @ y).tocsr()
            del x, y, xw
        if self.alpha < 1:
            s_in, s_out, row_sess = transition_rows(
                interactions.indptr, c_in, m_in, self.train_weight, self.max_len, c_out, m_out
            )
            s_in = normalize_rows(s_in, self.normalize)
            sw = (s_in.T @ sp.diags(rec[row_sess] * (1.0 - self.alpha))).tocsr()
            gram = gram + (sw @ s_in).tocsr()
            target = target + (sw @ s_out).tocsr()
            del sw, s_in, s_out
        zero_diag = self.alpha >= 1.0
        if self.solver == "local":
            block = in_col[self._top(self.items_in)]
            lookup = GramLookup(gram, block)
            del gram
            out_to_in = in_col[self.items_out]
            b = local_solve(lookup, target, self.reg, self.neighbors, zero_diag, out_to_in)
            del lookup
            self.B = prune_rows(b.multiply(b > 0).tocsr(), self.keep)
        else:
            dense = gram.toarray()
            del gram
            dense[np.diag_indices(m_in)] += np.float32(self.reg)
            p = spd_inverse(np.ascontiguousarray(dense))
            del dense
            if zero_diag:  # EASE
                b = -p / np.diag(p)[None, :]
                b[np.diag_indices(m_in)] = 0.0
            else:
                b = sla.blas.sgemm(1.0, p, target.toarray())
            del p, target
            self.B = dense_top_rows(b, self.keep)
        self._prepare()

    def _prepare(self) -> None:
        self._in_col = np.full(self.n_items, -1, dtype=np.int64)
        self._in_col[self.items_in] = np.arange(self.items_in.size)
        self._out_col = np.full(self.n_items, -1, dtype=np.int64)
        self._out_col[self.items_out] = np.arange(self.items_out.size)
        self._indptr = self.B.indptr.astype(np.int64)

    # -- serving ----------------------------------------------------------------------------------
    def _weights(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = self._in_col[h]
        age = (h.size - 1 - np.arange(h.size)).astype(np.float32)
        w = np.exp(-age / np.float32(max(self.predict_weight, 1e-6)))
        ok = rows >= 0
        return rows[ok], w[ok]

    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, w = self._weights(h)
        if rows.size == 0:
            return _I, _F
        flat, _ = gather_rows(self._indptr, rows)
        if flat.size == 0:
            return _I, _F
        vals = self.B.data[flat] * np.repeat(w, np.diff(self._indptr)[rows])
        cand, inv = np.unique(self.B.indices[flat], return_inverse=True)
        sc = np.bincount(inv, weights=vals).astype(np.float32)
        pos = sc > 0
        return self.items_out[cand[pos]], sc[pos]

    def _similar(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        r = self._in_col[item]
        if r < 0:
            return _I, _F
        a, b = self._indptr[r], self._indptr[r + 1]
        return self.items_out[self.B.indices[a:b]], self.B.data[a:b]

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        """Anchor = the history item that contributes most to the item's score."""
        ci = self._out_col[item]
        if ci < 0 or h.size == 0:
            return None
        rows = self._in_col[h]
        best, best_v, best_age = None, 0.0, None
        for pos in range(h.size - 1, -1, -1):
            r = rows[pos]
            if r < 0 or h[pos] == item:
                continue
            a, b = self._indptr[r], self._indptr[r + 1]
            j = np.flatnonzero(self.B.indices[a:b] == ci)
            if j.size:
                age = h.size - 1 - pos
                v = float(self.B.data[a + j[0]]) * float(np.exp(-age / max(self.predict_weight, 1e-6)))
                if v > best_v:
                    best, best_v, best_age = int(h[pos]), v, int(age)
        if best is None:
            return None
        return Reason(item=item, model=self.label, kind="co_view", anchor=best, score=best_v, age=best_age)

    # -- persistence ------------------------------------------------------------------------------
    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"items_in": self.items_in, "items_out": self.items_out, **csr_to_arrays("B", self.B)}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.items_in = arrays["items_in"].astype(np.int64)
        self.items_out = arrays["items_out"].astype(np.int64)
        self.B = csr_from_arrays("B", arrays)
        if self.B.shape != (self.items_in.size, self.items_out.size):
            raise ValueError("B does not match the item sets")
        for ids in (self.items_in, self.items_out):
            if ids.size and (ids.min() < 0 or ids.max() >= self.n_items or np.any(np.diff(ids) <= 0)):
                raise ValueError("item sets are not sorted ids of the catalog")
        if self.B.nnz and (self.B.indices.min() < 0 or self.B.indices.max() >= self.items_out.size):
            raise ValueError("B refers to unknown items")
        self._prepare()
