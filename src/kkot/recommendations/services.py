"""Recommendation writes: train the model set from the platform's own data, record widget impressions.

Training data (all read with ``values_list``, no model instances):

* **views**: ``product_view`` events of the last :data:`VIEW_DAYS` days (the newest ``max_view_events`` when
  there are more), grouped by ``Event.session`` in time order, consecutive repeats dropped -> session model
  (STAN-style session kNN, blended with the SLIST linear item model when there are enough sessions) and exact
  co-view counts (association rules over view sessions, used for reasons);
* **purchases**: order lines of paid (not cancelled) orders, one basket per ``Purchase`` -> bought-together
  association rules (support, confidence, lift, at least :data:`MIN_PAIR_COUNT` baskets per pair);
* **text**: product name, brand, tags, attribute values and the category chain -> content similarity
  (character n-grams; also serves products with no interactions: cold start).

Repurchase cycles (which bought items may be recommended again): only items of consumable top categories
(:data:`CONSUMABLE_DEFAULT_DAYS`: 식품 14 days, 화장품/미용 45, 생활/건강 30). Per leaf category the cycle is the
median gap between two purchases of the same product by the same shopper when at least
:data:`MIN_GAPS` such gaps exist (clamped to 3..180 days), else the table's default.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from django.db import transaction
from django.utils import timezone

from kkot.catalog.models import Category, Product
from kkot.events.models import Event, EventKind
from kkot.ml.recs import (
    AssociationRules,
    BaseRecommender,
    ContentSimilarity,
    Interactions,
    RerankRecommender,
    SessionKNN,
    SessionLinear,
)
from kkot.orders.models import OrderLine, OrderStatus
from kkot.recommendations.models import RecsModelRun
from kkot.recommendations.modelset import SET_FORMAT, SET_FORMAT_VERSION, recs_root, write_latest

logger = logging.getLogger("kkot.recommendations")

VIEW_DAYS = 180
ORDER_DAYS = 365
MAX_VIEW_EVENTS = 600_000
MIN_PAIR_COUNT = 2
MIN_GAPS = 5
HISTORY_ITEMS = 20
KEEP_VERSIONS = 3
NEIGHBORS = 40
NEIGHBORS_MAX_ITEMS = 20_000  # whole-catalog content neighbours up to this size, per leaf category above it
LAMBDA_TIME_S = 30 * 86400.0  # STAN neighbour-session recency, in seconds
BLEND_MIN_SESSIONS = 2_000  # below it the session model is STAN alone (too little for a validation split)
LINEAR_MAX_ITEMS = 10_000  # SLIST's dense Gram block: LINEAR_MAX_ITEMS^2 floats (400 MB) while training
CANDIDATES_PER_MEMBER = 60
RERANK_MAX_VALID = 8_000  # validation prefixes the re-ranker learns from (6,000 -> 3,000 cost ~0.9 P@20 on Diginetica)
CONSUMABLE_DEFAULT_DAYS = {"food": 14.0, "beauty": 45.0, "living": 30.0}
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED,
                 OrderStatus.CONFIRMED)


def session_model(n_sessions: int = 0) -> BaseRecommender:
    """The STAN preset tuned on Diginetica (kkot.ml.recs.presets.stan_tuned), recency in seconds; with enough
    sessions for a validation split, STAN + SLIST (linear item model, local solver) under the learned re-ranker
    (kkot.ml.recs.presets.session_rerank: blend weights and gradient-boosted trees learned on the newest 10% of
    the sessions, at most ``RERANK_MAX_VALID`` prefixes so a store's nightly fit stays in minutes)."""
    stan = SessionKNN.stan(k=100, sample=500, lambda_pos=2.0, lambda_time=LAMBDA_TIME_S, lambda_item=8.0, idf=1.0,
                           label="stan", fill_popular=False)
    if n_sessions < BLEND_MIN_SESSIONS:
        return stan
    linear = SessionLinear(alpha=0.5, reg=10.0, session_weight=LAMBDA_TIME_S, predict_weight=2.0, min_count=2,
                           max_items=LINEAR_MAX_ITEMS, neighbors=100, keep=200, label="slist", fill_popular=False)
    return RerankRecommender([stan, linear], n_candidates=CANDIDATES_PER_MEMBER, pool=CANDIDATES_PER_MEMBER,
                             valid_frac=0.1, max_valid=RERANK_MAX_VALID, fill_popular=False)


# ---------------------------------------------------------------- training data


def _catalog() -> dict:
    rows = list(Product.objects.order_by("pk").values_list("pk", "store_id", "category_id", "name", "brand",
                                                           "attributes", "created_at"))
    tags: dict[int, list[str]] = defaultdict(list)
    for pid, name in Product.tags.through.objects.values_list("product_id", "tag__name"):
        tags[pid].append(name)
    cats = {c.pk: c for c in Category.objects.only("pk", "name", "path", "slug", "level")}
    chain_names = {cid: " ".join(cats[i].name for i in c.ancestor_ids if i in cats) for cid, c in cats.items()}
    texts = []
    for pid, _s, cid, name, brand, attrs, _c in rows:
        values = []
        for v in (attrs or {}).values():
            values.extend(v if isinstance(v, list) else [v])
        texts.append(" ".join([name, brand or "", *tags.get(pid, []), *(str(v) for v in values if v),
                               chain_names.get(cid, "")]))
    top_slug = {cid: cats[c.ancestor_ids[0]].slug if c.ancestor_ids and c.ancestor_ids[0] in cats else c.slug
                for cid, c in cats.items()}
    return {
        "product_ids": np.asarray([r[0] for r in rows], dtype=np.int64),
        "store_ids": np.asarray([r[1] for r in rows], dtype=np.int64),
        "category_ids": np.asarray([r[2] for r in rows], dtype=np.int64),
        "created_ts": np.asarray([r[6].timestamp() for r in rows], dtype=np.float64),
        "texts": texts,
        "top_slug": top_slug,
    }


def _views(index: dict[int, int], now, max_events: int) -> dict:
    since = now - timedelta(days=VIEW_DAYS)
    rows = list(Event.objects.filter(kind=EventKind.PRODUCT_VIEW, ts__gte=since, product_id__isnull=False)
                .order_by("-ts", "-id").values_list("session", "product_id", "ts", "user_id", "visitor")[:max_events])
    rows.reverse()  # oldest first; a stable sort by session keeps time order inside each session
    rows.sort(key=lambda r: r[0])
    seqs: list[list[int]] = []
    times: list[list[float]] = []
    hist: dict[str, dict[int, float]] = defaultdict(dict)
    last_session, last_item = None, -1
    n_events = 0
    for session, pid, ts, user_id, visitor in rows:
        item = index.get(pid, -1)
        if item < 0:
            continue
        t = ts.timestamp()
        key = f"u:{user_id}" if user_id else f"v:{visitor}"
        hist[key][item] = t  # dicts keep insertion order; re-setting keeps the first position, fixed below
        if session != last_session:
            seqs.append([])
            times.append([])
            last_session, last_item = session, -1
        if item == last_item:
            continue
        seqs[-1].append(item)
        times[-1].append(t)
        last_item = item
        n_events += 1
    inter = Interactions.from_sequences(seqs, n_items=len(index), timestamps=times)
    # shoppers' recent distinct views, oldest first (by last view time), at most HISTORY_ITEMS each
    keys, indptr, items, ts = [], [0], [], []
    for key, seen in hist.items():
        if len(seen) < 1:
            continue
        last = sorted(seen.items(), key=lambda kv: (kv[1], kv[0]))[-HISTORY_ITEMS:]
        keys.append(key)
        items.extend(i for i, _t in last)
        ts.extend(t for _i, t in last)
        indptr.append(len(items))
    history = {"keys": np.asarray(keys, dtype=str), "indptr": np.asarray(indptr, dtype=np.int64),
               "items": np.asarray(items, dtype=np.int32), "ts": np.asarray(ts, dtype=np.float64)}
    return {"interactions": inter, "n_events": n_events, "history": history}


def _purchases(index: dict[int, int], now, top_slug: dict[int, str]) -> dict:
    since = now - timedelta(days=ORDER_DAYS)
    rows = list(OrderLine.objects.filter(order__status__in=PAID_STATUSES, order__created_at__gte=since)
                .order_by("order__purchase_id", "id")
                .values_list("order__purchase_id", "product_id", "order__user_id", "order__created_at",
                             "product__category_id"))
    baskets: dict[int, list[int]] = defaultdict(list)
    bought: dict[tuple[int, int], list[float]] = defaultdict(list)
    cat_of: dict[int, int] = {}
    for purchase_id, pid, user_id, created, cid in rows:
        item = index.get(pid, -1)
        if item >= 0 and item not in baskets[purchase_id]:
            baskets[purchase_id].append(item)
        bought[(user_id, pid)].append(created.timestamp())
        cat_of[pid] = cid
    gaps: dict[int, list[float]] = defaultdict(list)
    for (_u, pid), stamps in bought.items():
        stamps = sorted(set(stamps))
        for a, b in zip(stamps, stamps[1:], strict=False):
            if b - a >= 86400:
                gaps[cat_of[pid]].append((b - a) / 86400)
    repurchase: dict[int, float] = {}
    for cid, top in top_slug.items():
        if top in CONSUMABLE_DEFAULT_DAYS:
            g = gaps.get(cid, [])
            repurchase[cid] = (float(np.clip(np.median(g), 3, 180)) if len(g) >= MIN_GAPS
                               else CONSUMABLE_DEFAULT_DAYS[top])
    seqs = [b for b in baskets.values() if b]
    return {"interactions": Interactions.from_sequences(seqs, n_items=len(index)), "n_baskets": len(seqs),
            "repurchase_days": repurchase, "n_lines": len(rows)}


def content_neighbors(content: ContentSimilarity, k: int = NEIGHBORS, chunk: int = 2000, *,
                      groups: np.ndarray | None = None, max_cells: int = 20_000_000) -> sp.csr_matrix:
    """Top-``k`` content neighbours of every item (the item itself excluded), as a CSR of similarities.

    ``groups`` (one label per item, e.g. the leaf category) restricts neighbours to items of the same group:
    the cost falls from n^2 to the sum of the groups' squares, which is what makes 100,000-item catalogs
    precomputable. Dense score blocks are kept under ``max_cells`` cells (memory)."""
    v = content.vectors
    n = v.shape[0]
    if groups is None:
        blocks = [np.arange(n)]
    else:
        order = np.argsort(groups, kind="stable")
        cuts = np.flatnonzero(np.diff(groups[order])) + 1
        blocks = np.split(order, cuts)
    rows, cols, vals = [], [], []
    for idx in blocks:
        m = idx.size
        kk = min(k, m - 1)
        if kk <= 0:
            continue
        sub = v[idx] if groups is not None else v
        vt = sub.T.tocsr()
        step = max(1, min(chunk, max_cells // m))
        for start in range(0, m, step):
            s = (sub[start:start + step] @ vt).toarray()
            r_local = np.arange(s.shape[0])
            s[r_local, start + r_local] = 0
            top = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
            sc = np.take_along_axis(s, top, axis=1)
            keep = sc > 1e-6
            r_idx = np.repeat(idx[start:start + s.shape[0]], kk).reshape(-1, kk)
            rows.append(r_idx[keep])
            cols.append(idx[top[keep]])
            vals.append(sc[keep])
    if not rows:
        return sp.csr_matrix((n, n), dtype=np.float32)
    m = sp.csr_matrix((np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(n, n))
    m.sort_indices()
    return m


def content_neighbors_for_catalog(content: ContentSimilarity, catalog: dict) -> sp.csr_matrix:
    """The neighbours the serving side reads: over the whole catalog up to :data:`NEIGHBORS_MAX_ITEMS` items,
    within each leaf category above that (serving never computes similarities on the fly)."""
    if content.vectors.shape[0] <= NEIGHBORS_MAX_ITEMS:
        return content_neighbors(content)
    return content_neighbors(content, groups=np.asarray(catalog["category_ids"]))


# ---------------------------------------------------------------- training


def recs_model_set_write(*, root: Path, version: str, catalog: dict, session=None, coview=None, rules=None,
                         content=None, neighbors: sp.csr_matrix | None = None, history: dict | None = None,
                         repurchase_days: dict | None = None, counts: dict | None = None) -> Path:
    """Write one version directory (into a hidden temporary directory, then renamed) and point LATEST at it.
    Also used by the serving benchmark to build a synthetic catalog's model set without a database."""
    import json

    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{version}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    meta = {
        "format": SET_FORMAT, "format_version": SET_FORMAT_VERSION, "version": version, "trained_at": time.time(),
        "product_ids": catalog["product_ids"].tolist(), "store_ids": catalog["store_ids"].tolist(),
        "category_ids": catalog["category_ids"].tolist(), "created_ts": catalog["created_ts"].tolist(),
        "repurchase_days": {str(k): v for k, v in (repurchase_days or {}).items()}, "counts": counts or {},
    }
    for name, model in (("session", session), ("coview", coview), ("rules", rules), ("content", content)):
        if model is not None:
            model.save(tmp / name)
    if neighbors is not None:
        with open(tmp / "neighbors.npz", "wb") as fh:
            np.savez(fh, indptr=neighbors.indptr.astype(np.int64), indices=neighbors.indices.astype(np.int32),
                     data=neighbors.data.astype(np.float32))
    if history is not None:
        with open(tmp / "history.npz", "wb") as fh:
            np.savez(fh, **history)
    (tmp / "items.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    final = root / version
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    write_latest(root, version)
    return final


def _prune(root: Path, keep: int = KEEP_VERSIONS) -> None:
    versions = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in versions[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def recs_train(*, run: RecsModelRun | None = None, trigger: str = RecsModelRun.Trigger.MANUAL,
               max_view_events: int = MAX_VIEW_EVENTS) -> RecsModelRun:
    """Train every model of the set and publish it as the newest version. Writes a :class:`RecsModelRun`
    (status, counts, timings). Never leaves a half-written version visible: files go to a temporary directory
    and ``LATEST`` moves last. On failure the run is marked failed and the previous version keeps serving."""
    now = timezone.now()
    if run is None:
        run = RecsModelRun.objects.create(trigger=trigger, status=RecsModelRun.Status.RUNNING, started_at=now)
    else:
        RecsModelRun.objects.filter(pk=run.pk).update(status=RecsModelRun.Status.RUNNING, started_at=now)
        run.status, run.started_at = RecsModelRun.Status.RUNNING, now
    version = f"{now:%Y%m%dT%H%M%S}-{run.pk:06d}"
    timings: dict[str, float] = {}
    try:
        t = time.perf_counter()
        catalog = _catalog()
        index = {int(p): i for i, p in enumerate(catalog["product_ids"].tolist())}
        views = _views(index, now, max_view_events)
        purchases = _purchases(index, now, catalog["top_slug"])
        timings["read_s"] = round(time.perf_counter() - t, 2)
        vi: Interactions = views["interactions"]
        t = time.perf_counter()
        session = session_model(vi.n_sessions).fit(vi) if vi.items.size else None
        timings["session_fit_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        coview = AssociationRules(min_count=MIN_PAIR_COUNT, max_rules=100, fill_popular=False).fit(vi) \
            if vi.items.size else None
        timings["coview_fit_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        pi: Interactions = purchases["interactions"]
        rules = AssociationRules(min_count=MIN_PAIR_COUNT, max_rules=100, fill_popular=False).fit(pi) \
            if pi.items.size else None
        timings["rules_fit_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        content = neighbors = None
        if len(index):
            texts_inter = Interactions(vi.indptr, vi.items, vi.n_items, item_texts=catalog["texts"])
            content = ContentSimilarity(fill_popular=False).fit(texts_inter)
            neighbors = content_neighbors_for_catalog(content, catalog)
        timings["content_fit_s"] = round(time.perf_counter() - t, 2)
        counts = {"products": len(index), "sessions": vi.n_sessions, "view_events": views["n_events"],
                  "baskets": purchases["n_baskets"], "order_lines": purchases["n_lines"],
                  "coview_pairs": int(coview.co.nnz // 2) if coview else 0,
                  "rule_pairs": int(rules.co.nnz // 2) if rules else 0,
                  "shoppers_with_history": len(views["history"]["keys"])}
        t = time.perf_counter()
        root = recs_root()
        recs_model_set_write(root=root, version=version, catalog=catalog, session=session, coview=coview,
                             rules=rules, content=content, neighbors=neighbors, history=views["history"],
                             repurchase_days=purchases["repurchase_days"], counts=counts)
        _prune(root)
        timings["save_s"] = round(time.perf_counter() - t, 2)
    except Exception as exc:
        logger.exception("recs: training run %s failed", run.pk)
        RecsModelRun.objects.filter(pk=run.pk).update(status=RecsModelRun.Status.FAILED, finished_at=timezone.now(),
                                                      error=f"{type(exc).__name__}: {exc}"[:2000], metrics=timings)
        run.refresh_from_db()
        return run
    fields = dict(status=RecsModelRun.Status.SUCCEEDED, finished_at=timezone.now(), version=version,
                  n_products=counts["products"], n_sessions=counts["sessions"],
                  n_view_events=counts["view_events"], n_baskets=counts["baskets"],
                  metrics={**timings, **counts, "repurchase_days": {str(k): round(v, 1) for k, v in
                                                                   purchases["repurchase_days"].items()}})
    RecsModelRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    logger.info("recs: trained %s (%s)", version, timings)
    return run


def recs_run_request(*, trigger: str = RecsModelRun.Trigger.MANUAL) -> RecsModelRun:
    """A queued run (the button, the command with --enqueue, the schedule), trained by the task after commit."""
    from kkot.recommendations.tasks import recs_train_task

    run = RecsModelRun.objects.create(trigger=trigger, status=RecsModelRun.Status.QUEUED)
    transaction.on_commit(lambda: recs_train_task.enqueue(run_id=run.pk))
    return run


def recs_run_claim(*, run_id: int) -> RecsModelRun | None:
    """Atomically move a queued run to running; None when it was already taken (the task is idempotent)."""
    n = RecsModelRun.objects.filter(pk=run_id, status=RecsModelRun.Status.QUEUED).update(
        status=RecsModelRun.Status.RUNNING, started_at=timezone.now())
    return RecsModelRun.objects.get(pk=run_id) if n else None


# ---------------------------------------------------------------- impressions


def recs_impressions_record(*, identity, page_type: str, widgets) -> int:
    """One event row per shown item (kind ``impression``, section ``widget:<name>``, 1-based position),
    appended with a single ``bulk_create`` for the whole page. Returns the number of rows."""
    from kkot.events.services import event_row, events_append

    rows = []
    for w in widgets or ():
        for item in w.items:
            rows.append(event_row(identity=identity, kind=EventKind.IMPRESSION, store_id=item.product.store_id,
                                  product_id=item.product.pk, page_type=page_type, section=w.section,
                                  position=item.position))
    return events_append(rows=rows)
