"""Validation-only tuning of kkot's session re-ranker (never reads the test prefixes).

Protocol (the same as ``RerankRecommender.fit``): the newest 10% of ``all_train_seq.txt`` sessions are held
out and every prefix of them predicts its next item; the members and item statistics are fitted on the older
90%, the blend weights on the older half of the sampled validation prefixes. The re-ranker variants are then
trained on the older half of the prefixes and scored (P@20 / MRR@20, a prefix whose next item is outside the
pool counts as a miss) on the newer half, so the comparison mirrors train-on-past / test-on-future.

    PYTHONPATH=src .venv/bin/python bench/recs_tune.py ../shared/datasets/diginetica_sessions_srgnn_preprocessed \
        [--extra neural,mf,vsknn,sknn] [--nn-epochs 5] [--cache pools.npz]

``--extra`` picks the optional members (default: the neural member, as the preset does with torch installed;
``--extra ""`` gives the three-member re-ranker). Prints the blend's own order and the trees' ranking and ends
with a ``RESULT`` line. The baseline scan of the members and the pools is the slow part (minutes); ``--cache``
keeps it for further tree experiments.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402

from kkot.ml.recs.blend import validation_split  # noqa: E402
from kkot.ml.recs.data import read_seq, to_interactions  # noqa: E402
from kkot.ml.recs.presets import session_rerank  # noqa: E402
from kkot.ml.recs.rerank_feats import ItemStats  # noqa: E402
from kkot.ml.recs.sknn import SessionKNN  # noqa: E402


def metrics(groups: np.ndarray, y: np.ndarray, score: np.ndarray, n_prefixes: int, k: int = 20) -> tuple[float, float]:
    """P@k and MRR@k over ``n_prefixes`` (prefixes without rows count as misses)."""
    hits, rr = 0, 0.0
    start = 0
    for g in groups:
        s, t = score[start : start + g], y[start : start + g]
        start += g
        if not t.any():
            continue
        pos = int(np.argmax(t))
        rank = int((s > s[pos]).sum()) + 1
        if rank <= k:
            hits += 1
            rr += 1.0 / rank
    return 100.0 * hits / n_prefixes, 100.0 * rr / n_prefixes


def pools(model, prefixes: list[np.ndarray], targets: np.ndarray):  # type: ignore[no-untyped-def]
    xs, ys, gs = [], [], []
    for h, t in zip(prefixes, targets, strict=True):
        u, _, f = model._pool(h)
        xs.append(f)
        ys.append(u == t)
        gs.append(u.size)
    return np.concatenate(xs), np.concatenate(ys), np.asarray(gs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--prefixes", type=int, default=24_000, help="validation prefixes sampled (half fit, half score)")
    ap.add_argument("--cache", type=Path, default=None, help="npz to store/reuse the pools and features")
    ap.add_argument("--extra", default="neural", help="optional members, comma-separated: neural,mf,vsknn,sknn")
    ap.add_argument("--nn-epochs", type=int, default=3)
    args = ap.parse_args(argv)

    if args.cache and args.cache.exists():
        z = np.load(args.cache)
        xa, ya, ga, xb, yb, gb, nb = z["xa"], z["ya"], z["ga"], z["xb"], z["yb"], z["gb"], int(z["nb"])
    else:
        inter, _ = to_interactions(read_seq(args.folder / "all_train_seq.txt"))
        train, prefixes, targets = validation_split(inter, 0.1, args.prefixes, seed=0)
        half = len(prefixes) // 2
        extra = args.extra.split(",")
        model = session_rerank(with_mf="mf" in extra, with_neural="neural" in extra, neural_epochs=args.nn_epochs)
        if "vsknn" in extra:
            model.members.append(SessionKNN.vsknn())
        if "sknn" in extra:
            model.members.append(SessionKNN.sknn())
        t0 = time.perf_counter()
        for m in model.members:
            m.fit(train)
        model.stats = ItemStats.fit(train)
        model.weights = model.learn_weights(prefixes[:half], targets[:half])
        print(f"members fitted, weights {model.weights} ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
        xa, ya, ga = pools(model, prefixes[:half], targets[:half])
        xb, yb, gb = pools(model, prefixes[half:], targets[half:])
        nb = len(prefixes) - half
        if args.cache:
            np.savez(args.cache, xa=xa, ya=ya, ga=ga, xb=xb, yb=yb, gb=gb, nb=nb)
    print(f"fit rows {ya.size:,} ({ya.sum():,} positives), score prefixes {nb:,}", file=sys.stderr)
    rows: list[tuple[str, float, float]] = []
    blend_col = xa.shape[1] - 17  # first session feature is the blend score
    rows.append(("blend order", *metrics(gb, yb, xb[:, blend_col], nb)))
    for name, score in variants(xa, ya, ga, xb):
        p, m = metrics(gb, yb, score, nb)
        rows.append((name, p, m))
        print(f"  {name}: P@20 {p:.2f} MRR@20 {m:.2f}", file=sys.stderr, flush=True)
    print("\n| variant | P@20 | MRR@20 |\n|---|---|---|")
    for name, p, m in rows:
        print(f"| {name} | {p:.2f} | {m:.2f} |")
    print("RESULT " + " ".join(f"{n.split()[0]}_p20={p:.2f}" for n, p, _ in rows))
    return 0


def variants(xa: np.ndarray, ya: np.ndarray, ga: np.ndarray, xb: np.ndarray):  # type: ignore[no-untyped-def]
    from sklearn.ensemble import HistGradientBoostingClassifier

    # prefixes whose target the pool misses teach the ranking nothing (as in RerankRecommender)
    keep_a = np.repeat(np.add.reduceat(ya, np.r_[0, np.cumsum(ga)[:-1]]) > 0, ga)
    xa_k, ya_k = xa[keep_a], ya[keep_a]
    clf = HistGradientBoostingClassifier(max_iter=100, max_depth=4, min_samples_leaf=100, early_stopping=False,
                                         random_state=0)
    clf.fit(xa_k, ya_k)
    yield "hgb-binary d4 100", clf.decision_function(xb)


if __name__ == "__main__":
    raise SystemExit(main())
