"""Korean sentiment model over hashed character/word n-grams (numpy inference, small files).

* :meth:`SentimentModel.fit` trains a class-balanced NB-weighted logistic regression (SGD with averaging
  for large corpora such as NSMC, liblinear for small ones); scikit-learn is needed for training only.
* Optionally a small n-gram MLP (:class:`kkot.ml.reviews.mlp.HashMLP`, trained with torch by
  ``kkot train sentiment``) adds ``mlp_weight * mlp(x)`` to the linear score.
* Optionally a small character sequence model (:class:`kkot.ml.reviews.chargru.CharGRU`, a bidirectional
  GRU, or :class:`kkot.ml.reviews.charcnn.CharCNN`) adds ``seq_weight * seq(text)``.
* :meth:`SentimentModel.adapt` learns a store/category model from star-rated reviews on top of a prior
  model: the prior's score enters as one extra feature, so the result is again ``alpha * prior + w_domain``
  (linear weights ``alpha * w_prior + w_domain``, MLP and sequence-model weights ``alpha * mlp_weight``,
  ``alpha * seq_weight``). Optionally (``seq_features``) the sequence model's pooled features are extra
  dense features of the domain model, folded into a copy of its output layer
  (:mod:`kkot.ml.reviews.sentiment_adapt`, which also caches per-text work across refits). Optional
  clause-level self-labelling adds clauses of reviews whose clauses disagree (see :func:`clause_examples`).
* Files: ``weights.npz`` (float16 weights, or 8-bit codes + codebook for large models, MLP arrays;
  ``allow_pickle=False``) + ``model.json`` (featurizer, bias, calibration, neutral band, metrics, provenance).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kkot.ml.reviews.charcnn import CharCNN
from kkot.ml.reviews.chargru import CharGRU
from kkot.ml.reviews.features import HashFeaturizer
from kkot.ml.reviews.mlp import HashMLP
from kkot.ml.reviews.sentiment_fit import _balanced_weights, _platt, _sigmoid, clause_examples, logit
from kkot.ml.text.normalize import clean_text

__all__ = ["SentimentModel", "clause_examples", "logit", "DEFAULT_MODEL_DIR", "LABELS"]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "sentiment_ko"
LABELS = ("negative", "neutral", "positive")
SEQ_FEATURES_SCALE = 0.0  # default of adapt(seq_features=...): off, see MODEL_CARD (store models)
FORMAT_VERSION = 3  # 2: optional 8-bit codes and MLP arrays; 3: optional character sequence model (seq_*)


@dataclass
class SentimentModel:
    """Binary (negative/positive) linear model with a neutral band around p = 0.5."""

    featurizer: HashFeaturizer = field(default_factory=HashFeaturizer)
    weights: np.ndarray | None = None
    bias: float = 0.0
    # p = sigmoid(scale * score + shift), fitted on held-out data (Platt scaling)
    scale: float = 1.0
    shift: float = 0.0
    neutral_band: float = 0.15
    meta: dict[str, Any] = field(default_factory=dict)
    # optional non-linear part over the same hashed n-grams: score += mlp_weight * mlp(x)
    mlp: HashMLP | None = None
    mlp_weight: float = 0.0
    # optional character sequence model over the text: score += seq_weight * seq(text)
    seq: CharGRU | CharCNN | None = None
    seq_weight: float = 0.0

    # -- inference --------------------------------------------------------------------------------
    def _require(self) -> np.ndarray:
        if self.weights is None:
            raise RuntimeError("SentimentModel is not fitted: call fit() or load()")
        return self.weights

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Raw scores (> 0 means positive) of already-cleaned texts."""
        w = self._require()
        xs = list(texts)
        if self.mlp is None or self.mlp_weight == 0.0:
            z = self.featurizer.score(xs, w, self.bias)
        else:
            r, c, v = self.featurizer.coo(xs)
            z = np.bincount(r, weights=v * w[c], minlength=len(xs)) + self.bias
            z = z + self.mlp_weight * self.mlp.score_coo(r, c, v, len(xs), self.featurizer.n_bits)
        if self.seq is not None and self.seq_weight != 0.0:
            z = z + self.seq_weight * _seq_scores(self.seq, xs)
        return z

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability that each (cleaned) text is positive."""
        return _sigmoid(self.scale * self.decision_function(texts) + self.shift)

    def predict_proba_raw(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`predict_proba` for raw texts (cleaned with :func:`clean_text` first)."""
        return self.predict_proba([clean_text(t) for t in texts])

    def label_of(self, p: float) -> str:
        """``"positive"``, ``"negative"`` or ``"neutral"`` (``|p - 0.5| < neutral_band``)."""
        if abs(p - 0.5) < self.neutral_band:
            return "neutral"
        return "positive" if p > 0.5 else "negative"

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Labels for raw texts (cleaned here)."""
        return [self.label_of(float(p)) for p in self.predict_proba([clean_text(t) for t in texts])]

    # -- training ---------------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        sample_weight: np.ndarray | None = None,
        alpha: float | None = None,
        epochs: int = 15,
        seed: int = 0,
        clean: bool = True,
        nb: bool = True,
    ) -> SentimentModel:
        """Fit on binary labels (1 positive, 0 negative), classes balanced.

        ``alpha`` is the L2 strength per example (default ``5e-7`` above 100k texts, else liblinear
        with ``C = 4``). With ``nb`` features are scaled by their Naive-Bayes log-count ratio
        (NB-LR, Wang & Manning 2012); the ratio is folded into the stored weights, so inference is
        unchanged.
        """
        import scipy.sparse as sp
        from sklearn.linear_model import LogisticRegression, SGDClassifier

        xs = [clean_text(t) for t in texts] if clean else list(texts)
        y = np.asarray(labels, dtype=np.int64)
        if len(set(y.tolist())) < 2:
            raise ValueError("need both positive and negative examples to train")
        sw = _balanced_weights(y) if sample_weight is None else _balanced_weights(y) * sample_weight
        X = self.featurizer.transform_batches(xs)
        r = np.ones(X.shape[1], np.float32)
        if nb:
            present = X.copy()
            present.data[:] = 1.0
            pc = np.asarray(present[y == 1].sum(0)).ravel() + 1.0
            nc = np.asarray(present[y == 0].sum(0)).ravel() + 1.0
            r = np.log((pc / pc.sum()) / (nc / nc.sum())).astype(np.float32)
            X = (X @ sp.diags(r)).tocsr()
        if len(xs) > 100_000 or alpha is not None:
            clf = SGDClassifier(
                loss="log_loss",
                alpha=alpha or 5e-7,
                max_iter=epochs,
                tol=None,
                average=True,
                random_state=seed,
            )
            clf.fit(X, y, sample_weight=sw)
        else:
            clf = LogisticRegression(C=4.0, solver="liblinear", max_iter=500)
            clf.fit(X, y, sample_weight=sw)
        self.weights = (clf.coef_.ravel() * r).astype(np.float32)
        self.bias = float(clf.intercept_[0])
        self.scale, self.shift = 1.0, 0.0
        self.meta.setdefault("trained_on", []).append({"n": len(xs), "positives": int(y.sum())})
        return self

    def calibrate(self, texts: Sequence[str], labels: Sequence[int], clean: bool = True) -> SentimentModel:
        """Platt scaling on held-out, class-balanced data (keeps the decision threshold at 0)."""
        xs = [clean_text(t) for t in texts] if clean else list(texts)
        z = self.decision_function(xs)
        y = np.asarray(labels, dtype=np.float64)
        w = _balanced_weights(y.astype(np.int64))
        # 1-D Newton on the scale only (shift 0 keeps balanced threshold)
        a = 1.0
        for _ in range(50):
            p = _sigmoid(a * z)
            g = float(np.sum(w * (p - y) * z))
            h = float(np.sum(w * p * (1 - p) * z * z)) + 1e-9
            a = max(0.05, a - g / h)
            if abs(g / h) < 1e-6:
                break
        self.scale, self.shift = a, 0.0
        return self

    def adapt(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        sample_weight: Sequence[float] | None = None,
        C: float = 0.3,
        clause_level: bool = True,
        calibrate: bool = True,
        groups: Sequence[str] | None = None,
        clean: bool = True,
        seq_features: float = SEQ_FEATURES_SCALE,
        seq_finetune: int | None = None,
    ) -> SentimentModel:
        """Return a new model adapted to star-labelled ``texts`` on top of this (prior) model.

        The prior's score is an extra feature (its weight ``alpha`` is learnt, barely regularised),
        the n-gram weights learn the domain's residual; with ``seq_features > 0`` the sequence model's
        standardised pooled features (times ``seq_features``) are extra dense features
        (:mod:`kkot.ml.reviews.sentiment_adapt`). With ``clause_level`` a second pass adds clause
        examples from reviews whose clauses disagree (:func:`clause_examples`). With ``calibrate`` the
        probability scale and threshold are fitted (Platt, class-balanced) on out-of-fold scores: 3
        random folds, or folds of whole groups (brands/products, at most 5 folds) when ``groups`` is given.
        With ``seq_finetune`` epochs (default ``SEQ_FINETUNE_EPOCHS`` when torch is installed and
        ``seq_features`` is off; 0 turns it off) the prior's sequence model is fine-tuned on the labelled
        texts and replaces the prior's in the sum (:func:`kkot.ml.reviews.sentiment_adapt.finetuned_seq`);
        the out-of-fold calibration then fine-tunes one per fold too.
        """
        from kkot.ml.reviews.sentiment_adapt import (
            SEQ_FINETUNE_EPOCHS,
            finetuned_seq,
            fit_residual,
            oof_scores,
            prior_cache,
            use_finetuned,
        )

        self._require()
        xs = [clean_text(t) for t in texts] if clean else list(texts)
        y = np.asarray(labels, dtype=np.int64)
        w = np.ones(len(xs)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if len(set(y.tolist())) < 2:
            raise ValueError("need both negative (1-2 stars) and positive (5 stars) reviews to train")
        cache = prior_cache(self, xs)
        model = fit_residual(self, cache, y, w, C, seq_features)
        if clause_level:
            cx, cy, cw = clause_examples(model, xs, y)
            if cx:
                model = fit_residual(
                    self,
                    cache.concat(prior_cache(self, cx)),
                    np.concatenate([y, np.asarray(cy, np.int64)]),
                    np.concatenate([w, np.asarray(cw)]),
                    C,
                    seq_features,
                )
                model.meta["clause_examples"] = len(cx)
        epochs = SEQ_FINETUNE_EPOCHS if seq_finetune is None else seq_finetune
        if seq_features > 0:
            epochs = 0  # the pooled features were fitted for the prior's sequence model
        ft = finetuned_seq(self, xs, y, w, epochs)
        if ft is not None:
            model = use_finetuned(model, ft)
            model.meta = {**model.meta, "seq_finetune": {"epochs": epochs, "n": len(xs)}}
        else:
            epochs = 0
        if calibrate:
            z = oof_scores(self, cache, y, w, C, groups, seq_features, texts=xs, finetune_epochs=epochs)
            if z is not None:
                model.scale, model.shift = _platt(z, y, w)
                full = w >= 1.0
                p = _sigmoid(model.scale * z + model.shift)
                model.meta["out_of_fold"] = {
                    "balanced_acc": round(
                        float(np.mean([np.mean((p[full & (y == c)] > 0.5) == c) for c in (0, 1)])), 4
                    ),
                    "n": int(full.sum()),
                    "negatives": int((full & (y == 0)).sum()),
                }
        return model

    def _fit_residual(
        self,
        xs: list[str],
        y: np.ndarray,
        w: np.ndarray,
        prior_w: np.ndarray | None = None,
        C: float = 0.3,
        seq_features: float = SEQ_FEATURES_SCALE,
    ) -> SentimentModel:
        """One domain fit on cleaned ``xs`` (see :func:`kkot.ml.reviews.sentiment_adapt.fit_residual`);
        ``prior_w`` is accepted for compatibility and must be this model's weights."""
        from kkot.ml.reviews.sentiment_adapt import fit_residual, prior_cache

        if prior_w is not None and prior_w is not self._require():
            raise ValueError("_fit_residual adapts this model: prior_w must be its own weights")
        return fit_residual(self, prior_cache(self, xs), y, w, C, seq_features)

    # -- persistence ------------------------------------------------------------------------------
    def save(self, path: str | Path, quantized: bool | None = None) -> Path:
        """Write ``model.json`` + ``weights.npz`` into directory ``path`` (created).

        Weights are stored as float16, or with ``quantized`` as 8-bit codes into a fitted codebook
        (:mod:`kkot.ml.reviews.quant`, half the size); ``None`` quantises models of 2**21 features or more.
        """
        w = self._require()
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        if quantized is None:
            quantized = w.shape[0] >= 1 << 21
        arrays: dict[str, np.ndarray] = {}
        if quantized:
            from kkot.ml.reviews.quant import quantize

            arrays["codes"], arrays["codebook"] = quantize(w)
        else:
            arrays["weights"] = w.astype(np.float16)
        if self.mlp is not None:
            arrays.update(self.mlp.arrays())
        if self.seq is not None:
            arrays.update(self.seq.arrays())
        np.savez_compressed(p / "weights.npz", **arrays)
        doc = {
            "format": "kkot.sentiment",
            "version": FORMAT_VERSION,
            "featurizer": self.featurizer.to_json(),
            "bias": self.bias,
            "scale": self.scale,
            "shift": self.shift,
            "neutral_band": self.neutral_band,
            "meta": self.meta,
        }
        if self.mlp is not None:
            doc["mlp"] = {"n_bits": self.mlp.n_bits, "weight": self.mlp_weight}
        if self.seq is not None:
            doc["seq"] = {**self.seq.config(), "weight": self.seq_weight}
        (p / "model.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        return p

    @classmethod
    def load(cls, path: str | Path | None = None) -> SentimentModel:
        """Load a model directory written by :meth:`save` (default: the shipped model)."""
        p = Path(path) if path is not None else DEFAULT_MODEL_DIR
        meta_path = p / "model.json"
        if not meta_path.exists():
            raise FileNotFoundError(f"no sentiment model at {p} (expected model.json + weights.npz)")
        doc = json.loads(meta_path.read_text(encoding="utf-8"))
        if doc.get("format") != "kkot.sentiment":
            raise ValueError(f"{meta_path} is not a kkot sentiment model")
        with np.load(p / "weights.npz", allow_pickle=False) as z:
            if "codes" in z.files:
                from kkot.ml.reviews.quant import dequantize

                w = dequantize(z["codes"], z["codebook"])
            else:
                w = z["weights"].astype(np.float32)
            mlp = HashMLP.from_arrays(int(doc["mlp"]["n_bits"]), z) if doc.get("mlp") else None
            seq = _load_seq(doc["seq"], z) if doc.get("seq") else None
        feat = HashFeaturizer(**doc["featurizer"])
        if w.shape != (feat.n_features,):
            raise ValueError(f"weights shape {w.shape} does not match featurizer ({feat.n_features})")
        return cls(
            feat,
            w,
            float(doc["bias"]),
            float(doc.get("scale", 1.0)),
            float(doc.get("shift", 0.0)),
            float(doc.get("neutral_band", 0.15)),
            dict(doc.get("meta", {})),
            mlp,
            float(doc["mlp"]["weight"]) if mlp is not None else 0.0,
            seq,
            float(doc["seq"]["weight"]) if seq is not None else 0.0,
        )


def _load_seq(config: dict[str, Any], z: Any) -> CharGRU | CharCNN:
    """The sequence model described by ``model.json``'s ``seq`` entry, from ``weights.npz``."""
    kind = config.get("kind")
    if kind == "bigru":
        return CharGRU.from_arrays(config, z)
    if kind == "cnn":
        return CharCNN.from_arrays(config, z)
    raise ValueError(f"unknown sequence model kind {kind!r} in model.json")


def _seq_scores(seq: CharGRU | CharCNN, texts: list[str]) -> np.ndarray:
    """``seq.score`` computed once per distinct text (a one-clause review is also its own clause)."""
    index: dict[str, int] = {}
    inv = np.fromiter((index.setdefault(t, len(index)) for t in texts), np.int64, len(texts))
    if len(index) == len(texts):
        return seq.score(texts)
    return seq.score(list(index))[inv]
