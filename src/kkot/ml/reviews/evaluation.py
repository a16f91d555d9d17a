"""Evaluation protocols shared by ``bench/reviews.py`` and the tests (internal datasets, never shipped)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kkot.ml.reviews.data import MUSINSA_BRANDS, MusinsaReview, musinsa_reviews, star_label
from kkot.ml.reviews.sentiment import SentimentModel

__all__ = ["balanced_accuracy", "roc_auc", "lobo_eval", "LoboResult"]


def balanced_accuracy(y: Sequence[int] | np.ndarray, pred: Sequence[int] | np.ndarray) -> float:
    """Mean per-class recall of binary labels."""
    y = np.asarray(y)
    pred = np.asarray(pred)
    return float(np.mean([np.mean(pred[y == c] == c) for c in (0, 1) if np.any(y == c)]))


def roc_auc(y: Sequence[int] | np.ndarray, score: Sequence[float] | np.ndarray) -> float:
    """ROC-AUC by the rank statistic (ties get average ranks)."""
    y = np.asarray(y)
    s = np.asarray(score, dtype=np.float64)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), np.float64)
    ranks[order] = np.arange(1, len(s) + 1)
    # average ranks of ties
    uniq, inv, counts = np.unique(s, return_inverse=True, return_counts=True)
    if len(uniq) < len(s):
        sums = np.bincount(inv, weights=ranks)
        ranks = (sums / counts)[inv]
    npos = int(y.sum())
    nneg = len(y) - npos
    if npos == 0 or nneg == 0:
        return float("nan")
    return float((ranks[y == 1].sum() - npos * (npos + 1) / 2) / (npos * nneg))


@dataclass
class LoboResult:
    """Per held-out brand and mean metrics of each model variant."""

    rows: list[dict[str, float | str]]

    def mean(self, model: str, metric: str) -> float:
        vals = [float(r[metric]) for r in self.rows if r["model"] == model]
        return float(np.mean(vals)) if vals else float("nan")


def lobo_eval(
    prior: SentimentModel,
    reviews: list[MusinsaReview] | None = None,
    variants: Sequence[str] = ("nsmc_only", "domain_only", "adapted", "adapted_clauses"),
    three_star_weight: float = 0.5,
) -> LoboResult:
    """Leave-one-brand-out on ``musinsa_denim_reviews_3brands``: train on two brands' star labels
    (1-2 negative, 5 positive; 3 stars as negative with ``three_star_weight``), test on the third
    (1-2 vs 5 stars only); balanced accuracy (threshold p = 0.5) and ROC-AUC. Calibration uses
    out-of-fold scores by training brand, never the held-out brand."""
    reviews = reviews if reviews is not None else musinsa_reviews()
    data = [(r.brand, r.text, star_label(r.stars)) for r in reviews]
    three = [(r.brand, r.text) for r in reviews if r.stars == 3]
    data = [d for d in data if d[2] is not None]
    rows: list[dict[str, float | str]] = []
    for held in MUSINSA_BRANDS:
        tr = [(t, y, 1.0, b) for b, t, y in data if b != held]
        tr += [(t, 0, three_star_weight, b) for b, t in three if b != held and three_star_weight > 0]
        te = [(t, y) for b, t, y in data if b == held]
        tr_x, tr_y = [t for t, *_ in tr], [int(r[1]) for r in tr]
        tr_w, tr_g = [r[2] for r in tr], [r[3] for r in tr]
        te_x, te_y = [t for t, _ in te], np.asarray([y for _, y in te])
        for v in variants:
            if v == "nsmc_only":
                m = prior
            elif v == "domain_only":
                m = SentimentModel().fit(tr_x, tr_y, np.asarray(tr_w), nb=False)
            elif v == "adapted":
                m = prior.adapt(tr_x, tr_y, tr_w, clause_level=False, groups=tr_g)
            elif v == "adapted_clauses":
                m = prior.adapt(tr_x, tr_y, tr_w, clause_level=True, groups=tr_g)
            elif v == "adapted_stars":
                from kkot.ml.reviews.domain import adapt_from_stars

                trr = [r for r in reviews if r.brand != held and r.stars > 0]
                m = adapt_from_stars(prior, [r.text for r in trr], [float(r.stars) for r in trr],
                                     groups=[r.brand for r in trr])
            else:
                raise ValueError(v)
            p = m.predict_proba_raw(te_x)
            rows.append({"model": v, "held_out": held, "n_test": len(te_y), "n_neg": int((te_y == 0).sum()),
                         "balanced_acc": balanced_accuracy(te_y, p > 0.5), "auc": roc_auc(te_y, p)})
    return LoboResult(rows)


_POL = {"+": "positive", "-": "negative", "0": "neutral"}
_DIR = {"small": "작아요", "large": "커요", "fit": "딱 맞아요"}


@dataclass
class LabelledSentence:
    """One hand-labelled sentence: gold ``{aspect: (polarity, direction)}``."""

    id: int
    text: str
    gold: dict[str, tuple[str, str | None]]


def load_labelled_sentences(path: str | Path, reviews: list[MusinsaReview] | None = None) -> list[LabelledSentence]:
    """Read the committed label file (ids/offsets only) and attach the sentence text from the dataset.

    Raises ``ValueError`` when a sentence's checksum does not match (the dataset changed).
    """
    import hashlib

    reviews = reviews if reviews is not None else musinsa_reviews()
    by_key = {(r.brand, r.row): r.text for r in reviews}
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("id\t"):
            continue
        i, brand, row, start, end, sha, labels = line.split("\t")
        text = by_key[(brand, int(row))][int(start) : int(end)]
        if hashlib.sha1(text.encode()).hexdigest()[:8] != sha:
            raise ValueError(f"labelled sentence {i}: text changed in the dataset (checksum mismatch)")
        gold: dict[str, tuple[str, str | None]] = {}
        if labels != "-":
            for item in labels.split(";"):
                parts = item.split(":")
                gold[parts[0]] = (_POL[parts[1]], _DIR.get(parts[2]) if len(parts) > 2 else None)
        out.append(LabelledSentence(int(i), text, gold))
    return out


def aspect_eval(analyses: Sequence[object], sentences: Sequence[LabelledSentence]) -> dict[str, float]:
    """Micro precision/recall/F1 of (sentence, aspect) detection; polarity accuracy on correctly detected
    aspects; size direction accuracy where the gold label has a direction."""
    tp = fp = fn = 0
    pol_ok = pol_n = dir_ok = dir_n = 0
    for a, s in zip(analyses, sentences, strict=True):
        pred: dict[str, tuple[str, str | None]] = {}
        for m in a.aspects:  # type: ignore[attr-defined]
            pred.setdefault(m.aspect, (m.polarity, m.direction))
        for asp, (pol, d) in s.gold.items():
            if asp in pred:
                tp += 1
                pol_n += 1
                pol_ok += pred[asp][0] == pol
                if d is not None:
                    dir_n += 1
                    dir_ok += pred[asp][1] == d
            else:
                fn += 1
        fp += sum(1 for asp in pred if asp not in s.gold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "polarity_acc": pol_ok / pol_n if pol_n else float("nan"),
            "direction_acc": dir_ok / dir_n if dir_n else float("nan"), "n_gold": tp + fn, "n_pred": tp + fp,
            "n_sentences": len(sentences)}
