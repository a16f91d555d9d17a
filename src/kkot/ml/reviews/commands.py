"""CLI entry points wired by ``kkot`` (see src/kkot/cli.py): train sentiment, train reviews, reviews analyze."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["train_sentiment", "train_reviews", "analyze"]

SEQ_EPOCHS = 3  # default of --seq-epochs
SEQ_SIZE = 64  # default of --seq-size


def train_sentiment(argv: list[str]) -> int:
    """``kkot train sentiment``: train the default Korean sentiment model on ship-safe NSMC."""
    ap = argparse.ArgumentParser(
        prog="kkot train sentiment",
        description=(
            "Train the Korean sentiment model on nsmc_raw (CC0): ratings 1-4 negative, 9-10 positive; "
            "movies with movie_id % 10 == 1 are the validation split (calibration), movie_id % 10 == 0 the "
            "test split (reported, never used for training or tuning)."
        ),
    )
    ap.add_argument("--out", type=Path, default=None, help="model directory (default: the shipped model)")
    ap.add_argument("--sample", type=int, default=0, help="train on the first N training reviews only")
    ap.add_argument("--alpha", type=float, default=5e-7, help="L2 strength of the SGD logistic regression")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--bits", type=int, default=22, help="hash size of the linear model (2**bits weights)")
    ap.add_argument("--mlp-bits", type=int, default=17, help="hash size of the n-gram MLP's embedding table")
    ap.add_argument(
        "--mlp-epochs",
        type=int,
        default=0,
        help=(
            "epochs of the optional n-gram MLP (default 0: linear model only; on the validation split the "
            "MLP added 0.0001 and 2 MB to the shipped files)"
        ),
    )
    ap.add_argument(
        "--seq-epochs",
        type=int,
        default=SEQ_EPOCHS,
        help="epochs of the character sequence model added to the linear score (0: linear model only)",
    )
    ap.add_argument(
        "--seq-kind", choices=("bigru", "cnn"), default="bigru", help="character sequence model: bi-GRU or CNN"
    )
    ap.add_argument("--seq-size", type=int, default=SEQ_SIZE, help="GRU hidden size / CNN filters per width")
    ap.add_argument(
        "--no-seed",
        action="store_true",
        help="skip adapting with kkot's hand-written product-review seed phrases",
    )
    args = ap.parse_args(argv)

    import numpy as np

    from kkot.ml.datasets import DatasetMissing
    from kkot.ml.reviews.data import nsmc_binary
    from kkot.ml.reviews.features import HashFeaturizer
    from kkot.ml.reviews.sentiment import DEFAULT_MODEL_DIR, SentimentModel
    from kkot.ml.text.normalize import clean_text

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
    tr_x = [clean_text(t) for t in tr_x]
    va_x = [clean_text(t) for t in va_x]
    model = SentimentModel(
        HashFeaturizer(n_bits=args.bits), meta={"name": "sentiment_ko", "data": "nsmc_raw (CC0)"}
    )
    model.fit(tr_x, tr_y, alpha=args.alpha, epochs=args.epochs, clean=False)
    z_va = model.decision_function(va_x)
    print(f"linear NB-LR: validation balanced acc {_balanced_acc(np.asarray(va_y), z_va, threshold=0.0):.4f}")
    if args.mlp_epochs > 0:
        _add_mlp(model, tr_x, tr_y, va_x, va_y, args.mlp_bits, args.mlp_epochs)
    if args.seq_epochs > 0:
        _add_seq(model, tr_x, tr_y, va_x, va_y, args.seq_kind, args.seq_epochs, args.seq_size)
    if not args.no_seed:
        from kkot.ml.reviews.seed_phrases import NEGATIVE, POSITIVE

        seed_x = list(POSITIVE) + list(NEGATIVE)
        seed_y = [1] * len(POSITIVE) + [0] * len(NEGATIVE)
        model = model.adapt(seed_x, seed_y, C=1.0, clause_level=False, calibrate=False, seq_features=0.0,
                            seq_finetune=0)
        model.meta.update(
            {
                "name": "sentiment_ko",
                "data": "nsmc_raw (CC0) + kkot seed phrases",
                "seed_phrases": len(seed_x),
            }
        )
    from kkot.ml.reviews.quant import dequantize, quantize

    # calibrate and measure the weights exactly as they will be stored (8-bit codebooks)
    if model.weights is not None and model.weights.shape[0] >= 1 << 21:
        model.weights = dequantize(*quantize(model.weights))
    if model.mlp is not None:
        model.mlp.emb = dequantize(*quantize(model.mlp.emb))
    model.calibrate(va_x, va_y, clean=False)
    va_acc = _balanced_acc(np.asarray(va_y), model.predict_proba(va_x))
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


def _add_mlp(model, tr_x, tr_y, va_x, va_y, bits: int, epochs: int) -> None:  # type: ignore[no-untyped-def]
    """Train the hashed n-gram MLP and choose its weight in the sum on the validation split."""
    import numpy as np

    try:
        from kkot.ml.reviews.mlp import train_hash_mlp
    except ImportError:  # pragma: no cover
        print("torch is not installed (pip install 'kkot[train]'): linear model only", file=sys.stderr)
        return
    try:
        mlp = train_hash_mlp(
            model.featurizer.coo, tr_x, np.asarray(tr_y), model.featurizer.n_bits, n_bits=bits, epochs=epochs
        )
    except ImportError:
        print("torch is not installed (pip install 'kkot[train]'): linear model only", file=sys.stderr)
        return
    y = np.asarray(va_y)
    r, c, v = model.featurizer.coo(va_x)
    z_lin = np.bincount(r, weights=v * model.weights[c], minlength=len(va_x)) + model.bias
    z_mlp = mlp.score_coo(r, c, v, len(va_x), model.featurizer.n_bits)
    grid = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5]
    accs = [_balanced_acc(y, z_lin + g * z_mlp, threshold=0.0) for g in grid]
    best = grid[int(np.argmax(accs))]
    print("MLP weight on validation: " + ", ".join(f"{g}: {a:.4f}" for g, a in zip(grid, accs, strict=True)))
    if best > 0:
        model.mlp, model.mlp_weight = mlp, best
        model.meta["mlp"] = {
            "n_bits": bits,
            "dim": int(mlp.emb.shape[1]),
            "hidden": int(mlp.w1.shape[1]),
            "epochs": epochs,
            "weight_chosen_on_validation": best,
        }


def _add_seq(model, tr_x, tr_y, va_x, va_y, kind: str, epochs: int, size: int) -> None:  # type: ignore[no-untyped-def]
    """Train the character sequence model and choose its weight in the sum on the validation split."""
    import numpy as np

    try:
        import torch

        from kkot.ml.reviews.seq_train import train_char_cnn, train_char_gru
    except ImportError:  # pragma: no cover
        print("torch is not installed (pip install 'kkot[train]'): no sequence model", file=sys.stderr)
        return
    torch.set_num_threads(1)
    y_tr = np.asarray(tr_y)
    if kind == "cnn":
        seq = train_char_cnn(tr_x, y_tr, epochs=epochs, filters=size).rounded()
    else:
        seq = train_char_gru(tr_x, y_tr, epochs=epochs, hidden=size).rounded()
    y = np.asarray(va_y)
    z_base = model.decision_function(va_x)
    z_seq = seq.score(va_x)
    grid = [round(0.01 * i, 2) for i in range(101)]
    accs = [_balanced_acc(y, z_base + g * z_seq, threshold=0.0) for g in grid]
    best = grid[int(np.argmax(accs))]
    print(f"char {kind} alone: validation balanced acc {_balanced_acc(y, z_seq, threshold=0.0):.4f}")
    shown = [(g, a) for g, a in zip(grid, accs, strict=True) if round(g * 100) % 10 == 0 or g == best]
    print(f"{kind} weight on validation (best {best}): " + ", ".join(f"{g}: {a:.4f}" for g, a in shown))
    if best > 0:
        model.seq, model.seq_weight = seq, best
        model.meta["seq"] = {
            **seq.config(),
            "dim": int(seq.char_emb.shape[1]),
            "size": size,
            "vocab": int(seq.vocab.shape[0]),
            "epochs": epochs,
            "weight_chosen_on_validation": best,
            "validation_balanced_acc_alone": round(_balanced_acc(y, z_seq, threshold=0.0), 4),
        }


def _balanced_acc(y, p, threshold: float = 0.5) -> float:  # type: ignore[no-untyped-def]
    import numpy as np

    pred = (p > threshold).astype(int)
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
