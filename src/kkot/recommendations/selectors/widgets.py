"""The widgets (함께 본 / 함께 구매한 / 비슷한 / 맞춤 추천 / 카트 추가) and the one-call-per-page helpers."""

from __future__ import annotations

import functools
import time

import numpy as np
from django.db import connection

from kkot.catalog.models import Product
from kkot.events.models import Event, EventKind
from kkot.recommendations.cards import column_reader
from kkot.recommendations.modelset import ModelSet, current_set
from kkot.recommendations.selectors.core import (
    CANDIDATES,
    NEW_DAYS,
    SESSION_HISTORY,
    K,
    Widget,
    _bought,
    _Cand,
    _content_neighbours,
    _finish,
    _raw,
    _safe,
    _session_cands,
    _why,
)
from kkot.recommendations.selectors.fallback import _popular_fallback

# ---------------------------------------------------------------- widgets


@_safe("viewed_together")
def viewed_together(
    *,
    product: Product,
    session_history: list[int] = (),
    store_id: int | None = None,
    user_id: int | None = None,
    k: int = K,
) -> Widget:
    """함께 본 상품: from this visit's views (product ids, oldest first) plus the product being viewed."""
    name = "viewed_together"
    exclude = {product.pk} | set(session_history) | _bought(user_id, current_set())
    ms = current_set()
    if ms is None:
        return _popular_fallback(
            name, category_id=product.category_id, store_id=store_id, exclude=exclude, k=k, note="no_model"
        )
    page_item = ms.item(product.pk)
    hist = ms.items([p for p in session_history if p != product.pk] + [product.pk])
    hist = hist[hist >= 0]
    if page_item < 0 or ms.model("session") is None:
        return _popular_fallback(
            name,
            category_id=product.category_id,
            store_id=store_id,
            exclude=exclude,
            k=k,
            note="unknown_product" if page_item < 0 else "no_session_model",
        )
    cands = _session_cands(ms, hist, hist)
    items = _finish(ms, name, cands, k=k, store_id=store_id, exclude=exclude, page_item=page_item)
    if not items:
        return _popular_fallback(
            name,
            category_id=product.category_id,
            store_id=store_id,
            exclude=exclude,
            k=k,
            note="no_candidates",
        )
    return Widget(name, items, source="model")


@_safe("bought_together")
def bought_together(
    *, product: Product, store_id: int | None = None, user_id: int | None = None, k: int = K
) -> Widget:
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
    row = (
        Product.objects.filter(pk=product_id)
        .values_list("name", "brand", "attributes", "category__name")
        .first()
    )
    if row is None:
        return ""
    name, brand, attrs, cat = row
    values = []
    for v in (attrs or {}).values():
        values.extend(v if isinstance(v, list) else [v])
    return " ".join([name, brand or "", *(str(v) for v in values if v), cat or ""])


@_safe("similar")
def similar(
    *,
    product: Product,
    store_id: int | None = None,
    user_id: int | None = None,
    k: int = K,
    fallback: bool = True,
) -> Widget:
    """비슷한 상품: content similarity (name, tags, attributes, category); products newer than the model are
    matched by their text (cold start)."""
    name = "similar"
    exclude = {product.pk} | _bought(user_id, current_set())
    ms = current_set()
    if ms is None or ms.model("content") is None:
        return _popular_fallback(
            name,
            category_id=product.category_id if fallback else None,
            store_id=store_id,
            exclude=exclude,
            k=k,
            note="no_model",
        )
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
        return _popular_fallback(
            name,
            category_id=product.category_id if fallback else None,
            store_id=store_id,
            exclude=exclude,
            k=k,
            note="no_candidates",
        )
    return Widget(name, items, source="model")


def session_history(*, session: str, limit: int = SESSION_HISTORY) -> list[tuple[int, float]]:
    """This visit's product views as (product id, epoch seconds), oldest first (indexed by session)."""
    if not session:
        return []
    ts = column_reader(connection, Event, "ts")
    rows = _raw(_history_sql(connection.vendor), [session, EventKind.PRODUCT_VIEW, int(limit)])
    return [(int(pid), ts(t).timestamp()) for pid, t in reversed(rows)]


@functools.cache
def _history_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    em = Event._meta
    c = {f: q(em.get_field(f).column) for f in ("id", "ts", "kind", "session", "product_id")}
    return (
        f"SELECT {c['product_id']}, {c['ts']} FROM {q(em.db_table)} WHERE {c['session']} = %s "  # noqa: S608
        f"AND {c['kind']} = %s AND {c['product_id']} IS NOT NULL ORDER BY {c['ts']} DESC, {c['id']} DESC LIMIT %s"
    )


@_safe("for_you")
def for_you(
    *,
    user_id: int | None = None,
    visitor: str = "",
    session: str = "",
    store_id: int | None = None,
    k: int = K,
) -> Widget:
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


def _for_you(
    ms: ModelSet, items_: np.ndarray, ts_: np.ndarray, *, user_id: int | None, store_id: int | None, k: int
) -> Widget:
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
    items = _finish(
        ms,
        name,
        cands,
        k=k,
        store_id=store_id,
        exclude=exclude | {int(ms.product_ids[i]) for i in order},
        member=bool(user_id),
        reserve_new=True,
    )
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
            best = max(
                ((a, rules.rule(int(a), cand)) for a in hist.tolist()), key=lambda ar: ar[1]["confidence"]
            )
            cands.append(
                _Cand(cand, sc + 10.0, "co_buy", best[0], int(best[1]["count"]), best[1]["confidence"])
            )
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
    from kkot.recommendations.visual import blend_visual  # 비슷한 상품 + visual similarity (kkot.assist)

    hist = [p for p, _t in session_history(session=session)]
    vt = viewed_together(product=product, session_history=hist, store_id=product.store_id, user_id=user_id)
    # one popular-in-category fallback per page is enough (the same items twice would say nothing)
    return [
        vt,
        bought_together(product=product, store_id=product.store_id, user_id=user_id),
        blend_visual(
            similar(
                product=product, store_id=product.store_id, user_id=user_id, fallback=vt.source != "fallback"
            ),
            product=product,
            store_id=product.store_id,
        ),
    ]


def home_widgets(
    *, user_id: int | None, visitor: str, session: str = "", store_id: int | None = None
) -> list[Widget]:
    """맞춤 추천 on the platform home (all stores) or a store home (that store only)."""
    return [for_you(user_id=user_id, visitor=visitor, session=session, store_id=store_id)]


def cart_widgets(*, product_ids: list[int], user_id: int | None = None) -> list[Widget]:
    return [cart_addons(product_ids=product_ids, user_id=user_id)]
