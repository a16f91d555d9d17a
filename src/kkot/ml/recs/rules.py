"""Bought together: association rules over baskets (support, confidence, lift, minimum counts).

For a rule ``a -> b`` over ``N`` baskets: ``support = n_ab / N``, ``confidence = n_ab / n_a`` (the share of
baskets holding ``a`` that also hold ``b``: "38% of buyers also bought") and
``lift = confidence / (n_b / N)``. Rules below ``min_count`` co-occurrences, ``min_confidence`` or
``min_lift`` are dropped. A basket's candidates are scored by their best rule from any basket item
(``agg="max"``) or by the sum over basket items (``agg="sum"``); the score is a blend
``confidence * lift**lift_power`` so that ``lift_power=0`` ranks by confidence alone.
"""

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
from kkot.ml.recs.simple import prune_rows
from kkot.ml.recs.sknn import gather_rows

_I = np.zeros(0, dtype=np.int64)
_F = np.zeros(0, dtype=np.float32)


@register
class AssociationRules(BaseRecommender):
    name: ClassVar[str] = "rules"
    params: ClassVar[tuple[str, ...]] = (
        "min_count", "min_confidence", "min_lift", "lift_power", "agg", "max_rules"
    )

    def __init__(
        self,
        min_count: int = 2,
        min_confidence: float = 0.0,
        min_lift: float = 0.0,
        lift_power: float = 0.0,
        agg: str = "sum",
        max_rules: int = 300,
        fill_popular: bool = True,
    ) -> None:
        super().__init__(fill_popular=fill_popular)
        if agg not in {"max", "sum"}:
            raise ValueError("agg must be 'max' or 'sum'")
        self.min_count = int(min_count)
        self.min_confidence = float(min_confidence)
        self.min_lift = float(min_lift)
        self.lift_power = float(lift_power)
        self.agg = agg
        self.max_rules = int(max_rules)

    def _fit(self, interactions: Interactions) -> None:
        x = interactions.to_csr(binary=True)
        self.n_baskets = int(x.shape[0])
        self.basket_counts = np.asarray(x.sum(axis=0)).ravel().astype(np.float32)
        co = (x.T @ x).tocsr().astype(np.float32)
        co.setdiag(0)
        co.eliminate_zeros()
        co.data[co.data < self.min_count] = 0
        co.eliminate_zeros()
        self.co = co
        score = self._rule_scores(co)
        self.rules = prune_rows(score, self.max_rules)

    def _rule_scores(self, co: sp.csr_matrix) -> sp.csr_matrix:
        rows = np.repeat(np.arange(co.shape[0]), np.diff(co.indptr))
        conf = co.data / np.maximum(self.basket_counts[rows], 1)
        lift = conf / np.maximum(self.basket_counts[co.indices] / max(self.n_baskets, 1), 1e-12)
        ok = (conf >= self.min_confidence) & (lift >= self.min_lift)
        val = np.where(ok, conf * lift**self.lift_power, 0).astype(np.float32)
        out = sp.csr_matrix((val, co.indices, co.indptr), shape=co.shape)
        out.eliminate_zeros()
        return out

    def rule(self, a: int, b: int) -> dict[str, float]:
        """Support, confidence, lift and count of the rule ``a -> b``."""
        n_ab = float(self.co[a, b])
        n_a, n_b = float(self.basket_counts[a]), float(self.basket_counts[b])
        n = max(self.n_baskets, 1)
        conf = n_ab / n_a if n_a else 0.0
        return {
            "count": n_ab,
            "support": n_ab / n,
            "confidence": conf,
            "lift": conf / (n_b / n) if n_b else 0.0,
        }

    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.unique(h)
        flat, _ = gather_rows(self.rules.indptr.astype(np.int64), rows)
        if flat.size == 0:
            return _I, _F
        cols = self.rules.indices[flat]
        vals = self.rules.data[flat]
        cand, inv = np.unique(cols, return_inverse=True)
        if self.agg == "sum":
            sc = np.bincount(inv, weights=vals)
        else:
            sc = np.zeros(cand.size)
            np.maximum.at(sc, inv, vals)
        return cand.astype(np.int64), sc.astype(np.float32)

    def _similar(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        row = self.rules.getrow(item)
        return row.indices.astype(np.int64), row.data

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        best = None
        for a in np.unique(h):
            if a == item:
                continue
            r = self.rule(int(a), item)
            if r["count"] > 0 and (best is None or r["confidence"] > best[1]["confidence"]):
                best = (int(a), r)
        if best is None:
            return None
        a, r = best
        return Reason(item=item, model=self.name, kind="co_buy", anchor=a, score=r["confidence"],
                      count=int(r["count"]), share=r["confidence"], lift=r["lift"])

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"n_baskets": self.n_baskets}, {
            "basket_counts": self.basket_counts, **csr_to_arrays("co", self.co), **csr_to_arrays("rules", self.rules)
        }

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.n_baskets = int(meta["n_baskets"])
        self.basket_counts = arrays["basket_counts"].astype(np.float32)
        self.co = csr_from_arrays("co", arrays)
        self.rules = csr_from_arrays("rules", arrays)
        shape = (self.n_items, self.n_items)
        if self.co.shape != shape or self.rules.shape != shape or self.basket_counts.shape != (self.n_items,):
            raise ValueError("rule matrices have the wrong shape")
