"""Model-specific behaviour on small synthetic data (exact expectations)."""

from __future__ import annotations

import numpy as np

from kkot.ml.recs import (
    AssociationRules,
    BlendRecommender,
    ContentSimilarity,
    Interactions,
    PopularityRecommender,
    SessionKNN,
    SessionLinear,
    TransitionRecommender,
)
from kkot.ml.recs.base import top_k
from kkot.ml.recs.tests.conftest import synthetic_sessions


def test_top_k_breaks_ties_by_id() -> None:
    ids, sc = top_k(np.array([5, 3, 9, 1]), np.array([1.0, 2.0, 2.0, 1.0], dtype=np.float32), 3)
    assert ids.tolist() == [3, 9, 1]
    assert sc.tolist() == [2.0, 2.0, 1.0]


def test_popularity_time_decay_prefers_recent() -> None:
    # item 0: 3 old events; item 1: 2 recent events
    inter = Interactions.from_sequences([[0], [0], [0], [1], [1]], timestamps=[[0], [1], [2], [100], [101]])
    assert PopularityRecommender().fit(inter).recommend([[]], k=2)[0][0].tolist() == [0, 1]
    assert PopularityRecommender(half_life=10.0).fit(inter).recommend([[]], k=2)[0][0].tolist() == [1, 0]


def test_transitions_follow_the_sequence() -> None:
    inter = synthetic_sessions()
    model = TransitionRecommender(window=1).fit(inter)
    ids, _ = model.recommend([[0], [3]], k=1)
    assert ids[:, 0].tolist() == [1, 4]
    reason = model.explain([0], [1])[0]
    assert reason is not None and reason.kind == "next" and reason.anchor == 0


def test_stan_weights_recent_items_more() -> None:
    inter = synthetic_sessions()
    model = SessionKNN.stan(k=50, sample=100, lambda_pos=0.5, lambda_item=1.0, lambda_time=None)
    model.fit(inter)
    ids, _ = model.recommend([[5, 3]], k=1, exclude=[[5, 3]])
    assert ids[0, 0] == 4  # 3 is the most recent item: its partner 4 wins over 6 (partner of 5)
    ids, _ = model.recommend([[3, 5]], k=1, exclude=[[3, 5]])
    assert ids[0, 0] == 6
    reason = model.explain([3, 5], [6])[0]
    assert reason is not None and reason.kind == "co_view" and reason.anchor == 5 and reason.age == 0


def test_rules_support_confidence_lift() -> None:
    baskets = [[0, 1], [0, 1], [0, 2], [0], [3]]
    model = AssociationRules(min_count=2).fit(Interactions.from_sequences(baskets, n_items=4))
    r = model.rule(0, 1)
    assert r == {"count": 2.0, "support": 2 / 5, "confidence": 2 / 4, "lift": (2 / 4) / (2 / 5)}
    ids, sc = model.recommend([[0]], k=2, exclude=[[0]])
    assert ids[0, 0] == 1 and np.isclose(sc[0, 0], 0.5)
    # rule 0->2 has one co-occurrence < min_count, so 2 only comes from the popularity fill (score 0)
    assert ids[0, 1] == 2 and sc[0, 1] == 0.0
    reason = model.explain([0], [1])[0]
    assert reason is not None and reason.kind == "co_buy" and reason.anchor == 0
    assert reason.share == 0.5 and reason.count == 2
    assert reason.to_dict()["lift"] == 1.25


def test_content_finds_korean_neighbours_and_cold_start() -> None:
    model = ContentSimilarity().fit(synthetic_sessions())
    ids, _ = model.similar_items([0, 2], k=1)
    assert ids[:, 0].tolist() == [1, 3]  # 린넨 셔츠 화이트 -> 린넨 셔츠 블루; 청바지 와이드 -> 슬림
    ids, _ = model.similar_to_text(["린넨셔츠 네이비", "흰색 캔버스 스니커즈"], k=1)
    assert ids[0, 0] in (0, 1) and ids[1, 0] == 7
    reason = model.explain([2, 4], [5])[0]
    assert reason is not None and reason.kind == "similar" and reason.anchor == 4


def test_blend_learns_weights_on_validation() -> None:
    inter = synthetic_sessions(600)
    blend = BlendRecommender([SessionKNN.stan(k=20, sample=50), TransitionRecommender(window=1)],
                             valid_frac=0.2).fit(inter)
    assert blend.weights is not None and len(blend.weights) == 2
    assert blend.valid_report["n_valid"] > 50
    ids, _ = blend.recommend([[0, 1]], k=1)
    assert ids[0, 0] == 2
    reason = blend.explain([0, 1], [2])[0]
    assert reason is not None and reason.anchor == 1


def test_interactions_validation() -> None:
    import pytest

    with pytest.raises(ValueError):
        Interactions(np.array([0, 2]), np.array([0, 5]), n_items=3)
    with pytest.raises(ValueError):
        Interactions(np.array([0, 3]), np.array([0, 1]), n_items=3)
    inter = Interactions.from_sequences([[1, 2], [], [0]])
    assert inter.n_items == 3 and inter.n_sessions == 3
    assert inter.subset(np.array([2, 0])).sequences()[1].tolist() == [1, 2]


def _looks() -> Interactions:
    """Disjoint looks viewed in order (0 -> 1 -> 2, 3 -> 4, 5 -> 6), item 7 seen once."""
    seqs = [[0, 1, 2]] * 40 + [[3, 4]] * 30 + [[5, 6]] * 20 + [[0, 1]] * 10 + [[7]]
    return Interactions.from_sequences(seqs, n_items=8)


def test_slist_follows_the_sequence_and_local_equals_dense_on_closed_neighbourhoods() -> None:
    local = SessionLinear(alpha=0.2, reg=1.0, min_count=1, neighbors=8).fit(_looks())
    dense = SessionLinear(alpha=0.2, reg=1.0, min_count=1, solver="dense").fit(_looks())
    ids, _ = local.recommend([[0], [0, 1], [3]], k=2, exclude=[[0], [0, 1], [3]])
    assert ids[:, 0].tolist() == [1, 2, 4]
    # every look is closed under co-occurrence, so the neighbourhood solve is the exact ridge solution
    np.testing.assert_allclose(local.B.toarray(), dense.B.toarray(), rtol=1e-3, atol=1e-4)
    reason = local.explain([5, 0], [1])[0]
    assert (reason.kind, reason.anchor, reason.age) == ("co_view", 0, 0)


def test_ease_has_a_zero_diagonal_and_pruned_inputs_are_ignored() -> None:
    ease = SessionLinear(alpha=1.0, reg=1.0, min_count=1, solver="dense").fit(_looks())
    assert np.allclose(ease.B.diagonal(), 0.0)
    # dense solver: only the 3 most frequent items are modelled; a history of other items gets popular items only
    small = SessionLinear(alpha=0.5, reg=1.0, min_count=1, max_items=3, solver="dense").fit(_looks())
    assert small.items_in.tolist() == small.items_out.tolist() == [0, 1, 2]
    ids, _ = small.recommend([[3]], k=3)
    assert small._candidates(np.asarray([3]))[0].size == 0 and (ids[0] >= 0).all()  # popularity fill only
    # local solver: every item is modelled; the dense block of the Gram matrix only changes where entries are read
    a = SessionLinear(alpha=0.5, reg=1.0, min_count=1, max_items=2).fit(_looks())
    b = SessionLinear(alpha=0.5, reg=1.0, min_count=1, max_items=100).fit(_looks())
    assert a.items_in.tolist() == list(range(8))
    np.testing.assert_allclose(a.B.toarray(), b.B.toarray(), rtol=1e-6)


def test_rerank_learns_trees_on_validation_and_beats_popularity() -> None:
    from kkot.ml.recs import RerankRecommender
    from kkot.ml.recs.rerank_feats import feature_names

    inter = synthetic_sessions(600)
    model = RerankRecommender([SessionKNN.stan(k=20, sample=50), TransitionRecommender(window=1)],
                              valid_frac=0.2, max_iter=30, min_samples_leaf=5).fit(inter)
    assert model.trees is not None and model.trees.roots.size == 30
    assert model.valid_report["pool_recall"] > 0.9 and model.valid_report["n_rows"] > 100
    assert int(model.trees.feature.max()) < len(feature_names(2))
    ids, _ = model.recommend([[0, 1], [3]], k=1)
    assert ids[:, 0].tolist() == [2, 4]
    reason = model.explain([0, 1], [2])[0]
    assert reason is not None and reason.anchor == 1


def test_tree_ensemble_matches_sklearn() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    from kkot.ml.recs.rerank_feats import TreeEnsemble

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 5)).astype(np.float32)
    x[:, 4] = np.round(x[:, 4])  # ties at thresholds
    y = (x[:, 0] + x[:, 1] * x[:, 2] + 0.3 * rng.normal(size=2000) > 0.2)
    clf = HistGradientBoostingClassifier(max_iter=25, max_depth=5, random_state=0).fit(x, y)
    trees = TreeEnsemble.from_sklearn(clf)
    np.testing.assert_allclose(trees.raw(x), clf.decision_function(x), rtol=1e-6, atol=1e-6)
    x[::7, 1] = np.nan  # missing values follow each node's learned side, as in scikit-learn
    np.testing.assert_allclose(trees.raw(x), clf.decision_function(x), rtol=1e-6, atol=1e-6)
    again = TreeEnsemble.from_arrays(trees.to_arrays())
    np.testing.assert_array_equal(again.raw(x), trees.raw(x))
