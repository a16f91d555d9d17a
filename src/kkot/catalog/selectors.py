"""Catalog reads: the category tree, per-category attributes and notices, seller lists, storefront lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DecimalField, Exists, F, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kkot.catalog.models import AttributeDefinition, Category, Product, ProductAttributeValue, ProductImage
from kkot.catalog.seed import NOTICE_GROUPS
from kkot.core.errors import NotFound
from kkot.stores.models import Store

SORTS = {
    "popular": gettext_lazy("인기순"),
    "new": gettext_lazy("최신순"),
    "price_asc": gettext_lazy("낮은가격순"),
    "price_desc": gettext_lazy("높은가격순"),
    "reviews": gettext_lazy("리뷰많은순"),
}
VISIBLE_STATUSES = (Product.Status.ON_SALE, Product.Status.SOLD_OUT)


def category_ancestors(category: Category) -> list[Category]:
    ids = category.ancestor_ids
    by_id = Category.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def category_attribute_defs(category: Category) -> list[AttributeDefinition]:
    ids = category.ancestor_ids or [category.pk]
    return list(AttributeDefinition.objects.filter(categories__in=ids).distinct().order_by("position"))


def category_notice_group(category: Category) -> str:
    for c in reversed(category_ancestors(category) or [category]):
        if c.notice_group:
            return c.notice_group
    return "etc"


def category_notice_fields(category: Category) -> list[str]:
    return NOTICE_GROUPS[category_notice_group(category)]["fields"]


def category_descendant_ids(category: Category) -> list[int]:
    return list(Category.objects.filter(path__startswith=category.path).values_list("pk", flat=True))


def category_tree() -> list[dict]:
    """[{category, children: [{category, children: [...]}, ...]}] for menus and pickers (one query)."""
    nodes = list(Category.objects.filter(is_active=True).order_by("level", "position"))
    by_parent: dict[int | None, list[Category]] = {}
    for c in nodes:
        by_parent.setdefault(c.parent_id, []).append(c)

    def build(parent_id):
        return [{"category": c, "children": build(c.pk)} for c in by_parent.get(parent_id, [])]

    return build(None)


def leaf_categories() -> QuerySet[Category]:
    return Category.objects.filter(level=3, is_active=True).select_related("parent__parent").order_by("path")


def category_label(category: Category) -> str:
    return " > ".join(c.name for c in category_ancestors(category))


def _with_current_price(qs: QuerySet[Product]) -> QuerySet[Product]:
    now = timezone.now()
    active_sale = Q(sale_price__isnull=False) & (Q(sale_starts_at__isnull=True) | Q(sale_starts_at__lte=now)) & (
        Q(sale_ends_at__isnull=True) | Q(sale_ends_at__gt=now)
    )
    return qs.annotate(
        effective_price=Case(When(active_sale, then=F("sale_price")), default=F("price"),
                             output_field=DecimalField(max_digits=14, decimal_places=0))
    )


def _images_prefetch() -> Prefetch:
    return Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))


@dataclass
class ProductFilter:
    """Storefront filters and sort. ``attributes`` maps an attribute code to accepted values."""

    store: Store | None = None
    category: Category | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    in_stock: bool = False
    sort: str = "popular"
    ids: list[int] | None = None


def products_visible(f: ProductFilter) -> QuerySet[Product]:
    """Products a shopper may see (판매중/품절 in open stores), filtered and sorted."""
    qs = Product.objects.filter(status__in=VISIBLE_STATUSES, store__status=Store.Status.OPEN)
    if f.store is not None:
        qs = qs.filter(store=f.store)
    if f.category is not None:
        # ``category_id IN (subquery)`` rather than a join on category.path: the planner then walks the
        # (category, status) index of only this subtree's products instead of every visible product.
        qs = qs.filter(category__in=Category.objects.filter(path__startswith=f.category.path).values("pk"))
    if f.ids is not None:
        qs = qs.filter(pk__in=f.ids)
    qs = _with_current_price(qs)
    if f.min_price is not None:
        qs = qs.filter(effective_price__gte=f.min_price)
    if f.max_price is not None:
        qs = qs.filter(effective_price__lte=f.max_price)
    if f.in_stock:
        qs = qs.filter(status=Product.Status.ON_SALE, stock_total__gt=0)
    for code, values in f.attributes.items():
        values = [v for v in values if v]
        if not values:
            continue
        qs = qs.filter(
            Exists(ProductAttributeValue.objects.filter(product=OuterRef("pk"), code=code, value__in=values))
        )
    order = {
        "popular": ["-popularity", "-sales_count", "-id"],
        "new": ["-created_at", "-id"],
        "price_asc": ["effective_price", "id"],
        "price_desc": ["-effective_price", "-id"],
        "reviews": ["-review_count", "-id"],
    }.get(f.sort, ["-popularity", "-id"])
    return qs.select_related("store").prefetch_related(_images_prefetch()).order_by(*order)


def product_public_get(*, store_slug: str, product_id: int) -> Product:
    p = (
        Product.objects.filter(pk=product_id, store__slug=store_slug, status__in=VISIBLE_STATUSES,
                               store__status=Store.Status.OPEN)
        .select_related("store", "category")
        .prefetch_related(_images_prefetch(), "variants", "options", "tags")
        .first()
    )
    if p is None:
        raise NotFound(_("상품을 찾을 수 없습니다."))
    return p


def product_visible_get(*, product_id: int) -> Product:
    """A product any shopper may see (판매중/품절 in an open store), by id alone; NotFound otherwise."""
    p = (Product.objects.filter(pk=product_id, status__in=VISIBLE_STATUSES, store__status=Store.Status.OPEN)
         .select_related("store").first())
    if p is None:
        raise NotFound(_("상품을 찾을 수 없습니다."))
    return p


def products_for_seller(
    *, store: Store, q: str = "", status: str = "", category_id: int | None = None, stock: str = ""
) -> QuerySet[Product]:
    """The seller's own products only (tenant scope), with list filters."""
    qs = Product.objects.filter(store=store)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(variants__sku__icontains=q)).distinct()
    if status in Product.Status.values:
        qs = qs.filter(status=status)
    if category_id:
        cat = Category.objects.filter(pk=category_id).first()
        if cat:
            qs = qs.filter(category__path__startswith=cat.path)
    if stock == "out":
        qs = qs.filter(stock_total=0)
    elif stock == "low":
        qs = qs.filter(stock_total__gt=0, stock_total__lte=5)
    return qs.select_related("category").prefetch_related(_images_prefetch()).order_by("-updated_at", "-id")


def attribute_facets(qs: QuerySet[Product], defs: list[AttributeDefinition], limit: int = 2000) -> dict[str, dict[str, int]]:
    """Counts of attribute values over (up to ``limit`` of) the products of a listing, for filter facets."""
    counts: dict[str, dict[str, int]] = {d.code: {} for d in defs if d.filterable and d.kind != "text"}
    for attrs in qs.values_list("attributes", flat=True)[:limit]:
        for code, bucket in counts.items():
            value = (attrs or {}).get(code)
            for v in value if isinstance(value, list) else ([value] if value else []):
                bucket[v] = bucket.get(v, 0) + 1
    # Ties by value, so the order never depends on the query plan's row order.
    return {c: dict(sorted(b.items(), key=lambda kv: (-kv[1], kv[0]))) for c, b in counts.items() if b}


def product_status_counts(*, store: Store) -> dict[str, int]:
    """{status: count} over the seller's products, every status present (0 when none)."""
    from django.db.models import Count

    rows = Product.objects.filter(store=store).order_by().values("status").annotate(n=Count("id"))
    out = {s: 0 for s in Product.Status.values}
    out.update({r["status"]: r["n"] for r in rows})
    return out


def category_get(*, ref: int | str) -> Category:
    """An active category by id (int or digit string) or slug; NotFound otherwise (never a 500 for a silly id)."""
    ref = str(ref).strip()
    if ref.isascii() and ref.isdigit():
        pk = int(ref)
        cat = Category.objects.filter(pk=pk, is_active=True).first() if 1 <= pk <= 2**63 - 1 else None
    else:
        cat = Category.objects.filter(slug=ref, is_active=True).first()
    if cat is None:
        raise NotFound(_("카테고리를 찾을 수 없습니다."))
    return cat
