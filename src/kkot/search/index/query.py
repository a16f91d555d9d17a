"""Running a query over segments: scoring, filters, facets and sorting."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from kkot.search import analysis
from kkot.search.index.docs import (
    ATTR_SEP,
    BIGRAM_WEIGHT,
    BODY_BG,
    NAME,
    NAME_BG,
    NAME_BOOST,
    PRIOR_WEIGHT,
    SYNONYM_WEIGHT,
)
from kkot.search.index.segment import (
    Segment,
)


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


def _add_attr_counts(
    out: dict[str, dict[str, int]],
    seg: Segment,
    pair_ids: np.ndarray,
    *,
    skip: set[str] = frozenset(),
    only: str | None = None,
) -> None:
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
    keys: dict[str, list[np.ndarray]] = {
        k: [] for k in ("pid", "rank", "prior", "popularity", "sales", "created_us", "reviews", "price")
    }
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
    page = joined["pid"][order[f.offset : f.offset + f.limit]] if total else np.zeros(0, dtype=np.int64)
    all_prices = np.concatenate(prices) if prices else np.zeros(0)
    return Hits(
        pids=[int(p) for p in page],
        total=total,
        category_counts=cat_counts,
        store_counts=store_counts,
        attribute_counts={
            c: dict(sorted(b.items(), key=lambda kv: (-kv[1], kv[0]))) for c, b in attr_counts.items()
        },
        price_min=float(all_prices.min()) if len(all_prices) else None,
        price_max=float(all_prices.max()) if len(all_prices) else None,
    )
