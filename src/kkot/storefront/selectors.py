"""Page-composition reads for the shopper storefront, built on the domain selectors.

Kept here (pages layer) because they only assemble what one page shows; the domain rules (what a shopper
may see, sorting, filters) stay in :mod:`kkot.catalog.selectors` and :mod:`kkot.stores.selectors`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db.models import Case, Count, F, Max, OuterRef, QuerySet, Subquery, Sum, When
from django.utils.translation import gettext as _

from kkot.catalog.models import AttributeDefinition, Category, Product, Variant
from kkot.catalog.seed import NOTICE_GROUPS
from kkot.catalog.selectors import (
    SORTS,
    VISIBLE_STATUSES,
    ProductFilter,
    attribute_facets,
    category_attribute_defs,
    category_tree,
    product_public_get,
    products_visible,
)
from kkot.core.errors import NotFound
from kkot.stores.models import Store, StoreBanner
from kkot.stores.selectors import store_public_get

MAX_DB_ID = 2**63 - 1
PER_PAGE = 40
_CACHE_SECONDS = 300


def valid_id(value) -> int:
    """A positive id that fits a database bigint, or NotFound (never a 500 for a silly id)."""
    try:
        n = int(value)
    except (TypeError, ValueError) as exc:
        raise NotFound(_("찾을 수 없습니다.")) from exc
    if not (1 <= n <= MAX_DB_ID):
        raise NotFound(_("찾을 수 없습니다."))
    return n


# ---------------------------------------------------------------- cached small reference data


def attribute_names() -> dict[str, str]:
    """{code: 이름} of attribute definitions (cached per process / cache backend for 5 minutes)."""
    names = cache.get("kk:sf:attr-names")
    if names is None:
        names = dict(AttributeDefinition.objects.values_list("code", "name"))
        cache.set("kk:sf:attr-names", names, _CACHE_SECONDS)
    return names


def category_chain(category: Category) -> list[Category]:
    """Root-to-leaf categories of ``category`` (cached)."""
    key = f"kk:sf:cat-chain:{category.pk}:{category.path}"
    chain = cache.get(key)
    if chain is None:
        ids = category.ancestor_ids or [category.pk]
        by_id = Category.objects.in_bulk(ids)
        chain = [by_id[i] for i in ids if i in by_id]
        cache.set(key, chain, _CACHE_SECONDS)
    return chain


def top_categories() -> list[Category]:
    cats = cache.get("kk:sf:top-cats")
    if cats is None:
        cats = [node["category"] for node in category_tree()]
        cache.set("kk:sf:top-cats", cats, _CACHE_SECONDS)
    return cats


def category_public_get(*, slug: str) -> Category:
    cat = Category.objects.filter(slug=slug, is_active=True).first()
    if cat is None:
        raise NotFound(_("카테고리를 찾을 수 없습니다."))
    return cat


def category_children(category: Category) -> list[Category]:
    return list(Category.objects.filter(parent=category, is_active=True).order_by("position", "id"))


# ---------------------------------------------------------------- home pages


def stores_open(*, limit: int = 12) -> list[Store]:
    return list(Store.objects.filter(status=Store.Status.OPEN).order_by("-follower_count", "id")[:limit])


def home_sections() -> dict:
    return {
        "popular": list(products_visible(ProductFilter(sort="popular"))[:12]),
        "new": list(products_visible(ProductFilter(sort="new"))[:12]),
        "categories": top_categories(),
        "stores": stores_open(limit=12),
    }


def store_home_sections(*, store: Store, per_section: int = 4, max_sections: int = 4) -> dict:
    base = ProductFilter(store=store)
    cat_counts = list(
        products_visible(base).order_by().values("category").annotate(n=Count("id")).order_by("-n")
        .values_list("category", "n")[:12]
    )
    cats = Category.objects.in_bulk([c for c, _n in cat_counts])
    categories = [(cats[c], n) for c, n in cat_counts if c in cats]
    sections = []
    for cat, _n in categories[:max_sections]:
        items = list(products_visible(ProductFilter(store=store, category=cat))[:per_section])
        if items:
            sections.append({"category": cat, "products": items})
    return {
        "banners": list(StoreBanner.objects.filter(store=store, is_active=True).order_by("position", "id")[:5]),
        "best": list(products_visible(ProductFilter(store=store, sort="popular"))[:8]),
        "new": list(products_visible(ProductFilter(store=store, sort="new"))[:8]),
        "categories": categories,
        "sections": sections,
    }


# ---------------------------------------------------------------- listings


@dataclass
class ListingParams:
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    in_stock: bool = False
    sort: str = "popular"
    page: int = 1
    errors: list[str] = field(default_factory=list)


def _price(raw: str | None, errors: list[str], label: str) -> Decimal | None:
    raw = (raw or "").replace(",", "").replace("원", "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.append(_("%(label)s은(는) 숫자로 입력해 주세요.") % {"label": label})
        return None
    if not value.is_finite() or value < 0 or value > Decimal(10) ** 12:
        errors.append(_("%(label)s을(를) 확인해 주세요.") % {"label": label})
        return None
    return value.quantize(Decimal(1))


def parse_listing_params(query) -> ListingParams:
    """Shopper filters from a query string: min_price, max_price, in_stock=1, sort, page, attr_<code>=value."""
    errors: list[str] = []
    p = ListingParams(errors=errors)
    p.min_price = _price(query.get("min_price"), errors, _("최저 가격"))
    p.max_price = _price(query.get("max_price"), errors, _("최고 가격"))
    if p.min_price is not None and p.max_price is not None and p.min_price > p.max_price:
        errors.append(_("최저 가격이 최고 가격보다 큽니다."))
        p.min_price = p.max_price = None
    p.in_stock = query.get("in_stock") in ("1", "on", "true")
    sort = query.get("sort") or "popular"
    p.sort = sort if sort in SORTS else "popular"
    try:
        p.page = max(1, min(int(query.get("page") or 1), 10_000))
    except ValueError:
        p.page = 1
    for key in query:
        if key.startswith("attr_") and len(key) <= 40:
            values = [v[:100] for v in query.getlist(key) if v][:20]
            if values:
                p.attributes[key[5:]] = values
    return p


@dataclass
class Listing:
    products: list[Product]
    total: int
    page: int
    pages: int
    facets: list[dict]
    params: ListingParams


def product_listing(*, store: Store | None, category: Category | None, params: ListingParams,
                    per_page: int = PER_PAGE) -> Listing:
    base = ProductFilter(store=store, category=category, min_price=params.min_price, max_price=params.max_price,
                         attributes=params.attributes, in_stock=params.in_stock, sort=params.sort)
    qs: QuerySet[Product] = products_visible(base)
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = min(params.page, pages)
    products = list(qs[(page - 1) * per_page: page * per_page])
    facets = []
    if category is not None:
        defs = category_attribute_defs(category)
        # Facet counts over the listing without its own attribute filters (so choices stay visible).
        facet_qs = products_visible(ProductFilter(store=store, category=category, min_price=params.min_price,
                                                  max_price=params.max_price, in_stock=params.in_stock))
        counts = attribute_facets(facet_qs.order_by(), defs)
        for d in defs:
            if d.code in counts:
                selected = set(params.attributes.get(d.code, []))
                facets.append({"code": d.code, "name": d.name,
                               "values": [(v, n, v in selected) for v, n in list(counts[d.code].items())[:20]]})
    return Listing(products=products, total=total, page=page, pages=pages, facets=facets, params=params)


# What a listing card shows that may change without ``updated_at`` moving (counters, raw updates), plus the
# price in force now (so a sale that starts or ends changes the fingerprint at that moment).
_CARD_FIELDS = ("pk", "updated_at", "effective_price", "price", "sale_price", "status", "stock_total", "name",
                "review_count", "store_id", "store__updated_at", "store__name", "store__slug")


@dataclass
class ListingHead:
    """A cheap fingerprint of one listing page: totals, the page's products in order, the facet population."""

    total: int
    fingerprint: tuple


def product_listing_head(*, store: Store | None, category: Category | None, params: ListingParams,
                         per_page: int = PER_PAGE) -> ListingHead:
    """Two small queries (three with attribute filters): count and newest change over the listing, and the
    card columns of the shown page. Everything :func:`product_listing` renders is a function of these (plus
    category names and attribute names, cached elsewhere for minutes)."""
    base = ProductFilter(store=store, category=category, min_price=params.min_price, max_price=params.max_price,
                         attributes=params.attributes, in_stock=params.in_stock, sort=params.sort)
    qs = products_visible(base).prefetch_related(None)
    agg = qs.aggregate(n=Count("pk"), v=Max("updated_at"))
    total = agg["n"]
    pages = max(1, -(-total // per_page))
    page = min(params.page, pages)
    rows = tuple(qs.values_list(*_CARD_FIELDS)[(page - 1) * per_page: page * per_page])
    facet_fp: tuple = (agg["n"], agg["v"])
    if category is not None and any(v for v in params.attributes.values()):
        facet_qs = products_visible(ProductFilter(store=store, category=category, min_price=params.min_price,
                                                  max_price=params.max_price, in_stock=params.in_stock))
        fagg = facet_qs.prefetch_related(None).aggregate(n=Count("pk"), v=Max("updated_at"))
        facet_fp = (fagg["n"], fagg["v"])
    return ListingHead(total=total, fingerprint=(total, page, agg["v"], facet_fp, rows))


# ---------------------------------------------------------------- product page


@dataclass
class ProductPage:
    product: Product
    store: Store
    images: list
    variants: list
    options: list
    tags: list
    breadcrumbs: list[Category]
    attributes: list[tuple[str, str]]
    notice: list[tuple[str, str]]
    notice_group_name: str
    shipping_fee: Decimal
    picker: dict


def product_page(*, store_slug: str, product_id: int) -> ProductPage:
    """Everything the product page shows, in 5 queries (product+store+category, images, variants, options, tags)
    plus cached category chain and attribute names."""
    p = product_public_get(store_slug=store_slug, product_id=valid_id(product_id))
    chain = category_chain(p.category)
    group = "etc"
    for c in reversed(chain):
        if c.notice_group:
            group = c.notice_group
            break
    notice_fields = NOTICE_GROUPS.get(group, NOTICE_GROUPS["etc"])["fields"]
    notice = [(f, str((p.notice or {}).get(f) or _("상세설명 참조"))) for f in notice_fields]
    names = attribute_names()
    attrs = []
    for code, value in (p.attributes or {}).items():
        if value in (None, "", []):
            continue
        attrs.append((names.get(code, code), ", ".join(value) if isinstance(value, list) else str(value)))
    variants = list(p.variants.all())
    options = list(p.options.all())
    current = p.current_price()
    picker = {
        "price": int(current),
        "list_price": int(p.price),
        "options": [{"name": o.name, "values": list(o.values)} for o in options],
        "variants": [{"id": v.pk, "values": v.option_values, "label": v.label, "delta": int(v.price_delta),
                      "stock": v.stock if v.is_active else 0} for v in variants],
    }
    for v in variants:
        v.unit_price = current + v.price_delta
        v.available = v.is_active and v.stock > 0
    fee = p.shipping_fee if p.shipping_fee is not None else p.store.shipping_base_fee
    return ProductPage(
        product=p, store=p.store, images=list(p.images.all()), variants=variants, options=options,
        tags=list(p.tags.all()), breadcrumbs=chain, attributes=attrs, notice=notice,
        notice_group_name=NOTICE_GROUPS.get(group, NOTICE_GROUPS["etc"])["name"], shipping_fee=fee, picker=picker,
    )


# Every column the product page shows that a write could change without touching ``description_html`` etc.;
# those big fields (and images, options, tags) move ``updated_at`` through the catalog services.
_HEAD_FIELDS = (
    "id", "name", "updated_at", "price", "sale_price", "sale_starts_at", "sale_ends_at", "status", "stock_total",
    "review_count", "rating_sum", "shipping_fee", "brand", "dispatch_days", "made_to_order", "cold_chain",
    "bundle_shipping", "category_id", "store_id",
)
_HEAD_STORE_FIELDS = ("id", "slug", "name", "status", "updated_at", "follower_count", "shipping_base_fee",
                      "shipping_free_over")


@dataclass
class ProductHead:
    """What a product page request needs before it knows whether the cached body can be used."""

    product: Product  # only the _HEAD_FIELDS are loaded
    store: Store  # only the _HEAD_STORE_FIELDS are loaded
    fingerprint: tuple


_HEAD_COLUMNS = (*_HEAD_FIELDS, *(f"store__{f}" for f in _HEAD_STORE_FIELDS), "variant_sig")


@functools.cache
def _head_base() -> QuerySet:
    """The annotated base query, built once per process: building the variant-signature subquery costs more
    than running it, and every product page request needs it."""
    variants = (Variant.objects.filter(product=OuterRef("pk")).order_by().values("product")
                .annotate(sig=Sum(F("stock") * F("id") + Case(When(is_active=True, then=F("id") * 7), default=0)))
                .values("sig")[:1])
    return Product.objects.annotate(variant_sig=Subquery(variants)).order_by()


def _head_queryset(*, store_slug: str, product_id: int) -> QuerySet:
    return (_head_base().filter(pk=product_id, store__slug=store_slug, status__in=VISIBLE_STATUSES,
                                store__status=Store.Status.OPEN)
            .values_list(*_HEAD_COLUMNS)[:1])


def product_page_head(*, store_slug: str, product_id: int) -> ProductHead:
    """One small query: the visible product's scalar columns, its store's, and a signature of its variants'
    stock and active flags (so raw stock updates show too). NotFound as :func:`product_page`."""
    rows = list(_head_queryset(store_slug=store_slug, product_id=valid_id(product_id)))
    if not rows:
        raise NotFound(_("상품을 찾을 수 없습니다."))
    row = rows[0]
    n = len(_HEAD_FIELDS)
    p = Product(**dict(zip(_HEAD_FIELDS, row[:n], strict=True)))
    p.store = Store(**dict(zip(_HEAD_STORE_FIELDS, row[n:n + len(_HEAD_STORE_FIELDS)], strict=True)))
    fp = (*row[:n], row[-1], p.sale_active(),
          *(v for f, v in zip(_HEAD_STORE_FIELDS, row[n:-1], strict=True) if f != "follower_count"))
    return ProductHead(product=p, store=p.store, fingerprint=fp)


def store_for_shopper(*, slug: str) -> Store:
    return store_public_get(slug=slug)


def search_fallback(*, q: str, store: Store | None, page: int, per_page: int = PER_PAGE) -> tuple[list[Product], int]:
    """Plain name matching used only while :mod:`kkot.search` is unavailable."""
    qs = products_visible(ProductFilter(store=store, sort="popular"))
    for word in q.split()[:5]:
        qs = qs.filter(name__icontains=word)
    total = qs.count()
    return list(qs[(page - 1) * per_page: page * per_page]), total
