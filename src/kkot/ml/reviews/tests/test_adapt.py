"""Adaptation with the sequence model's pooled features (kkot.ml.reviews.sentiment_adapt)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest

from kkot.ml.reviews.evaluation import roc_auc
from kkot.ml.reviews.features import HashFeaturizer
from kkot.ml.reviews.sentiment import SentimentModel
from kkot.ml.reviews.sentiment_adapt import cached_scores, fit_residual, prior_cache, seq_features
from kkot.ml.reviews.tests.test_seqmodels import TEXTS, _cnn, _gru

XS = ["좋아요 최고", "별로 실망", "만족해요 배송 빨라요", "최악 물빠짐", "사이즈 딱 맞아요", "보풀 생겨요"] * 3
YS = [1, 0, 1, 0, 1, 0] * 3


def _prior(seq, weight: float = 0.2) -> SentimentModel:  # type: ignore[no-untyped-def]
    f = HashFeaturizer(n_bits=12)
    w = np.random.default_rng(2).normal(size=1 << 12).astype(np.float32)
    return SentimentModel(f, w, 0.1, seq=seq.rounded(), seq_weight=weight)


@pytest.mark.parametrize("make", [_cnn, _gru], ids=["cnn", "bigru"])
def test_seq_features_dedups_and_matches_score(make):
    seq = make()
    texts = TEXTS + TEXTS[:4]
    f = seq_features(seq, texts, chunk=3)
    assert f.shape == (len(texts), seq.out_w.shape[0]) and f.dtype == np.float32
    np.testing.assert_allclose(f[len(TEXTS):], f[:4], rtol=0, atol=0)
    np.testing.assert_allclose(f @ seq.out_w + seq.out_b, seq.score(texts), rtol=1e-5, atol=1e-5)


def test_cache_take_and_concat():
    prior = _prior(_gru())
    c = prior_cache(prior, XS)
    both = c.take(np.arange(4)).concat(c.take(np.arange(4, len(XS))))
    assert len(both) == len(XS)
    np.testing.assert_allclose(both.X.toarray(), c.X.toarray())
    np.testing.assert_allclose(both.feats, c.feats)
    np.testing.assert_allclose(cached_scores(prior, c), prior.decision_function(XS), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make", [_cnn, _gru], ids=["cnn", "bigru"])
def test_adapt_with_seq_features_folds_into_the_sequence_model(tmp_path, make):
    prior = _prior(make())
    out_w = prior.seq.out_w.copy()
    m = prior.adapt(XS, YS, C=1.0, clause_level=True, calibrate=True, seq_features=1.0)
    # the domain weights of the pooled features live in a copy of the output layer; the prior is unchanged
    assert m.seq is not prior.seq and m.seq_weight == 1.0
    np.testing.assert_array_equal(prior.seq.out_w, out_w)
    assert m.meta["seq_features"] == {"scale": 1.0, "dims": int(out_w.shape[0])}
    np.testing.assert_allclose(cached_scores(m, prior_cache(prior, TEXTS)), m.decision_function(TEXTS),
                               rtol=1e-5, atol=1e-5)
    # same file format: saving and loading gives the same scores
    loaded = SentimentModel.load(m.save(tmp_path / "m"))
    np.testing.assert_allclose(loaded.decision_function(TEXTS), m.decision_function(TEXTS), atol=2e-3)
    # off: the sequence model is shared with the prior, as before
    m0 = prior.adapt(XS, YS, C=1.0, clause_level=False, calibrate=False, seq_features=0.0, seq_finetune=0)
    assert m0.seq is prior.seq and "seq_features" not in m0.meta


@dataclass
class _LengthSeq:
    """A stand-in sequence model whose one pooled feature is the text's length (n-grams cannot see it)."""

    out_w: np.ndarray = field(default_factory=lambda: np.zeros(1, np.float32))
    out_b: float = 0.0
    _tab: object = field(default=None, init=False)

    def features(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray([[len(t)] for t in texts], np.float32)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return self.features(texts) @ self.out_w + self.out_b


def test_domain_model_learns_from_pooled_features():
    rng = np.random.default_rng(0)
    words = ["가방", "바지", "셔츠", "치마", "모자", "신발"]
    xs = [" ".join(rng.choice(words, size=k)) for k in rng.integers(1, 9, size=200)]
    ys = np.asarray([int(len(t) > 14) for t in xs])
    prior = SentimentModel(HashFeaturizer(n_bits=10), np.zeros(1 << 10, np.float32), 0.0,
                           seq=_LengthSeq(), seq_weight=0.5)  # type: ignore[arg-type]
    c = prior_cache(prior, xs)
    with_f = fit_residual(prior, c, ys, np.ones(len(xs)), C=1.0, seq_features_scale=1.0)
    without = fit_residual(prior, c, ys, np.ones(len(xs)), C=1.0, seq_features_scale=0.0)
    auc_with = roc_auc(ys, with_f.decision_function(xs))
    assert auc_with > 0.99 and auc_with > roc_auc(ys, without.decision_function(xs))


def test_finetune_starts_from_the_model_and_leaves_it_unchanged():
    pytest.importorskip("torch")
    from kkot.ml.reviews.seq_train import finetune_seq

    gru = _gru()
    before = gru.score(TEXTS)
    same = finetune_seq(gru, XS, YS, epochs=1, lr=0.0, dropout=0.0)  # no step: the weights go and come back
    np.testing.assert_allclose(same.score(TEXTS), before, rtol=1e-5, atol=1e-5)
    assert same is not gru and np.array_equal(same.vocab, gru.vocab)
    moved = finetune_seq(gru, XS, YS, sample_weight=np.ones(len(XS)), epochs=5, lr=1e-2)
    np.testing.assert_array_equal(gru.score(TEXTS), before)
    neg, pos = [i for i, y in enumerate(YS) if y == 0], [i for i, y in enumerate(YS) if y == 1]
    z0, z1 = gru.score(XS), moved.score(XS)
    assert z1[pos].mean() - z1[neg].mean() > z0[pos].mean() - z0[neg].mean()


def test_store_model_fine_tunes_the_sequence_model(tmp_path):
    pytest.importorskip("torch")
    from kkot.ml.reviews.sentiment_adapt import SEQ_FINETUNE_BOOST

    prior = _prior(_gru())
    m = prior.adapt(XS, YS, C=1.0, clause_level=False, calibrate=True, seq_finetune=3)
    base = prior.adapt(XS, YS, C=1.0, clause_level=False, calibrate=False, seq_finetune=0)
    # the fine-tuned copy replaces the prior's in the sum, with a larger weight; the prior is untouched
    assert m.seq is not prior.seq and base.seq is prior.seq
    assert m.seq_weight == pytest.approx(base.seq_weight + SEQ_FINETUNE_BOOST)
    assert m.meta["seq_finetune"] == {"epochs": 3, "n": len(XS)}
    np.testing.assert_allclose(m.weights, base.weights)  # the n-gram part is the same fit
    # calibrated on out-of-fold scores of models fine-tuned on each fold's training part
    assert "out_of_fold" in m.meta and m.scale > 0
    # the stored model reads back with its own sequence model
    loaded = SentimentModel.load(m.save(tmp_path / "m"))
    np.testing.assert_allclose(loaded.decision_function(TEXTS), m.decision_function(TEXTS), atol=2e-3)
    # the sequence model learnt the store's labels
    neg, pos = [i for i, y in enumerate(YS) if y == 0], [i for i, y in enumerate(YS) if y == 1]
    z0, z1 = prior.seq.score(XS), m.seq.score(XS)
    assert z1[pos].mean() - z1[neg].mean() > z0[pos].mean() - z0[neg].mean()


def test_seq_features_turn_fine_tuning_off():
    prior = _prior(_gru())
    m = prior.adapt(XS, YS, C=1.0, clause_level=False, calibrate=False, seq_features=1.0, seq_finetune=3)
    assert "seq_finetune" not in m.meta and "seq_features" in m.meta
