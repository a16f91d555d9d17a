"""Seller reads of warehouses, stock levels and the stock ledger, always scoped to one store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone

from kkot.inventory.models import MovementKind, StockLevel, StockMovement, Warehouse
from kkot.stores.models import Store

PER_PAGE = 50


def warehouses_for_store(*, store: Store) -> list[Warehouse]:
    return list(Warehouse.objects.filter(store=store).order_by("-is_default", "pk"))


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass
class StockFilters:
    warehouse_id: int | None = None
    q: str = ""
    kind: str = ""  # movements only
    date_from: date | None = None
    date_to: date | None = None
    low: bool = False  # stock page: only levels with nothing available

    @classmethod
    def from_query(cls, params) -> StockFilters:
        kind = params.get("kind") or ""
        f, t = _date(params.get("from")), _date(params.get("to"))
        if f and t and f > t:
            f, t = t, f
        return cls(warehouse_id=_int(params.get("warehouse")), q=(params.get("q") or "").strip()[:60],
                   kind=kind if kind in MovementKind.values else "", date_from=f, date_to=t,
                   low=params.get("low") == "1")

    def query(self) -> str:
        from urllib.parse import urlencode

        params = {"warehouse": self.warehouse_id or "", "q": self.q, "kind": self.kind,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "", "low": "1" if self.low else ""}
        return urlencode({k: v for k, v in params.items() if v})


def _product_q(q: str) -> Q:
    return (Q(variant__product__name__icontains=q) | Q(variant__sku__icontains=q)
            | Q(variant__label__icontains=q))


def stock_levels_page(*, store: Store, filters: StockFilters, page=1) -> Page:
    """Stock per variant and warehouse (on hand, reserved, available), by product name."""
    qs = StockLevel.objects.select_related("variant__product", "warehouse").filter(warehouse__store=store,
                                                                                   variant__retired_at__isnull=True)
    if filters.warehouse_id:
        qs = qs.filter(warehouse_id=filters.warehouse_id)
    if filters.q:
        qs = qs.filter(_product_q(filters.q))
    if filters.low:
        from django.db.models import F

        qs = qs.filter(on_hand__lte=F("reserved"))
    qs = qs.order_by("variant__product__name", "variant__product_id", "variant__position", "variant_id",
                     "warehouse_id")
    return Paginator(qs, PER_PAGE).get_page(page)


def movements_page(*, store: Store, filters: StockFilters, page=1) -> Page:
    """The ledger, newest first, filtered by warehouse, kind, product/SKU text and date (Seoul days)."""
    qs = StockMovement.objects.select_related("variant__product", "warehouse", "actor").filter(
        warehouse__store=store)
    if filters.warehouse_id:
        qs = qs.filter(warehouse_id=filters.warehouse_id)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        qs = qs.filter(_product_q(filters.q) | Q(ref__iexact=filters.q) | Q(reason__icontains=filters.q))
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(filters.date_from, time()), tz))
    if filters.date_to:
        qs = qs.filter(at__lt=timezone.make_aware(datetime.combine(filters.date_to + timedelta(days=1), time()), tz))
    return Paginator(qs.order_by("-at", "-pk"), PER_PAGE).get_page(page)


def variant_choices(*, store: Store, limit: int = 2000) -> list[tuple[int, str]]:
    """(variant id, "상품명 · 옵션 (SKU)") for the receive/adjust forms."""
    from kkot.catalog.models import Variant

    rows = (Variant.objects.filter(product__store=store, is_active=True, retired_at__isnull=True)
            .order_by("product__name", "product_id", "position", "pk")
            .values_list("pk", "product__name", "label", "sku")[:limit])
    return [(pk, f"{name} · {label}" + (f" ({sku})" if sku else "") if label else f"{name}" + (f" ({sku})" if sku else ""))
            for pk, name, label, sku in rows]
