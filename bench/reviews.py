"""Benchmark of kkot.ml.reviews (Korean review sentiment, domain adaptation, aspects, speed).

    PYTHONPATH=src .venv/bin/python bench/reviews.py [--skip-baseline]

Prints one table (kkot beside baselines measured in this run and published anchors) and ends with one
``RESULT key=value ...`` line. Datasets come from ../shared/datasets (see kkot.ml.datasets).
Nothing here tunes on test data: the shipped model was trained by ``kkot train sentiment`` (NSMC
validation split for calibration); the aspect-polarity model is fitted on the food train split only.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "docs" / "labelling" / "musinsa_aspects_v1.tsv"


def nsmc_section(rows: list[tuple[str, str, str, str]], skip_baseline: bool) -> float:
    from kkot.ml.reviews.data import nsmc_binary
    from kkot.ml.reviews.evaluation import balanced_accuracy, roc_auc
    from kkot.ml.reviews.sentiment import SentimentModel

    tr_x, tr_y, te_x, te_y = nsmc_binary()
    y = np.asarray(te_y)
    model = SentimentModel.load()
    p = model.predict_proba_raw(te_x)
    acc = balanced_accuracy(y, p > 0.5)
    name = (
        f"kkot hashed n-gram NB-LR 2^{model.featurizer.n_bits}"
        + (f" + n-gram MLP 2^{model.mlp.n_bits}" if model.mlp is not None else "")
        + (f" + char {model.seq.config()['kind']}" if model.seq is not None else "")
        + " (shipped)"
    )
    rows.append((f"NSMC balanced test (n={len(y)})", name, f"acc {acc:.4f}", f"AUC {roc_auc(y, p):.4f}"))
    if not skip_baseline:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        from kkot.ml.text import clean_text

        t0 = time.time()
        xs = [clean_text(t) for t in tr_x]
        vec = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), min_df=3, sublinear_tf=True, max_features=300_000
        )
        X = vec.fit_transform(xs)
        clf = LogisticRegression(C=1.0, solver="liblinear", class_weight="balanced").fit(X, tr_y)
        pb = clf.predict_proba(vec.transform([clean_text(t) for t in te_x]))[:, 1]
        rows.append(
            (
                "",
                f"baseline TF-IDF char1-3 + LR (this run, {time.time() - t0:.0f} s)",
                f"acc {balanced_accuracy(y, pb > 0.5):.4f}",
                f"AUC {roc_auc(y, pb):.4f}",
            )
        )
    rows.append(("", "published KoBERT / KcELECTRA (official 50k test, GPU)", "acc 0.901 / 0.9197", ""))
    return acc


def lobo_section(rows: list[tuple[str, str, str, str]]) -> tuple[float, float]:
    from kkot.ml.reviews.evaluation import lobo_eval
    from kkot.ml.reviews.sentiment import SentimentModel

    res = lobo_eval(SentimentModel.load())
    names = {
        "nsmc_only": "NSMC-only (shipped, no domain data)",
        "domain_only": "domain-only LR on star labels (no prior)",
        "adapted": "kkot adapt: NSMC prior + star labels",
        "adapted_clauses": "kkot adapt + clause-level labels",
    }
    first = True
    for v, name in names.items():
        rows.append(
            (
                "Musinsa leave-one-brand-out" if first else "",
                name,
                f"bal.acc {res.mean(v, 'balanced_acc'):.4f}",
                f"AUC {res.mean(v, 'auc'):.4f}",
            )
        )
        first = False
    best = max(("adapted", "adapted_clauses"), key=lambda v: res.mean(v, "auc"))
    for r in res.rows:
        if r["model"] == best:
            rows.append(
                (
                    "",
                    f"  {best} held out {r['held_out']} (neg={r['n_neg']})",
                    f"bal.acc {float(r['balanced_acc']):.4f}",
                    f"AUC {float(r['auc']):.4f}",
                )
            )
    return res.mean("adapted", "balanced_acc"), res.mean("adapted", "auc")


def food_section(rows: list[tuple[str, str, str, str]]) -> float:
    from kkot.ml.reviews.aspects import AspectPolarityModel, lexicon_polarity
    from kkot.ml.reviews.data import food_absa
    from kkot.ml.reviews.sentiment import SentimentModel
    from kkot.ml.text import split_clauses

    amap = {"배달": "배송", "서비스": "응대/서비스", "가격": "가격/가성비"}

    def prep(recs):  # type: ignore[no-untyped-def]
        S, SP, A, Y = [], [], [], []
        for sent, term, asp, pol in recs:
            i = sent.find("$T$")
            S.append(sent.replace("$T$", term))
            SP.append((i, i + len(term)))
            A.append(amap.get(asp, asp))
            Y.append(pol)
        return S, SP, A, np.asarray(Y)

    sm = SentimentModel.load()
    tr, te = prep(food_absa("train")), prep(food_absa("test"))
    zs = []
    for s, (a, b), asp in zip(*te[:3], strict=True):
        cl = next((c for c in split_clauses(s) if c.start <= a < c.end), None)
        txt, off = (cl.text, cl.start) if cl else (s, 0)
        zs.append(lexicon_polarity(txt, (a - off, b - off), asp, float(sm.predict_proba([txt])[0])))
    zs_acc = float(np.mean(np.asarray(zs) == te[3]))
    m = AspectPolarityModel(sm).fit(*tr)
    acc = float(np.mean(m.predict(*te[:3]) == te[3]))
    maj = float(np.mean(te[3] == 1))
    rows.append(
        (
            f"Food ABSA polarity given aspect (3-class, n={len(te[3])})",
            "kkot AspectPolarityModel fitted on train split",
            f"acc {acc:.4f}",
            "",
        )
    )
    rows.append(("", "kkot zero-shot lexicon + shipped sentiment", f"acc {zs_acc:.4f}", ""))
    rows.append(("", "majority class (positive)", f"acc {maj:.4f}", ""))
    return acc


def aspect_section(rows: list[tuple[str, str, str, str]]) -> float:
    from kkot.ml.reviews.analyzer import ReviewAnalyzer
    from kkot.ml.reviews.evaluation import aspect_eval, load_labelled_sentences

    sents = load_labelled_sentences(LABELS)
    an = ReviewAnalyzer.load().analyze([s.text for s in sents])
    r = aspect_eval(an, sents)
    rows.append(
        (
            f"Musinsa hand-labelled aspects ({int(r['n_sentences'])} sent., {int(r['n_gold'])} gold)",
            "kkot lexicon + clause sentiment",
            f"F1 {r['f1']:.4f}",
            f"P {r['precision']:.3f} R {r['recall']:.3f}",
        )
    )
    rows.append(
        (
            "",
            "  polarity acc on detected / size direction acc",
            f"{r['polarity_acc']:.4f}",
            f"dir {r['direction_acc']:.4f}",
        )
    )
    # the learning mechanism: store models adapted on Musinsa star ratings, labelled reviews held out
    from kkot.ml.reviews.data import musinsa_reviews, star_label

    held = {
        (ln.split("\t")[1], int(ln.split("\t")[2]))
        for ln in LABELS.read_text(encoding="utf-8").splitlines()
        if ln[:1].isdigit()
    }
    train = [r for r in musinsa_reviews() if (r.brand, r.row) not in held]
    xs, ys, ws = [], [], []
    for rv in train:
        y = star_label(rv.stars)
        if y is not None or rv.stars == 3:
            xs.append(rv.text)
            ys.append(0 if y is None else y)
            ws.append(1.0 if y is not None else 0.5)
    prior = ReviewAnalyzer.load().model
    for clause_level in (False, True):
        m = prior.adapt(
            xs,
            ys,
            ws,
            clause_level=clause_level,
            groups=[rv.brand for rv in train if star_label(rv.stars) is not None or rv.stars == 3],
        )
        ra = aspect_eval(ReviewAnalyzer(m, "auto").analyze([s.text for s in sents]), sents)
        name = "  store model from stars" + (" + clause-level labels" if clause_level else "")
        rows.append(
            (
                "",
                name + ": polarity acc",
                f"{ra['polarity_acc']:.4f}",
                f"clause examples {m.meta.get('clause_examples', 0)}",
            )
        )
    return float(r["f1"])


def speed_section(rows: list[tuple[str, str, str, str]]) -> float:
    import subprocess

    from kkot.ml.reviews.analyzer import ReviewAnalyzer
    from kkot.ml.reviews.data import musinsa_reviews
    from kkot.ml.text.kiwi import get_kiwi

    code = (
        "import time; t = time.time(); from kkot.ml.reviews import ReviewAnalyzer; "
        "ReviewAnalyzer.load(); print(time.time() - t)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    load_s = float(out.stdout.strip().splitlines()[-1])
    t0 = time.time()
    get_kiwi().space("테스트문장입니다")
    kiwi_s = time.time() - t0
    texts = [r.text for r in musinsa_reviews()]
    analyzer = ReviewAnalyzer.load()
    analyzer.analyze(texts[:2000])  # warm-up (Kiwi spacing of long unspaced runs)
    t0 = time.time()
    res = analyzer.analyze(texts)
    dt = time.time() - t0
    rps = len(texts) / dt
    n_asp = sum(len(r.aspects) for r in res)
    rows.append(
        (
            f"Speed, 1 process, {len(texts):,} Musinsa reviews",
            "sentiment + clauses + aspects",
            f"{rps:,.0f} reviews/s",
            f"{n_asp:,} aspect mentions",
        )
    )
    rows.append(
        ("", "load in a fresh process (imports + model) / Kiwi (lazy)", f"{load_s:.2f} s", f"{kiwi_s:.2f} s")
    )
    size = sum(f.stat().st_size for f in (ROOT / "src/kkot/ml/models/sentiment_ko").iterdir())
    rows.append(("", "shipped model size", f"{size / 1e6:.2f} MB", ""))
    return rps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-baseline", action="store_true", help="skip the TF-IDF baseline (saves minutes)")
    args = ap.parse_args(argv)
    rows: list[tuple[str, str, str, str]] = []
    t0 = time.time()
    nsmc = nsmc_section(rows, args.skip_baseline)
    lobo_acc, lobo_auc = lobo_section(rows)
    food = food_section(rows)
    f1 = aspect_section(rows)
    rps = speed_section(rows)
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"{'task':<{w[0]}} | {'model':<{w[1]}} | {'metric':<{w[2]}} | extra")
    print("-" * (sum(w) + 9))
    for r in rows:
        print(f"{r[0]:<{w[0]}} | {r[1]:<{w[1]}} | {r[2]:<{w[2]}} | {r[3]}")
    print(f"(total {time.time() - t0:.0f} s)")
    print(
        f"RESULT nsmc_balanced_acc={nsmc:.4f} lobo_balanced_acc={lobo_acc:.4f} lobo_auc={lobo_auc:.4f} "
        f"food_aspect_polarity_acc={food:.4f} aspect_f1={f1:.4f} reviews_per_s={rps:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
