"""Benchmark of kkot.ml.recs against baselines computed in the same run, with published anchors.

    PYTHONPATH=src .venv/bin/python bench/recs.py [DATASET_DIR] [--quick] [--skip-extra]

DATASET_DIR holds ``all_train_seq.txt`` and ``test_prefix_target.tsv`` (default: the Diginetica folder
as preprocessed for SR-GNN). Protocol, the same for every model in the table:

* Session prefixes (Diginetica): every model ranks **all items**; items already in the session are
  **allowed** (20% of Diginetica targets repeat a prefix item). P@20 = hit rate of the target in the top
  20, MRR@20 over all 60,858 test prefixes. Models are fitted on ``all_train_seq.txt`` only (the
  non-augmented training sessions; kNN models need no prefix augmentation).
* Hyper-parameters were tuned only on a validation split carved from the training sessions (the newest
  10% of ``all_train_seq.txt``, every prefix -> next item); the blend learns its weights the same way,
  inside ``fit``, on the newest 10% of the sessions it is given. kkot's model (``presets.session_rerank``)
  re-ranks the blend's best 100 candidates with gradient-boosted trees, also learned inside ``fit`` on
  that validation split (members fitted on the older 90%, then refitted on all sessions). With torch
  installed its members include the neural session model (``kkot.ml.recs.neural``), which also gets a row
  of its own. ``bench/recs_tune.py`` runs the validation protocol the settings were chosen with. The test
  prefixes are used only here. Run ``--models stan,slist,blend,kkot`` to keep the blend as a baseline row.
* YooChoose 100k: trained on ``train_full``; each test session with >= 2 clicks predicts its last click
  from the earlier ones (full ranking, session items allowed). Amazon Beauty: leave-one-out over users
  (train on every user's sequence minus its last item, predict the last item from the rest, full
  ranking, the user's earlier items excluded as in SASRec/BERT4Rec). HR@10 and NDCG@10.
* Bought-together (groceries: basket = member + date; bakery: basket = transaction): 80/20 split of
  baskets (seed 0); for every test basket with >= 2 items one random item is held out and predicted
  from the rest (the rest excluded). HR@10.
* Latency: one request at a time, one thread (BLAS limited to 1 thread), p50/p99 over test requests
  with k=20, also on a synthetic 100,000-item catalog.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from kkot.ml.datasets import DatasetMissing, dataset_dir  # noqa: E402
from kkot.ml.recs import (  # noqa: E402
    AssociationRules,
    BaseRecommender,
    ImplicitMF,
    Interactions,
    PopularityRecommender,
    SessionKNN,
    TransitionRecommender,
)
from kkot.ml.recs.data import (  # noqa: E402
    read_baskets_csv,
    read_events,
    read_prefix_targets,
    read_seq,
    read_user_item,
    to_interactions,
)
from kkot.ml.recs.neural import NeuralSession  # noqa: E402
from kkot.ml.recs.presets import NEURAL_EPOCHS, session_blend, session_rerank, slist_tuned, stan_tuned  # noqa: E402

ANCHORS = [
    ("SR-GNN (published, GPU)", 50.73, 17.59),
    ("NARM (published, GPU)", 49.70, 16.17),
    ("GCE-GNN (published, GPU)", 54.22, 19.04),
    ("tuned STAN (reported)", 52.5, 18.6),
]

Rows = list[tuple[str, ...]]


def rank_metrics(
    model: BaseRecommender,
    prefixes: list[np.ndarray],
    targets: np.ndarray,
    k: int,
    exclude: list[np.ndarray] | None = None,
    batch: int = 2000,
) -> tuple[float, float, float]:
    """(hit rate @k, MRR @k, NDCG @k) in percent; unknown targets (-1) count as misses."""
    hits = rr = ndcg = 0.0
    for i in range(0, len(prefixes), batch):
        ex = None if exclude is None else exclude[i : i + batch]
        ids, _ = model.recommend(prefixes[i : i + batch], k, exclude=ex)
        t = targets[i : i + batch]
        m = (ids == t[:, None]) & (t[:, None] >= 0)
        hit = m.any(axis=1)
        r = m.argmax(axis=1)
        hits += hit.sum()
        rr += (1.0 / (r[hit] + 1)).sum()
        ndcg += (1.0 / np.log2(r[hit] + 2)).sum()
    n = max(len(prefixes), 1)
    return 100 * hits / n, 100 * rr / n, 100 * ndcg / n


def latency_ms(model: BaseRecommender, prefixes: list[np.ndarray], n: int = 2000, k: int = 20) -> tuple[float, ...]:
    """(p50, p99) wall clock and (p50, p99) thread CPU time per single request, in ms. On a shared machine the
    wall clock's tail is mostly waiting for a core; the CPU time is the request's own cost."""
    rng = np.random.default_rng(0)
    idx = rng.choice(len(prefixes), min(n, len(prefixes)), replace=False)
    for i in idx[:50]:  # warm-up
        model.recommend([prefixes[i]], k)
    times = np.empty(idx.size)
    cpu = np.empty(idx.size)
    for j, i in enumerate(idx):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        model.recommend([prefixes[i]], k)
        times[j] = time.perf_counter() - t0
        cpu[j] = time.thread_time() - c0
    return tuple(float(np.percentile(a, q) * 1e3) for a in (times, cpu) for q in (50, 99))


def timed_fit(model: BaseRecommender, inter: Interactions) -> tuple[BaseRecommender, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(inter)
    LAST_FIT_CPU[0] = time.process_time() - c0  # CPU seconds of this process (all its threads)
    return model, time.perf_counter() - t0


LAST_FIT_CPU = [0.0]


# ------------------------------------------------------------------------------------- sessions


def bench_sessions(folder: Path, quick: bool, result: dict[str, float], only: set[str] | None = None) -> Rows:
    train = read_seq(folder / "all_train_seq.txt")
    pre, tgt = read_prefix_targets(folder / "test_prefix_target.tsv")
    inter, vocab = to_interactions(train)
    prefixes = [vocab.encode(p) for p in pre]
    targets = vocab.encode(tgt)
    if quick:
        idx = np.random.default_rng(0).choice(len(prefixes), 5000, replace=False)
        prefixes, targets = [prefixes[i] for i in idx], targets[idx]
    print(f"[sessions] {folder.name}: {inter.n_sessions:,} training sessions, {inter.n_items:,} items, "
          f"{len(prefixes):,} test prefixes", file=sys.stderr)
    models: list[tuple[str, str, Callable[[], BaseRecommender]]] = [
        ("popular", "popularity (recent)", lambda: PopularityRecommender(half_life=20_000.0)),
        ("sr", "item transitions (SR)", lambda: TransitionRecommender(window=5, backward=0.5)),
        ("sknn", "SKNN", lambda: SessionKNN.sknn()),
        ("vsknn", "V-SKNN", lambda: SessionKNN.vsknn()),
        ("stan", "STAN (kkot-tuned)", stan_tuned),
        ("slist", "SLIST (kkot, local ridge)", slist_tuned),
        ("neural", "neural session model (attention, sampled softmax)",
         lambda: NeuralSession(epochs=NEURAL_EPOCHS, progress=True)),
        ("blend", "blend: STAN+SLIST+SR (learned weights)", session_blend),
        ("kkot", "kkot re-ranker: trees over the blend's top 100", session_rerank),
    ]
    if only:
        models = [m for m in models if m[0] in only]
    rows: Rows = []
    for key, label, make in models:
        print(f"  fitting {label} ...", file=sys.stderr, flush=True)
        model, fit_s = timed_fit(make(), inter)
        p20, mrr20, _ = rank_metrics(model, prefixes, targets, 20)
        p50, p99, c50, c99 = latency_ms(model, prefixes, n=1000 if quick else 3000)
        rows.append((label, f"{p20:.2f}", f"{mrr20:.2f}", f"{fit_s:.1f}", f"{LAST_FIT_CPU[0]:.1f}", f"{p50:.2f}",
                     f"{p99:.2f}", f"{c99:.2f}"))
        print(f"  {label}: P@20 {p20:.2f} MRR@20 {mrr20:.2f} fit {fit_s:.1f}s p99 {p99:.2f}ms", file=sys.stderr)
        prefix = "" if key == "kkot" else f"{key}_"
        result[f"{prefix}p20"] = round(p20, 2)
        result[f"{prefix}mrr20"] = round(mrr20, 2)
        result[f"{prefix}fit_s"] = round(fit_s, 1)
        result[f"{prefix}fit_cpu_s"] = round(LAST_FIT_CPU[0], 1)
        if key == "kkot":
            result["serve_p50_ms"] = round(p50, 3)
            result["serve_p99_ms"] = round(p99, 3)
            result["serve_cpu_p50_ms"] = round(c50, 3)
            result["serve_cpu_p99_ms"] = round(c99, 3)
        if key in ("kkot", "blend"):
            report = getattr(model, "valid_report", {})
            print(f"  {key}: learned on validation: {report}", file=sys.stderr)
    for label, p, m in ANCHORS:
        rows.append((label, f"{p:.2f}", f"{m:.2f}", "-", "-", "-", "-", "-"))
    return rows


# ------------------------------------------------------------------------------- leave-one-out


def loo_from_sequences(seqs: list[list[str]], exclude_history: bool) -> tuple[Interactions, list, np.ndarray, list | None]:
    seqs = [s for s in seqs if len(s) >= 2]
    train_part = [s[:-1] for s in seqs]
    inter, vocab = to_interactions(train_part)
    hist = [vocab.encode(s[:-1]) for s in seqs]
    targets = vocab.encode([s[-1] for s in seqs])
    return inter, hist, targets, (hist if exclude_history else None)


def bench_loo(name: str, inter: Interactions, hist: list, targets: np.ndarray, exclude: list | None,
              models: list[tuple[str, Callable[[], BaseRecommender]]], result: dict[str, float], key: str) -> Rows:
    rows: Rows = []
    print(f"[loo] {name}: {inter.n_sessions:,} train sequences, {inter.n_items:,} items, {len(hist):,} tests",
          file=sys.stderr)
    for label, make in models:
        model, fit_s = timed_fit(make(), inter)
        hr, _, ndcg = rank_metrics(model, hist, targets, 10, exclude=exclude)
        rows.append((name, label, f"{hr:.2f}", f"{ndcg:.2f}", f"{fit_s:.1f}"))
        print(f"  {label}: HR@10 {hr:.2f} NDCG@10 {ndcg:.2f} fit {fit_s:.1f}s", file=sys.stderr)
        tag = {"kkot blend": "blend", "kkot re-ranker": "kkot"}.get(label, label.split()[0].lower().replace("-", ""))
        result[f"{key}_{tag}_hr10"] = round(hr, 2)
        result[f"{key}_{tag}_ndcg10"] = round(ndcg, 2)
    return rows


def bench_yoochoose(result: dict[str, float]) -> Rows:
    d = dataset_dir("yoochoose_clicks_100k_sessionrec")
    tr_items, tr_times, _ = read_events(d / "yoochoose-clicks-100k_train_full.txt")
    te_items, _, _ = read_events(d / "yoochoose-clicks-100k_test.txt")
    inter, vocab = to_interactions(tr_items, times=tr_times)
    te = [s for s in te_items if len(s) >= 2]
    hist = [vocab.encode(s[:-1]) for s in te]
    targets = vocab.encode([s[-1] for s in te])
    models = [
        ("popular", lambda: PopularityRecommender(half_life=86_400.0)),
        ("sr transitions", lambda: TransitionRecommender(window=5, backward=0.5)),
        ("stan", lambda: SessionKNN.stan(k=100, sample=500, lambda_time=7 * 86_400.0, lambda_item=8.0, idf=1.0)),
        ("kkot blend", lambda: session_blend(lambda_time=7 * 86_400.0, k=100, sample=500)),
        ("kkot re-ranker", lambda: session_rerank(lambda_time=7 * 86_400.0, k=100, sample=500)),
    ]
    return bench_loo("YooChoose 100k", inter, hist, targets, None, models, result, "yc")


def bench_beauty(result: dict[str, float]) -> Rows:
    d = dataset_dir("amazon_seqrec_bert4rec_sasrec")
    inter, hist, targets, exclude = loo_from_sequences(read_user_item(d / "beauty_bert4rec.txt"), True)
    models = [
        ("popular", lambda: PopularityRecommender()),
        ("sr transitions", lambda: TransitionRecommender(window=3, backward=0.5)),
        ("stan", lambda: SessionKNN.stan(k=200, sample=1000, lambda_time=None, lambda_item=8.0, idf=1.0)),
        ("mf als", lambda: ImplicitMF(factors=64, iterations=15, regularization=0.05, alpha=10.0)),
        ("kkot blend", lambda: session_blend(lambda_time=None, with_mf=True)),
        ("kkot re-ranker", lambda: session_rerank(lambda_time=None, with_mf=True)),
    ]
    return bench_loo("Amazon Beauty", inter, hist, targets, exclude, models, result, "beauty")


# ------------------------------------------------------------------------------------- baskets


def basket_split(baskets: list[list[str]], seed: int = 0) -> tuple[Interactions, list, np.ndarray, list]:
    rng = np.random.default_rng(seed)
    is_test = rng.random(len(baskets)) < 0.2
    train = [b for b, t in zip(baskets, is_test, strict=True) if not t]
    inter, vocab = to_interactions(train)
    hist, targets = [], []
    for b, t in zip(baskets, is_test, strict=True):
        if not t or len(b) < 2:
            continue
        ids = vocab.encode(b)
        j = int(rng.integers(len(b)))
        hist.append(np.delete(ids, j))
        targets.append(ids[j])
    return inter, hist, np.asarray(targets, dtype=np.int64), hist


def bench_baskets(result: dict[str, float]) -> Rows:
    rows: Rows = []
    sets = [
        ("groceries", dataset_dir("groceries_basket") / "Groceries_dataset.csv", ("Member_number", "Date"),
         "itemDescription"),
        ("bakery", dataset_dir("bakery_breadbasket") / "BreadBasket_DMS.csv", ("Transaction",), "Item"),
    ]
    for key, path, cols, item_col in sets:
        inter, hist, targets, exclude = basket_split(read_baskets_csv(path, cols, item_col))
        print(f"[baskets] {key}: {inter.n_sessions:,} train baskets, {inter.n_items} items, {len(hist):,} tests",
              file=sys.stderr)
        models = [
            ("popular", lambda: PopularityRecommender()),
            ("rules confidence", lambda: AssociationRules(min_count=2, agg="sum")),
            ("rules lift^0.5", lambda: AssociationRules(min_count=2, agg="sum", lift_power=0.5)),
            ("sknn", lambda: SessionKNN.sknn(k=200, sample=2000)),
        ]
        for label, make in models:
            model, fit_s = timed_fit(make(), inter)
            hr, _, _ = rank_metrics(model, hist, targets, 10, exclude=exclude)
            rows.append((key, label, f"{hr:.2f}", f"{fit_s:.2f}"))
            tag = label.split()[0] if label != "rules lift^0.5" else "rules_lift"
            result[f"{key}_{tag}_hr10"] = round(hr, 2)
            print(f"  {label}: HR@10 {hr:.2f}", file=sys.stderr)
    return rows


# ---------------------------------------------------------------------------- 100k-item catalog


def synthetic_catalog(n_items: int = 100_000, n_sessions: int = 300_000, seed: int = 0) -> Interactions:
    """Zipf-popular items in topical clusters of 50; a session wanders inside one or two clusters."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 9, n_sessions)
    total = int(lengths.sum())
    cluster = rng.zipf(1.3, n_sessions) % (n_items // 50)
    sess = np.repeat(np.arange(n_sessions), lengths)
    jump = rng.random(total) < 0.15
    c = cluster[sess].copy()
    c[jump] = rng.integers(0, n_items // 50, int(jump.sum()))
    items = c * 50 + (rng.zipf(1.5, total) % 50)
    indptr = np.zeros(n_sessions + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return Interactions(indptr, items, n_items)


def bench_big_catalog(result: dict[str, float]) -> Rows:
    inter = synthetic_catalog()
    rng = np.random.default_rng(1)
    test = [inter.session(int(s))[: int(rng.integers(1, 6))] for s in rng.choice(inter.n_sessions, 3000)]
    rows: Rows = []
    for key, make in [("stan", stan_tuned), ("kkot", session_blend)]:
        model, fit_s = timed_fit(make(), inter)
        p50, p99, _c50, c99 = latency_ms(model, test, n=3000)
        rows.append(("100k items", key, f"{fit_s:.1f}", f"{p50:.2f}", f"{p99:.2f}", f"{c99:.2f}"))
        result[f"big_{key}_fit_s"] = round(fit_s, 1)
        result[f"big_{key}_p99_ms"] = round(p99, 3)
        result[f"big_{key}_cpu_p99_ms"] = round(c99, 3)
        print(f"[100k] {key}: fit {fit_s:.1f}s p50 {p50:.2f}ms p99 {p99:.2f}ms", file=sys.stderr)
    return rows


# --------------------------------------------------------------------------------------- main


def print_table(title: str, header: tuple[str, ...], rows: Rows) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset_dir", nargs="?", default=None,
                    help="folder with all_train_seq.txt and test_prefix_target.tsv "
                         "(default: diginetica_sessions_srgnn_preprocessed)")
    ap.add_argument("--quick", action="store_true", help="5,000 test prefixes only (exploration)")
    ap.add_argument("--skip-extra", action="store_true", help="only the session benchmark")
    ap.add_argument("--models", default="", help="comma-separated session models to run (default: all of "
                    "popular,sr,sknn,vsknn,stan,slist,neural,blend,kkot)")
    args = ap.parse_args(argv)
    folder = Path(args.dataset_dir) if args.dataset_dir else dataset_dir("diginetica_sessions_srgnn_preprocessed")
    result: dict[str, float] = {}
    t0 = time.perf_counter()
    rows = bench_sessions(folder, args.quick, result, set(filter(None, args.models.split(","))) or None)
    print_table(f"Session-based next item: {folder.name} (rank all items, session items allowed)",
                ("model", "P@20", "MRR@20", "fit_s", "fit_cpu_s", "p50_ms", "p99_ms", "cpu_p99_ms"), rows)
    if not args.skip_extra:
        extra: list[tuple[str, tuple[str, ...], Callable[[dict[str, float]], Rows]]] = [
            ("Leave-one-out, full ranking", ("dataset", "model", "HR@10", "NDCG@10", "fit_s"), bench_yoochoose),
            ("", ("dataset", "model", "HR@10", "NDCG@10", "fit_s"), bench_beauty),
            ("Bought together: held-out basket item given the rest", ("dataset", "model", "HR@10", "fit_s"),
             bench_baskets),
            ("Serving on a synthetic 100,000-item catalog (single thread, k=20)",
             ("catalog", "model", "fit_s", "p50_ms", "p99_ms", "cpu_p99_ms"), bench_big_catalog),
        ]
        for title, header, fn in extra:
            try:
                print_table(title or "Leave-one-out, full ranking (history items excluded)", header, fn(result))
            except DatasetMissing as exc:
                print(f"\n(skipped: {exc})")
    result["bench_s"] = round(time.perf_counter() - t0, 1)
    print("\nRESULT " + " ".join(f"{k}={v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
