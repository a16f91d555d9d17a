"""Learning a store/category sentiment model from star ratings (the mechanism behind ``kkot train reviews``
and the platform's scheduled retraining).

Star ratings are weak labels: 1-2 stars negative, 5 stars positive; 3 and 4 stars are used as weakly
negative examples with weights chosen automatically. The choice (and the residual's L2 strength) is made
by out-of-fold ROC-AUC of 1-2 vs 5 stars over the training groups (brands/products when given, else 3
random folds), so nothing is tuned on data outside the training export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kkot.ml.reviews.sentiment import SentimentModel
from kkot.ml.text.normalize import clean_text

__all__ = ["StarConfig", "DEFAULT_GRID", "SEARCH_GRID", "star_training_set", "adapt_from_stars", "parse_star"]


@dataclass(frozen=True)
class StarConfig:
    """How stars become training labels, and the residual's inverse L2 strength ``C``."""

    three_star_weight: float = 0.5
    four_star_weight: float = 0.0
    C: float = 0.3


# One configuration by default: in leave-one-brand-out on Musinsa, choosing among several configurations
# by out-of-fold AUC over only two training brands did worse (0.789 / 0.893) than this fixed choice
# (0.851 / 0.903). Pass a longer grid (see SEARCH_GRID) when the export has many products/brands.
DEFAULT_GRID: tuple[StarConfig, ...] = (StarConfig(0.5, 0.0, 0.3),)
SEARCH_GRID: tuple[StarConfig, ...] = (
    StarConfig(0.5, 0.0, 0.3),
    StarConfig(0.5, 0.1, 0.3),
    StarConfig(0.5, 0.25, 0.3),
    StarConfig(0.5, 0.1, 0.1),
    StarConfig(1.0, 0.25, 0.1),
)


def parse_star(value: object) -> float | None:
    """A 1-5 star value from a cell (``"5"``, ``"4.0"``, ``"5점"``, ``8`` on a 10-point scale -> 4)."""
    try:
        s = float(str(value).strip().replace("점", ""))
    except (TypeError, ValueError):
        return None
    if s != s or s <= 0:
        return None
    return s / 2 if s > 5 else s


def star_training_set(
    stars: Sequence[float | None], cfg: StarConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(index, label, weight)`` of the reviews used for training under ``cfg``."""
    idx, ys, ws = [], [], []
    for i, s in enumerate(stars):
        if s is None:
            continue
        if s <= 2:
            idx.append(i), ys.append(0), ws.append(1.0)
        elif s >= 5:
            idx.append(i), ys.append(1), ws.append(1.0)
        elif round(s) == 3 and cfg.three_star_weight > 0:
            idx.append(i), ys.append(0), ws.append(cfg.three_star_weight)
        elif round(s) == 4 and cfg.four_star_weight > 0:
            idx.append(i), ys.append(0), ws.append(cfg.four_star_weight)
    return np.asarray(idx, np.int64), np.asarray(ys, np.int64), np.asarray(ws, np.float64)


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    from kkot.ml.reviews.evaluation import roc_auc

    return roc_auc(y, s)


def adapt_from_stars(
    prior: SentimentModel,
    texts: Sequence[str],
    stars: Sequence[float | None],
    groups: Sequence[str] | None = None,
    grid: Sequence[StarConfig] = DEFAULT_GRID,
    clause_level: bool = False,
    seq_features: float | None = None,
    seq_finetune: int | None = None,
) -> SentimentModel:
    """Adapt ``prior`` to star-rated ``texts``: pick the :class:`StarConfig` with the best out-of-fold
    AUC (1-2 vs 5 stars), then train on everything with it (OOF-calibrated threshold).

    ``seq_features``: scale of the sequence model's pooled features in the domain model (``None``: the
    default of :meth:`SentimentModel.adapt`; 0 turns them off); ``seq_finetune``: epochs fine-tuning the
    sequence model on the chosen training set (``None``: the default of :meth:`SentimentModel.adapt`)."""
    from kkot.ml.reviews.sentiment import SEQ_FEATURES_SCALE

    if seq_features is None:
        seq_features = SEQ_FEATURES_SCALE
    xs = [clean_text(t) for t in texts]
    st = list(stars)
    if groups is not None and len(set(groups)) >= 2:
        g = np.asarray(list(groups))
        folds = [np.flatnonzero(g == v) for v in sorted(set(g.tolist()))]
    else:
        perm = np.random.default_rng(0).permutation(len(xs))
        folds = [perm[i::3] for i in range(3)]
    strict = np.asarray([s is not None and (s <= 2 or s >= 5) for s in st])
    y_strict = np.asarray([1 if (s is not None and s >= 5) else 0 for s in st])
    best: tuple[float, StarConfig] | None = None
    scores: dict[str, float] = {}
    if len(grid) > 1:
        from kkot.ml.reviews.sentiment_adapt import cached_scores, fit_residual, prior_cache

        cache = prior_cache(prior, xs)  # n-grams and sequence-model features computed once for all refits
        for cfg in grid:
            z = np.full(len(xs), np.nan)
            ok = True
            for te in folds:
                tr = np.setdiff1d(np.arange(len(xs)), te)
                idx, y, w = star_training_set([st[i] for i in tr], cfg)
                if len(set(y.tolist())) < 2:
                    ok = False
                    break
                tr_idx = tr[idx]
                m = fit_residual(prior, cache.take(tr_idx), y, w, cfg.C, seq_features)
                z[te] = cached_scores(m, cache.take(te))
            mask = strict & ~np.isnan(z)
            if not ok or len(set(y_strict[mask].tolist())) < 2:
                continue
            auc = _auc(y_strict[mask], z[mask])
            scores[f"3*={cfg.three_star_weight},4*={cfg.four_star_weight},C={cfg.C}"] = round(auc, 4)
            if best is None or auc > best[0]:
                best = (auc, cfg)
    chosen = best[1] if best is not None else grid[0]
    idx, y, w = star_training_set(st, chosen)
    if len(set(y.tolist())) < 2:
        raise ValueError("need both 5-star and 1-3 star reviews to train")
    model = prior.adapt([xs[i] for i in idx], y, w, C=chosen.C, clause_level=clause_level,
                        groups=[groups[i] for i in idx] if groups is not None else None, clean=False,
                        seq_features=seq_features, seq_finetune=seq_finetune)
    model.meta["star_config"] = {"three_star_weight": chosen.three_star_weight,
                                 "four_star_weight": chosen.four_star_weight, "C": chosen.C,
                                 "selection_oof_auc": scores}
    return model
