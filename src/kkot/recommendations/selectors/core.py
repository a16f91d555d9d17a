"""Shared plumbing of the widgets: the result types, the candidate filter (business rules against a
visibility bitset plus a live check of what is shown) and reason anchors."""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kkot.catalog.models import Product
from kkot.orders.models import Order, OrderLine
from kkot.recommendations import reasons
from kkot.recommendations.cards import column_reader, product_cards
from kkot.recommendations.modelset import ModelSet
from kkot.stores.models import Store

logger = logging.getLogger("kkot.recommendations")


K = 8
MAX_PER_CATEGORY = 3
CANDIDATES = 60
NEW_DAYS = 30
SESSION_HISTORY = 20
BOUGHT_DAYS = 365
VISIBLE_TTL_S = 30.0  # the visibility bitset's age at most (the shown products are checked live anyway)
SPARES = 4  # candidates fetched beyond k, in case the live check drops some
WIDGETS = {
    "viewed_together": _("함께 본 상품"),
    "bought_together": _("함께 구매한 상품"),
    "similar": _("비슷한 상품"),
    "for_you": _("맞춤 추천"),
    "cart_addons": _("함께 사면 좋은 상품"),
}


@dataclass
class RecItem:
    product: Product
    position: int  # 1-based
    reason: str
    kind: str  # co_view, co_buy, similar, new, popular
    score: float = 0.0


@dataclass
class Widget:
    name: str
    items: list[RecItem] = field(default_factory=list)
    source: str = "none"  # model, fallback, none
    note: str = ""  # why it fell back / is empty

    @property
    def title(self) -> str:
        return str(WIDGETS.get(self.name, self.name))

    @property
    def section(self) -> str:
        return f"widget:{self.name}"


# ---------------------------------------------------------------- plumbing

_LOG_EVERY_S = 60.0
_last_logged: dict[tuple[str, str], float] = {}


def _why(widget: str, note: str, detail: str = "") -> None:
    """Log why a widget fell back or is empty (at most once a minute per widget and reason)."""
    now = time.monotonic()
    key = (widget, note)
    if now - _last_logged.get(key, -1e18) >= _LOG_EVERY_S:
        _last_logged[key] = now
        logger.info("recs: %s -> %s%s", widget, note, f" ({detail})" if detail else "")


def _safe(name: str):
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs) -> Widget:
            try:
                return fn(*args, **kwargs)
            except Exception:  # a page never fails because of recommendations
                logger.exception("recs: widget %s failed", name)
                return Widget(name, note="error")

        return wrapper

    return deco


@dataclass
class _Cand:
    item: int
    score: float
    kind: str
    anchor: int = -1  # item id of the anchor (-1: the neighbours / no single anchor; PENDING: see ``hist``)
    count: int = 0
    share: float = 0.0
    age_days: int | None = None
    hist: np.ndarray | None = None  # co-view anchor to find in this history, only if the item is shown


PENDING = -2


def _raw(sql: str, params: list) -> list[tuple]:
    """Rows of a raw statement: the request path skips the ORM's query compilation (about a millisecond)."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@functools.cache
def _bought_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    lm, om, pm = OrderLine._meta, Order._meta, Product._meta
    return (
        f"SELECT l.{q(lm.get_field('product').column)}, p.{q(pm.get_field('category').column)}, "  # noqa: S608
        f"o.{q(om.get_field('created_at').column)} FROM {q(lm.db_table)} l "
        f"INNER JOIN {q(om.db_table)} o ON o.{q(om.pk.column)} = l.{q(lm.get_field('order').column)} "
        f"INNER JOIN {q(pm.db_table)} p ON p.{q(pm.pk.column)} = l.{q(lm.get_field('product').column)} "
        f"WHERE o.{q(om.get_field('user').column)} = %s AND o.{q(om.get_field('created_at').column)} >= %s"
    )


def _bought(user_id: int | None, ms: ModelSet | None) -> set[int]:
    """Product ids the shopper bought that must not be recommended now (consumables due again are allowed)."""
    if not user_id:
        return set()
    since = timezone.now() - timedelta(days=BOUGHT_DAYS)
    last: dict[int, tuple[float, int]] = {}
    created_at = column_reader(connection, Order, "created_at")
    for pid, cid, created in _raw(
        _bought_sql(connection.vendor), [user_id, connection.ops.adapt_datetimefield_value(since)]
    ):
        t = created_at(created).timestamp()
        if pid not in last or t > last[pid][0]:
            last[pid] = (t, cid)
    cycles = ms.repurchase_days if ms else {}
    now = time.time()
    out = set()
    for pid, (t, cid) in last.items():
        cycle = cycles.get(cid)
        if cycle is None or (now - t) / 86400 < cycle:
            out.add(pid)
    return out


def _visible_mask(ms: ModelSet) -> np.ndarray:
    """Boolean array over the model's items: on sale, in stock, in an open store. One query over the catalog, kept
    per process and model version for :data:`VISIBLE_TTL_S` seconds; the products finally shown are checked again
    live (:func:`_finish`), so a product sold out a moment ago is still never shown. The same query refreshes
    :func:`_popularity_rank`."""
    now = time.monotonic()
    hit = ms.cache.get("visible")
    if hit is not None and now - hit[0] < VISIBLE_TTL_S:
        return hit[1]
    p, s = Product._meta.db_table, Store._meta.db_table
    # most products qualify: one pass over the table beats SQLite's walk of the status index (3x less CPU)
    scan = " NOT INDEXED" if connection.vendor == "sqlite" else ""
    sql = (
        f"SELECT p.id, p.popularity, p.sales_count FROM {p} p{scan} "  # noqa: S608
        f"INNER JOIN {s} s ON s.id = p.store_id WHERE p.status = %s AND p.stock_total > 0 AND s.status = %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [Product.Status.ON_SALE, Store.Status.OPEN])
        rows = np.array(cur.fetchall(), dtype=np.float64).reshape(-1, 3)
    pid, pop, sales = rows[:, 0].astype(np.int64), rows[:, 1], rows[:, 2]
    ids = _items_of(ms, pid)
    known = ids >= 0
    mask = np.zeros(ms.n_items, dtype=bool)
    mask[ids[known]] = True
    rank = np.full(ms.n_items, -1, dtype=np.int64)
    order = np.lexsort((pid[known], sales[known], pop[known]))  # ascending by popularity, sales, product id
    rank[ids[known][order]] = np.arange(order.size)
    ms.cache["rank"] = rank
    ms.cache["visible"] = (now, mask)
    return mask


def _items_of(ms: ModelSet, product_ids: np.ndarray) -> np.ndarray:
    """Vectorised :meth:`ModelSet.items` (item id per product id, -1 when unknown) for a whole catalog."""
    sorter = ms.cache.get("pid_sorter")
    if sorter is None:
        sorter = ms.cache["pid_sorter"] = np.argsort(ms.product_ids, kind="stable")
    if ms.n_items == 0:
        return np.full(product_ids.size, -1, dtype=np.int64)
    pos = np.searchsorted(ms.product_ids, product_ids, sorter=sorter).clip(0, ms.n_items - 1)
    items = sorter[pos].astype(np.int64)
    return np.where(ms.product_ids[items] == product_ids, items, -1)


def _popularity_rank(ms: ModelSet) -> np.ndarray:
    """Per item, its place in the (popularity, sales count, product id) order of the visible products (higher is
    more popular, -1 when not visible), as of the visibility bitset's last refresh."""
    mask = _visible_mask(ms)
    rank = ms.cache.get("rank")
    if (
        rank is None or rank.size != mask.size
    ):  # the bitset was put there without its ranking: read both again
        ms.cache.pop("visible", None)
        _visible_mask(ms)
        rank = ms.cache["rank"]
    return rank


def _live_ok(p: Product, store_id: int | None) -> bool:
    return (
        p.status == Product.Status.ON_SALE
        and p.stock_total > 0
        and p.store.status == Store.Status.OPEN
        and (store_id is None or p.store_id == store_id)
    )


def _finish(
    ms: ModelSet,
    name: str,
    cands: list[_Cand],
    *,
    k: int,
    store_id: int | None,
    exclude: set[int],
    page_item: int = -1,
    member: bool = False,
    reserve_new: bool = False,
    in_cart: bool = False,
) -> list[RecItem]:
    """Apply the business rules to ranked candidates and render reasons. The rules run on in-memory arrays (the
    per-version visibility bitset, stores and categories of the model's items); then one raw statement reads the
    chosen products (a few spares) and the reasons' anchors with their stores and representative images
    (:func:`~kkot.recommendations.cards.product_cards`, no ORM compilation), and their status, stock and store are
    checked on those live rows."""
    if not cands:
        return []
    pids, store_of, cat_of = ms.product_ids, ms.store_of, ms.category_of
    visible = _visible_mask(ms)
    want = k + SPARES
    chosen: list[tuple[_Cand, int]] = []
    per_cat: dict[int, int] = {}
    seen: set[int] = set()
    new_cut = time.time() - NEW_DAYS * 86400
    new_pending: tuple[_Cand, int] | None = None
    for c in cands:
        i = c.item
        if not visible[i] or (store_id is not None and store_of[i] != store_id):
            continue
        pid = int(pids[i])
        if pid in seen or pid in exclude:
            continue
        cat_id = int(cat_of[i])
        if per_cat.get(cat_id, 0) >= MAX_PER_CATEGORY:
            continue
        if reserve_new and c.kind == "new":
            if new_pending is None and ms.created_ts[i] >= new_cut:
                new_pending = (c, pid)
                seen.add(pid)
            continue
        if len(chosen) >= want:
            if not reserve_new or new_pending is not None:
                break
            continue
        seen.add(pid)
        per_cat[cat_id] = per_cat.get(cat_id, 0) + 1
        chosen.append((c, pid))
    if new_pending is not None:
        chosen.append(new_pending)
    if not chosen:
        return []
    for c, _pid in chosen:
        if c.anchor == PENDING:  # only for what may be shown
            c.anchor, c.count = _coview_anchor(ms, c.hist, c.item) if c.hist is not None else (-1, 0)
    anchors = {int(pids[c.anchor]) for c, _pid in chosen if c.anchor >= 0}
    rows = product_cards({pid for _c, pid in chosen} | anchors)  # one statement, read now: the live check
    live = [(c, pid) for c, pid in chosen if pid in rows and _live_ok(rows[pid], store_id)]
    if new_pending is not None and new_pending in live:
        live.remove(new_pending)
        out = [*live[: k - 1], new_pending]
    else:
        out = live[:k]
    if not out:
        return []
    items = []
    for pos, (c, pid) in enumerate(out, start=1):
        anchor = rows.get(int(pids[c.anchor])) if c.anchor >= 0 else None
        anchor_name = anchor.name if anchor is not None else ""
        is_page = c.anchor == page_item and page_item >= 0
        if c.kind == "co_view":
            text = (
                reasons.co_view(
                    anchor_name=anchor_name, anchor_is_page=is_page, count=c.count, in_cart=in_cart
                )
                if c.anchor >= 0 and c.count >= 2
                else reasons.co_view_neighbours()
            )
        elif c.kind == "co_buy":
            text = reasons.co_buy(
                anchor_name=anchor_name, anchor_is_page=is_page, share=c.share, count=c.count
            )
        elif c.kind == "new":
            text = reasons.new_similar(anchor_name=anchor_name)
        else:
            text = reasons.similar(
                anchor_name=anchor_name, anchor_is_page=is_page, days_ago=c.age_days, member=member
            )
        items.append(
            RecItem(product=rows[pid], position=pos, reason=text, kind=c.kind, score=round(float(c.score), 4))
        )
    return items


def _coview_anchor(ms: ModelSet, history: np.ndarray, item: int) -> tuple[int, int]:
    """The history item (most recent first) sharing the most view sessions with ``item``: (anchor, count)."""
    co = ms.model("coview")
    if co is None:
        return -1, 0
    best, best_n = -1, 0
    for a in history[::-1]:
        a = int(a)
        if a == item:
            continue
        row = co.co.indptr[a], co.co.indptr[a + 1]
        cols = co.co.indices[row[0] : row[1]]
        j = np.searchsorted(cols, item)
        if j < cols.size and cols[j] == item:
            n = int(co.co.data[row[0] + j])
            if n > best_n:
                best, best_n = a, n
    return best, best_n


def _session_cands(ms: ModelSet, history: np.ndarray, exclude_items: np.ndarray) -> list[_Cand]:
    model = ms.model("session")
    if model is None or history.size == 0:
        return []
    ids, scores = model.recommend([history], k=CANDIDATES, exclude=[exclude_items])
    out = []
    for item, sc in zip(ids[0].tolist(), scores[0].tolist(), strict=True):
        if item < 0:
            break
        out.append(_Cand(item, sc, "co_view", PENDING, hist=history))  # anchor found in _finish if shown
    return out


def _content_neighbours(ms: ModelSet, item: int, k: int = CANDIDATES) -> tuple[np.ndarray, np.ndarray]:
    if ms.neighbors is not None:
        a, b = ms.neighbors.indptr[item], ms.neighbors.indptr[item + 1]
        ids, sc = ms.neighbors.indices[a:b].astype(np.int64), ms.neighbors.data[a:b]
        order = np.lexsort((ids, -sc))[:k]
        return ids[order], sc[order]
    content = ms.model("content")
    if content is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    ids, sc = content.similar_items([item], k=k)
    keep = ids[0] >= 0
    return ids[0][keep], sc[0][keep]
