"""Scheduled per store-category retraining of the review sentiment model from the store's own star ratings.

When a store's reviews in one category group (fashion, food, cosmetics, default) reach
``KKOT_REVIEW_RETRAIN_MIN_NEW`` (default 200) new reviews since its last model, a model is adapted from the
shipped model with :func:`kkot.ml.reviews.adapt_from_stars` (1-2 stars negative, 5 positive, 3 weakly
negative; clause-level labels from reviews whose clauses disagree) on all but the newest 20% of the reviews.
It is evaluated on that newest slice (1-2 vs 5 stars) beside the model in use now (the store's published
model, else the shipped one) and published under ``VAR_DIR/models/reviews/`` only when it is better
(balanced accuracy + ROC-AUC). Every attempt leaves a :class:`ReviewModelVersion` row with its metrics; new
analyses then use the published model (:func:`kkot.reviews.analysis.analyzer_for`) and the group's recent
reviews are analysed again with it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from kkot.reviews.categories import GROUPS, categories_in_group
from kkot.reviews.models import Review, ReviewModelVersion

DEFAULT_MIN_NEW = 200
TEST_SHARE = 0.2
MIN_TEST_PER_CLASS = 5
MAX_TRAIN_REVIEWS = 50_000
REANALYZE_LATEST = 5_000


def min_new_reviews() -> int:
    return int(getattr(settings, "KKOT_REVIEW_RETRAIN_MIN_NEW", DEFAULT_MIN_NEW))


def models_dir() -> Path:
    return Path(settings.VAR_DIR) / "models" / "reviews"


@dataclass(frozen=True)
class Due:
    store_id: int
    group: str
    new_reviews: int


def _group_reviews(store_id: int, group: str):
    return Review.objects.filter(
        store_id=store_id, is_hidden=False, product__category_id__in=categories_in_group(group)
    )


def review_models_due(*, min_new: int | None = None) -> list[Due]:
    """Store-category pairs with at least ``min_new`` reviews newer than their last model attempt."""
    min_new = min_new_reviews() if min_new is None else min_new
    last = {
        (v["store_id"], v["category_group"]): v["t"]
        for v in ReviewModelVersion.objects.values("store_id", "category_group").annotate(
            t=Max("trained_until")
        )
    }
    out = []
    stores = Review.objects.values_list("store_id", flat=True).distinct().order_by("store_id")
    for store_id in stores:
        for group in GROUPS:
            qs = _group_reviews(store_id, group)
            since = last.get((store_id, group))
            if since is not None:
                qs = qs.filter(created_at__gt=since)
            n = qs.count()
            if n >= min_new:
                out.append(Due(store_id, group, n))
    return out


def _metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from kkot.ml.reviews.evaluation import balanced_accuracy, roc_auc

    return {
        "balanced_acc": round(float(balanced_accuracy(y, (p > 0.5).astype(int))), 4),
        "auc": round(float(roc_auc(y, p)), 4),
    }


def review_model_train(*, store_id: int, group: str, clause_level: bool = True) -> ReviewModelVersion | None:
    """Train, evaluate and (if better) publish one store-category model. ``None`` when the reviews cannot
    support an evaluation (too few 1-2 or 5 star reviews in the held-out slice, or one class missing)."""
    from kkot.ml.reviews import SentimentModel, adapt_from_stars
    from kkot.reviews.analysis import published_model

    rows = list(
        _group_reviews(store_id, group)
        .order_by("-created_at", "-id")
        .values_list("id", "text", "stars", "product_id", "created_at")[:MAX_TRAIN_REVIEWS]
    )
    rows.reverse()  # oldest first
    if not rows:
        return None
    trained_until = rows[-1][4]
    n_test = max(1, int(len(rows) * TEST_SHARE))
    train, test = rows[:-n_test], rows[-n_test:]
    test = [r for r in test if r[2] <= 2 or r[2] >= 5]
    y_test = np.asarray([1 if r[2] >= 5 else 0 for r in test])
    if min((y_test == 0).sum(), (y_test == 1).sum()) < MIN_TEST_PER_CLASS:
        return None
    stars = [float(r[2]) for r in train]
    if not any(s <= 2 for s in stars) or not any(s >= 5 for s in stars):
        return None
    base = SentimentModel.load(None)
    current = published_model(store_id=store_id, group=group)
    current_model = SentimentModel.load(current.path) if current else base
    new = adapt_from_stars(
        base, [r[1] for r in train], stars, groups=[str(r[3]) for r in train], clause_level=clause_level
    )
    texts = [r[1] for r in test]
    m_new = _metrics(y_test, new.predict_proba_raw(texts))
    m_cur = _metrics(y_test, current_model.predict_proba_raw(texts))
    m_base = m_cur if current is None else _metrics(y_test, base.predict_proba_raw(texts))
    better = m_new["balanced_acc"] + m_new["auc"] > m_cur["balanced_acc"] + m_cur["auc"]
    version = (
        ReviewModelVersion.objects.filter(store_id=store_id, category_group=group).aggregate(
            m=Max("version")
        )["m"]
        or 0
    ) + 1
    path = ""
    if better:
        target = models_dir() / f"store-{store_id}" / group / f"v{version}"
        if target.exists():
            shutil.rmtree(target)
        new.meta.update(
            {
                "name": f"reviews-store-{store_id}-{group}-v{version}",
                "store_id": store_id,
                "category_group": group,
            }
        )
        new.save(target)
        path = str(target)
    v = ReviewModelVersion.objects.create(
        store_id=store_id,
        category_group=group,
        version=version,
        path=path,
        published=better,
        n_train=len(train),
        n_test=len(test),
        trained_until=trained_until,
        created_at=timezone.now(),
        metrics={
            "new": m_new,
            "current": m_cur,
            "base": m_base,
            "current_version": current.version if current else None,
            "clause_examples": int(new.meta.get("clause_examples", 0)),
            "test_negatives": int((y_test == 0).sum()),
            "test_positives": int((y_test == 1).sum()),
            "rule": "published when balanced_acc + auc on the newest 20% beats the model in use",
        },
    )
    if better:
        from kkot.reviews.analysis import reviews_analyze

        latest = list(
            _group_reviews(store_id, group)
            .order_by("-created_at")
            .values_list("id", flat=True)[:REANALYZE_LATEST]
        )
        reviews_analyze(review_ids=latest)
    return v


def review_models_retrain_due(*, min_new: int | None = None) -> list[ReviewModelVersion]:
    """The periodic job: one attempt for every due store-category pair."""
    out = []
    for due in review_models_due(min_new=min_new):
        v = review_model_train(store_id=due.store_id, group=due.group)
        if v is not None:
            out.append(v)
    return out
