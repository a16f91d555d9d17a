"""Reads for the seller center and the shopper's order page (always scoped to one store / one order)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from kkot.catalog.models import Variant
from kkot.fulfillment.models import Shipment, TrackingEvent
from kkot.inventory.models import StockLevel, StockMovement, Warehouse
from kkot.orders.models import OrderLine, OrderStatus
from kkot.stores.models import Store

SOLD = [OrderStatus.PAID, OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.CONFIRMED]


@dataclass
class LowStockRow:
    variant: Variant
    available: int
    per_day: float  # units sold per day over the window
    days_of_cover: float | None  # None: no sales in the window
    reorder_qty: int


def low_stock_list(*, store: Store, window_days: int = 28, cover_days: int = 14, lead_days: int = 7,
                   now=None) -> list[LowStockRow]:
    """Variants whose available stock covers fewer than ``lead_days + cover_days`` days of sales (velocity from
    OrderLines of the window, cancelled units excluded), plus sold-out ones that sold. Reorder suggestion:
    enough for lead time + cover days at the current velocity, minus what is available (rounded up)."""
    now = now or timezone.now()
    since = now - timedelta(days=window_days)
    sold = dict(OrderLine.objects.filter(order__store=store, order__status__in=SOLD, order__created_at__gte=since)
                .values("variant_id").annotate(q=Sum("quantity") - Sum("cancelled_qty")).values_list("variant_id", "q"))
    out = []
    for v in Variant.objects.select_related("product").filter(product__store=store, is_active=True,
                                                              pk__in=[k for k, q in sold.items() if q]):
        per_day = sold[v.pk] / window_days
        cover = v.stock / per_day
        target = math.ceil(per_day * (lead_days + cover_days))
        if cover < lead_days + cover_days:
            out.append(LowStockRow(v, v.stock, round(per_day, 2), round(cover, 1), max(0, target - v.stock)))
    out.sort(key=lambda r: (r.days_of_cover, -r.per_day))
    return out


def warehouses_for_store(*, store: Store):
    return Warehouse.objects.filter(store=store).order_by("-is_default", "pk")


def stock_levels_for_store(*, store: Store, warehouse_id=None):
    qs = StockLevel.objects.select_related("variant__product", "warehouse").filter(warehouse__store=store)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.order_by("variant__product__name", "variant__position", "warehouse_id")


def movements_for_store(*, store: Store, variant_id=None, limit: int = 200):
    qs = StockMovement.objects.select_related("variant__product", "warehouse", "actor").filter(
        warehouse__store=store)
    if variant_id:
        qs = qs.filter(variant_id=variant_id)
    return qs.order_by("-at", "-pk")[:limit]


def shipments_for_store(*, store: Store, status: str = ""):
    qs = Shipment.objects.select_related("order").filter(store=store)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def shipment_for_store(*, store: Store, shipment_id) -> Shipment | None:
    return Shipment.objects.select_related("order").filter(store=store, pk=shipment_id).first()


def tracking_timeline(*, order_id: int) -> list[dict]:
    """Shipments of one order with their events, oldest first (the caller has checked the order is theirs)."""
    out = []
    for s in Shipment.objects.filter(order_id=order_id).order_by("created_at"):
        events = list(TrackingEvent.objects.filter(shipment=s).order_by("occurred_at", "pk"))
        out.append({"shipment": s, "events": events})
    return out


@dataclass
class ShipmentsPage:
    page: object  # django Page of Shipment (order preloaded)
    tabs: list[tuple[str, str, int]]  # (status or "all", label, count)
    status: str
    q: str


def shipments_page(*, store: Store, status: str = "", q: str = "", page=1, per_page: int = 50) -> ShipmentsPage:
    """The store's shipments, newest first, with a count per status for the tabs; ``q`` matches the tracking
    number or the order number."""
    from django.core.paginator import Paginator
    from django.db.models import Count, Q
    from django.utils.translation import gettext as _

    from kkot.fulfillment.models import ShipmentStatus

    status = status if status in ShipmentStatus.values else ""
    q = (q or "").strip()[:40]
    counts = dict(Shipment.objects.filter(store=store).values("status").annotate(n=Count("pk"))
                  .values_list("status", "n"))
    tabs = [("all", _("전체"), sum(counts.values()))] + [(c, str(label), counts.get(c, 0))
                                                     for c, label in ShipmentStatus.choices]
    qs = Shipment.objects.select_related("order__purchase").filter(store=store)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(tracking_number=q.replace("-", "")) | Q(order__number__iexact=q))
    return ShipmentsPage(Paginator(qs.order_by("-created_at", "-pk"), per_page).get_page(page), tabs, status, q)


def shipment_detail_for_store(*, store: Store, shipment_id) -> dict | None:
    """One shipment of the store with its events (oldest first); None for another store's id."""
    s = (Shipment.objects.select_related("order__purchase", "warehouse").filter(store=store, pk=shipment_id)
         .first())
    if s is None:
        return None
    return {"shipment": s, "events": list(TrackingEvent.objects.filter(shipment=s).order_by("occurred_at", "pk"))}
