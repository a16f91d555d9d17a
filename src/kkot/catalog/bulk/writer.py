"""Writing validated products in bulk, with the same end state as ``catalog.services`` writes one by one.

``clean`` is what ``catalog.services.product_validate`` returned for the product. Products whose stored state already
equals the sheet are left untouched (no write, ``updated_at`` unchanged), so importing an export changes nothing.
Variants are matched by label like the editor does, so unchanged combinations keep their ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from kkot.catalog.models import Product, ProductAttributeValue, ProductOption, Tag, Variant
from kkot.catalog.services import product_attribute_value_rows
from kkot.catalog.services.products import variants_retire_or_delete
from kkot.stores.models import Store

BATCH = 500
PRODUCT_FIELDS = ("name", "category", "price", "sale_price", "sale_starts_at", "sale_ends_at", "status", "brand",
                  "description_html", "attributes", "notice", "shipping_fee", "bundle_shipping", "dispatch_days",
                  "made_to_order", "cold_chain")
VARIANT_FIELDS = ("sku", "option_values", "label", "price_delta", "stock", "is_active", "position")


@dataclass
class Plan:
    code: str
    existing: Product | None
    clean: dict[str, Any]


def final_values(clean: dict[str, Any], existing: Product | None) -> dict[str, Any]:
    """Product column values after the editor's stock rules (no stock -> 품절; restocked 품절 -> 판매중)."""
    vals = {k: clean[k] for k in PRODUCT_FIELDS}
    stock_total = sum(v["stock"] for v in clean["variants"] if v["is_active"])
    if vals["status"] == Product.Status.ON_SALE and stock_total == 0:
        vals["status"] = Product.Status.SOLD_OUT
    elif (vals["status"] == Product.Status.SOLD_OUT and stock_total > 0 and existing is not None
          and existing.stock_total == 0):
        vals["status"] = Product.Status.ON_SALE
    vals["stock_total"] = stock_total
    return vals


def _chunks(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def write_plans(*, store: Store, plans: list[Plan], result) -> None:
    now = timezone.now()
    created: list[Product] = []
    changed: list[Product] = []
    options_for: list[tuple[Product, list]] = []  # products whose options are (re)written
    attrs_for: list[Product] = []
    tags_for: list[tuple[Product, list[str]]] = []
    variant_plans: list[tuple[Product, Plan]] = []

    for plan in plans:
        vals = final_values(plan.clean, plan.existing)
        p = plan.existing
        new_options = [(o.name, list(o.values)) for o in plan.clean["options"]]
        if p is None:
            p = Product(store=store, code=plan.code, **vals)
            created.append(p)
            options_for.append((p, new_options))
            attrs_for.append(p)
            tags_for.append((p, plan.clean["tags"]))
            variant_plans.append((p, plan))
            continue
        dirty = any(getattr(p, k) != v for k, v in vals.items() if k != "category") or p.category_id != vals["category"].pk
        old_attrs = p.attributes
        if [(o.name, list(o.values)) for o in p.options.all()] != new_options:
            options_for.append((p, new_options))
            dirty = True
        if {t.name for t in p.tags.all()} != set(plan.clean["tags"]):
            tags_for.append((p, plan.clean["tags"]))
            dirty = True
        if _variants_differ(p, plan.clean["variants"]):
            variant_plans.append((p, plan))
            dirty = True
        if not dirty:
            result.unchanged += 1
            continue
        for k, v in vals.items():
            setattr(p, k, v)
        p.updated_at = now
        if old_attrs != p.attributes:
            attrs_for.append(p)
        changed.append(p)

    Product.objects.bulk_create(created, batch_size=BATCH)
    Product.objects.bulk_update(changed, [*PRODUCT_FIELDS, "stock_total", "updated_at"], batch_size=BATCH)
    result.created, result.updated = len(created), len(changed)
    changed_ids = {p.pk for p in changed}

    for batch in _chunks([p.pk for p, _o in options_for if p.pk in changed_ids]):
        ProductOption.objects.filter(product_id__in=batch).delete()
    ProductOption.objects.bulk_create(
        [ProductOption(product=p, name=name, values=values, position=i)
         for p, opts in options_for for i, (name, values) in enumerate(opts)], batch_size=BATCH)

    _write_variants(variant_plans, result)

    for batch in _chunks([p.pk for p in attrs_for if p.pk in changed_ids]):
        ProductAttributeValue.objects.filter(product_id__in=batch).delete()
    ProductAttributeValue.objects.bulk_create(
        [row for p in attrs_for for row in product_attribute_value_rows(product=p)], batch_size=BATCH,
        ignore_conflicts=True)

    _write_tags(tags_for, changed_ids)


def _variants_differ(p: Product, new: list[dict[str, Any]]) -> bool:
    old = {v.label: v for v in p.variants.all()}
    if set(old) != {v["label"] for v in new}:
        return True
    return any(getattr(old[v["label"]], k) != v[k] for v in new for k in VARIANT_FIELDS)


def _write_variants(variant_plans: list[tuple[Product, Plan]], result) -> None:
    to_delete: list[int] = []
    to_update: list[Variant] = []
    needs_temp_sku: list[Variant] = []
    to_create: list[Variant] = []
    retired = {(v.product_id, v.label): v for v in Variant.all_objects.filter(
        product_id__in=[p.pk for p, plan in variant_plans if plan.existing is not None], retired_at__isnull=False)}
    for p, plan in variant_plans:
        old = {v.label: v for v in p.variants.all()} if plan.existing is not None else {}
        new_labels = {v["label"] for v in plan.clean["variants"]}
        to_delete += [v.pk for label, v in old.items() if label not in new_labels]
        kept_skus = {v.sku: v.pk for label, v in old.items() if label in new_labels}
        for v in plan.clean["variants"]:
            obj = old.get(v["label"])
            if obj is None and (p.pk, v["label"]) in retired:  # a retired combination comes back
                obj = retired[(p.pk, v["label"])]
                obj.retired_at = None
                for k, val in v.items():
                    setattr(obj, k, val)
                to_update.append(obj)
                continue
            if obj is None:
                to_create.append(Variant(product=p, **v))
                continue
            if all(getattr(obj, k) == v[k] for k in VARIANT_FIELDS):
                continue
            if v["sku"] != obj.sku and kept_skus.get(v["sku"], obj.pk) != obj.pk:
                needs_temp_sku.append(obj)  # SKUs swapped between kept variants: free the old values first
            for k, val in v.items():
                setattr(obj, k, val)
            to_update.append(obj)
    for batch in _chunks(to_delete):
        try:
            with transaction.atomic():
                Variant.objects.filter(pk__in=batch).delete()
        except ProtectedError:  # some were ordered: retire those one by one, delete the rest
            for v in Variant.objects.filter(pk__in=batch):
                variants_retire_or_delete(product=v.product, keep_labels=set(), only=[v.pk])
    if needs_temp_sku:
        temp = [Variant(pk=v.pk, sku=f"~tmp-{v.pk}") for v in to_update]
        Variant.objects.bulk_update(temp, ["sku"], batch_size=BATCH)
    Variant.objects.bulk_update(to_update, [*VARIANT_FIELDS, "retired_at"], batch_size=BATCH)
    Variant.objects.bulk_create(to_create, batch_size=BATCH)
    result.variants_created += len(to_create)
    result.variants_updated += len(to_update)
    result.variants_deleted += len(to_delete)


def _write_tags(tags_for: list[tuple[Product, list[str]]], changed_ids: set[int]) -> None:
    if not tags_for:
        return
    names = sorted({t for _p, tags in tags_for for t in tags})
    ids: dict[str, int] = {}
    for batch in _chunks(names):
        ids.update(Tag.objects.filter(name__in=batch).values_list("name", "pk"))
    missing = [n for n in names if n not in ids]
    if missing:
        Tag.objects.bulk_create([Tag(name=n) for n in missing], batch_size=BATCH, ignore_conflicts=True)
        for batch in _chunks(missing):
            ids.update(Tag.objects.filter(name__in=batch).values_list("name", "pk"))
    through = Product.tags.through
    for batch in _chunks([p.pk for p, _t in tags_for if p.pk in changed_ids]):
        through.objects.filter(product_id__in=batch).delete()
    through.objects.bulk_create(
        [through(product_id=p.pk, tag_id=ids[t]) for p, tags in tags_for for t in tags], batch_size=BATCH)

