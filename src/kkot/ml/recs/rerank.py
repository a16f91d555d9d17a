"""A learned re-ranker over a blend's candidates (kkot's most accurate session model).

Stage one is a :class:`~kkot.ml.recs.blend.BlendRecommender`: each member proposes its best
``n_candidates`` items, the learned linear blend orders their union and keeps the best ``pool``. Stage two
scores every pooled item with gradient-boosted trees over the features of
:mod:`kkot.ml.recs.rerank_feats` (member scores and ranks, session position of the item, popularity,
direct transitions from the last items) and ranks by that score.

Training never sees test data: ``fit`` carves the newest ``valid_frac`` of the sessions off (every
prefix predicts its next item), fits the members and the item statistics on the older sessions, learns
the blend weights and then a pointwise ``HistGradientBoostingClassifier`` (is this pooled item the next
one?) on the validation prefixes whose next item is in the pool. With ``refit=True`` the members and
statistics are then refitted on all sessions. The trees are stored as plain arrays (``arrays.npz``).

Reasons come from the member that contributed most to the item's blend score, as for the blend.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import numpy as np

from kkot.ml.recs.base import BaseRecommender, Interactions, register
from kkot.ml.recs.blend import BlendRecommender, validation_split
from kkot.ml.recs.rerank_feats import ItemStats, TreeEnsemble, feature_names, pool_and_features

_I = np.zeros(0, dtype=np.int64)
_F = np.zeros(0, dtype=np.float32)


@register
class RerankRecommender(BlendRecommender):
    name: ClassVar[str] = "rerank"
    params: ClassVar[tuple[str, ...]] = (
        *BlendRecommender.params,
        "pool",
        "max_iter",
        "learning_rate",
        "max_leaf_nodes",
        "max_depth",
        "min_samples_leaf",
    )

    def __init__(
        self,
        members: list[BaseRecommender] | None = None,
        weights: list[float] | None = None,
        n_candidates: int = 100,
        pool: int = 100,
        valid_frac: float = 0.1,
        max_valid: int = 30_000,
        refit: bool = True,
        mrr_weight: float = 1.0,
        rounds: int = 3,
        seed: int = 0,
        max_iter: int = 100,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 31,
        max_depth: int | None = 4,
        min_samples_leaf: int = 100,
        fill_popular: bool = True,
    ) -> None:
        super().__init__(
            members,
            weights,
            n_candidates,
            valid_frac,
            max_valid,
            refit,
            mrr_weight,
            rounds,
            seed,
            fill_popular,
        )
        self.pool = int(pool)
        self.max_iter = int(max_iter)
        self.learning_rate = float(learning_rate)
        self.max_leaf_nodes = int(max_leaf_nodes)
        self.max_depth = None if max_depth is None else int(max_depth)
        self.min_samples_leaf = int(min_samples_leaf)
        self.trees: TreeEnsemble | None = None
        self.stats: ItemStats | None = None

    # -- fitting ----------------------------------------------------------------------------------
    def _fit(self, interactions: Interactions) -> None:
        if not self.members:
            raise ValueError("RerankRecommender needs at least one member")
        t0 = time.perf_counter()
        train, prefixes, targets = validation_split(interactions, self.valid_frac, self.max_valid, self.seed)
        self.trees = None
        if len(prefixes) >= 10 and train.n_sessions:
            for m in self.members:
                m.fit(train)
            self.stats = ItemStats.fit(train)
            if self.weights is None:
                self.weights = self.learn_weights(prefixes, targets)
            self.trees = self._fit_trees(prefixes, targets)
        else:
            self.weights = self.weights or [1.0] * len(self.members)
            self.valid_report = {"note": "too little data for a validation split: blend order, equal weights"}
        if self.refit or self.trees is None:
            for m in self.members:
                m.fit(interactions)
            self.stats = ItemStats.fit(interactions)
        self.valid_report["fit_s"] = round(time.perf_counter() - t0, 1)

    def _fit_trees(self, prefixes: list[np.ndarray], targets: np.ndarray) -> TreeEnsemble | None:
        from sklearn.ensemble import HistGradientBoostingClassifier  # heavy import, only when training

        xs, ys, hit = [], [], 0
        for h, t in zip(prefixes, targets, strict=True):
            u, _, f = self._pool(h)
            y = u == t
            if y.any():  # prefixes whose target the pool misses teach the ranking nothing
                xs.append(f)
                ys.append(y)
                hit += 1
        self.valid_report.update({"n_prefixes": len(prefixes), "pool_recall": hit / max(len(prefixes), 1)})
        if hit < 10:
            return None
        x, y = np.concatenate(xs), np.concatenate(ys)
        clf = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            early_stopping=False,
            random_state=self.seed,
        )
        clf.fit(x, y)
        self.valid_report["n_rows"] = int(y.size)
        return TreeEnsemble.from_sklearn(clf)

    # -- serving ----------------------------------------------------------------------------------
    def _pool(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        assert self.stats is not None
        w = np.asarray(self.weights or [1.0] * len(self.members), dtype=np.float32)
        return pool_and_features(h, self.member_candidates(h), w, self.n_candidates, self.pool, self.stats)

    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u, blend, f = self._pool(h)
        if u.size == 0:
            return _I, _F
        if self.trees is None:
            keep = blend > 0
            return u[keep], blend[keep]
        raw = self.trees.raw(f)
        # relative probabilities: positive, order-preserving
        return u, np.exp(raw - raw.max()).astype(np.float32)

    # -- persistence ------------------------------------------------------------------------------
    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta, _ = super()._get_state()
        assert self.stats is not None
        arrays = self.stats.to_arrays()
        if self.trees is not None:
            arrays.update(self.trees.to_arrays())
        return {**meta, "has_trees": self.trees is not None}, arrays

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        super()._set_state(meta, arrays)
        self.stats = ItemStats.from_arrays(arrays, self.n_items)
        self.trees = TreeEnsemble.from_arrays(arrays) if meta.get("has_trees") else None
        if (
            self.trees is not None
            and self.trees.feature.size
            and (
                self.trees.feature.min() < 0
                or self.trees.feature.max() >= len(feature_names(len(self.members)))
            )
        ):
            raise ValueError("trees use features the model does not compute")
