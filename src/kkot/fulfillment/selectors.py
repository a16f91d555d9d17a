"""Reads for the seller center and the shopper's order page (always scoped to one store / one order)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

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
    for s in Shipment.objects.filter(order_id=order_id).order_by("created_at", "pk"):
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


# ------------------------------------------------------------------------------------------- returns (회수·검수)
@dataclass
class ReturnCasesPage:
    page: object  # django Page of ReturnCase (order, claim, pickup preloaded)
    tabs: list[tuple[str, str, int]]
    status: str


def return_cases_page(*, store: Store, status: str = "", page=1, per_page: int = 50) -> ReturnCasesPage:
    """The store's return cases, newest first; tabs: all, open (진행중), then one per status."""
    from django.core.paginator import Paginator
    from django.db.models import Count
    from django.utils.translation import gettext as _

    from kkot.fulfillment.models import ReturnCase, ReturnStatus
    from kkot.fulfillment.returns import OPEN

    status = status if status in ReturnStatus.values or status == "open" else ""
    counts = dict(ReturnCase.objects.filter(store=store).values("status").annotate(n=Count("pk"))
                  .values_list("status", "n"))
    tabs = ([("all", _("전체"), sum(counts.values())), ("open", _("진행중"), sum(counts.get(s, 0) for s in OPEN))]
            + [(c, str(label), counts.get(c, 0)) for c, label in ReturnStatus.choices])
    qs = ReturnCase.objects.select_related("order__purchase", "claim", "pickup", "replacement").filter(store=store)
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    return ReturnCasesPage(Paginator(qs.order_by("-created_at", "-pk"), per_page).get_page(page), tabs, status)


def return_case_detail_for_store(*, store: Store, case_id) -> dict | None:
    """One return case of the store: its claim lines, pickup / replacement timelines, audit rows, photos."""
    from kkot.fulfillment.models import ReturnCase

    c = (ReturnCase.objects.select_related("order__purchase", "claim", "pickup", "replacement", "warehouse")
         .filter(store=store, pk=case_id).first() if str(case_id).isdigit() else None)
    if c is None:
        return None
    lines = list(c.claim.lines.select_related("line", "exchange_variant__product"))
    return {
        "case": c, "claim": c.claim, "lines": lines,
        "pickup_events": list(TrackingEvent.objects.filter(shipment=c.pickup).order_by("occurred_at", "pk"))
        if c.pickup_id else [],
        "replacement_events": list(TrackingEvent.objects.filter(shipment=c.replacement).order_by("occurred_at", "pk"))
        if c.replacement_id else [],
        "audit": list(c.events.select_related("actor").order_by("pk")),
        "photos": list(c.photos.order_by("pk")),
        "replacement_short": [cl for cl in lines if cl.exchange_variant_id and cl.exchange_variant.stock < cl.quantity],
        "pickups": list(Shipment.objects.filter(claim=c.claim, kind=Shipment.Kind.PICKUP).order_by("created_at")),
    }


def return_case_for_order(*, order_id: int) -> list:
    """Return cases of one order, oldest first (the caller has checked the order is theirs)."""
    from kkot.fulfillment.models import ReturnCase

    return list(ReturnCase.objects.select_related("claim", "pickup", "replacement").filter(order_id=order_id)
                .order_by("created_at", "pk"))


# ------------------------------------------------------------------------------------------- promise report
@dataclass
class PromiseGroup:
    key: str
    label: str
    shown: int  # date promises
    resolved: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None

    @property
    def rate_text(self) -> str:
        return _pct(self.rate)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


@dataclass
class PromiseReport:
    days: int
    orders: int  # orders with a recorded promise (date or declared range)
    promised: int  # of them with a date
    resolved: int
    on_time: int
    mean_days_late: float | None
    weeks: list[PromiseGroup]
    carriers: list[PromiseGroup]
    regions: list[PromiseGroup]

    @property
    def share(self) -> float | None:
        return self.promised / self.orders if self.orders else None

    @property
    def rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None

    @property
    def rate_text(self) -> str:
        return _pct(self.rate)

    @property
    def share_text(self) -> str:
        return _pct(self.share)


REGION_LABELS = {"capital": _lazy("수도권"), "regional": _lazy("지방"), "jeju": _lazy("제주")}


def promise_report(*, store: Store, days: int = 84, today=None) -> PromiseReport:
    """The store's delivery promises of the last ``days`` (orders placed), read from the recorded promises:
    how many orders got a date, how many of the dates were kept (a date passed without delivery counts as
    missed), by order week, by carrier (of the order's parcel) and by destination region."""
    from django.utils.translation import gettext as _

    from kkot.fulfillment.carriers import region
    from kkot.fulfillment.models import PromiseRecord
    from kkot.orders.services.lifecycle import CARRIERS

    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=days)
    rows = list(PromiseRecord.objects.filter(store=store, created_at__gte=since)
                .values_list("order_id", "kind", "on_time", "promised_date", "days_late", "created_at",
                             "order__purchase__postcode"))
    carrier_of = dict(Shipment.objects.filter(order_id__in=[r[0] for r in rows if r[1] == "date"],
                                              kind=Shipment.Kind.OUTBOUND).values_list("order_id", "carrier"))
    weeks: dict[str, PromiseGroup] = {}
    carriers: dict[str, PromiseGroup] = {}
    regions: dict[str, PromiseGroup] = {}
    total = PromiseGroup("all", "", 0, 0, 0)
    lates = []
    for oid, kind, on_time, promised, late, created, postcode in rows:
        if kind != "date":
            continue
        d = timezone.localtime(created).date()
        monday = d - timedelta(days=d.weekday())
        c = carrier_of.get(oid, "")
        r = region(postcode or "")
        groups = [total,
                  weeks.setdefault(monday.isoformat(), PromiseGroup(monday.isoformat(), f"{monday:%m/%d}~", 0, 0, 0)),
                  carriers.setdefault(c, PromiseGroup(c, CARRIERS[c][0] if c in CARRIERS else _("미발송"), 0, 0, 0)),
                  regions.setdefault(r, PromiseGroup(r, str(REGION_LABELS[r]), 0, 0, 0))]
        resolved = on_time is not None or (promised is not None and promised < today)
        for g in groups:
            g.shown += 1
            g.resolved += int(resolved)
            g.on_time += int(bool(on_time))
        if late is not None:
            lates.append(late)
    return PromiseReport(
        days=days, orders=len(rows), promised=total.shown, resolved=total.resolved, on_time=total.on_time,
        mean_days_late=sum(lates) / len(lates) if lates else None,
        weeks=[weeks[k] for k in sorted(weeks)],
        carriers=sorted(carriers.values(), key=lambda g: -g.shown),
        regions=[regions[k] for k in ("capital", "regional", "jeju") if k in regions])
