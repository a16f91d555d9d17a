"""Benchmark of kkot.ml.vision (issue 7), all in one run.

    PYTHONPATH=src .venv/bin/python bench/vision.py [--quick]

Data: fashion_product_images_small_subset (internal evaluation only) and clothing_dataset_small (CC0, the
shipped CNN's training data; its test split here). Baselines are measured in the same run; the published
numbers from the issue are printed beside. Ends with one ``RESULT key=value ...`` line.

Main keys = the catalog-trained pipeline. A platform trains small heads on its own labelled catalog
(sellers' categories and colour names) over kkot's shipped features (CNN embedding and pooled activations,
HOG, foreground colour histograms); here those heads are trained on the fashion set's stratified 80% split
and evaluated on its 20% split (eval-only, never saved or shipped: the set is not ship-safe). Every setting
was chosen on an inner 80/20 split of the training part, never on the 20% test split.
- ``colour_top1/2``: ColourClassifier x MetricHead over colour histograms + CNN pooled activations;
  ``colour_top1/2_rules``: the shipped rule-based namer (no training).
- ``articletype_*``: LR head x metric heads (catalog-trained; as before).
- ``clothing_top1``: the shipped CNN (trained on clothing_dataset_small only).
- ``search_p10_type(_colour)``: catalog search vectors (metric heads + joint category|colour head +
  colour head + colour histograms); ``search_p10_*_shipped``: the shipped VisualEncoder vectors.
- ``index_*``: faiss HNSW over 100,000 vectors derived from the catalog search vectors, one thread,
  efSearch tuned on separate queries for recall@10 >= 0.96; p50/p99 = fastest of 3 passes per query
  (``index_p99_ms_raw``: one pass, includes scheduler preemption on a shared machine).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # per-core figures
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from kkot.ml.datasets import dataset_dir  # noqa: E402
from kkot.ml.vision.category import CategoryPredictor  # noqa: E402
from kkot.ml.vision.checks import check_image  # noqa: E402
from kkot.ml.vision.colour import (  # noqa: E402
    _PROTO_LAB,
    _PROTO_NAME,
    COLOUR_NAMES,
    FASHION_COLOUR_MAP,
    ColourClassifier,
    colour_features,
    dominant_colours,
)
from kkot.ml.vision.colour_learn import CatalogColourModel, colour_histograms  # noqa: E402
from kkot.ml.vision.data import load_clothing, load_fashion  # noqa: E402
from kkot.ml.vision.embedding import VisualEncoder, default_embedder  # noqa: E402
from kkot.ml.vision.features import hog  # noqa: E402
from kkot.ml.vision.index import VectorIndex  # noqa: E402
from kkot.ml.vision.metric import MetricHead, search_vectors  # noqa: E402
from kkot.ml.vision.segment import Foreground, resize_max_side, segment_foreground  # noqa: E402

PUBLISHED = {
    "colour_top1": "k-means 0.40; learned 0.62",
    "colour_top2": "learned 0.78",
    "articletype_top1": "HOG+col+LR 0.86; CNN-20ep 0.86",
    "clothing_top1": "HOG+col+LR 0.68; CNN-20ep 0.75",
    "search_p10_type": "0.82",
    "search_p10_type_colour": "0.40",
    "index_p99_ms": "HNSW <1 ms @0.93",
    "index_recall10": "0.93",
    "checks_per_s": ">= 20 (aim)",
}
COLOUR_HEAD_C = 0.02  # chosen on an inner 80/20 split of the colour training split
COLOUR_METRIC = {"hidden": 256, "dim": 64, "epochs": 30, "m": 0.1}  # same inner split
METRIC_HEAD = {"hidden": 256, "dim": 64, "epochs": 40}
METRIC_SEEDS = (0,)  # metric heads averaged (probabilities: geometric mean; search: concatenation)
# search parts: category metric heads, colour-head probabilities, colour histograms, joint category|colour head
SEARCH_W = (0.5, 0.2, 0.1, 0.2)  # chosen on an inner 80/20 split of the training part
EF_GRID = (16, 24, 32, 48, 64, 96, 128, 192, 256)  # HNSW efSearch candidates, smallest first
RECALL_TARGET = 0.96  # efSearch must reach this recall@10 on the tuning queries (aim: >= 0.95 on others)
REPEATS = 3  # timing passes per query; the fastest is kept
AIMS = {
    "colour_top1": 0.70,
    "colour_top2": 0.88,
    "articletype_top1": 0.90,
    "clothing_top1": 0.85,
    "search_p10_type": 0.88,
    "search_p10_type_colour": 0.55,
    "index_recall10": 0.95,
}


# ------------------------------------------------------------------ baseline features
def colour_hist(images: np.ndarray, bins: int = 4) -> np.ndarray:
    q = (images.astype(np.int32) * bins // 256).reshape(len(images), -1, 3)
    code = q[..., 0] * bins * bins + q[..., 1] * bins + q[..., 2]
    h = np.stack([np.bincount(c, minlength=bins**3) for c in code]).astype(np.float32)
    return np.sqrt(h / h.sum(1, keepdims=True))


def fg_colour_hist(small: np.ndarray, fg: Foreground, col: np.ndarray) -> np.ndarray:
    """Baseline: sqrt 6x6x6 RGB histogram of the foreground pixels + kkot's 32-d colour features ``col``."""
    px = small[fg.mask] if fg.mask.sum() >= 16 else small.reshape(-1, 3)
    q = px.astype(np.int32) * 6 // 256
    code = q[:, 0] * 36 + q[:, 1] * 6 + q[:, 2]
    h = np.bincount(code, minlength=216).astype(np.float32)
    return np.concatenate([np.sqrt(h / h.sum()), col])


_X128: np.ndarray | None = None
_TE_SET: set[int] = set()
WORKERS = 2  # processes for the per-image colour features (the machine's 2 cores)


def _colour_row(i: int):  # noqa: ANN202
    """Every colour method on one image, from one foreground mask (96 px)."""
    small = resize_max_side(_X128[i], 96)
    fg = segment_foreground(small)
    col = colour_features(small, fg=fg)
    pred = km = None
    if i in _TE_SET:
        pred = [c.name for c in dominant_colours(small, fg=fg)]
        km = kmeans_colour(fg)
    return col, colour_histograms(small, fg=fg), fg_colour_hist(small, fg, col), pred, km


def kmeans_colour(fg: Foreground) -> list[str]:
    """Baseline: k-means (k=3) on foreground Lab pixels; the largest clusters named by nearest prototype."""
    px = fg.lab[fg.mask] if fg.mask.sum() >= 16 else fg.lab.reshape(-1, 3)
    rng = np.random.default_rng(0)
    cen = px[rng.choice(len(px), 3, replace=len(px) < 3)]
    for _ in range(8):
        lab = ((px[:, None] - cen[None]) ** 2).sum(-1).argmin(1)
        cen = np.stack([px[lab == j].mean(0) if (lab == j).any() else cen[j] for j in range(3)])
    sizes = np.bincount(lab, minlength=3)
    names = []
    for j in np.argsort(-sizes):
        nm = COLOUR_NAMES[_PROTO_NAME[((cen[j] - _PROTO_LAB) ** 2).sum(-1).argmin()]]
        if nm not in names:
            names.append(nm)
    return names


def colour_head_proba(
    x_tr: np.ndarray, names_tr: list[str], x_te: np.ndarray, names: list[str], metric: dict | None = None
) -> np.ndarray:
    """kkot's catalog colour pipeline (:class:`CatalogColourModel`: ColourClassifier x MetricHead, geometric
    mean), columns in ``names``."""
    model = CatalogColourModel(c=COLOUR_HEAD_C, metric=metric or COLOUR_METRIC).fit(x_tr, names_tr)
    out = np.full((len(x_te), len(names)), 1e-12)
    out[:, [names.index(c) for c in model.classes_]] = model.predict_proba(x_te)
    return out / out.sum(1, keepdims=True)


def topk_acc(proba: np.ndarray, y: np.ndarray, k: int) -> float:
    top = np.argsort(-proba, axis=1)[:, :k]
    return float((top == y[:, None]).any(1).mean())


def lr(x_tr: np.ndarray, y_tr: np.ndarray, c: float = 1.0):  # noqa: ANN201
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    sc = StandardScaler().fit(x_tr)
    m = LogisticRegression(C=c, max_iter=1000).fit(sc.transform(x_tr), y_tr)
    return lambda x: m.predict_proba(sc.transform(x))


def precision_at_10(vecs: np.ndarray, q_idx: np.ndarray, labels: list[np.ndarray]) -> list[float]:
    sims = vecs[q_idx] @ vecs.T
    sims[np.arange(len(q_idx)), q_idx] = -np.inf
    top = np.argpartition(-sims, 10, axis=1)[:, :10]
    return [float(np.mean([(lab[top[i]] == lab[q]).mean() for i, q in enumerate(q_idx)])) for lab in labels]


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    from sklearn.model_selection import train_test_split

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller samples (development only)")
    args = ap.parse_args(argv)
    t_start = time.time()
    res: dict[str, float] = {}
    rows: list[tuple[str, str, str, str]] = []  # (metric, kkot, baselines measured, published)

    x128, meta = load_fashion(128)
    x64, _ = load_fashion(64)
    n_all = len(meta.ids)
    print(f"fashion_product_images_small_subset: {n_all} images", flush=True)

    # ---------------- colour: every method reads the same foreground mask (computed once per image at 96 px)
    ycol = np.array([FASHION_COLOUR_MAP.get(c, "") for c in meta.base_colour])
    lab_idx = np.flatnonzero(ycol != "")
    col_tr, col_te = train_test_split(lab_idx, test_size=0.2, random_state=0)
    if args.quick:
        col_te, col_tr = col_te[:400], col_tr[:1500]
    te_set = set(col_te.tolist())
    global _X128, _TE_SET
    _X128, _TE_SET = x128, te_set
    import multiprocessing as mp

    with mp.get_context("fork").Pool(WORKERS) as pool:
        out = list(
            tqdm(
                pool.imap(_colour_row, range(n_all), chunksize=64),
                total=n_all,
                desc="colour features",
                mininterval=10,
            )
        )
    col_all = np.stack([o[0] for o in out])
    hist_all = np.stack([o[1] for o in out])
    base_all = np.stack([o[2] for o in out])
    preds = {i: o[3] for i, o in enumerate(out) if o[3] is not None}
    km = {i: o[4] for i, o in enumerate(out) if o[4] is not None}
    t0 = time.time()
    for i in col_te[:200]:
        dominant_colours(x128[i])
    colour_s = (time.time() - t0) / min(200, len(col_te))

    def top12(pr: dict[int, list[str]]) -> tuple[float, float]:
        return (
            float(np.mean([pr[i][0] == ycol[i] for i in col_te])),
            float(np.mean([ycol[i] in pr[i][:2] for i in col_te])),
        )

    top1, top2 = top12(preds)
    km1, km2 = top12(km)
    names = sorted(set(ycol[lab_idx]))
    y_tr = np.array([names.index(ycol[i]) for i in col_tr])
    y_te = np.array([names.index(ycol[i]) for i in col_te])
    present = np.unique(y_tr)
    p_col = np.zeros((len(col_te), len(names)))
    p_col[:, present] = lr(base_all[col_tr], y_tr, 0.5)(base_all[col_te])
    lc1, lc2 = topk_acc(p_col, y_te, 1), topk_acc(p_col, y_te, 2)
    # kkot's catalog colour pipeline (the main colour keys): what a platform gets from its sellers' colour
    # labels. ColourClassifier (logistic regression) x MetricHead (cosine softmax) on the foreground colour
    # histograms + the CNN's pooled activations, probabilities joined by a geometric mean; trained on the
    # catalog's 80% split (eval-only here, never shipped). Settings chosen on an inner 80/20 split of col_tr.
    emb_model = default_embedder()
    t0 = time.time()
    emb_all = emb_model.embed(x64)
    embed_s = (time.time() - t0) / n_all
    pooled_all = emb_model.pooled_features(x64)
    colour_x = np.concatenate([hist_all, pooled_all], 1)
    p_head = colour_head_proba(colour_x[col_tr], [str(ycol[i]) for i in col_tr], colour_x[col_te], names)
    ch1, ch2 = topk_acc(p_head, y_te, 1), topk_acc(p_head, y_te, 2)
    hist_only = ColourClassifier(c=COLOUR_HEAD_C).fit(hist_all[col_tr], [str(ycol[i]) for i in col_tr])
    p_hist = np.zeros((len(col_te), len(names)))
    p_hist[:, [names.index(c) for c in hist_only.classes_]] = hist_only.predict_proba(hist_all[col_te])
    hh1, hh2 = topk_acc(p_hist, y_te, 1), topk_acc(p_hist, y_te, 2)
    res["colour_top1"], res["colour_top2"] = ch1, ch2
    res["colour_top1_rules"], res["colour_top2_rules"] = top1, top2
    rows.append(
        (
            "colour top-1, catalog-trained (LR x metric head)",
            f"{ch1:.3f}",
            f"k-means {km1:.3f}; learned LR {lc1:.3f}; hist-only head {hh1:.3f}",
            PUBLISHED["colour_top1"],
        )
    )
    rows.append(
        (
            "colour top-2, catalog-trained",
            f"{ch2:.3f}",
            f"k-means {km2:.3f}; learned LR {lc2:.3f}; hist-only head {hh2:.3f}",
            PUBLISHED["colour_top2"],
        )
    )
    rows.append(
        (
            "colour top-1/top-2, shipped rules (no training)",
            f"{top1:.3f}/{top2:.3f}",
            f"k-means {km1:.3f}/{km2:.3f}",
            "k-means 0.40",
        )
    )
    conf = Counter((ycol[i], preds[i][0]) for i in col_te if preds[i][0] != ycol[i])
    print(
        f"colour: {len(col_te)} test images, {1 / colour_s:.0f} img/s; most common confusions (label->kkot): "
        + ", ".join(f"{a}->{b} {n}" for (a, b), n in conf.most_common(8)),
        flush=True,
    )

    # ---------------- articleType (classes >= 20 images), stratified 80/20 seed 0
    counts = Counter(meta.article_type)
    keep = np.array([i for i in range(n_all) if counts[meta.article_type[i]] >= 20])
    types = sorted({meta.article_type[i] for i in keep})
    y_type = np.array(
        [types.index(meta.article_type[i]) if meta.article_type[i] in types else -1 for i in range(n_all)]
    )
    tr, te = train_test_split(keep, test_size=0.2, random_state=0, stratify=y_type[keep])
    enc = VisualEncoder(emb_model)
    shape_all = enc.hog.transform(x64) if enc.hog is not None else None
    vec_all = enc.combine(emb_all, col_all, shape_all)
    # the platform's colour model (assist.services.learn.colour_model_train): the same two heads over the
    # search vector it already stores per photo, no extra descriptor
    p_plat = colour_head_proba(vec_all[col_tr], [str(ycol[i]) for i in col_tr], vec_all[col_te], names)
    res["colour_top1_platform"], res["colour_top2_platform"] = topk_acc(p_plat, y_te, 1), topk_acc(p_plat, y_te, 2)
    rows.append(
        (
            "colour top-1/top-2, platform model on stored search vectors",
            f"{res['colour_top1_platform']:.3f}/{res['colour_top2_platform']:.3f}",
            "",
            "",
        )
    )
    feat_kkot = np.concatenate([emb_all, col_all] + ([shape_all] if shape_all is not None else []), 1)
    feat_lr = np.concatenate([feat_kkot, pooled_all], 1)
    p_kkot = lr(feat_lr[tr], y_type[tr], 0.5)(feat_lr[te])
    at1, at3 = topk_acc(p_kkot, y_type[te], 1), topk_acc(p_kkot, y_type[te], 3)
    hog_all = hog(x64)
    # kkot's catalog-trained metric heads (cosine softmax on the 80% split, METRIC_SEEDS seeds): their
    # probabilities join the LR head's (geometric mean); their embeddings make the catalog search vector
    hog_tta = (hog_all + hog(np.ascontiguousarray(x64[:, :, ::-1]))) / 2  # mirror-averaged HOG
    feat_metric = np.concatenate([feat_kkot, hog_tta, hist_all, pooled_all], 1)
    t0 = time.time()
    mheads = [
        MetricHead(**METRIC_HEAD, seed=sd).fit(feat_metric[tr], [types[y_type[i]] for i in tr])
        for sd in METRIC_SEEDS
    ]
    m_fit_s = time.time() - t0
    p_metric = np.ones((len(te), len(types)))
    for mh in mheads:
        p_one = np.full((len(te), len(types)), 1e-12)
        p_one[:, [types.index(c) for c in mh.classes_]] = mh.predict_proba(feat_metric[te])
        p_metric *= p_one ** (1 / len(mheads))
    p_ens = np.sqrt(p_kkot * p_metric)
    at1_lr, at1_m = at1, topk_acc(p_metric, y_type[te], 1)
    at1, at3 = topk_acc(p_ens, y_type[te], 1), topk_acc(p_ens, y_type[te], 3)
    feat_hog = np.concatenate([hog_all, colour_hist(x64)], 1)
    p_hog = lr(feat_hog[tr], y_type[tr], 0.05)(feat_hog[te])
    h1, h3 = topk_acc(p_hog, y_type[te], 1), topk_acc(p_hog, y_type[te], 3)
    # title + image (the platform's CategoryPredictor trained on catalog triples; eval-only here)
    cp = CategoryPredictor().fit([meta.title[i] for i in tr], feat_kkot[tr], [types[y_type[i]] for i in tr])
    p_ti = cp.predict_proba([meta.title[i] for i in te], feat_kkot[te])
    y_te_cp = np.array([cp.classes_.index(types[y_type[i]]) for i in te])
    ti1, ti3 = topk_acc(p_ti, y_te_cp, 1), topk_acc(p_ti, y_te_cp, 3)
    p_empty = cp.predict_proba([""] * len(te), feat_kkot[te])
    res["articletype_top1"], res["articletype_top3"] = at1, at3
    res["articletype_title_image_top1"] = ti1
    res["articletype_top1_lr"] = at1_lr
    rows.append(
        (
            f"articleType top-1 ({len(types)} cls, image)",
            f"{at1:.3f}",
            f"HOG+col+LR {h1:.3f}; kkot LR head {at1_lr:.3f}, metric head {at1_m:.3f}",
            PUBLISHED["articletype_top1"],
        )
    )
    rows.append(("articleType top-3 (image)", f"{at3:.3f}", f"HOG+col+LR {h3:.3f}", "-"))
    rows.append(
        (
            "articleType top-1/top-3 (title+image)",
            f"{ti1:.3f}/{ti3:.3f}",
            f"empty title {topk_acc(p_empty, y_te_cp, 1):.3f}",
            "-",
        )
    )

    # ---------------- clothing_dataset_small test (shipped CNN's own classes)
    xc_tr, yc_tr = load_clothing("train", 64)
    xc_te, yc_te = load_clothing("test", 64)
    ct1 = float((emb_model.predict_proba(xc_te).argmax(1) == yc_te).mean())
    fc_tr = np.concatenate([hog(xc_tr), colour_hist(xc_tr)], 1)
    fc_te = np.concatenate([hog(xc_te), colour_hist(xc_te)], 1)
    hc1 = topk_acc(lr(fc_tr, yc_tr, 0.05)(fc_te), yc_te, 1)
    res["clothing_top1"] = ct1
    rows.append(
        ("clothing 10-class test top-1", f"{ct1:.3f}", f"HOG+col+LR {hc1:.3f}", PUBLISHED["clothing_top1"])
    )

    # ---------------- visual search: 500 held-out queries against the rest
    rng = np.random.default_rng(0)
    q_idx = rng.choice(te, size=min(500, len(te)), replace=False)
    lab_type = np.array(meta.article_type)
    lab_tc = np.array([f"{a}|{c}" for a, c in zip(meta.article_type, meta.base_colour, strict=True)])
    s_type, s_tc = precision_at_10(vec_all, q_idx, [lab_type, lab_tc])
    emb_only = emb_all / np.linalg.norm(emb_all, axis=1, keepdims=True)
    e_type, e_tc = precision_at_10(emb_only, q_idx, [lab_type, lab_tc])
    hb = np.concatenate([hog_all / np.linalg.norm(hog_all, axis=1, keepdims=True), colour_hist(x64) * 0.7], 1)
    hb /= np.linalg.norm(hb, axis=1, keepdims=True)
    b_type, b_tc = precision_at_10(hb, q_idx, [lab_type, lab_tc])
    # baseline: probabilities of the LR category head as the search vector (+ colour, HOG)
    head = lr(feat_kkot[tr], y_type[tr], 0.5)
    pr = np.zeros((n_all, len(types)))
    pr[:, np.unique(y_type[tr])] = head(feat_kkot)
    cat_vec = enc.combine(np.sqrt(pr).astype(np.float32), col_all, shape_all)
    l_type, l_tc = precision_at_10(cat_vec, q_idx, [lab_type, lab_tc])
    # kkot catalog-trained search (the main search keys): the category metric heads' embeddings, a metric
    # head on joint "category|colour" labels, the catalog colour head's probabilities and the colour
    # histograms, weighted by SEARCH_W (chosen on an inner 80/20 split of the training part, queries from
    # the inner 20%); every head is trained on the 80% split only, queries come from the 20% split
    t0 = time.time()
    tr_col = np.array([i for i in tr if ycol[i]])
    chead = ColourClassifier(c=COLOUR_HEAD_C).fit(colour_x[tr_col], [str(ycol[i]) for i in tr_col])
    jhead = MetricHead(**METRIC_HEAD).fit(feat_metric[tr], [f"{types[y_type[i]]}|{ycol[i]}" for i in tr])
    m_emb = np.concatenate([mh.transform(feat_metric) for mh in mheads], 1)
    c_prob = np.sqrt(chead.predict_proba(colour_x))
    j_emb = jhead.transform(feat_metric)
    w_m, w_c, w_h, w_j = SEARCH_W
    cat_search = search_vectors([(m_emb, w_m), (c_prob, w_c), (hist_all, w_h), (j_emb, w_j)])
    m_fit_s += time.time() - t0
    c_type, c_tc = precision_at_10(cat_search, q_idx, [lab_type, lab_tc])
    m_type, m_tc = precision_at_10(m_emb, q_idx, [lab_type, lab_tc])
    nj_type, nj_tc = precision_at_10(
        search_vectors([(m_emb, w_m), (c_prob, w_c), (hist_all, w_h)]), q_idx, [lab_type, lab_tc]
    )
    # the platform's search head (assist.services.learn.search_head_train): category head + colour model + the
    # stored vector, all over the search vectors the platform already stores per photo
    from kkot.ml.vision.catalog_search import CatalogSearchHead

    p_head = CatalogSearchHead().fit(
        vec_all[tr], [types[y_type[i]] for i in tr], [str(ycol[i]) or None for i in tr], min_colour_names=8
    )
    pl_type, pl_tc = precision_at_10(p_head.transform(vec_all), q_idx, [lab_type, lab_tc])
    res["search_p10_type_platform"], res["search_p10_type_colour_platform"] = pl_type, pl_tc
    res["search_p10_type"], res["search_p10_type_colour"] = c_type, c_tc
    res["search_p10_type_shipped"], res["search_p10_type_colour_shipped"] = s_type, s_tc
    rows.append(
        (
            "search P@10 same type, catalog-trained heads",
            f"{c_type:.3f}",
            f"CNN only {e_type:.3f}; HOG+col {b_type:.3f}; LR-prob head {l_type:.3f}; metric only {m_type:.3f}",
            PUBLISHED["search_p10_type"],
        )
    )
    rows.append(
        (
            "search P@10 same type+colour, catalog-trained heads",
            f"{c_tc:.3f}",
            f"CNN only {e_tc:.3f}; HOG+col {b_tc:.3f}; LR-prob head {l_tc:.3f}; metric only {m_tc:.3f}; "
            f"without joint head {nj_tc:.3f}",
            PUBLISHED["search_p10_type_colour"],
        )
    )
    rows.append(
        (
            "search P@10 type / type+colour, shipped vectors (no training)",
            f"{s_type:.3f}/{s_tc:.3f}",
            f"heads fit {m_fit_s:.0f}s",
            "0.82/0.40",
        )
    )
    rows.append(
        (
            "search P@10 type / type+colour, platform search head on stored vectors",
            f"{pl_type:.3f}/{pl_tc:.3f}",
            "",
            "0.82/0.40",
        )
    )
    index_vecs = cat_search

    # ---------------- index: 100,000 vectors, HNSW vs exact
    # 100,000 vectors made from the real search vectors plus noise (products photographed many times);
    # sigma 0.03 per dimension is the main case, sigma 0.08 (noise larger than the signal) a hard case.
    # One faiss thread, one query per call (a web request). efSearch is the smallest of EF_GRID whose
    # recall@10 reaches RECALL_TARGET on 500 *tuning* queries; latency and recall are then measured on
    # 1,000 other queries after a warm-up. The machine is shared, so each query is timed REPEATS times and
    # its fastest time kept (a preempted call measures the scheduler, not the index); the raw single-pass
    # wall-clock p99 is printed beside it (key index_p99_ms_raw).
    import faiss

    faiss.omp_set_num_threads(1)
    n_vec = 20_000 if args.quick else 100_000

    def index_case(sigma: float, vecs: np.ndarray) -> dict[str, float]:
        base = vecs[rng.integers(0, len(vecs), n_vec + 1500)]
        noisy = base + rng.normal(0, sigma, base.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        db, tune_q, queries = noisy[:n_vec], noisy[n_vec : n_vec + 500], noisy[n_vec + 500 :]
        t0 = time.time()
        hnsw = VectorIndex(db.shape[1], backend="hnsw", m=32, ef_construction=100, ef_search=EF_GRID[0])
        hnsw.add(np.arange(n_vec), db)
        build_s = time.time() - t0
        exact = VectorIndex(db.shape[1], backend="exact")
        exact.add(np.arange(n_vec), db)

        def recall(qs: np.ndarray) -> tuple[float, np.ndarray]:
            ex_ids, _ = exact.search(qs, k=10)
            got, _ = hnsw.search(qs, k=10)
            return float(
                np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ex_ids, got, strict=True)])
            ), ex_ids

        ef = EF_GRID[-1]
        for cand in EF_GRID:
            hnsw.ef_search = cand
            if recall(tune_q)[0] >= RECALL_TARGET:
                ef = cand
                break
        hnsw.ef_search = ef
        for q in tune_q[:200]:  # warm-up
            hnsw.search(q[None], k=10)
        lat = np.full((REPEATS, len(queries)), np.inf)
        for r in range(REPEATS):
            for j, q in enumerate(queries):
                t0 = time.perf_counter()
                hnsw.search(q[None], k=10)
                lat[r, j] = (time.perf_counter() - t0) * 1000
        rec, _ = recall(queries)
        t0 = time.perf_counter()
        for q in queries[:100]:
            exact.search(q[None], k=10)
        best = lat.min(0)
        return {
            "p50": float(np.percentile(best, 50)),
            "p99": float(np.percentile(best, 99)),
            "p99_raw": float(np.percentile(lat[0], 99)),
            "recall": rec,
            "ef": float(ef),
            "exact_ms": (time.perf_counter() - t0) * 10,
            "build_s": build_s,
        }

    main_idx = index_case(0.03, index_vecs)
    hard_idx = index_case(0.08, index_vecs)
    res["index_p50_ms"], res["index_p99_ms"], res["index_recall10"] = (
        main_idx["p50"],
        main_idx["p99"],
        main_idx["recall"],
    )
    res["index_p99_ms_raw"], res["index_ef_search"] = main_idx["p99_raw"], main_idx["ef"]
    res["index_recall10_hard"] = hard_idx["recall"]
    dim = index_vecs.shape[1]
    rows.append(
        (
            f"index p50/p99 ms ({n_vec:,} x {dim}, 1 thread, ef {main_idx['ef']:.0f})",
            f"{main_idx['p50']:.3f}/{main_idx['p99']:.3f}",
            f"raw single-pass p99 {main_idx['p99_raw']:.2f}; exact numpy {main_idx['exact_ms']:.2f} ms/query; "
            f"build {main_idx['build_s']:.0f}s",
            PUBLISHED["index_p99_ms"],
        )
    )
    rows.append(
        ("index recall@10 vs exact", f"{main_idx['recall']:.3f}", "exact 1.000", PUBLISHED["index_recall10"])
    )
    rows.append(
        (
            f"index recall@10, hard case (ef {hard_idx['ef']:.0f})",
            f"{hard_idx['recall']:.3f}",
            f"p99 {hard_idx['p99']:.2f} ms",
            "-",
        )
    )

    # ---------------- image-check throughput (files on disk, one core)
    fdir = dataset_dir("fashion_product_images_small_subset") / "images"
    cdir = dataset_dir("clothing_dataset_small") / "test"
    files = [fdir / f"{meta.ids[i]}.jpg" for i in rng.choice(n_all, 100, replace=False)]
    files += sorted(cdir.rglob("*.jpg"))[::4][:100]
    check_image(files[0])
    t0 = time.time()
    for f in files:
        check_image(f)
    cps = len(files) / (time.time() - t0)
    res["checks_per_s"] = cps
    rows.append(
        (
            "image checks / s / core",
            f"{cps:.1f}",
            f"(CNN embed {1 / embed_s:.0f} img/s)",
            PUBLISHED["checks_per_s"],
        )
    )

    # ---------------- table
    w0 = max(len(r[0]) for r in rows) + 2
    w2 = max(len(r[2]) for r in rows) + 2
    print()
    print(f"{'metric':<{w0}}{'kkot':>12}  {'baselines (this run)':<{w2}}{'published (issue)'}")
    print("-" * (w0 + 14 + w2 + 24))
    for m, k, b, p in rows:
        print(f"{m:<{w0}}{k:>12}  {b:<{w2}}{p}")
    print()
    missed = [k for k, a in AIMS.items() if res.get(k, 0) < a]
    if res["index_p99_ms"] >= 5:
        missed.append("index_p99_ms")
    print("aims missed:", ", ".join(missed) if missed else "none")
    print(f"total time {time.time() - t_start:.0f}s")
    keys = [
        "colour_top1",
        "colour_top2",
        "colour_top1_rules",
        "colour_top2_rules",
        "colour_top1_platform",
        "colour_top2_platform",
        "articletype_top1",
        "articletype_top1_lr",
        "articletype_top3",
        "articletype_title_image_top1",
        "clothing_top1",
        "search_p10_type",
        "search_p10_type_colour",
        "search_p10_type_shipped",
        "search_p10_type_colour_shipped",
        "search_p10_type_platform",
        "search_p10_type_colour_platform",
        "index_p50_ms",
        "index_p99_ms",
        "index_p99_ms_raw",
        "index_ef_search",
        "index_recall10",
        "index_recall10_hard",
        "checks_per_s",
    ]
    print("RESULT " + " ".join(f"{k}={res[k]:.4f}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main())
