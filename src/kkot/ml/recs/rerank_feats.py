"""Features and a numpy tree ensemble for :class:`kkot.ml.recs.rerank.RerankRecommender`.

A candidate pool comes from the members of a blend (each member's best ``n_candidates`` items, scores
divided by the row maximum, as in :class:`~kkot.ml.recs.blend.BlendRecommender`); every candidate of a
history gets one feature row:

* per member: normalised score and log rank (absent: score 0, rank ``n_candidates``);
* the linear blend's score, its log rank in the pool and how many members proposed the item;
* the session: length, distinct items, whether and how recently the candidate was seen in it, how often;
* the item: log popularity (all time and recent), the share of its views that are repeats in a session;
* direct transitions ``last -> item`` and ``second last -> item`` (share of the anchor's next views),
  the reverse ``item -> last`` and the anchor's log number of next views.

The ensemble is a plain array form of a fitted scikit-learn ``HistGradientBoostingClassifier`` (saved in
``.npz``, never pickled), evaluated level by level over all trees at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from kkot.ml.recs.base import Interactions, csr_from_arrays, csr_to_arrays

FEATURE_NAMES_SESSION = (
    "blend",
    "blend_rank",
    "n_members",
    "h_len",
    "h_unique",
    "in_h",
    "age",
    "count_in_h",
    "pop",
    "pop_recent",
    "repeat_share",
    "next_last",
    "next_last_log",
    "next_prev",
    "prev_of_last",
    "last_out_log",
    "cand_pop_ratio",
)
MISSING_AGE = 50.0


def feature_names(n_members: int) -> list[str]:
    per = [f"score_{j}" for j in range(n_members)] + [f"rank_{j}" for j in range(n_members)]
    return per + list(FEATURE_NAMES_SESSION)


@dataclass
class ItemStats:
    """Per-item statistics the features need, fitted on the training sessions."""

    pop: np.ndarray  # log1p(views per million views)
    pop_recent: np.ndarray  # the same over the newest ``recent_frac`` of the sessions
    repeat_share: np.ndarray  # share of an item's views that repeat it inside one session
    nxt: sp.csr_matrix  # direct next-view counts a -> b (a != b), sorted indices
    out_sum: np.ndarray  # row sums of ``nxt``

    @classmethod
    def fit(cls, inter: Interactions, recent_frac: float = 0.1) -> ItemStats:
        n = inter.n_items
        items = inter.items
        counts = np.bincount(items, minlength=n).astype(np.float32)
        order = np.argsort(inter.session_times(), kind="stable")
        recent_sessions = order[int(round(order.size * (1.0 - recent_frac))) :]
        recent = inter.subset(recent_sessions).items
        rc = np.bincount(recent, minlength=n).astype(np.float32)
        sess = inter.session_index()
        uniq = np.unique(sess * max(n, 1) + items) % max(n, 1) if items.size else items
        distinct = np.bincount(uniq, minlength=n).astype(np.float32)
        repeat = np.where(counts > 0, (counts - distinct) / np.maximum(counts, 1.0), 0.0).astype(np.float32)
        same = sess[:-1] == sess[1:] if items.size > 1 else np.zeros(0, dtype=bool)
        a, b = items[:-1][same], items[1:][same]
        keep = a != b
        nxt = sp.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.float32), (a[keep], b[keep])), shape=(n, n), dtype=np.float32
        )
        nxt.sum_duplicates()
        nxt.sort_indices()
        out_sum = np.asarray(nxt.sum(axis=1)).ravel().astype(np.float32)
        # per million events, so that statistics of the older sessions and of all sessions compare
        pop, pop_recent = (
            np.log1p(counts * 1e6 / max(items.size, 1)),
            np.log1p(rc * 1e6 / max(recent.size, 1)),
        )
        return cls(pop, pop_recent, repeat, nxt, out_sum)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "st_pop": self.pop,
            "st_pop_recent": self.pop_recent,
            "st_repeat": self.repeat_share,
            "st_out_sum": self.out_sum,
            **csr_to_arrays("st_nxt", self.nxt),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], n_items: int) -> ItemStats:
        nxt = csr_from_arrays("st_nxt", arrays)
        nxt.sort_indices()
        st = cls(
            arrays["st_pop"].astype(np.float32),
            arrays["st_pop_recent"].astype(np.float32),
            arrays["st_repeat"].astype(np.float32),
            nxt,
            arrays["st_out_sum"].astype(np.float32),
        )
        if nxt.shape != (n_items, n_items) or any(
            a.shape != (n_items,) for a in (st.pop, st.pop_recent, st.repeat_share, st.out_sum)
        ):
            raise ValueError("item statistics have the wrong shape")
        return st

    def __post_init__(self) -> None:
        self.prv = self.nxt.T.tocsr()  # b -> a: what was viewed right before b
        self.prv.sort_indices()

    def row_lookup(self, row: int, cands: np.ndarray, matrix: sp.csr_matrix | None = None) -> np.ndarray:
        """``matrix[row, cands]`` (default ``nxt``) as a dense vector, 0 where absent."""
        m = self.nxt if matrix is None else matrix
        lo, hi = m.indptr[row], m.indptr[row + 1]
        idx = m.indices[lo:hi]
        out = np.zeros(cands.size, dtype=np.float32)
        if idx.size == 0:
            return out
        j = np.searchsorted(idx, cands)
        j[j >= idx.size] = 0
        hit = idx[j] == cands
        out[hit] = m.data[lo:hi][j[hit]]
        return out


def pool_and_features(
    h: np.ndarray,
    cands: list[tuple[np.ndarray, np.ndarray]],
    weights: np.ndarray,
    n_candidates: int,
    pool: int,
    stats: ItemStats,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``pool`` best candidates by blend score: ``(ids, blend scores, features[pool, F])``."""
    n_m = len(cands)
    allids = np.concatenate([c[0] for c in cands])
    if allids.size == 0:
        return (
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.float32),
            np.zeros((0, len(feature_names(n_m))), np.float32),
        )
    u, inv = np.unique(allids, return_inverse=True)
    score = np.zeros((u.size, n_m), dtype=np.float32)
    rank = np.full((u.size, n_m), float(n_candidates), dtype=np.float32)
    start = 0
    for j, (ci, cs) in enumerate(cands):
        sl = inv[start : start + ci.size]
        start += ci.size
        score[sl, j] = cs
        rank[sl, j] = np.argsort(np.lexsort((ci, -cs)), kind="stable")
    blend = score @ weights.astype(np.float32)
    order = np.lexsort((u, -blend))[:pool]
    u, score, rank, blend = u[order], score[order], rank[order], blend[order]
    return u, blend, _features(h, u, score, rank, blend, stats)


def _features(
    h: np.ndarray, u: np.ndarray, score: np.ndarray, rank: np.ndarray, blend: np.ndarray, stats: ItemStats
) -> np.ndarray:
    n = u.size
    f = np.zeros((n, 2 * score.shape[1] + len(FEATURE_NAMES_SESSION)), dtype=np.float32)
    m2 = 2 * score.shape[1]
    f[:, : score.shape[1]] = score
    f[:, score.shape[1] : m2] = np.log1p(rank)
    f[:, m2] = blend / max(float(blend.max()), 1e-12)
    f[:, m2 + 1] = np.log1p(np.arange(n))
    f[:, m2 + 2] = (score > 0).sum(axis=1)
    f[:, m2 + 3] = h.size
    f[:, m2 + 4] = np.unique(h).size
    age = np.full(n, MISSING_AGE, dtype=np.float32)
    count = np.zeros(n, dtype=np.float32)
    if h.size:
        rev = h[::-1]
        hu, first = np.unique(rev, return_index=True)
        hc = np.unique(h, return_counts=True)[1]
        j = np.searchsorted(hu, u)
        j[j >= hu.size] = 0
        hit = hu[j] == u
        age[hit] = first[j[hit]]
        count[hit] = hc[j[hit]]
    f[:, m2 + 5] = count > 0
    f[:, m2 + 6] = age
    f[:, m2 + 7] = count
    f[:, m2 + 8] = stats.pop[u]
    f[:, m2 + 9] = stats.pop_recent[u]
    f[:, m2 + 10] = stats.repeat_share[u]
    if h.size:
        last = int(h[-1])
        nl = stats.row_lookup(last, u)
        f[:, m2 + 11] = nl / max(float(stats.out_sum[last]), 1.0)
        f[:, m2 + 12] = np.log1p(nl)
        if h.size > 1:
            prev = int(h[-2])
            f[:, m2 + 13] = stats.row_lookup(prev, u) / max(float(stats.out_sum[prev]), 1.0)
        f[:, m2 + 14] = np.log1p(stats.row_lookup(last, u, stats.prv))
        f[:, m2 + 15] = np.log1p(stats.out_sum[last])
        f[:, m2 + 16] = stats.pop[u] - stats.pop[last]
    return f


class TreeEnsemble:
    """Gradient-boosted trees as flat arrays: ``raw(X) = baseline + sum of the leaf values``."""

    def __init__(
        self,
        feature: np.ndarray,
        threshold: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        missing_left: np.ndarray,
        value: np.ndarray,
        roots: np.ndarray,
        baseline: float,
        depth: int,
    ):
        self.feature, self.threshold = feature.astype(np.int64), threshold.astype(np.float64)
        self.left, self.right = left.astype(np.int64), right.astype(np.int64)
        self.missing_left, self.value = missing_left.astype(bool), value.astype(np.float64)
        self.roots, self.baseline, self.depth = roots.astype(np.int64), float(baseline), int(depth)
        n = self.feature.size
        for a in (self.threshold, self.left, self.right, self.missing_left, self.value):
            if a.size != n:
                raise ValueError("tree arrays differ in length")
        if n and (
            self.left.min() < 0
            or self.left.max() >= n
            or self.right.min() < 0
            or self.right.max() >= n
            or self.roots.min() < 0
            or self.roots.max() >= n
        ):
            raise ValueError("tree arrays point outside the ensemble")
        self._children = np.stack([self.left, self.right], axis=1).ravel()
        self._any_missing_right = bool((~self.missing_left).any())

    @classmethod
    def from_sklearn(cls, model: Any) -> TreeEnsemble:
        """Convert a fitted binary ``HistGradientBoostingClassifier`` (numeric features only)."""
        feats, thr, lefts, rights, miss, vals, roots = [], [], [], [], [], [], []
        offset, depth = 0, 0
        for (pred,) in model._predictors:
            nodes = pred.nodes
            idx = np.arange(nodes.size) + offset
            leaf = nodes["is_leaf"].astype(bool)
            if np.any(nodes["is_categorical"][~leaf]):
                raise ValueError("categorical splits are not supported")
            feats.append(np.where(leaf, 0, nodes["feature_idx"]))
            thr.append(nodes["num_threshold"])
            lefts.append(np.where(leaf, idx, nodes["left"] + offset))
            rights.append(np.where(leaf, idx, nodes["right"] + offset))
            miss.append(nodes["missing_go_to_left"])
            vals.append(np.where(leaf, nodes["value"], 0.0))
            roots.append(offset)
            depth = max(depth, int(nodes["depth"].max()))
            offset += nodes.size
        cat = np.concatenate
        return cls(
            cat(feats),
            cat(thr),
            cat(lefts),
            cat(rights),
            cat(miss),
            cat(vals),
            np.asarray(roots),
            float(np.ravel(model._baseline_prediction)[0]),
            depth,
        )

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Raw margin (log-odds) of every row of ``x``; all trees advance one level per step."""
        n = x.shape[0]
        if n == 0 or self.roots.size == 0:
            return np.full(n, self.baseline)
        x = np.ascontiguousarray(x, dtype=np.float64)
        base = (np.arange(n, dtype=np.int64) * x.shape[1])[:, None]
        flat = x.ravel()
        node = np.broadcast_to(self.roots, (n, self.roots.size)).copy()
        nan_right = self._any_missing_right and bool(np.isnan(flat).any())
        for _ in range(self.depth):
            v = flat.take(base + self.feature.take(node))
            right = v > self.threshold.take(node)
            if nan_right:
                right |= np.isnan(v) & ~self.missing_left.take(node)
            node = self._children.take(2 * node + right)
        return self.baseline + self.value.take(node).sum(axis=1)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "t_feature": self.feature.astype(np.int32),
            "t_threshold": self.threshold,
            "t_left": self.left.astype(np.int32),
            "t_right": self.right.astype(np.int32),
            "t_missing_left": self.missing_left,
            "t_value": self.value,
            "t_roots": self.roots.astype(np.int32),
            "t_meta": np.asarray([self.baseline, self.depth], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> TreeEnsemble:
        return cls(
            a["t_feature"],
            a["t_threshold"],
            a["t_left"],
            a["t_right"],
            a["t_missing_left"],
            a["t_value"],
            a["t_roots"],
            float(a["t_meta"][0]),
            int(a["t_meta"][1]),
        )
