"""Training helpers of :class:`kkot.ml.reviews.sentiment.SentimentModel`: Platt scaling, class-balanced
weights and clause-level self-labelling of star-rated reviews (re-exported by ``sentiment``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from kkot.ml.text.normalize import split_clauses

if TYPE_CHECKING:
    from kkot.ml.reviews.sentiment import SentimentModel

__all__ = ["clause_examples", "logit"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _platt(z: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """Fit ``p = sigmoid(a * z + b)`` by Newton's method with class-balanced weights."""
    wt = _balanced_weights(y) * (1.0 if w is None else w)
    a, b = 1.0, 0.0
    yf = y.astype(np.float64)
    for _ in range(100):
        p = _sigmoid(a * z + b)
        r = wt * (p - yf)
        h = wt * p * (1 - p) + 1e-12
        g = np.array([np.sum(r * z), np.sum(r)]) + np.array([1e-3 * (a - 1), 0.0])
        H = np.array([[np.sum(h * z * z) + 1e-3, np.sum(h * z)], [np.sum(h * z), np.sum(h)]])
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        a, b = a - float(step[0]), b - float(step[1])
        if np.abs(step).max() < 1e-7:
            break
    return max(a, 1e-3), b


def _balanced_weights(y: np.ndarray) -> np.ndarray:
    pos = max(int(y.sum()), 1)
    neg = max(len(y) - int(y.sum()), 1)
    return np.where(y == 1, len(y) / (2.0 * pos), len(y) / (2.0 * neg))


def clause_examples(
    model: SentimentModel,
    texts: Sequence[str],
    labels: Sequence[int],
    confident: float = 0.85,
    weight: float = 0.5,
) -> tuple[list[str], list[int], list[float]]:
    """Clause-level training examples from star-labelled reviews whose clauses disagree.

    For each review with two or more clauses: the clause that best supports the review's label is a
    witness and keeps that label (multiple-instance assumption: a 1-2 star review has at least one
    negative clause); clauses the model confidently scores against the review's label (``p >=
    confident`` the other way, e.g. "사이즈는 딱 맞는데" inside a 1-star review) are kept with their own
    polarity. Clauses of reviews whose clauses all agree add nothing new and are skipped.
    """
    out_x: list[str] = []
    out_y: list[int] = []
    out_w: list[float] = []
    clause_lists = [[c.text for c in split_clauses(t)] for t in texts]
    flat = [c for cl in clause_lists for c in cl]
    if not flat:
        return out_x, out_y, out_w
    probs = model.predict_proba(flat)
    k = 0
    lo = 1.0 - confident
    for cl, y in zip(clause_lists, labels, strict=True):
        p = probs[k : k + len(cl)]
        k += len(cl)
        if len(cl) < 2:
            continue
        agrees = p > 0.5 if y == 1 else p < 0.5
        if bool(agrees.all()):
            continue
        witness = int(np.argmax(p) if y == 1 else np.argmin(p))
        out_x.append(cl[witness])
        out_y.append(int(y))
        out_w.append(weight)
        for i, pi in enumerate(p):
            if i != witness and (pi >= confident or pi <= lo) and (pi > 0.5) != (y == 1):
                out_x.append(cl[i])
                out_y.append(1 if pi > 0.5 else 0)
                out_w.append(weight)
    return out_x, out_y, out_w


def logit(p: float) -> float:
    """Inverse sigmoid (helper for tests and reports)."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
