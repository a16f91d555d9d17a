"""Public search API: the storefront and the API call exactly :func:`search_products`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from django.utils.safestring import SafeString, mark_safe

from kkot.catalog.models import AttributeDefinition, Category, Product, ProductImage
from kkot.catalog.selectors import SORTS
from kkot.search import analysis
from kkot.search.index import ENGINE, Filters, run_query
from kkot.stores.models import Store

SEARCH_SORTS = ("relevance", *SORTS)
MAX_PER_PAGE = 100
MAX_STORE_FACETS = 30


@dataclass
class SearchQuery:
    q: str
    store_id: int | None = None
    category_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    in_stock: bool = False
    sort: str = "relevance"  # or a catalog sort: popular / new / price_asc / price_desc / reviews
    page: int = 1
    per_page: int = 40


@dataclass
class SearchResult:
    products: list[Product]
    total: int
    page: int
    per_page: int
    highlights: dict[int, SafeString]
    facets: dict
    tokens: list[str]
    took_ms: float


_defs_cache: tuple[float, list[str]] = (0.0, [])


def _facet_codes() -> list[str]:
    """Codes of filterable, non-text attributes in display order (cached for a minute)."""
    global _defs_cache
    if time.monotonic() - _defs_cache[0] > 60:
        codes = list(AttributeDefinition.objects.filter(filterable=True)
                     .exclude(kind=AttributeDefinition.Kind.TEXT).values_list("code", flat=True))
        _defs_cache = (time.monotonic(), codes)
    return _defs_cache[1]


def _empty_facets() -> dict:
    return {"category": [], "store": [], "attributes": {}, "price": {"min": None, "max": None}}


def _to_float(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def search_products(query: SearchQuery) -> SearchResult:
    """Visible products matching ``query.q`` (Kiwi terms + BM25), filtered, faceted, sorted and paged.

    An empty query, an unknown category or store, or a store that is not open gives an empty result.
    """
    t0 = time.perf_counter()
    page = max(1, int(query.page or 1))
    per_page = min(max(1, int(query.per_page or 40)), MAX_PER_PAGE)
    qa = analysis.analyze_query((query.q or "")[: analysis.MAX_QUERY_CHARS])

    def empty() -> SearchResult:
        return SearchResult(products=[], total=0, page=page, per_page=per_page, highlights={},
                            facets=_empty_facets(), tokens=qa.terms,
                            took_ms=(time.perf_counter() - t0) * 1000)

    if not qa.units and not qa.bigrams:
        return empty()
    category = None
    if query.category_id is not None:
        category = Category.objects.filter(pk=query.category_id).first()
        if category is None:
            return empty()
    if query.store_id is not None and not Store.objects.filter(pk=query.store_id,
                                                               status=Store.Status.OPEN).exists():
        return empty()
    sort = query.sort if query.sort in SEARCH_SORTS else "relevance"
    attributes = {str(c): [str(v) for v in vs if v not in (None, "")] for c, vs in (query.attributes or {}).items()}
    filters = Filters(
        store_id=query.store_id, category_id=category.pk if category else None,
        category_level=category.level if category else 0, min_price=_to_float(query.min_price),
        max_price=_to_float(query.max_price), attributes={c: v for c, v in attributes.items() if v},
        in_stock=bool(query.in_stock), sort=sort, offset=(page - 1) * per_page, limit=per_page,
    )
    snap = ENGINE.snapshot()
    hits = run_query(snap.parts(), qa, filters)

    # Fetched by primary key only (adding the status filter makes SQLite scan the status index), then checked
    # again here, so a product hidden since the last sync never shows.
    fetched = (Product.objects.filter(pk__in=hits.pids).select_related("store")
               .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))))
    by_id = {p.pk: p for p in fetched} if hits.pids else {}
    products = [by_id[pid] for pid in hits.pids
                if pid in by_id and by_id[pid].is_visible and by_id[pid].store.status == Store.Status.OPEN]
    highlights = {p.pk: mark_safe(analysis.highlight_html(p.name, qa)) for p in products}  # noqa: S308 - escaped

    cats = Category.objects.only("pk", "name", "slug", "level", "position", "path").in_bulk(list(hits.category_counts))
    category_facet = sorted(
        ((cats[i], n) for i, n in hits.category_counts.items() if i in cats),
        key=lambda cn: (-cn[1], cn[0].position, cn[0].pk),
    )
    top_stores = sorted(hits.store_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_STORE_FACETS]
    stores = Store.objects.only("pk", "slug", "name", "status").in_bulk([i for i, _n in top_stores])
    store_facet = [(stores[i], n) for i, n in top_stores if i in stores]
    attribute_facet = {c: hits.attribute_counts[c] for c in _facet_codes() if c in hits.attribute_counts}
    price = {
        "min": Decimal(int(hits.price_min)) if hits.price_min is not None else None,
        "max": Decimal(int(hits.price_max)) if hits.price_max is not None else None,
    }
    return SearchResult(
        products=products, total=hits.total, page=page, per_page=per_page, highlights=highlights,
        facets={"category": category_facet, "store": store_facet, "attributes": attribute_facet, "price": price},
        tokens=qa.terms, took_ms=(time.perf_counter() - t0) * 1000,
    )
