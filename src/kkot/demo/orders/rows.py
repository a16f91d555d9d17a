"""In-memory rows of the demo orders: the catalog snapshot the writer prices from (:func:`load_catalog`), the
lines it builds, and the tables it fills with explicit primary keys and inserts with ``executemany``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max

from kkot.catalog.models import Product, Variant
from kkot.demo.catalog import DemoCatalog
from kkot.orders.models import (
    Address,
    Claim,
    ClaimLine,
    CouponRedemption,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Purchase,
    Refund,
    SettlementLine,
)
from kkot.orders.pricing import ZERO, CouponTerms, ShippingPolicy
from kkot.stores.models import StoreMembership

# The tables in the order they are inserted (foreign keys first).
WRITE_ORDER = [
    "address",
    "purchase",
    "payment",
    "order",
    "line",
    "redemption",
    "claim",
    "claim_line",
    "refund",
    "event",
    "settlement",
]


class Table:
    """Rows for one model with explicit primary keys, inserted with ``executemany`` in the model's column names."""

    def __init__(self, model, fields: list[str]):
        meta = model._meta
        qn = connection.ops.quote_name
        cols = [meta.pk.column] + [meta.get_field(f).column for f in fields]
        self.model, self.width = model, len(fields)
        self.sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in cols)}) "
            f"VALUES ({', '.join(['%s'] * len(cols))})"
        )
        self.next_id = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.rows: list[tuple] = []

    def reserve(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, *values, pk: int | None = None) -> int:
        assert len(values) == self.width, (self.model, len(values))
        pk = pk or self.reserve()
        self.rows.append((pk, *values))
        return pk

    def write(self, cur) -> None:
        for i in range(0, len(self.rows), 5000):
            cur.executemany(self.sql, self.rows[i : i + 5000])


def order_tables() -> dict[str, Table]:
    """One :class:`Table` for every model the order services write, keyed as in :data:`WRITE_ORDER`."""
    return {
        "address": Table(
            Address, "user label recipient phone postcode address1 address2 is_default created_at".split()
        ),
        "purchase": Table(
            Purchase,
            "number user recipient phone postcode address1 address2 request_note items_total "
            "discount_total shipping_total grand_total created_at".split(),
        ),
        "order": Table(
            Order,
            "purchase store user number status items_total discount_total shipping_fee "
            "shipping_refunded total carrier tracking_number created_at paid_at accepted_at "
            "shipped_at delivered_at confirmed_at cancelled_at updated_at".split(),
        ),
        "line": Table(
            OrderLine,
            "order product variant product_name variant_label sku unit_price list_unit_price "
            "quantity subtotal discount cancelled_qty returned_qty".split(),
        ),
        "redemption": Table(CouponRedemption, "coupon user order discount created_at".split()),
        "payment": Table(
            Payment,
            "purchase provider method_label status amount refunded fee idempotency_key "
            "provider_ref vbank_name vbank_account vbank_holder deposit_deadline failure_code "
            "failure_message created_at paid_at updated_at".split(),
        ),
        "claim": Table(
            Claim,
            "order kind status reason detail requested_by return_shipping_fee refund_amount "
            "reject_reason created_at resolved_at".split(),
        ),
        "claim_line": Table(ClaimLine, "claim line quantity exchange_variant".split()),
        "refund": Table(
            Refund, "payment claim order amount idempotency_key provider_ref reason created_at".split()
        ),
        "event": Table(
            OrderEvent, "order kind from_status to_status actor actor_role reason data created_at".split()
        ),
        "settlement": Table(
            SettlementLine,
            "store order line quantity sale_amount discount shipping_fee platform_fee "
            "payment_fee net_amount confirmed_at settle_date status".split(),
        ),
    }


class DbValues:
    """The database's own adapters for datetimes, dates and JSON, looked up once (they run per row)."""

    def __init__(self) -> None:
        ops = connection.ops
        self.dt: Callable[[datetime | None], Any]
        if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC":
            # What adapt_datetimefield_value returns on SQLite, without its per-call settings lookups.
            self.dt = lambda t: None if t is None else str(t.astimezone(UTC).replace(tzinfo=None))
        else:
            self.dt = lambda t: None if t is None else ops.adapt_datetimefield_value(t)
        self.day = ops.adapt_datefield_value
        self.js = lambda v: ops.adapt_json_value(v, None)


@dataclass
class StoreInfo:
    id: int
    slug: str
    concept: str
    policy: ShippingPolicy
    owner_id: int | None


@dataclass
class VariantInfo:
    id: int
    sku: str
    label: str
    delta: Decimal
    stock: int


@dataclass
class ProductInfo:
    id: int
    store_id: int
    name: str
    price: Decimal
    unit: Decimal  # current price (sale price while the sale runs)
    bundle: bool
    own_fee: Decimal | None
    dispatch_days: int
    cold_chain: bool
    variants: list[VariantInfo]


class LineDraft:
    """An order line being priced (units cancelled or returned change as its claims are written)."""

    __slots__ = (
        "id",
        "product",
        "variant",
        "unit_price",
        "list_unit_price",
        "quantity",
        "discount",
        "cancelled_qty",
        "returned_qty",
    )

    def __init__(self, id: int, product: ProductInfo, variant: VariantInfo, quantity: int):  # noqa: A002
        self.id, self.product, self.variant, self.quantity = id, product, variant, quantity
        self.unit_price = product.unit + variant.delta
        self.list_unit_price = product.price + variant.delta
        self.discount = ZERO
        self.cancelled_qty = self.returned_qty = 0

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def active_qty(self) -> int:
        return self.quantity - self.cancelled_qty - self.returned_qty


@dataclass
class CouponInfo:
    id: int
    store_id: int
    audience: str
    terms: CouponTerms
    min_order: Decimal
    starts: datetime
    ends: datetime
    limit: int | None
    used: int = 0


def load_catalog(cat: DemoCatalog, end: datetime) -> tuple[dict[int, StoreInfo], dict[int, ProductInfo]]:
    """The demo stores and their products on sale (or sold out) with active variants, priced at ``end``."""
    owners = dict(
        StoreMembership.objects.filter(role=StoreMembership.Role.OWNER).values_list("store_id", "user_id")
    )
    stores = {
        s.pk: StoreInfo(
            s.pk,
            s.slug,
            s._concept,  # noqa: SLF001
            ShippingPolicy(
                s.shipping_base_fee,
                s.shipping_free_over,
                s.shipping_jeju_surcharge,
                s.shipping_island_surcharge,
            ),
            owners.get(s.pk),
        )
        for s in cat.stores
    }
    variants: dict[int, list[VariantInfo]] = {}
    for vid, pid, sku, label, delta, stock in (
        Variant.objects.filter(is_active=True)
        .order_by("product_id", "position", "pk")
        .values_list("pk", "product_id", "sku", "label", "price_delta", "stock")
    ):
        variants.setdefault(pid, []).append(VariantInfo(vid, sku, label, delta, stock))
    products: dict[int, ProductInfo] = {}
    for p in Product.objects.filter(
        status__in=[Product.Status.ON_SALE, Product.Status.SOLD_OUT], store_id__in=stores
    ):
        if variants.get(p.pk):
            products[p.pk] = ProductInfo(
                p.pk,
                p.store_id,
                p.name,
                p.price,
                p.current_price(end),
                p.bundle_shipping,
                p.shipping_fee,
                p.dispatch_days,
                p.cold_chain,
                variants[p.pk],
            )
    return stores, products
