"""Recommendation reads: widgets served from the in-memory model set, with business rules and true reasons.

Every widget returns a :class:`Widget` and never raises (a page must not fail because of recommendations):
an exception is logged and the widget is empty. Business rules, applied to the model's candidates with one
query (candidates and reason anchors together):

* only products on sale with stock (``status=on_sale``, ``stock_total > 0``) of open stores: never sold-out,
  hidden, suspended products or paused/closed stores;
* per-store widgets (product page, store home) keep to the store;
* what the shopper bought is left out unless it is consumable and due again (repurchase cycle per category,
  estimated at training, see :mod:`kkot.recommendations.services`);
* at most :data:`MAX_PER_CATEGORY` items per leaf category (diversity);
* 맞춤 추천 keeps a slot for a new product similar to what the shopper viewed (cold start by content).

Fallback chain, logged with the reason: model set missing/corrupt, or a product unknown to the models ->
popular products of the product's category (same store where the widget is per-store) -> nothing.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kkot.catalog.models import Product, ProductImage
from kkot.events.models import Event, EventKind
from kkot.orders.models import OrderLine
from kkot.recommendations import reasons
from kkot.recommendations.modelset import ModelSet, current_set
from kkot.stores.models import Store

logger = logging.getLogger("kkot.recommendations")

K = 8
MAX_PER_CATEGORY = 3
CANDIDATES = 60
NEW_DAYS = 30
SESSION_HISTORY = 20
BOUGHT_DAYS = 365
FALLBACK_CACHE_SECONDS = 60
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


def _rule_rows(product_ids: set[int]) -> dict[int, tuple]:
    """(pk, status, stock_total, store_id, store status, category_id, name) by product id: the columns the
    rules and reasons need, one primary-key query, no model instances and no ORM compilation (this runs on
    every widget and is most of its time)."""
    if not product_ids:
        return {}
    ids = list(product_ids)
    p, s = Product._meta.db_table, Store._meta.db_table
    sql = (f"SELECT p.id, p.status, p.stock_total, p.store_id, s.status, p.category_id, p.name "  # noqa: S608
           f"FROM {p} p INNER JOIN {s} s ON s.id = p.store_id WHERE p.id IN ({', '.join(['%s'] * len(ids))})")
    with connection.cursor() as cur:
        cur.execute(sql, ids)
        return {r[0]: r for r in cur.fetchall()}


def _bought(user_id: int | None, ms: ModelSet | None) -> set[int]:
    """Product ids the shopper bought that must not be recommended now (consumables due again are allowed)."""
    if not user_id:
        return set()
    since = timezone.now() - timedelta(days=BOUGHT_DAYS)
    last: dict[int, tuple[float, int]] = {}
    for pid, cid, created in (OrderLine.objects.filter(order__user_id=user_id, order__created_at__gte=since)
                              .values_list("product_id", "product__category_id", "order__created_at")):
        t = created.timestamp()
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


def _finish(ms: ModelSet, name: str, cands: list[_Cand], *, k: int, store_id: int | None, exclude: set[int],
            page_item: int = -1, member: bool = False, reserve_new: bool = False,
            in_cart: bool = False) -> list[RecItem]:
    """Apply the business rules to ranked candidates and render reasons. Two small queries: the rule columns of
    the candidates and anchors (no model instances), then the chosen products (``k`` at most) with images."""
    if not cands:
        return []
    pids = ms.product_ids
    if store_id is not None:  # a product never moves between stores: drop the others before asking the DB
        store_of = ms.store_of
        cands = [c for c in cands if store_of[c.item] == store_id]
        if not cands:
            return []
    want = {int(pids[c.item]) for c in cands}
    anchors = {c.anchor for c in cands if c.anchor >= 0}
    hist = next((c.hist for c in cands if c.anchor == PENDING and c.hist is not None), None)
    if hist is not None:
        anchors.update(int(a) for a in hist)
    want.update(int(pids[a]) for a in anchors)
    want -= exclude - {int(pids[a]) for a in anchors}
    rows = _rule_rows(want)
    on_sale, store_open = Product.Status.ON_SALE, Store.Status.OPEN
    out: list[tuple[_Cand, int]] = []
    per_cat: dict[int, int] = {}
    seen: set[int] = set()
    new_cut = time.time() - NEW_DAYS * 86400
    new_pending: tuple[_Cand, int] | None = None
    for c in cands:
        pid = int(pids[c.item])
        r = rows.get(pid)
        if r is None or pid in seen or pid in exclude:
            continue
        _pk, status, stock, p_store, s_status, cat_id, _name = r
        if status != on_sale or stock <= 0 or s_status != store_open:
            continue
        if store_id is not None and p_store != store_id:
            continue
        if per_cat.get(cat_id, 0) >= MAX_PER_CATEGORY:
            continue
        if reserve_new and c.kind == "new":
            if new_pending is None and ms.created_ts[c.item] >= new_cut:
                new_pending = (c, pid)
                seen.add(pid)
            continue
        if len(out) >= k:
            if not reserve_new or new_pending is not None:
                break
            continue
        seen.add(pid)
        per_cat[cat_id] = per_cat.get(cat_id, 0) + 1
        out.append((c, pid))
    if new_pending is not None:
        out = [*out[: k - 1], new_pending]
    if not out:
        return []
    products = {p.pk: p for p in Product.objects.filter(pk__in=[pid for _c, pid in out]).select_related("store")}
    out = [(c, pid) for c, pid in out if pid in products]
    prefetch_related_objects([products[pid] for _c, pid in out],
                             Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
    items = []
    for pos, (c, pid) in enumerate(out, start=1):
        if c.anchor == PENDING:  # only for what is shown
            c.anchor, c.count = _coview_anchor(ms, c.hist, c.item) if c.hist is not None else (-1, 0)
        anchor = rows.get(int(pids[c.anchor])) if c.anchor >= 0 else None
        anchor_name = anchor[6] if anchor else ""
        is_page = c.anchor == page_item and page_item >= 0
        if c.kind == "co_view":
            text = (reasons.co_view(anchor_name=anchor_name, anchor_is_page=is_page, count=c.count, in_cart=in_cart)
                    if c.anchor >= 0 and c.count >= 2 else reasons.co_view_neighbours())
        elif c.kind == "co_buy":
            text = reasons.co_buy(anchor_name=anchor_name, anchor_is_page=is_page, share=c.share, count=c.count)
        elif c.kind == "new":
            text = reasons.new_similar(anchor_name=anchor_name)
        else:
            text = reasons.similar(anchor_name=anchor_name, anchor_is_page=is_page, days_ago=c.age_days,
                                   member=member)
        items.append(RecItem(product=products[pid], position=pos, reason=text, kind=c.kind,
                             score=round(float(c.score), 4)))
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
        cols = co.co.indices[row[0]:row[1]]
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


def _popular_fallback(name: str, *, category_id: int | None, store_id: int | None, exclude: set[int], k: int,
                      note: str) -> Widget:
    """Popular in the category (same store for per-store widgets), else nothing."""
    if not category_id:
        _why(name, "empty", note)
        return Widget(name, note=note)
    key = f"kk:recs:pop:{category_id}:{store_id or 0}:{k}"
    cached = cache.get(key)
    images = Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))
    products: list[Product] = []
    if cached is None:  # the ranking is not personal: shared by every shopper for a minute
        qs = Product.objects.filter(category_id=category_id, status=Product.Status.ON_SALE, stock_total__gt=0,
                                    store__status=Store.Status.OPEN)
        if store_id:
            qs = qs.filter(store_id=store_id)
        # ranked here, not by ORDER BY: SQLite would walk the (status, -popularity) index over the whole
        # catalog; without an ORDER BY it takes the category's rows through (category, status)
        ranked = sorted(qs.values_list("popularity", "sales_count", "pk"), reverse=True)[: k + 4]
        rows = {p.pk: p for p in Product.objects.filter(pk__in=[r[2] for r in ranked])
                .select_related("store", "category")}
        top = [rows[r[2]] for r in ranked if r[2] in rows]
        cached = (top[0].category.name if top else "", [p.pk for p in top])
        cache.set(key, cached, FALLBACK_CACHE_SECONDS)
        products = [p for p in top if p.pk not in exclude][:k]
        prefetch_related_objects(products, images)
    else:
        cat_name, top_ids = cached
        ids = [pid for pid in top_ids if pid not in exclude]
        if ids:  # stock and status checked now, not taken from the cache
            # checked in Python: with the status in the WHERE, SQLite walks the status index (whole catalog)
            rows = {p.pk: p for p in Product.objects.filter(pk__in=ids).select_related("store")
                    if p.status == Product.Status.ON_SALE and p.stock_total > 0
                    and p.store.status == Store.Status.OPEN}
            products = [rows[pid] for pid in ids if pid in rows][:k]
            prefetch_related_objects(products, images)
    cat_name = cached[0]
    if not products:
        _why(name, "empty", note)
        return Widget(name, note=note)
    _why(name, "fallback:popular_in_category", note)
    text = reasons.popular_in(category_name=cat_name)
    return Widget(name, [RecItem(product=p, position=i, reason=text, kind="popular")
                         for i, p in enumerate(products, start=1)], source="fallback", note=note)


# ---------------------------------------------------------------- widgets


@_safe("viewed_together")
def viewed_together(*, product: Product, session_history: list[int] = (), store_id: int | None = None,
                    user_id: int | None = None, k: int = K) -> Widget:
    """함께 본 상품: from this visit's views (product ids, oldest first) plus the product being viewed."""
    name = "viewed_together"
    exclude = {product.pk} | set(session_history) | _bought(user_id, current_set())
    ms = current_set()
    if ms is None:
        return _popular_fallback(name, category_id=product.category_id, store_id=store_id, exclude=exclude, k=k,
                                 note="no_model")
    page_item = ms.item(product.pk)
    hist = ms.items([p for p in session_history if p != product.pk] + [product.pk])
    hist = hist[hist >= 0]
    if page_item < 0 or ms.model("session") is None:
        return _popular_fallback(name, category_id=product.category_id, store_id=store_id, exclude=exclude, k=k,
                                 note="unknown_product" if page_item < 0 else "no_session_model")
    cands = _session_cands(ms, hist, hist)
    items = _finish(ms, name, cands, k=k, store_id=store_id, exclude=exclude, page_item=page_item)
    if not items:
        return _popular_fallback(name, category_id=product.category_id, store_id=store_id, exclude=exclude, k=k,
                                 note="no_candidates")
    return Widget(name, items, source="model")


@_safe("bought_together")
def bought_together(*, product: Product, store_id: int | None = None, user_id: int | None = None,
                    k: int = K) -> Widget:
    """함께 구매한 상품: association rules over purchases (share = confidence of the rule product -> item)."""
    name = "bought_together"
    ms = current_set()
    rules = ms.model("rules") if ms else None
    item = ms.item(product.pk) if ms else -1
    if rules is None or item < 0:
        _why(name, "empty", "no_model" if rules is None else "unknown_product")
        return Widget(name, note="no_model" if rules is None else "unknown_product")
    ids, scores = rules.similar_items([item], k=CANDIDATES)
    cands = []
    for cand, sc in zip(ids[0].tolist(), scores[0].tolist(), strict=True):
        if cand < 0:
            break
        r = rules.rule(item, cand)
        cands.append(_Cand(cand, sc, "co_buy", item, int(r["count"]), r["confidence"]))
    exclude = {product.pk} | _bought(user_id, ms)
    items = _finish(ms, name, cands, k=k, store_id=store_id, exclude=exclude, page_item=item)
    if not items:
        _why(name, "empty", "no_rules")
        return Widget(name, note="no_rules")
    return Widget(name, items, source="model")


def _product_text(product_id: int) -> str:
    row = Product.objects.filter(pk=product_id).values_list("name", "brand", "attributes", "category__name").first()
    if row is None:
        return ""
    name, brand, attrs, cat = row
    values = []
    for v in (attrs or {}).values():
        values.extend(v if isinstance(v, list) else [v])
    return " ".join([name, brand or "", *(str(v) for v in values if v), cat or ""])


@_safe("similar")
def similar(*, product: Product, store_id: int | None = None, user_id: int | None = None, k: int = K,
            fallback: bool = True) -> Widget:
    """비슷한 상품: content similarity (name, tags, attributes, category); products newer than the model are
    matched by their text (cold start)."""
    name = "similar"
    exclude = {product.pk} | _bought(user_id, current_set())
    ms = current_set()
    if ms is None or ms.model("content") is None:
        return _popular_fallback(name, category_id=product.category_id if fallback else None, store_id=store_id,
                                 exclude=exclude, k=k, note="no_model")
    item = ms.item(product.pk)
    if item >= 0:
        ids, sc = _content_neighbours(ms, item)
    else:
        ids2, sc2 = ms.model("content").similar_to_text([_product_text(product.pk)], k=CANDIDATES)
        keep = ids2[0] >= 0
        ids, sc = ids2[0][keep], sc2[0][keep]
    cands = [_Cand(int(i), float(s), "similar", item) for i, s in zip(ids.tolist(), sc.tolist(), strict=True)]
    items = _finish(ms, name, cands, k=k, store_id=store_id, exclude=exclude, page_item=item)
    if not items:
        return _popular_fallback(name, category_id=product.category_id if fallback else None, store_id=store_id,
                                 exclude=exclude, k=k, note="no_candidates")
    return Widget(name, items, source="model")


def session_history(*, session: str, limit: int = SESSION_HISTORY) -> list[tuple[int, float]]:
    """This visit's product views as (product id, epoch seconds), oldest first (indexed by session)."""
    if not session:
        return []
    rows = list(Event.objects.filter(session=session, kind=EventKind.PRODUCT_VIEW, product_id__isnull=False)
                .order_by("-ts", "-id").values_list("product_id", "ts")[:limit])
    return [(pid, ts.timestamp()) for pid, ts in reversed(rows)]


@_safe("for_you")
def for_you(*, user_id: int | None = None, visitor: str = "", session: str = "", store_id: int | None = None,
            k: int = K) -> Widget:
    """맞춤 추천 for a returning shopper: their recent views (kept with the model set, plus this visit's) through
    the session model, a content-similar slot for a new product; empty for a first-time visitor."""
    name = "for_you"
    ms = current_set()
    if ms is None:
        _why(name, "empty", "no_model")
        return Widget(name, note="no_model")
    items_, ts_ = ms.history(f"u:{user_id}") if user_id else ms.history(f"v:{visitor}")
    live = session_history(session=session)
    if live:
        li = ms.items([p for p, _t in live])
        lt = np.asarray([t for _p, t in live])
        items_, ts_ = np.concatenate([items_, li[li >= 0]]), np.concatenate([ts_, lt[li >= 0]])
    return _for_you(ms, items_, ts_, user_id=user_id, store_id=store_id, k=k)


@_safe("for_you")
def for_you_from_history(*, product_ids: list[int], store_id: int | None = None, k: int = K) -> Widget:
    """맞춤 추천 for a history the caller passes (the API): product ids, oldest first."""
    ms = current_set()
    if ms is None:
        _why("for_you", "empty", "no_model")
        return Widget("for_you", note="no_model")
    items_ = ms.items(product_ids)
    now = time.time()
    ts_ = now - (items_.size - np.arange(items_.size)) * 1.0
    keep = items_ >= 0
    return _for_you(ms, items_[keep], ts_[keep], user_id=None, store_id=store_id, k=k)


def _for_you(ms: ModelSet, items_: np.ndarray, ts_: np.ndarray, *, user_id: int | None, store_id: int | None,
             k: int) -> Widget:
    name = "for_you"
    if items_.size == 0:
        _why(name, "empty", "no_history")
        return Widget(name, note="no_history")
    # distinct, oldest first by last view
    last_seen: dict[int, float] = {}
    for i, t in zip(items_.tolist(), ts_.tolist(), strict=True):
        last_seen[i] = max(t, last_seen.get(i, 0.0))
    order = sorted(last_seen, key=lambda i: (last_seen[i], i))[-SESSION_HISTORY:]
    hist = np.asarray(order, dtype=np.int64)
    exclude = _bought(user_id, ms)
    cands = _session_cands(ms, hist, np.zeros(0, dtype=np.int64))
    hist_set = set(order)
    cands = [c for c in cands if c.item not in hist_set]
    now = time.time()
    new_cut = now - NEW_DAYS * 86400
    for a in order[::-1][:3]:  # content neighbours of the 3 most recent views: style matches and new products
        ids, sc = _content_neighbours(ms, a, k=20)
        age = int((now - last_seen[a]) // 86400)
        for i, s in zip(ids.tolist(), sc.tolist(), strict=True):
            if i in hist_set:
                continue
            kind = "new" if ms.created_ts[i] >= new_cut else "similar"
            cands.append(_Cand(i, s, kind, a, age_days=age))
    items = _finish(ms, name, cands, k=k, store_id=store_id, exclude=exclude | {int(ms.product_ids[i]) for i in order},
                    member=bool(user_id), reserve_new=True)
    if not items:
        _why(name, "empty", "no_candidates")
        return Widget(name, note="no_candidates")
    return Widget(name, items, source="model")


@_safe("cart_addons")
def cart_addons(*, product_ids: list[int], user_id: int | None = None, k: int = 6) -> Widget:
    """Cart add-on row: bought together with the cart's products (rules), else viewed together with them."""
    name = "cart_addons"
    ms = current_set()
    if ms is None or not product_ids:
        _why(name, "empty", "no_model" if ms is None else "empty_cart")
        return Widget(name, note="no_model" if ms is None else "empty_cart")
    hist = ms.items(product_ids)
    hist = hist[hist >= 0]
    if hist.size == 0:
        _why(name, "empty", "unknown_products")
        return Widget(name, note="unknown_products")
    cands: list[_Cand] = []
    rules = ms.model("rules")
    if rules is not None:
        ids, scores = rules.recommend([hist], k=CANDIDATES, exclude=[hist])
        for cand, sc in zip(ids[0].tolist(), scores[0].tolist(), strict=True):
            if cand < 0:
                break
            best = max(((a, rules.rule(int(a), cand)) for a in hist.tolist()), key=lambda ar: ar[1]["confidence"])
            cands.append(_Cand(cand, sc + 10.0, "co_buy", best[0], int(best[1]["count"]), best[1]["confidence"]))
    have = {c.item for c in cands}
    cands += [c for c in _session_cands(ms, hist, hist) if c.item not in have]
    exclude = set(product_ids) | _bought(user_id, ms)
    items = _finish(ms, name, cands, k=k, store_id=None, exclude=exclude, in_cart=True)
    if not items:
        _why(name, "empty", "no_candidates")
        return Widget(name, note="no_candidates")
    return Widget(name, items, source="model")


# ---------------------------------------------------------------- page helpers (one call per page)


def product_page_widgets(*, product: Product, session: str = "", user_id: int | None = None) -> list[Widget]:
    """The product page's widgets, all kept to the product's store."""
    hist = [p for p, _t in session_history(session=session)]
    vt = viewed_together(product=product, session_history=hist, store_id=product.store_id, user_id=user_id)
    # one popular-in-category fallback per page is enough (the same items twice would say nothing)
    return [
        vt,
        bought_together(product=product, store_id=product.store_id, user_id=user_id),
        similar(product=product, store_id=product.store_id, user_id=user_id, fallback=vt.source != "fallback"),
    ]


def home_widgets(*, user_id: int | None, visitor: str, session: str = "", store_id: int | None = None) -> list[Widget]:
    """맞춤 추천 on the platform home (all stores) or a store home (that store only)."""
    return [for_you(user_id=user_id, visitor=visitor, session=session, store_id=store_id)]


def cart_widgets(*, product_ids: list[int], user_id: int | None = None) -> list[Widget]:
    return [cart_addons(product_ids=product_ids, user_id=user_id)]
