"""Store/category adaptation of :class:`kkot.ml.reviews.sentiment.SentimentModel` (used by
``SentimentModel.adapt``, ``kkot train reviews`` and the platform's retraining).

A domain logistic regression is fitted on the domain's hashed n-grams, the prior model's score (one
feature whose weight ``alpha`` is hardly penalised) and, optionally, the standardised pooled features of
the prior's character sequence model (``CharGRU.features`` / ``CharCNN.features``): with them a store model
learns product-specific meaning from the sequence model's representation, not only from n-grams.

Everything the refits need per text (the n-gram matrix, the prior's partial scores, the pooled
features) is computed once in a :class:`PriorCache` and indexed by the ~5 refits of one adaptation
(clause pass, out-of-fold calibration), so the sequence model runs once per text.

The result needs no new file format: the sequence model's output layer is a linear function of the
same pooled features, so ``alpha * seq_weight * (f @ out_w + out_b) + ((f - mu) / sd) @ v`` is folded into
a copy of the sequence model with a new ``out_w`` / ``out_b`` (and ``seq_weight`` 1). Inference is
unchanged and costs the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from kkot.ml.reviews.sentiment_fit import _balanced_weights

if TYPE_CHECKING:
    from kkot.ml.reviews.charcnn import CharCNN
    from kkot.ml.reviews.chargru import CharGRU
    from kkot.ml.reviews.sentiment import SentimentModel

__all__ = [
    "PriorCache", "prior_cache", "fit_residual", "cached_scores", "oof_scores", "seq_features", "finetuned_seq",
    "SEQ_FINETUNE_EPOCHS", "SEQ_FINETUNE_BOOST",
]

# A store model also fine-tunes the prior's sequence model on the store's own star labels (3 epochs of
# Adam at 1e-3, from the prior's weights and vocabulary) and uses it in place of the prior's, with
# ``SEQ_FINETUNE_BOOST`` added to its weight in the sum. Chosen on inner Musinsa brand pairs (train on one
# training brand, test on the other; mean ROC-AUC 0.8970 -> 0.9047), see MODEL_CARD.
SEQ_FINETUNE_EPOCHS = 3
SEQ_FINETUNE_LR = 1e-3
SEQ_FINETUNE_BOOST = 0.25

_BIG = 10.0  # the prior-score column is divided by this, so its weight is hardly penalised


def seq_features(seq: CharGRU | CharCNN, texts: Sequence[str], chunk: int = 512) -> np.ndarray:
    """Pooled features ``(n, d)`` float32 of cleaned texts: each distinct text once, in chunks of texts of
    similar length (as :meth:`CharGRU.score` does)."""
    index: dict[str, int] = {}
    inv = np.fromiter((index.setdefault(t, len(index)) for t in texts), np.int64, len(texts))
    uniq = list(index)
    if not uniq:
        return np.zeros((0, int(seq.out_w.shape[0])), np.float32)
    out = np.zeros((len(uniq), int(seq.out_w.shape[0])), np.float32)
    order = np.argsort([len(t) for t in uniq], kind="stable")
    for i in range(0, len(uniq), chunk):
        idx = order[i : i + chunk]
        out[idx] = seq.features([uniq[j] for j in idx])
    return out[inv]


@dataclass
class PriorCache:
    """Per-text quantities of a prior model that stay the same across refits.

    ``X``: hashed n-grams; ``mlp``: the MLP's raw score (or ``None``); ``feats``: the sequence model's
    pooled features (or ``None``); ``seq``: the sequence model's raw score ``feats @ out_w + out_b``.
    """

    X: sp.csr_matrix
    mlp: np.ndarray | None
    feats: np.ndarray | None
    seq: np.ndarray | None

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def take(self, idx: np.ndarray) -> PriorCache:
        """The rows ``idx``."""
        f = lambda a: None if a is None else a[idx]  # noqa: E731
        return PriorCache(self.X[idx], f(self.mlp), f(self.feats), f(self.seq))

    def concat(self, other: PriorCache) -> PriorCache:
        """These rows followed by ``other``'s."""
        f = lambda a, b: None if a is None or b is None else np.concatenate([a, b])  # noqa: E731
        return PriorCache(
            sp.vstack([self.X, other.X]).tocsr(),
            f(self.mlp, other.mlp),
            f(self.feats, other.feats),
            f(self.seq, other.seq),
        )


def prior_cache(model: SentimentModel, xs: Sequence[str]) -> PriorCache:
    """:class:`PriorCache` of cleaned texts ``xs`` under ``model``'s featurizer, MLP and sequence model."""
    X = model.featurizer.transform_batches(list(xs))
    mlp = None
    if model.mlp is not None and model.mlp_weight != 0.0:
        parts = [
            model.mlp.score_coo(*model.featurizer.coo(xs[i : i + 20000]), len(xs[i : i + 20000]), model.featurizer.n_bits)
            for i in range(0, len(xs), 20000)
        ]
        mlp = np.concatenate(parts) if parts else np.zeros(0)
    feats = seq = None
    if model.seq is not None:
        feats = seq_features(model.seq, xs)
        seq = feats.astype(np.float64) @ model.seq.out_w + model.seq.out_b
    return PriorCache(X, mlp, feats, seq)


def cached_scores(model: SentimentModel, cache: PriorCache) -> np.ndarray:
    """``model.decision_function`` of the cached texts, for a model that shares the cache's featurizer,
    MLP and sequence-model features (the prior or a model adapted from it)."""
    w = model._require()
    z = cache.X @ w + model.bias
    if model.mlp is not None and model.mlp_weight != 0.0 and cache.mlp is not None:
        z = z + model.mlp_weight * cache.mlp
    if model.seq is not None and model.seq_weight != 0.0 and cache.feats is not None:
        z = z + model.seq_weight * (cache.feats.astype(np.float64) @ model.seq.out_w + model.seq.out_b)
    return np.asarray(z, np.float64)


def fit_residual(
    prior: SentimentModel,
    cache: PriorCache,
    y: np.ndarray,
    w: np.ndarray,
    C: float,
    seq_features_scale: float = 0.0,
) -> SentimentModel:
    """One domain logistic regression (liblinear, class-balanced) on top of ``prior``.

    Features: the cached n-grams, the prior's score / 10 and, when ``seq_features_scale > 0`` and the
    prior has a sequence model, its standardised pooled features times ``seq_features_scale`` (a larger
    scale means a weaker L2 penalty on them). Returns the adapted model (weights folded, see module doc).
    """
    from sklearn.linear_model import LogisticRegression

    prior_w = prior._require()
    z = cache.X @ prior_w + prior.bias
    if cache.mlp is not None:
        z = z + prior.mlp_weight * cache.mlp
    if cache.seq is not None and prior.seq_weight != 0.0:
        z = z + prior.seq_weight * cache.seq
    cols = [cache.X, sp.csr_matrix((z / _BIG).reshape(-1, 1))]
    dense = seq_features_scale > 0 and cache.feats is not None and prior.seq is not None
    if dense:
        assert cache.feats is not None
        mu = cache.feats.mean(axis=0, dtype=np.float64)
        sd = np.maximum(cache.feats.std(axis=0, dtype=np.float64), 1e-3)
        cols.append(sp.csr_matrix((seq_features_scale * (cache.feats - mu) / sd).astype(np.float32)))
    Xa = sp.hstack(cols).tocsr()
    clf = LogisticRegression(C=C, solver="liblinear", max_iter=1000)
    clf.fit(Xa, y, sample_weight=_balanced_weights(y) * w)
    coef = clf.coef_.ravel()
    n = prior_w.shape[0]
    alpha = float(coef[n]) / _BIG
    new_w = (alpha * prior_w + coef[:n]).astype(np.float32)
    bias = alpha * prior.bias + float(clf.intercept_[0])
    meta = {k: v for k, v in prior.meta.items() if k != "metrics"}
    meta["prior"] = {"alpha": alpha, "source": prior.meta.get("name", "prior")}
    meta.setdefault("trained_on", []).append({"n": len(y), "positives": int(y.sum()), "domain": True})
    seq, seq_weight = prior.seq, alpha * prior.seq_weight
    if dense:
        assert prior.seq is not None
        v = coef[n + 1 :] * seq_features_scale / sd  # weights of the raw pooled features
        out_w = seq_weight * prior.seq.out_w + v
        # stored as float16 (like every sequence-model weight): round now so saving changes nothing
        out_w16 = out_w.astype(np.float16).astype(np.float32)
        out_b = seq_weight * prior.seq.out_b - float(mu @ v)
        seq = dataclasses.replace(prior.seq, out_w=out_w16, out_b=float(out_b))
        seq._tab = prior.seq._tab  # same input projections: share the precomputed tables
        seq_weight = 1.0
        meta["seq_features"] = {"scale": seq_features_scale, "dims": int(v.shape[0])}
    from kkot.ml.reviews.sentiment import SentimentModel

    return SentimentModel(
        prior.featurizer,
        new_w,
        bias,
        1.0,
        0.0,
        prior.neutral_band,
        meta,
        prior.mlp,
        alpha * prior.mlp_weight,
        seq,
        seq_weight,
    )


def finetuned_seq(
    prior: SentimentModel, xs: Sequence[str], y: np.ndarray, w: np.ndarray, epochs: int
) -> CharGRU | CharCNN | None:
    """The prior's sequence model fine-tuned on cleaned ``xs`` (weights rounded to float16 as stored), or
    ``None`` when there is nothing to fine-tune (no sequence model, ``epochs`` 0, torch not installed)."""
    if prior.seq is None or epochs <= 0 or prior.seq_weight == 0.0:
        return None
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    from kkot.ml.reviews.seq_train import finetune_seq

    return finetune_seq(prior.seq, xs, y, w, epochs=epochs, lr=SEQ_FINETUNE_LR).rounded()


def use_finetuned(model: SentimentModel, seq: CharGRU | CharCNN) -> SentimentModel:
    """``model`` (adapted, its prior's sequence model in the sum) with ``seq`` in its place and the weight
    raised by ``SEQ_FINETUNE_BOOST``."""
    return dataclasses.replace(model, seq=seq, seq_weight=model.seq_weight + SEQ_FINETUNE_BOOST)


def oof_scores(
    prior: SentimentModel,
    cache: PriorCache,
    y: np.ndarray,
    w: np.ndarray,
    C: float,
    groups: Sequence[str] | None,
    seq_features_scale: float = 0.0,
    texts: Sequence[str] | None = None,
    finetune_epochs: int = 0,
) -> np.ndarray | None:
    """Out-of-fold scores of adapted models: folds of whole groups (at most 5) when ``groups`` has two or
    more values, else 3 random folds; ``None`` when a training fold lacks a class. With ``texts`` and
    ``finetune_epochs`` each fold's model also fine-tunes the sequence model on its training part, as
    :meth:`SentimentModel.adapt` does."""
    if groups is not None and len(set(groups)) >= 2:
        uniq = sorted(set(groups))
        fold_of = {v: i % 5 for i, v in enumerate(uniq)}
        f = np.asarray([fold_of[v] for v in groups])
        folds = [np.flatnonzero(f == k) for k in sorted(set(f.tolist()))]
    else:
        perm = np.random.default_rng(0).permutation(len(cache))
        folds = [perm[i::3] for i in range(3)]
    z = np.zeros(len(cache))
    for te in folds:
        tr = np.setdiff1d(np.arange(len(cache)), te)
        if len(set(y[tr].tolist())) < 2:
            return None
        m = fit_residual(prior, cache.take(tr), y[tr], w[tr], C, seq_features_scale)
        ft = None
        if texts is not None and finetune_epochs > 0:
            ft = finetuned_seq(prior, [texts[i] for i in tr], y[tr], w[tr], finetune_epochs)
        if ft is None:
            z[te] = cached_scores(m, cache.take(te))
        else:
            m2 = use_finetuned(m, ft)
            z[te] = m2.decision_function([texts[i] for i in te])  # type: ignore[index]
    return z
