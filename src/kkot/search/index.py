"""The in-process product search index: one bm25s index for the whole platform plus a small delta.

* ``Segment``: a bm25s index over products with their filter/sort columns as numpy arrays.
* The *main* segment is built from every visible product (판매중/품절) and saved under
  ``VAR_DIR/search/<version>/`` (bm25s' own npy/json files + ``columns.npz`` + ``meta.json``; no pickle).
* Products changed since the main build go into a small *delta* segment, rebuilt on each change, whose
  BM25 statistics (document frequencies, document count, average length) are those of the main
  index, so a changed product scores as it would after a full rebuild. Their stale main rows are masked.
* Changes are detected from the DB at most every ``KKOT_SEARCH_SYNC_SECONDS`` (default 2) with one
  aggregate query (count, max(updated_at), count of recent rows) plus the list of non-open stores.
* When the delta grows past ``KKOT_SEARCH_DELTA_MAX`` products (default max(500, 5% of main)), the task
  ``search_index_rebuild`` is enqueued; every process notices the new version on disk and loads it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import bm25s
import numpy as np
from bm25s import scoring as bm25s_scoring
from django.conf import settings
from django.db import connection
from django.db.models import Max

from kkot.catalog.models import Category, Product
from kkot.catalog.selectors import VISIBLE_STATUSES
from kkot.search import analysis
from kkot.stores.models import Store

log = logging.getLogger("kkot.search")

SCHEMA = 1  # bump when the analysis or the stored layout changes: saved indexes are then rebuilt
NAME = "n:"  # name+brand field terms
NAME_BG = "n~"  # name+brand field bigrams
BODY_BG = "~"  # tags, category and attribute bigrams (body terms carry no prefix)
DESC_CHARS = 300
NAME_BOOST = 2.5
SYNONYM_WEIGHT = 0.8
BIGRAM_WEIGHT = 0.3
PRIOR_WEIGHT = 0.2
MARGIN_US = 300 * 1_000_000  # re-read products changed up to 5 min before the watermark (open transactions)
ATTR_SEP = "\x1f"

_COLUMNS = {
    "pid": np.int64, "updated_us": np.int64, "store": np.int64, "c1": np.int64, "c2": np.int64, "c3": np.int64,
    "price": np.float64, "sale": np.float64, "sale_from": np.float64, "sale_to": np.float64,
    "on_sale": np.bool_, "stock": np.int64, "popularity": np.float64, "sales": np.int64, "reviews": np.int64,
    "created_us": np.int64, "prior_raw": np.float64,
}


def _us(dt: datetime | None) -> int:
    return int(round(dt.timestamp() * 1_000_000)) if dt else 0


def _ts(dt: datetime | None, default: float) -> float:
    return dt.timestamp() if dt else default


def search_dir() -> Path:
    return Path(getattr(settings, "KKOT_SEARCH_DIR", None) or (Path(settings.VAR_DIR) / "search"))


def db_fingerprint() -> str:
    s = connection.settings_dict
    return f"{connection.vendor}:{s.get('HOST') or ''}:{s.get('PORT') or ''}:{s.get('NAME')}"


# ---------------------------------------------------------------- documents

@dataclass
class Doc:
    pid: int
    tokens: list[str]
    cols: dict[str, float | int | bool]
    attrs: list[str]


def _category_info() -> dict[int, tuple[list[int], str]]:
    """category id -> (ids from the root, names from the root joined)."""
    cats = {c.pk: c for c in Category.objects.only("pk", "name", "path")}
    out = {}
    for pk, c in cats.items():
        ids = c.ancestor_ids or [pk]
        out[pk] = (ids, " ".join(cats[i].name for i in ids if i in cats))
    return out


_DOC_FIELDS = (
    "pk", "name", "brand", "description_html", "category_id", "store_id", "price", "sale_price", "sale_starts_at",
    "sale_ends_at", "status", "stock_total", "popularity", "sales_count", "review_count", "created_at",
    "updated_at", "attributes",
)


def load_docs(product_ids: list[int] | None = None, *, chunk: int = 5000) -> list[Doc]:
    """Searchable documents of visible products (all, or those of ``product_ids``), in id order."""
    qs = Product.objects.filter(status__in=VISIBLE_STATUSES)
    if product_ids is not None:
        qs = qs.filter(pk__in=product_ids)
    rows = list(qs.order_by("pk").values_list(*_DOC_FIELDS))
    if not rows:
        return []
    tags: dict[int, list[str]] = {}
    through = Product.tags.through.objects.all()
    if product_ids is not None:
        through = through.filter(product_id__in=product_ids)
    for pid, name in through.values_list("product_id", "tag__name"):
        tags.setdefault(pid, []).append(name)
    cats = _category_info()
    docs = []
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        names = analysis.analyze_fields([f"{r[1]} {r[2]}" for r in part], with_bigrams=True)
        attr_texts, attr_lists = [], []
        for r in part:
            pairs = []
            for code, value in (r[17] or {}).items():
                for v in value if isinstance(value, list) else [value]:
                    if v not in (None, ""):
                        pairs.append(f"{code}{ATTR_SEP}{str(v)[:100]}")
            attr_lists.append(sorted(set(pairs)))
            cat_names = cats.get(r[4], ([], ""))[1]
            values = " ".join(p.split(ATTR_SEP, 1)[1] for p in pairs)
            attr_texts.append(" ".join([*tags.get(r[0], []), cat_names, values]))
        bodies = analysis.analyze_fields(attr_texts, with_bigrams=True)
        descs = analysis.analyze_fields([analysis.html_to_text(r[3])[:DESC_CHARS] for r in part], with_bigrams=False)
        for r, nm, body, desc, attrs in zip(part, names, bodies, descs, attr_lists, strict=True):
            tokens = [NAME + t for t in nm.terms] + [NAME_BG + b for b in nm.bigrams]
            tokens += body.terms + [BODY_BG + b for b in body.bigrams] + desc.terms
            ids = cats.get(r[4], ([r[4]], ""))[0]
            levels = [*ids, 0, 0, 0][:3]
            popularity, sales = float(r[12] or 0.0), int(r[13] or 0)
            cols = {
                "pid": r[0], "updated_us": _us(r[16]), "store": r[5], "c1": levels[0], "c2": levels[1],
                "c3": levels[2], "price": float(r[6]), "sale": float(r[7]) if r[7] is not None else math.nan,
                "sale_from": _ts(r[8], -math.inf), "sale_to": _ts(r[9], math.inf),
                "on_sale": r[10] == Product.Status.ON_SALE, "stock": int(r[11]), "popularity": popularity,
                "sales": sales, "reviews": int(r[14]), "created_us": _us(r[15]),
                "prior_raw": math.log1p(max(popularity, 0.0)) + math.log1p(max(sales, 0)),
            }
            docs.append(Doc(pid=r[0], tokens=tokens or [""], cols=cols, attrs=attrs))
    return docs


# ---------------------------------------------------------------- bm25s with borrowed corpus statistics

class _BorrowedStatsBM25(bm25s.BM25):
    """bm25s index whose idf and average length come from a larger corpus (the main index + this delta).

    Only the statistics are replaced; the scoring is bm25s' own (its idf, tf and matrix functions).
    """

    def __init__(self, *, base_df, base_docs: int, base_total_len: int, **kwargs):
        super().__init__(**kwargs)
        self._base_df, self._base_docs, self._base_total_len = base_df, base_docs, base_total_len
        self._vocab_for_build: dict[str, int] = {}

    def build_index_from_ids(self, unique_token_ids, corpus_token_ids, show_progress=True, leave_progress=False):
        delta_df = bm25s_scoring._calculate_doc_freqs(
            corpus_tokens=corpus_token_ids, unique_tokens=unique_token_ids, show_progress=False
        )
        combined = dict(delta_df)
        for token, tid in self._vocab_for_build.items():
            combined[tid] = combined.get(tid, 0) + self._base_df(token)
        n_docs = self._base_docs + len(corpus_token_ids)
        avg_len = (self._base_total_len + sum(len(d) for d in corpus_token_ids)) / max(n_docs, 1)
        self.nonoccurrence_array = None
        idf = bm25s_scoring._build_idf_array(
            doc_frequencies=combined, n_docs=n_docs,
            compute_idf_fn=bm25s_scoring._select_idf_scorer(self.idf_method), dtype=self.dtype,
        )
        scores_flat, doc_idx, vocab_idx = bm25s_scoring._build_scores_and_indices_for_matrix(
            corpus_token_ids=corpus_token_ids, idf_array=idf, avg_doc_len=avg_len, doc_frequencies=delta_df,
            k1=self.k1, b=self.b, delta=self.delta, nonoccurrence_array=None, method=self.method,
            dtype=self.dtype, int_dtype=self.int_dtype, show_progress=False,
        )
        data, indices, indptr = self._np_csc(
            data=scores_flat, rows=doc_idx, cols=vocab_idx, shape=(len(corpus_token_ids), len(unique_token_ids))
        )
        return {"data": data.astype(self.dtype), "indices": indices, "indptr": indptr,
                "num_docs": len(corpus_token_ids)}

    def index_tokens(self, corpus_tokens: list[list[str]]) -> None:
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus_tokens]
        vocab.setdefault("", len(vocab))
        self._vocab_for_build = vocab
        self.index((ids, vocab), show_progress=False)


# ---------------------------------------------------------------- segments

@dataclass
class Segment:
    bm25: bm25s.BM25
    cols: dict[str, np.ndarray]
    attr_rows: np.ndarray  # row of each (product, attribute value) pair, ascending
    attr_ids: np.ndarray  # index into attr_vocab
    attr_vocab: list[str]
    meta: dict
    _attr_by_code: dict[str, dict[str, int]] = field(default_factory=dict)
    _df: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.cols["pid"])

    @property
    def version(self) -> str:
        return self.meta["version"]

    def attr_ids_for(self, code: str, values: list[str]) -> np.ndarray:
        if not self._attr_by_code:
            for i, key in enumerate(self.attr_vocab):
                c, v = key.split(ATTR_SEP, 1)
                self._attr_by_code.setdefault(c, {})[v] = i
        by_value = self._attr_by_code.get(code, {})
        return np.array([by_value[v] for v in values if v in by_value], dtype=np.int64)

    def token_scores(self, token: str) -> np.ndarray | None:
        tid = self.bm25.vocab_dict.get(token)
        if tid is None:
            return None
        return self.bm25.get_scores_from_ids([tid])

    def doc_frequency(self, token: str) -> int:
        """How many documents of this segment contain ``token`` (from the bm25s CSC column sizes)."""
        if self._df is None:
            self._df = np.diff(np.asarray(self.bm25.scores["indptr"]))
        i = self.bm25.vocab_dict.get(token)
        return int(self._df[i]) if i is not None and i < len(self._df) else 0

    def row_of(self, pid: int) -> int | None:
        pids = self.cols["pid"]
        i = int(np.searchsorted(pids, pid))
        return i if i < len(pids) and pids[i] == pid else None


def _columns(docs: list[Doc]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, list[str]]:
    cols = {k: np.array([d.cols[k] for d in docs], dtype=t) if docs else np.zeros(0, dtype=t)
            for k, t in _COLUMNS.items()}
    vocab: dict[str, int] = {}
    rows, ids = [], []
    for r, d in enumerate(docs):
        for a in d.attrs:
            rows.append(r)
            ids.append(vocab.setdefault(a, len(vocab)))
    return cols, np.array(rows, dtype=np.int64), np.array(ids, dtype=np.int64), list(vocab)


def build_main(docs: list[Doc], *, watermark_us: int) -> Segment:
    bm = bm25s.BM25()
    corpus = [d.tokens for d in docs] or [[""]]
    bm.index(corpus, show_progress=False)
    cols, attr_rows, attr_ids, attr_vocab = _columns(docs)
    prior_scale = float(cols["prior_raw"].max()) if len(docs) else 1.0
    meta = {
        "schema": SCHEMA, "version": datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f"), "db": db_fingerprint(),
        "n": len(docs), "total_len": int(sum(len(t) for t in corpus)), "watermark_us": watermark_us,
        "prior_scale": prior_scale or 1.0, "built_at": time.time(),
    }
    return Segment(bm25=bm, cols=cols, attr_rows=attr_rows, attr_ids=attr_ids, attr_vocab=attr_vocab, meta=meta)


def build_delta(docs: list[Doc], main: Segment) -> Segment:
    bm = _BorrowedStatsBM25(base_df=main.doc_frequency, base_docs=main.meta["n"],
                            base_total_len=main.meta["total_len"])
    bm.index_tokens([d.tokens for d in docs])
    cols, attr_rows, attr_ids, attr_vocab = _columns(docs)
    meta = {"version": f"{main.version}+delta", "prior_scale": main.meta["prior_scale"], "n": len(docs)}
    return Segment(bm25=bm, cols=cols, attr_rows=attr_rows, attr_ids=attr_ids, attr_vocab=attr_vocab, meta=meta)


def save_segment(seg: Segment, root: Path) -> Path:
    path = root / seg.version
    tmp = root / f".tmp-{seg.version}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    seg.bm25.save(str(tmp / "bm25"), show_progress=False)
    np.savez(tmp / "columns.npz", attr_rows=seg.attr_rows, attr_ids=seg.attr_ids, **seg.cols)
    (tmp / "meta.json").write_text(json.dumps({**seg.meta, "attr_vocab": seg.attr_vocab}, ensure_ascii=False))
    os.replace(tmp, path)
    pointer = root / "current.json"
    pointer_tmp = root / ".current.json.tmp"
    pointer_tmp.write_text(json.dumps({"version": seg.version}))
    os.replace(pointer_tmp, pointer)
    for old in root.iterdir():  # keep the new one and the previous one (a process may still be loading it)
        if old.is_dir() and old.name not in (seg.version,) and not old.name.startswith(".tmp"):
            versions = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".tmp"))
            if old.name not in versions[-2:]:
                shutil.rmtree(old, ignore_errors=True)
    return path


def current_version(root: Path) -> str | None:
    try:
        return json.loads((root / "current.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def load_segment(root: Path, version: str) -> Segment | None:
    path = root / version
    try:
        meta = json.loads((path / "meta.json").read_text())
        if meta.get("schema") != SCHEMA or meta.get("db") != db_fingerprint():
            return None
        bm = bm25s.BM25.load(str(path / "bm25"), load_corpus=False, mmap=False, show_progress=False)
        with np.load(path / "columns.npz", allow_pickle=False) as z:
            cols = {k: z[k] for k in _COLUMNS}
            attr_rows, attr_ids = z["attr_rows"], z["attr_ids"]
    except (OSError, ValueError, KeyError) as exc:
        log.warning("search index %s unreadable (%s); rebuilding", path, exc)
        return None
    attr_vocab = meta.pop("attr_vocab")
    return Segment(bm25=bm, cols=cols, attr_rows=attr_rows, attr_ids=attr_ids, attr_vocab=attr_vocab, meta=meta)


# ---------------------------------------------------------------- queries over segments

@dataclass
class Filters:
    store_id: int | None = None
    category_id: int | None = None
    category_level: int = 0
    min_price: float | None = None
    max_price: float | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    in_stock: bool = False
    sort: str = "relevance"
    offset: int = 0
    limit: int = 40


@dataclass
class Hits:
    pids: list[int]
    total: int
    category_counts: dict[int, int]
    store_counts: dict[int, int]
    attribute_counts: dict[str, dict[str, int]]
    price_min: float | None
    price_max: float | None


def _unit_masks(seg: Segment, qa: analysis.QueryAnalysis) -> tuple[np.ndarray, np.ndarray]:
    """bm25s scores of the query over the segment and, per row, how many query units it matches."""
    n = seg.n
    score = np.zeros(n, dtype=np.float32)
    present: dict[str, np.ndarray] = {}
    for bg in qa.bigrams:
        hit = np.zeros(n, dtype=bool)
        for token, weight in ((NAME_BG + bg, NAME_BOOST * BIGRAM_WEIGHT), (BODY_BG + bg, BIGRAM_WEIGHT)):
            s = seg.token_scores(token)
            if s is not None:
                score += weight * s
                hit |= s > 0
        present[bg] = hit
    matched = np.zeros(n, dtype=np.int16)
    for unit in qa.units:
        hit = np.zeros(n, dtype=bool)
        for term, w in ((unit.term, 1.0), *((a, SYNONYM_WEIGHT) for a in unit.alternatives)):
            for token, weight in ((NAME + term, NAME_BOOST * w), (term, w)):
                s = seg.token_scores(token)
                if s is not None:
                    score += weight * s
                    hit |= s > 0
        if unit.need:
            count = np.zeros(n, dtype=np.int16)
            for bg in unit.bigrams:
                if bg not in present:
                    present[bg] = np.zeros(n, dtype=bool)
                    for token in (NAME_BG + bg, BODY_BG + bg):
                        s = seg.token_scores(token)
                        if s is not None:
                            present[bg] |= s > 0
                count += present[bg]
            hit |= count >= unit.need
        matched += hit
    return score, matched


@dataclass
class _Part:
    seg: Segment
    rows: np.ndarray
    score: np.ndarray
    matched: np.ndarray


def _effective_price(seg: Segment, rows: np.ndarray, now: float) -> np.ndarray:
    c = seg.cols
    sale = c["sale"][rows]
    active = ~np.isnan(sale) & (c["sale_from"][rows] <= now) & (now < c["sale_to"][rows])
    return np.where(active, sale, c["price"][rows])


def _sort_keys(sort: str, keys: dict[str, np.ndarray]) -> list[np.ndarray]:
    """np.lexsort keys (last = primary)."""
    pid = keys["pid"]
    if sort == "popular":
        return [-pid, -keys["sales"], -keys["popularity"]]
    if sort == "new":
        return [-pid, -keys["created_us"]]
    if sort == "price_asc":
        return [pid, keys["price"]]
    if sort == "price_desc":
        return [-pid, -keys["price"]]
    if sort == "reviews":
        return [-pid, -keys["reviews"]]
    return [-pid, -keys["prior"], -keys["rank"]]


def run_query(parts: list[tuple[Segment, np.ndarray]], qa: analysis.QueryAnalysis, f: Filters) -> Hits:
    """Match, filter, facet, sort and page over the live rows of each segment."""
    now = time.time()
    scored = []
    for seg, alive in parts:
        if seg.n == 0:
            continue
        score, matched = _unit_masks(seg, qa)
        scored.append((seg, alive, score, matched))
    n_units = len(qa.units)
    result = None
    for need in (n_units, max(1, math.ceil(n_units / 2))):
        result = _filter_and_facet(scored, need, f, now)
        if result.total or need == 1:
            break
    return result


def _add_attr_counts(out: dict[str, dict[str, int]], seg: Segment, pair_ids: np.ndarray, *,
                     skip: set[str] = frozenset(), only: str | None = None) -> None:
    ids, counts = np.unique(pair_ids, return_counts=True)
    for i, cnt in zip(ids.tolist(), counts.tolist(), strict=True):
        code, value = seg.attr_vocab[i].split(ATTR_SEP, 1)
        if code in skip or (only is not None and code != only):
            continue
        bucket = out.setdefault(code, {})
        bucket[value] = bucket.get(value, 0) + cnt


def _filter_and_facet(scored, need: int, f: Filters, now: float) -> Hits:
    cat_counts: dict[int, int] = {}
    store_counts: dict[int, int] = {}
    attr_counts: dict[str, dict[str, int]] = {}
    prices: list[np.ndarray] = []
    keys: dict[str, list[np.ndarray]] = {k: [] for k in ("pid", "rank", "prior", "popularity", "sales",
                                                           "created_us", "reviews", "price")}
    level_col = {0: "c1", 1: "c2", 2: "c3"}.get(f.category_level)
    for seg, alive, score, matched in scored:
        rows = np.flatnonzero(alive & (matched >= need))
        if f.store_id is not None:
            rows = rows[seg.cols["store"][rows] == f.store_id]
        if f.category_id is not None:
            rows = rows[seg.cols[f"c{f.category_level}"][rows] == f.category_id]
        if f.in_stock:
            rows = rows[seg.cols["on_sale"][rows] & (seg.cols["stock"][rows] > 0)]
        if not len(rows):
            continue
        price = _effective_price(seg, rows, now)
        price_ok = np.ones(len(rows), dtype=bool)
        if f.min_price is not None:
            price_ok &= price >= f.min_price
        if f.max_price is not None:
            price_ok &= price <= f.max_price
        # attribute pairs of the candidate rows
        flag = np.zeros(seg.n, dtype=bool)
        flag[rows] = True
        sel = flag[seg.attr_rows]
        pair_pos = np.searchsorted(rows, seg.attr_rows[sel])
        pair_ids = seg.attr_ids[sel]
        attr_ok: dict[str, np.ndarray] = {}
        for code, values in f.attributes.items():
            wanted = seg.attr_ids_for(code, values)
            m = np.zeros(len(rows), dtype=bool)
            m[pair_pos[np.isin(pair_ids, wanted)]] = True
            attr_ok[code] = m
        all_attr = np.ones(len(rows), dtype=bool)
        for m in attr_ok.values():
            all_attr &= m
        final = price_ok & all_attr
        prices.append(price[all_attr])
        # attribute facets are disjunctive: a filtered code's counts ignore that code's own filter
        _add_attr_counts(attr_counts, seg, pair_ids[final[pair_pos]], skip=set(attr_ok))
        for code in attr_ok:
            ok = price_ok.copy()
            for c, m in attr_ok.items():
                if c != code:
                    ok &= m
            _add_attr_counts(attr_counts, seg, pair_ids[ok[pair_pos]], only=code)
        rows, price = rows[final], price[final]
        if not len(rows):
            continue
        if level_col is not None:
            ids, counts = np.unique(seg.cols[level_col][rows], return_counts=True)
            for i, cnt in zip(ids.tolist(), counts.tolist(), strict=True):
                if i:
                    cat_counts[i] = cat_counts.get(i, 0) + cnt
        ids, counts = np.unique(seg.cols["store"][rows], return_counts=True)
        for i, cnt in zip(ids.tolist(), counts.tolist(), strict=True):
            store_counts[i] = store_counts.get(i, 0) + cnt
        prior = np.minimum(seg.cols["prior_raw"][rows] / seg.meta["prior_scale"], 1.0)
        keys["pid"].append(seg.cols["pid"][rows])
        keys["rank"].append(score[rows] * (1.0 + PRIOR_WEIGHT * prior))
        keys["prior"].append(prior)
        keys["price"].append(price)
        for k in ("popularity", "sales", "created_us", "reviews"):
            keys[k].append(seg.cols[k][rows])
    joined = {k: np.concatenate(v) if v else np.zeros(0) for k, v in keys.items()}
    total = len(joined["pid"])
    order = np.lexsort(_sort_keys(f.sort, joined)) if total else np.zeros(0, dtype=np.int64)
    page = joined["pid"][order[f.offset:f.offset + f.limit]] if total else np.zeros(0, dtype=np.int64)
    all_prices = np.concatenate(prices) if prices else np.zeros(0)
    return Hits(
        pids=[int(p) for p in page], total=total, category_counts=cat_counts, store_counts=store_counts,
        attribute_counts={c: dict(sorted(b.items(), key=lambda kv: (-kv[1], kv[0]))) for c, b in attr_counts.items()},
        price_min=float(all_prices.min()) if len(all_prices) else None,
        price_max=float(all_prices.max()) if len(all_prices) else None,
    )


# ---------------------------------------------------------------- the process-wide engine

@dataclass
class Snapshot:
    main: Segment
    main_alive: np.ndarray
    delta: Segment | None
    delta_alive: np.ndarray | None
    entries: dict[int, tuple[int, Doc | None]]  # products changed since the main build: pid -> (updated_us, doc)
    signature: tuple | None
    closed: frozenset[int]
    deleted: frozenset[int]

    def parts(self) -> list[tuple[Segment, np.ndarray]]:
        out = [(self.main, self.main_alive)]
        if self.delta is not None and self.delta_alive is not None:
            out.append((self.delta, self.delta_alive))
        return out


class Engine:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._snap: Snapshot | None = None
        self._last_check = 0.0
        self._rebuild_requested_for: str | None = None

    # -- configuration
    @staticmethod
    def sync_seconds() -> float:
        return float(getattr(settings, "KKOT_SEARCH_SYNC_SECONDS", 2.0))

    def delta_max(self, main: Segment) -> int:
        configured = getattr(settings, "KKOT_SEARCH_DELTA_MAX", None)
        return int(configured) if configured is not None else max(500, main.n // 20)

    # -- lifecycle
    def reset(self) -> None:
        with self._lock:
            self._snap = None
            self._last_check = 0.0
            self._rebuild_requested_for = None

    def snapshot(self) -> Snapshot:
        if self._snap is None:
            with self._lock:
                if self._snap is None:
                    self._install(self._load_or_build())
                    self._sync()
                    self._last_check = time.monotonic()
                    return self._snap
        if time.monotonic() - self._last_check >= self.sync_seconds() and self._lock.acquire(blocking=False):
            try:
                self._sync()
                self._last_check = time.monotonic()
            finally:
                self._lock.release()
        return self._snap

    def _load_or_build(self) -> Segment:
        root = search_dir()
        version = current_version(root)
        if version:
            seg = load_segment(root, version)
            if seg is not None:
                return seg
        return self.rebuild(install=False)

    def rebuild(self, *, install: bool = True) -> Segment:
        """Full build from the DB, saved to disk (the task ``search_index_rebuild`` calls this)."""
        t0 = time.perf_counter()
        watermark = Product.objects.aggregate(m=Max("updated_at"))["m"]
        docs = load_docs()
        seg = build_main(docs, watermark_us=_us(watermark))
        try:
            save_segment(seg, search_dir())
        except OSError as exc:  # a read-only disk must not stop search
            log.warning("search index not saved: %s", exc)
        log.info("search index built: %d products in %.1fs", seg.n, time.perf_counter() - t0)
        if install:
            with self._lock:
                self._install(seg)
        return seg

    def _install(self, main: Segment) -> None:
        self._snap = Snapshot(main=main, main_alive=np.ones(main.n, dtype=bool), delta=None, delta_alive=None,
                              entries={}, signature=None, closed=frozenset(), deleted=frozenset())
        self._rebuild_requested_for = None
        self._last_check = 0.0

    # -- incremental updates
    def _sync(self) -> None:
        snap = self._snap
        root = search_dir()
        version = current_version(root)
        if version and version != snap.main.version:
            seg = load_segment(root, version)
            if seg is not None:
                self._install(seg)
                snap = self._snap
        since_us = snap.main.meta["watermark_us"] - MARGIN_US
        since = datetime.fromtimestamp(since_us / 1_000_000, tz=UTC)
        # three index-only queries (one aggregate with a filtered count would scan the table on SQLite)
        signature = (Product.objects.count(), _us(Product.objects.aggregate(m=Max("updated_at"))["m"]),
                     Product.objects.filter(updated_at__gt=since).count())
        closed = frozenset(Store.objects.exclude(status=Store.Status.OPEN).values_list("pk", flat=True))
        if signature == snap.signature and closed == snap.closed:
            return
        entries, deleted = snap.entries, snap.deleted
        if signature != snap.signature:
            entries = dict(entries)
            main = snap.main
            changed: dict[int, int] = {}
            for pid, updated in Product.objects.filter(updated_at__gt=since).values_list("pk", "updated_at"):
                us = _us(updated)
                row = main.row_of(pid)
                if row is not None and int(main.cols["updated_us"][row]) == us:
                    continue
                if pid in entries and entries[pid][0] == us:
                    continue
                changed[pid] = us
            if snap.signature is None or signature[0] != snap.signature[0]:
                existing = np.fromiter(Product.objects.values_list("pk", flat=True), dtype=np.int64)
                gone = main.cols["pid"][~np.isin(main.cols["pid"], existing)]
                gone_delta = [p for p in entries if p not in set(existing.tolist())]
                deleted = frozenset(int(p) for p in gone) | frozenset(gone_delta)
                for p in gone_delta:
                    entries.pop(p, None)
            if changed:
                docs = {d.pid: d for d in load_docs(list(changed))}
                for pid, us in changed.items():
                    entries[pid] = (us, docs.get(pid))
        self._snap = self._make_snapshot(snap.main, entries, signature, closed, deleted,
                                         rebuild_delta=entries is not snap.entries, old=snap)
        if len(entries) > self.delta_max(snap.main) and self._rebuild_requested_for != snap.main.version:
            self._rebuild_requested_for = snap.main.version
            self._request_rebuild()

    def _make_snapshot(self, main, entries, signature, closed, deleted, *, rebuild_delta, old) -> Snapshot:
        closed_arr = np.fromiter(closed, dtype=np.int64)
        stale = np.fromiter([*entries, *deleted], dtype=np.int64)
        main_alive = ~np.isin(main.cols["store"], closed_arr) & ~np.isin(main.cols["pid"], stale)
        delta = old.delta
        if rebuild_delta:
            docs = sorted((d for _us2, d in entries.values() if d is not None), key=lambda d: d.pid)
            delta = build_delta(docs, main) if docs else None
        delta_alive = ~np.isin(delta.cols["store"], closed_arr) if delta is not None else None
        return Snapshot(main=main, main_alive=main_alive, delta=delta, delta_alive=delta_alive, entries=entries,
                        signature=signature, closed=closed, deleted=deleted)

    def _request_rebuild(self) -> None:
        try:
            from kkot.search.tasks import search_index_rebuild

            search_index_rebuild.enqueue()
        except Exception as exc:  # noqa: BLE001 - a missing queue must not break search
            log.warning("could not enqueue search_index_rebuild: %s", exc)


ENGINE = Engine()
