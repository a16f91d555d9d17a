"""Validation of a whole product input: every problem collected, nothing written.

Shared by the editor path (``products``) and bulk import, so a product obeys the same rules wherever it
comes from.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kkot.catalog.models import MAX_TAGS, Category, Product
from kkot.catalog.selectors import category_attribute_defs, category_notice_fields
from kkot.catalog.services.inputs import (
    OptionInput,
    ProductInput,
    VariantInput,
    normalize_tag,
    option_combinations,
    variant_label,
)
from kkot.core.errors import ValidationError
from kkot.core.html import sanitize_html
from kkot.core.money import MoneyError, krw
from kkot.stores.models import Store

MAX_OPTIONS = 3
MAX_OPTION_VALUES = 50
MAX_VARIANTS = 300
TAG_RE = re.compile(r"^[0-9A-Za-z가-힣][0-9A-Za-z가-힣 ._&+-]{0,19}$")

class FieldErrors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            first_field, msgs = next(iter(self.fields.items()))
            raise ValidationError(msgs[0], code="invalid_product", details=self.fields)


def parse_money(value, errors: FieldErrors, name: str, *, required: bool, allow_negative: bool = False) -> Decimal | None:
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


def category_rules(category_id, cache: dict | None) -> tuple[Category | None, dict, list[str]]:
    """(active category, its attribute definitions by code, its notice fields); memoised in ``cache`` if given."""
    if cache is not None and category_id in cache:
        return cache[category_id]
    category = Category.objects.filter(pk=category_id, is_active=True).first() if category_id else None
    rules = (category, {d.code: d for d in category_attribute_defs(category)} if category else {},
             category_notice_fields(category) if category else [])
    if cache is not None:
        cache[category_id] = rules
    return rules


def product_validate(store: Store, data: ProductInput, product: Product | None, *,
              rules_cache: dict | None = None) -> dict[str, Any]:
    """Validate the whole input; return cleaned values or raise one ValidationError listing every problem.

    ``rules_cache`` (bulk import) memoises the per-category lookups across many products.
    """
    e = FieldErrors()
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

    category, defs, notice_fields = category_rules(data.category_id, rules_cache)
    if category is None:
        e.add("category", _("카테고리를 선택해 주세요."))
    elif category.level != 3:
        e.add("category", _("가장 아래 단계(소분류) 카테고리를 선택해 주세요."))
    clean["category"] = category

    price = parse_money(data.price, e, "price", required=True)
    sale_price = parse_money(data.sale_price, e, "sale_price", required=False)
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

    clean["shipping_fee"] = parse_money(data.shipping_fee, e, "shipping_fee", required=False)
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
        delta = parse_money(v.price_delta, e, "variants", required=False, allow_negative=True) or Decimal(0)
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
