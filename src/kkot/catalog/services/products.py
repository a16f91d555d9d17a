"""Product writes: create, update, bulk status, attribute filter rows, stock totals."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.catalog.models import Product, ProductAttributeValue, ProductOption, Tag, Variant
from kkot.catalog.services.inputs import ProductInput
from kkot.catalog.services.validation import product_validate
from kkot.core.errors import NotFound, ValidationError
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role


def _write(product: Product, clean: dict[str, Any]) -> Product:
    for k in ("name", "category", "price", "sale_price", "sale_starts_at", "sale_ends_at", "status", "brand",
              "description_html", "attributes", "notice", "shipping_fee", "bundle_shipping", "dispatch_days",
              "made_to_order", "cold_chain"):
        setattr(product, k, clean[k])
    was_out_of_stock = bool(product.pk) and product.stock_total == 0
    product.stock_total = sum(v["stock"] for v in clean["variants"] if v["is_active"])
    if product.status == Product.Status.ON_SALE and product.stock_total == 0:
        product.status = Product.Status.SOLD_OUT
    elif product.status == Product.Status.SOLD_OUT and product.stock_total > 0 and was_out_of_stock:
        # Restocked: 품절 set automatically goes back on sale; a 품절 the seller chose while in stock stays.
        product.status = Product.Status.ON_SALE
    product.save()

    ProductOption.objects.filter(product=product).delete()
    ProductOption.objects.bulk_create(
        [ProductOption(product=product, name=o.name, values=o.values, position=i) for i, o in enumerate(clean["options"])]
    )
    variants_retire_or_delete(product=product, keep_labels={v["label"] for v in clean["variants"]})
    existing = {v.label: v for v in Variant.all_objects.filter(product=product)}
    for v in clean["variants"]:
        obj = existing.get(v["label"]) or Variant(product=product)
        for k, val in v.items():
            setattr(obj, k, val)
        obj.retired_at = None  # a combination that comes back is current again
        obj.save()
    product_attribute_values_sync(product=product)
    tag_objs = []
    for t in clean["tags"]:
        tag, _c = Tag.objects.get_or_create(name=t)
        tag_objs.append(tag)
    product.tags.set(tag_objs)
    return product


@transaction.atomic
def product_create(*, store: Store, actor: User, data: ProductInput) -> Product:
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    clean = product_validate(store, data, None)
    code = clean["code"] or _next_code(store)
    if Product.objects.filter(store=store, code=code).exists():
        raise ValidationError(_("이미 있는 상품코드입니다: %(c)s") % {"c": code}, code="duplicate_code",
                              details={"code": [code]})
    product = Product(store=store, code=code)
    return _write(product, clean)


@transaction.atomic
def product_update(*, product: Product, actor: User, data: ProductInput) -> Product:
    require_role(store=product.store, user=actor, role=StoreMembership.Role.MANAGER)
    product = Product.objects.select_for_update().get(pk=product.pk)
    clean = product_validate(product.store, data, product)
    if clean["code"] and clean["code"] != product.code:
        if Product.objects.filter(store=product.store, code=clean["code"]).exclude(pk=product.pk).exists():
            raise ValidationError(_("이미 있는 상품코드입니다: %(c)s") % {"c": clean["code"]}, code="duplicate_code")
        product.code = clean["code"]
    return _write(product, clean)


def _next_code(store: Store) -> str:
    n = Product.objects.filter(store=store).count() + 1
    while Product.objects.filter(store=store, code=f"P{n:05d}").exists():
        n += 1
    return f"P{n:05d}"


def product_get_for_store(*, store: Store, product_id: int) -> Product:
    p = Product.objects.filter(store=store, pk=product_id).first()
    if p is None:
        raise NotFound(_("상품을 찾을 수 없습니다."))
    return p


@transaction.atomic
def products_set_status(*, store: Store, actor: User, product_ids: list[int], status: str) -> int:
    """Bulk status change (판매중/품절/판매중지/숨김) limited to the seller's own products."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    if status not in Product.Status.values:
        raise ValidationError(_("판매상태가 올바르지 않습니다."), code="invalid_status")
    ids = {int(i) for i in product_ids}
    found = set(Product.objects.filter(store=store, pk__in=ids).values_list("pk", flat=True))
    if found != ids:
        raise NotFound(_("선택한 상품 중 찾을 수 없는 상품이 있습니다."), code="not_found")
    return Product.objects.filter(store=store, pk__in=ids).update(status=status, updated_at=timezone.now())


def variants_retire_or_delete(*, product: Product, keep_labels: set[str], only: list[int] | None = None) -> None:
    """Remove combinations that left the option grid: deleted, or retired when orders refer to them
    (hidden everywhere but the order history; the SKU is freed for reuse)."""
    qs = Variant.objects.filter(product=product).exclude(label__in=keep_labels)
    for v in qs.filter(pk__in=only) if only is not None else qs:
        try:
            with transaction.atomic():
                v.delete()
        except ProtectedError:
            v.sku, v.is_active, v.retired_at = f"{v.sku[:45]}~r{v.pk}", False, timezone.now()
            v.save(update_fields=["sku", "is_active", "retired_at"])


def product_attribute_value_rows(*, product: Product) -> list[ProductAttributeValue]:
    """The unsaved (code, value) filter rows for ``product.attributes`` (shared with bulk import)."""
    rows = []
    for code, value in (product.attributes or {}).items():
        for v in value if isinstance(value, list) else [value]:
            if v not in (None, ""):
                rows.append(ProductAttributeValue(product=product, code=code, value=str(v)[:100]))
    return rows


def product_attribute_values_sync(*, product: Product) -> None:
    """Rewrite the (code, value) rows used by storefront filters from ``product.attributes``."""
    ProductAttributeValue.objects.filter(product=product).delete()
    ProductAttributeValue.objects.bulk_create(product_attribute_value_rows(product=product), ignore_conflicts=True)


def product_refresh_stock(*, product: Product) -> None:
    total = Variant.objects.filter(product=product, is_active=True).aggregate(s=Sum("stock"))["s"] or 0
    Product.objects.filter(pk=product.pk).update(stock_total=total, updated_at=timezone.now())
