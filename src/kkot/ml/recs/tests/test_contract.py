"""One contract, every model: the shared guarantees of :class:`kkot.ml.recs.Recommender`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from kkot.ml.recs import (
    AssociationRules,
    BaseRecommender,
    BlendRecommender,
    ContentSimilarity,
    ImplicitMF,
    Interactions,
    ModelFileError,
    PopularityRecommender,
    Recommender,
    RerankRecommender,
    SessionKNN,
    SessionLinear,
    TransitionRecommender,
    load_model,
)
from kkot.ml.recs.neural import NeuralSession
from kkot.ml.recs.tests.conftest import synthetic_sessions

FACTORIES: dict[str, Callable[[], BaseRecommender]] = {
    "popular": lambda: PopularityRecommender(half_life=50_000.0),
    "transitions": lambda: TransitionRecommender(window=2, backward=0.5),
    "sknn": lambda: SessionKNN.sknn(k=20, sample=50),
    "vsknn": lambda: SessionKNN.vsknn(k=20, sample=50),
    "stan": lambda: SessionKNN.stan(k=20, sample=50, lambda_time=1e5),
    "mf": lambda: ImplicitMF(factors=8, iterations=5),
    "rules": lambda: AssociationRules(min_count=2),
    "content": lambda: ContentSimilarity(),
    "slist": lambda: SessionLinear(alpha=0.5, reg=1.0, min_count=1, session_weight=1e5),
    "slist_dense": lambda: SessionLinear(alpha=0.5, reg=1.0, min_count=1, solver="dense", label="slist_dense"),
    "ease": lambda: SessionLinear(alpha=1.0, reg=1.0, min_count=1, neighbors=4, label="ease"),
    "blend": lambda: BlendRecommender(
        [SessionKNN.stan(k=20, sample=50), TransitionRecommender(window=2)], valid_frac=0.2
    ),
    "neural": lambda: NeuralSession(dim=16, epochs=30, batch_size=64, negatives=8, lr=1e-2, threads=1, top=20),
    "rerank": lambda: RerankRecommender(
        [SessionKNN.stan(k=20, sample=50), TransitionRecommender(window=2)], valid_frac=0.2, max_iter=20,
        min_samples_leaf=5,
    ),
}

MODELS = sorted(FACTORIES)
NEEDS_TORCH = {"neural"}  # training needs the ``train`` extra (CI installs it)


def make(name: str) -> BaseRecommender:
    if name in NEEDS_TORCH:
        pytest.importorskip("torch")
    return FACTORIES[name]()


@pytest.fixture(params=MODELS)
def fitted(request: pytest.FixtureRequest) -> BaseRecommender:
    model = make(request.param).fit(synthetic_sessions())
    model._test_key = request.param  # which factory made it (several share a class)
    return model


def test_satisfies_protocol(fitted: BaseRecommender) -> None:
    assert isinstance(fitted, Recommender)


def test_shapes_padding_and_ranges(fitted: BaseRecommender) -> None:
    ids, scores = fitted.recommend([[0], [3, 4], [5]], k=5)
    assert ids.shape == (3, 5) and scores.shape == (3, 5)
    assert ids.dtype == np.int64 and scores.dtype == np.float32
    assert ((ids >= -1) & (ids < 12)).all()
    for row_ids, row_sc in zip(ids, scores, strict=True):
        real = row_ids >= 0
        assert len(set(row_ids[real].tolist())) == int(real.sum())  # no duplicates
        assert np.all(np.diff(row_sc[real]) <= 0)  # sorted by score
        assert np.all(np.isneginf(row_sc[~real]))


def test_empty_and_unknown_histories(fitted: BaseRecommender) -> None:
    ids, scores = fitted.recommend([[], [99, -5, 1_000_000], np.array([], dtype=np.int64)], k=4)
    assert ids.shape == (3, 4)
    # unknown ids are ignored, so an all-unknown history behaves exactly like an empty one
    np.testing.assert_array_equal(ids[0], ids[1])
    np.testing.assert_array_equal(ids[0], ids[2])
    # the popularity fill answers an empty session with popular items (score 0 unless popularity model)
    assert (ids[0] >= 0).all()


def test_mixed_known_and_unknown_ids(fitted: BaseRecommender) -> None:
    a, sa = fitted.recommend([[0, 1]], k=6)
    b, sb = fitted.recommend([[0, 4242, 1, -1]], k=6)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(sa, sb, rtol=1e-6)


def test_k_larger_than_catalog_and_zero(fitted: BaseRecommender) -> None:
    ids, scores = fitted.recommend([[0]], k=30)
    assert ids.shape == (1, 30)
    real = ids[0] >= 0
    assert 0 < real.sum() <= 12
    assert (ids[0][real.sum():] == -1).all()
    ids0, sc0 = fitted.recommend([[0]], k=0)
    assert ids0.shape == (1, 0) and sc0.shape == (1, 0)


def test_exclude(fitted: BaseRecommender) -> None:
    ids, _ = fitted.recommend([[0], [3]], k=12)
    banned = [ids[0][:2].tolist(), [4]]
    ids2, _ = fitted.recommend([[0], [3]], k=12, exclude=banned)
    assert not set(ids2[0].tolist()) & set(banned[0])
    assert 4 not in ids2[1].tolist()
    with pytest.raises(ValueError):
        fitted.recommend([[0], [3]], k=3, exclude=[[1]])


def test_deterministic(fitted: BaseRecommender) -> None:
    h = [[0, 1], [5], [3, 4, 3], []]
    a = fitted.recommend(h, k=8)
    b = fitted.recommend(h, k=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = make(fitted._test_key).fit(synthetic_sessions()).recommend(h, k=8)
    np.testing.assert_array_equal(a[0], c[0])
    np.testing.assert_allclose(a[1], c[1], rtol=1e-5)


def test_save_load_round_trip(fitted: BaseRecommender, tmp_path: Path) -> None:
    fitted.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert type(loaded) is type(fitted)
    h = [[0, 1], [5], [3, 4, 3], [], [77]]
    a, sa = fitted.recommend(h, k=7, exclude=[[2], [], [], [], []])
    b, sb = loaded.recommend(h, k=7, exclude=[[2], [], [], [], []])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(sa, sb)
    np.testing.assert_array_equal(fitted.similar_items([0, 5, 99], k=4)[0], loaded.similar_items([0, 5, 99], k=4)[0])
    assert fitted.explain([0, 1], a[0][:3]) == loaded.explain([0, 1], a[0][:3])
    # the class-specific loader works too
    assert type(type(fitted).load(tmp_path / "m")) is type(fitted)


def test_missing_and_corrupt_files(fitted: BaseRecommender, tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "nothing")
    d = tmp_path / "m"
    fitted.save(d)
    (d / "arrays.npz").write_bytes(b"this is not a zip file")
    with pytest.raises(ModelFileError, match="corrupt"):
        load_model(d)
    fitted.save(d)
    (d / "meta.json").write_text("{ broken", encoding="utf-8")
    with pytest.raises(ModelFileError, match="JSON"):
        load_model(d)
    fitted.save(d)
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    meta["n_items"] = 5  # arrays no longer match
    (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelFileError):
        load_model(d)
    fitted.save(d)
    (d / "arrays.npz").unlink()
    with pytest.raises(ModelFileError, match="incomplete"):
        load_model(d)


@pytest.mark.parametrize("name", MODELS)
def test_single_item_catalog_each(name: str) -> None:
    inter = Interactions.from_sequences([[0], [0, 0], [0]], n_items=1, item_texts=["린넨 셔츠"])
    model = make(name)
    if isinstance(model, BlendRecommender):  # the re-ranker too
        model.valid_frac = 0.5
    model.fit(inter)
    ids, scores = model.recommend([[0], []], k=3)
    assert ids.shape == (2, 3)
    assert set(ids.ravel().tolist()) <= {0, -1}
    sim, _ = model.similar_items([0], k=2)
    assert (sim == -1).all()  # the item itself is never its own neighbour


@pytest.mark.parametrize("name", MODELS)
def test_store_without_history(name: str) -> None:
    inter = Interactions.from_sequences([], n_items=3, item_texts=["a", "b", "c"])
    model = make(name).fit(inter)
    ids, _ = model.recommend([[0], []], k=2)
    if name == "content":  # content needs no history: items 0 and 1/2 share nothing, so no evidence
        assert ids.shape == (2, 2)
    else:
        assert (ids == -1).all()


def test_unfitted_model_raises() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        SessionKNN().recommend([[0]], k=3)


def test_flat_array_is_rejected(sessions: Interactions) -> None:
    model = SessionKNN().fit(sessions)
    with pytest.raises(TypeError):
        model.recommend(np.array([0, 1]), k=3)
