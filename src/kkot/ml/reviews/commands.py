"""CLI entry points wired by ``kkot`` (see src/kkot/cli.py): train sentiment, train reviews, reviews analyze."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["train_sentiment", "train_reviews", "analyze"]


def train_sentiment(argv: list[str]) -> int:
    """``kkot train sentiment``: train the default Korean sentiment model on ship-safe NSMC."""
    ap = argparse.ArgumentParser(prog="kkot train sentiment", description=(
        "Train the Korean sentiment model on nsmc_raw (CC0): ratings 1-4 negative, 9-10 positive; "
        "movies with movie_id % 10 == 1 are the validation split (calibration), movie_id % 10 == 0 the "
        "test split (reported, never used for training or tuning)."))
    ap.add_argument("--out", type=Path, default=None, help="model directory (default: the shipped model)")
    ap.add_argument("--sample", type=int, default=0, help="train on the first N training reviews only")
    ap.add_argument("--alpha", type=float, default=5e-7, help="L2 strength of the SGD logistic regression")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--no-seed", action="store_true",
                    help="skip adapting with kkot's hand-written product-review seed phrases")
    args = ap.parse_args(argv)

    import numpy as np

    from kkot.ml.datasets import DatasetMissing
    from kkot.ml.reviews.data import nsmc_binary
    from kkot.ml.reviews.sentiment import DEFAULT_MODEL_DIR, SentimentModel

    out = args.out or DEFAULT_MODEL_DIR
    t0 = time.time()
    try:
        tr_x, tr_y, va_x, va_y = nsmc_binary(validation=True)
    except DatasetMissing as exc:
        print(f"kkot train sentiment: {exc}", file=sys.stderr)
        return 1
    if args.sample:
        tr_x, tr_y = tr_x[: args.sample], tr_y[: args.sample]
    print(f"NSMC: {len(tr_x):,} training reviews, {len(va_x):,} validation (balanced)")
    model = SentimentModel(meta={"name": "sentiment_ko", "data": "nsmc_raw (CC0)"})
    model.fit(tr_x, tr_y, alpha=args.alpha, epochs=args.epochs)
    if not args.no_seed:
        from kkot.ml.reviews.seed_phrases import NEGATIVE, POSITIVE

        seed_x = list(POSITIVE) + list(NEGATIVE)
        seed_y = [1] * len(POSITIVE) + [0] * len(NEGATIVE)
        model = model.adapt(seed_x, seed_y, C=1.0, clause_level=False, calibrate=False)
        model.meta.update({"name": "sentiment_ko", "data": "nsmc_raw (CC0) + kkot seed phrases",
                           "seed_phrases": len(seed_x)})
    model.calibrate(va_x, va_y)
    va_acc = _balanced_acc(np.asarray(va_y), model.predict_proba_raw(va_x))
    _, _, te_x, te_y = nsmc_binary(validation=False)
    te_acc = _balanced_acc(np.asarray(te_y), model.predict_proba_raw(te_x))
    model.meta["metrics"] = {
        "nsmc_validation_balanced_acc": round(va_acc, 4),
        "nsmc_test_balanced_acc": round(te_acc, 4),
        "test_split": "movie_id % 10 == 0, balanced sample, seed 0",
    }
    model.save(out)
    print(f"validation balanced acc {va_acc:.4f}  test balanced acc {te_acc:.4f}")
    print(f"saved {out} in {time.time() - t0:.0f} s")
    return 0


def _balanced_acc(y, p) -> float:  # type: ignore[no-untyped-def]
    import numpy as np

    pred = (p > 0.5).astype(int)
    accs = [float(np.mean(pred[y == c] == c)) for c in (0, 1) if np.any(y == c)]
    return float(np.mean(accs))


def train_reviews(argv: list[str]) -> int:
    """``kkot train reviews FILE``: adapt the sentiment model to a star-rated review export."""
    from kkot.ml.reviews.cli_impl import train_reviews_main

    return train_reviews_main(argv)


def analyze(argv: list[str]) -> int:
    """``kkot reviews analyze FILE``: per-review CSV + HTML report."""
    from kkot.ml.reviews.cli_impl import analyze_main

    return analyze_main(argv)
