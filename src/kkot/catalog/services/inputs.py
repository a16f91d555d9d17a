"""What a seller enters for a product (editor, API and sheets build the same objects)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from kkot.catalog.models import Product


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
