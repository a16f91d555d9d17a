"""Catalog writes: products with options/variants, images, tags, status.

Every write takes the acting user and checks the store role first; inputs are validated as a whole
before anything is written, inside one transaction, so a bad product changes nothing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.catalog.models import (
    MAX_TAGS,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductOption,
    Tag,
    Variant,
)
from kkot.catalog.selectors import category_attribute_defs, category_notice_fields
from kkot.core.errors import NotFound, ValidationError
from kkot.core.html import sanitize_html
from kkot.core.money import MoneyError, krw
from kkot.core.uploads import clean_image
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

MAX_OPTIONS = 3
MAX_OPTION_VALUES = 50
MAX_VARIANTS = 300
MAX_IMAGES = 20
TAG_RE = re.compile(r"^[0-9A-Za-z가-힣][0-9A-Za-z가-힣 ._&+-]{0,19}$")


@dataclass
class OptionInput:
    name: str
    values: list[str]


@dataclass
class VariantInput:
    option_values: dict[str, str]
    stock: int = 0
    sku: str = ""
    price_delta: Decimal | int | str = 0
    is_active: bool = True


@dataclass
class ProductInput:
    """Everything a seller enters for a product. Strings from forms are accepted and validated."""

    name: str
    category_id: int
    price: Decimal | int | str
    code: str = ""
    description_html: str = ""
    sale_price: Decimal | int | str | None = None
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    status: str = Product.Status.ON_SALE
    brand: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    notice: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    shipping_fee: Decimal | int | str | None = None
    bundle_shipping: bool = True
    dispatch_days: int = 2
    made_to_order: bool = False
    cold_chain: bool = False
    options: list[OptionInput] = field(default_factory=list)
    variants: list[VariantInput] = field(default_factory=list)


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            first_field, msgs = next(iter(self.fields.items()))
            raise ValidationError(msgs[0], code="invalid_product", details=self.fields)


def _money(value, errors: _Errors, name: str, *, required: bool, allow_negative: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.add(name, _("금액을 입력해 주세요."))
        return None
    try:
        amount = krw(str(value).replace(",", "").replace("원", "").strip())
    except MoneyError:
        errors.add(name, _("금액은 숫자로 입력해 주세요."))
        return None
    if amount != Decimal(str(value).replace(",", "").replace("원", "").strip() or 0):
        errors.add(name, _("원 단위 정수로 입력해 주세요(소수점 없음)."))
        return None
    if amount < 0 and not allow_negative:
        errors.add(name, _("금액은 0 이상이어야 합니다."))
        return None
    if abs(amount) > Decimal("100000000000"):
        errors.add(name, _("금액이 너무 큽니다."))
        return None
    return amount


def normalize_tag(tag: str) -> str:
    return " ".join(str(tag).strip().lstrip("#").split())


def variant_label(option_names: list[str], option_values: dict[str, str]) -> str:
    return " / ".join(option_values[n] for n in option_names)


def option_combinations(options: list[OptionInput]) -> list[dict[str, str]]:
    """The option grid: every combination of option values, in the seller's order."""
    if not options:
        return [{}]
    names = [o.name for o in options]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*[o.values for o in options])]


def _category_rules(category_id, cache: dict | None) -> tuple[Category | None, dict, list[str]]:
    """(active category, its attribute definitions by code, its notice fields); memoised in ``cache`` if given."""
    if cache is not None and category_id in cache:
        return cache[category_id]
    category = Category.objects.filter(pk=category_id, is_active=True).first() if category_id else None
    rules = (category, {d.code: d for d in category_attribute_defs(category)} if category else {},
             category_notice_fields(category) if category else [])
    if cache is not None:
        cache[category_id] = rules
    return rules


def _validate(store: Store, data: ProductInput, product: Product | None, *,
              rules_cache: dict | None = None) -> dict[str, Any]:
    """Validate the whole input; return cleaned values or raise one ValidationError listing every problem.

    ``rules_cache`` (bulk import) memoises the per-category lookups across many products.
    """
    e = _Errors()
    clean: dict[str, Any] = {}

    name = " ".join((data.name or "").split())
    if not name:
        e.add("name", _("상품명을 입력해 주세요."))
    elif len(name) > 100:
        e.add("name", _("상품명은 100자 이내로 입력해 주세요."))
    clean["name"] = name

    code = (data.code or "").strip()
    if len(code) > 40:
        e.add("code", _("상품코드는 40자 이내입니다."))
    elif code.startswith("#"):
        e.add("code", _("상품코드는 #으로 시작할 수 없습니다(대량등록 양식에서 예시 행 표시에 씁니다)."))
    clean["code"] = code

    category, defs, notice_fields = _category_rules(data.category_id, rules_cache)
    if category is None:
        e.add("category", _("카테고리를 선택해 주세요."))
    elif category.level != 3:
        e.add("category", _("가장 아래 단계(소분류) 카테고리를 선택해 주세요."))
    clean["category"] = category

    price = _money(data.price, e, "price", required=True)
    sale_price = _money(data.sale_price, e, "sale_price", required=False)
    if price is not None and price <= 0:
        e.add("price", _("판매가는 0원보다 커야 합니다."))
    if price is not None and sale_price is not None and sale_price >= price:
        e.add("sale_price", _("할인가는 판매가보다 낮아야 합니다."))
    if data.sale_starts_at and data.sale_ends_at and data.sale_ends_at <= data.sale_starts_at:
        e.add("sale_ends_at", _("할인 종료일은 시작일보다 뒤여야 합니다."))
    if sale_price is None and (data.sale_starts_at or data.sale_ends_at):
        e.add("sale_price", _("할인 기간을 정하려면 할인가를 입력해 주세요."))
    clean.update(price=price, sale_price=sale_price, sale_starts_at=data.sale_starts_at, sale_ends_at=data.sale_ends_at)

    if data.status not in Product.Status.values:
        e.add("status", _("판매상태가 올바르지 않습니다."))
    clean["status"] = data.status
    clean["brand"] = (data.brand or "").strip()[:40]
    clean["description_html"] = sanitize_html(data.description_html or "")
    if len(clean["description_html"]) > 200_000:
        e.add("description_html", _("상세설명이 너무 깁니다."))

    # Attributes typed per category (inherited from ancestors).
    attrs: dict[str, Any] = {}
    if category is not None:
        for key, value in (data.attributes or {}).items():
            if value in (None, "", []):
                continue
            d = defs.get(key)
            if d is None:
                e.add(f"attributes.{key}", _("이 카테고리에서 쓸 수 없는 속성입니다: %(k)s") % {"k": key})
                continue
            if d.kind == "multi":
                values = value if isinstance(value, list) else [v.strip() for v in str(value).split(",") if v.strip()]
                bad = [v for v in values if v not in d.choices]
                if bad:
                    e.add(f"attributes.{key}", _("%(n)s 값이 올바르지 않습니다: %(v)s") % {"n": d.name, "v": ", ".join(bad)})
                attrs[key] = values
            elif d.kind == "choice":
                if str(value) not in d.choices:
                    e.add(f"attributes.{key}", _("%(n)s 값이 올바르지 않습니다: %(v)s") % {"n": d.name, "v": value})
                attrs[key] = str(value)
            else:
                attrs[key] = str(value).strip()[:100]
        notice = {}
        for key, value in (data.notice or {}).items():
            if key not in notice_fields:
                e.add(f"notice.{key}", _("상품정보제공고시 항목이 아닙니다: %(k)s") % {"k": key})
            elif value not in (None, ""):
                notice[key] = str(value).strip()[:500]
        clean["notice"] = notice
    clean["attributes"] = attrs

    tags: list[str] = []
    for t in data.tags or []:
        t = normalize_tag(t)
        if not t:
            continue
        if not TAG_RE.match(t):
            e.add("tags", _("태그는 20자 이내의 한글, 영문, 숫자로 입력해 주세요: %(t)s") % {"t": t})
        elif t not in tags:
            tags.append(t)
    if len(tags) > MAX_TAGS:
        e.add("tags", _("태그는 최대 %(n)d개까지 입력할 수 있습니다.") % {"n": MAX_TAGS})
    clean["tags"] = tags

    clean["shipping_fee"] = _money(data.shipping_fee, e, "shipping_fee", required=False)
    clean["bundle_shipping"] = bool(data.bundle_shipping)
    try:
        dispatch_days = int(data.dispatch_days)
        if not 0 <= dispatch_days <= 60:
            raise ValueError
    except (TypeError, ValueError):
        e.add("dispatch_days", _("출고 소요일은 0~60일 사이로 입력해 주세요."))
        dispatch_days = 2
    clean["dispatch_days"] = dispatch_days
    clean["made_to_order"] = bool(data.made_to_order)
    clean["cold_chain"] = bool(data.cold_chain)

    # Options and the variant grid.
    options: list[OptionInput] = []
    seen_names: set[str] = set()
    for o in data.options or []:
        oname = (o.name or "").strip()
        values = []
        for v in o.values or []:
            v = " ".join(str(v).split())
            if v and v not in values:
                values.append(v)
        if not oname:
            e.add("options", _("옵션명을 입력해 주세요."))
            continue
        if oname in seen_names:
            e.add("options", _("옵션명이 중복되었습니다: %(n)s") % {"n": oname})
            continue
        if not values:
            e.add("options", _("옵션 '%(n)s'에 값을 하나 이상 입력해 주세요.") % {"n": oname})
            continue
        if len(values) > MAX_OPTION_VALUES or any(len(v) > 30 for v in values):
            e.add("options", _("옵션 값은 %(n)d개, 각 30자 이내입니다.") % {"n": MAX_OPTION_VALUES})
            continue
        seen_names.add(oname)
        options.append(OptionInput(oname, values))
    if len(options) > MAX_OPTIONS:
        e.add("options", _("옵션은 최대 %(n)d개까지 만들 수 있습니다.") % {"n": MAX_OPTIONS})
    combos = option_combinations(options)
    if len(combos) > MAX_VARIANTS:
        e.add("options", _("옵션 조합은 최대 %(n)d개입니다.") % {"n": MAX_VARIANTS})
    names = [o.name for o in options]
    given = {}
    for v in data.variants or []:
        key = tuple((n, str(v.option_values.get(n, ""))) for n in names)
        if set(v.option_values) != set(names) or any(val not in o.values for (n, val), o in zip(key, options, strict=True)):
            e.add("variants", _("옵션 조합이 옵션 목록과 맞지 않습니다: %(v)s") % {"v": v.option_values})
            continue
        given[key] = v
    variants = []
    skus: set[str] = set()
    for pos, combo in enumerate(combos):
        key = tuple((n, combo[n]) for n in names)
        v = given.get(key, VariantInput(option_values=combo))
        label = variant_label(names, combo)
        try:
            stock = int(v.stock)
            if stock < 0:
                raise ValueError
        except (TypeError, ValueError):
            e.add("variants", _("재고는 0 이상의 정수입니다: %(l)s") % {"l": label or _("기본")})
            stock = 0
        delta = _money(v.price_delta, e, "variants", required=False, allow_negative=True) or Decimal(0)
        if price is not None and price + delta <= 0:
            e.add("variants", _("옵션 추가금액 때문에 가격이 0원 이하가 됩니다: %(l)s") % {"l": label})
        sku = (v.sku or "").strip()[:60] or (f"{code or 'P'}-{pos + 1:03d}")
        if sku in skus:
            e.add("variants", _("SKU가 중복되었습니다: %(s)s") % {"s": sku})
        skus.add(sku)
        variants.append(dict(option_values=combo, label=label, stock=stock, sku=sku, price_delta=delta,
                             is_active=bool(v.is_active), position=pos))
    clean["options"] = options
    clean["variants"] = variants
    e.raise_if_any()
    return clean


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
    existing = {v.label: v for v in Variant.objects.filter(product=product)}
    keep = set()
    for v in clean["variants"]:
        obj = existing.get(v["label"])
        if obj is None:
            obj = Variant(product=product)
        for k, val in v.items():
            setattr(obj, k, val)
        obj.save()
        keep.add(obj.pk)
    Variant.objects.filter(product=product).exclude(pk__in=keep).delete()
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
    clean = _validate(store, data, None)
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
    clean = _validate(product.store, data, product)
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
    from django.utils import timezone

    return Product.objects.filter(store=store, pk__in=ids).update(status=status, updated_at=timezone.now())


@transaction.atomic
def product_image_add(*, product: Product, actor: User, upload) -> ProductImage:
    """Validate and store one image (thumbnail made now). Invalid files raise and store nothing."""
    require_role(store=product.store, user=actor, role=StoreMembership.Role.MANAGER)
    if ProductImage.objects.filter(product=product).count() >= MAX_IMAGES:
        raise ValidationError(_("이미지는 최대 %(n)d장까지 올릴 수 있습니다.") % {"n": MAX_IMAGES}, code="too_many_images")
    img = clean_image(upload)
    return product_image_store(product=product, img=img)


def product_image_store(*, product: Product, img) -> ProductImage:
    """Store an already-validated image (used by the demo generator and bulk import)."""
    pos = (ProductImage.objects.filter(product=product).aggregate(m=Max("position"))["m"])
    pos = 0 if pos is None else pos + 1
    obj = ProductImage(product=product, width=img.width, height=img.height, sha256=img.sha256, position=pos)
    name = f"{product.store_id}-{product.pk}-{img.sha256[:16]}.{img.ext}"
    obj.image.save(name, ContentFile(img.content), save=False)
    obj.thumbnail.save(name, ContentFile(img.thumbnail), save=False)
    obj.save()
    product.save(update_fields=["updated_at"])
    return obj


@transaction.atomic
def product_images_reorder(*, product: Product, actor: User, image_ids: list[int]) -> None:
    """New order of the product's images; the first becomes the representative image."""
    require_role(store=product.store, user=actor, role=StoreMembership.Role.MANAGER)
    images = {i.pk: i for i in ProductImage.objects.filter(product=product)}
    if set(image_ids) != set(images):
        raise ValidationError(_("이미지 목록이 올바르지 않습니다."), code="invalid_images")
    for pos, pk in enumerate(image_ids):
        images[pk].position = pos
    ProductImage.objects.bulk_update(images.values(), ["position"])


@transaction.atomic
def product_image_delete(*, product: Product, actor: User, image_id: int) -> None:
    require_role(store=product.store, user=actor, role=StoreMembership.Role.MANAGER)
    img = ProductImage.objects.filter(product=product, pk=image_id).first()
    if img is None:
        raise NotFound(_("이미지를 찾을 수 없습니다."))
    img.image.delete(save=False)
    img.thumbnail.delete(save=False)
    img.delete()


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
    Product.objects.filter(pk=product.pk).update(stock_total=total)


def product_input_from_instance(product: Product) -> ProductInput:
    """The editable form of a stored product (for editors and the export round trip)."""
    return ProductInput(
        name=product.name, category_id=product.category_id, price=product.price, code=product.code,
        description_html=product.description_html, sale_price=product.sale_price,
        sale_starts_at=product.sale_starts_at, sale_ends_at=product.sale_ends_at, status=product.status,
        brand=product.brand, attributes=dict(product.attributes), notice=dict(product.notice),
        tags=[t.name for t in product.tags.all()], shipping_fee=product.shipping_fee,
        bundle_shipping=product.bundle_shipping, dispatch_days=product.dispatch_days,
        made_to_order=product.made_to_order, cold_chain=product.cold_chain,
        options=[OptionInput(o.name, list(o.values)) for o in product.options.all()],
        variants=[VariantInput(option_values=dict(v.option_values), stock=v.stock, sku=v.sku,
                               price_delta=v.price_delta, is_active=v.is_active) for v in product.variants.all()],
    )
