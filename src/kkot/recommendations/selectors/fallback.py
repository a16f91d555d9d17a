"""The popular-in-category fallback: a product page whose models have nothing to say shows the category's
popular products (same store for per-store widgets), else nothing.

The ranking is not personal. With a model set it is made in memory from the model's items of the category
(grouped once per version) and the visibility bitset's popularity order (:func:`_popularity_rank`, refreshed
with the bitset, at most :data:`VISIBLE_TTL_S` old), so it costs no query; products or categories newer than the
model set are not in it, and then (or without a model set) one query over the category ranks them, shared by
every shopper for :data:`FALLBACK_CACHE_SECONDS`. What is shown is read live on every request
(:func:`~kkot.recommendations.cards.product_cards`), so a product sold out or hidden since is never shown."""

from __future__ import annotations

import numpy as np
from django.core.cache import cache
from django.db import connections, router

from kkot.catalog.models import Category, Product
from kkot.recommendations import reasons
from kkot.recommendations.cards import product_cards
from kkot.recommendations.modelset import ModelSet, current_set
from kkot.recommendations.selectors.core import SPARES, RecItem, Widget, _live_ok, _popularity_rank, _why
from kkot.stores.models import Store

FALLBACK_CACHE_SECONDS = 60


def _popular_ids(*, category_id: int, store_id: int | None, limit: int) -> list[int]:
    """Ids of the category's most popular products on sale, in stock, in open stores (``store_id``'s only)."""
    qs = Product.objects.filter(category_id=category_id, status=Product.Status.ON_SALE, stock_total__gt=0,
                                store__status=Store.Status.OPEN)
    if store_id:
        qs = qs.filter(store_id=store_id)
    # ranked here, not by ORDER BY: SQLite would walk the (status, -popularity) index over the whole
    # catalog; without an ORDER BY it takes the category's rows through (category, status)
    rows = sorted(qs.values_list("popularity", "sales_count", "id"), reverse=True)
    return [int(r[2]) for r in rows[:limit]]


def _popular_in_memory(ms: ModelSet, *, category_id: int, store_id: int | None, limit: int) -> list[int]:
    """The model set's visible items of the category (and store), most popular first, as product ids."""
    groups = ms.cache.get("by_category")
    if groups is None:  # per version: item ids sorted by category, and those categories
        order = np.argsort(ms.category_of, kind="stable")
        groups = ms.cache["by_category"] = (order, ms.category_of[order])
    order, cats = groups
    a, b = np.searchsorted(cats, category_id, side="left"), np.searchsorted(cats, category_id, side="right")
    if a == b:
        return []
    items = order[a:b]
    rank = _popularity_rank(ms)
    keep = rank[items] >= 0
    if store_id:
        keep &= ms.store_of[items] == store_id
    items = items[keep]
    top = items[np.argsort(-rank[items])[:limit]]
    return [int(p) for p in ms.product_ids[top]]


def _ranking(*, category_id: int, store_id: int | None, limit: int) -> tuple[str, list[int]]:
    """(category name, product ids most popular first)."""
    ms = current_set()
    if ms is not None and ms.n_items:
        top_ids = _popular_in_memory(ms, category_id=category_id, store_id=store_id, limit=limit)
        if top_ids:
            return _category_name(category_id), top_ids
    key = f"kk:recs:pop:{category_id}:{store_id or 0}:{limit}"
    cached = cache.get(key)
    if cached is None:  # not personal: shared by every shopper for a minute
        top_ids = _popular_ids(category_id=category_id, store_id=store_id, limit=limit)
        cached = (_category_name(category_id) if top_ids else "", top_ids)
        cache.set(key, cached, FALLBACK_CACHE_SECONDS)
    return cached


def _category_name(category_id: int) -> str:
    connection = connections[router.db_for_read(Category)]
    q = connection.ops.quote_name
    cm = Category._meta
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {q(cm.get_field('name').column)} FROM {q(cm.db_table)} WHERE {q(cm.pk.column)} = %s",  # noqa: S608
            [category_id],
        )
        row = cur.fetchone()
    return row[0] if row else ""


def _popular_fallback(
    name: str, *, category_id: int | None, store_id: int | None, exclude: set[int], k: int, note: str
) -> Widget:
    """Popular in the category (same store for per-store widgets), else nothing."""
    if not category_id:
        _why(name, "empty", note)
        return Widget(name, note=note)
    depth = -(-(k + SPARES + len(exclude)) // 16) * 16  # a few sizes only: a few cache keys per category
    cat_name, top_ids = _ranking(category_id=category_id, store_id=store_id, limit=depth)
    ids = [pid for pid in top_ids if pid not in exclude][: k + SPARES]
    products: list[Product] = []
    if ids:  # stock, status and store checked now on live rows, not taken from the cache
        rows = product_cards(ids)
        products = [rows[pid] for pid in ids if pid in rows and _live_ok(rows[pid], None)][:k]
    if not products:
        _why(name, "empty", note)
        return Widget(name, note=note)
    _why(name, "fallback:popular_in_category", note)
    text = reasons.popular_in(category_name=cat_name)
    return Widget(
        name,
        [
            RecItem(product=p, position=i, reason=text, kind="popular")
            for i, p in enumerate(products, start=1)
        ],
        source="fallback",
        note=note,
    )
