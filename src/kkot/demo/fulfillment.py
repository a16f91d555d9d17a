"""Demo warehouses, opening stock through the ledger, and a shipment with its tracking events for every
dispatched demo order, written in bulk with the invariants the services keep (ADR 0007).

- **Warehouses**: every store has its own stockroom (the default, at its return-address region); gadgetbay ships
  from a fulfillment centre; the fresh-food store also has a cold-chain warehouse that holds its chilled goods.
- **Opening stock**: one "receive" movement (사유 "기초 재고") per variant of ``Variant.stock`` plus the units held by
  orders still waiting for dispatch, and one "reserve" movement per such order line, so for every level
  ``on_hand - reserved`` sums to ``Variant.stock`` exactly as if the services had written it.
- **Shipments**: one per order with ``shipped_at``, created at that moment from the right warehouse. Delivered
  orders get 집하 → 간선상차 → 간선하차 → 배송출발 → 배송완료 with the last at exactly ``Order.delivered_at`` (so
  weekends, holidays, regional transit and dailylook's slow month, which live in the order times, show in the
  timeline). Orders still in transit get the simulated carrier's own timeline up to now (the poller continues it
  with the same events), and a handful of them are lost (미배달/반송) and wait for the seller.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.core.management.color import no_style
from django.db import connection, transaction

from kkot.catalog.models import Variant
from kkot.core.timeutil import SEOUL
from kkot.demo.catalog import DemoCatalog
from kkot.demo.orders import _Table
from kkot.fulfillment.carriers import SimulatedCarrier, region
from kkot.fulfillment.models import Shipment, TrackingEvent
from kkot.inventory.models import MovementKind, StockLevel, StockMovement, Warehouse
from kkot.inventory.services import OPENING_REASON
from kkot.orders.models import Order, OrderLine, OrderStatus

S = OrderStatus
OPEN = (S.PENDING_PAYMENT, S.PAID, S.PREPARING)
LOST_SHARE = 0.03  # of the parcels in transit; at least a few
HUBS = SimulatedCarrier.HUBS


def _dt():
    ops = connection.ops
    return lambda t: None if t is None else ops.adapt_datetimefield_value(t)


def build_warehouses(cat: DemoCatalog) -> dict[int, dict[str, int]]:
    """{store id: {"default": warehouse id, "cold": warehouse id (food store only)}}."""
    rows = []
    for s in cat.stores:
        fc = s.slug == "gadgetbay"
        rows.append(Warehouse(store=s, code="main", name="이천 풀필먼트 센터" if fc else "본사 창고",
                              kind=Warehouse.Kind.FC if fc else Warehouse.Kind.OWN, is_default=True,
                              postcode=s.return_postcode or "04000"))
        if s._concept == "food":  # noqa: SLF001
            rows.append(Warehouse(store=s, code="cold", name="냉장 창고", cold_chain=True,
                                  postcode=s.return_postcode or "63000"))
    Warehouse.objects.bulk_create(rows)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for w in Warehouse.objects.filter(store__in=cat.stores):
        out[w.store_id]["default" if w.is_default else "cold"] = w.pk
    return out


def build_opening_stock(warehouses: dict[int, dict[str, int]], *, start: datetime) -> dict:
    held: dict[int, int] = defaultdict(int)
    reserves = []
    for lid, vid, q, c, number, created in (
            OrderLine.objects.filter(order__status__in=OPEN).order_by("order__created_at", "pk")
            .values_list("pk", "variant_id", "quantity", "cancelled_qty", "order__number", "order__created_at")):
        if q - c > 0:
            held[vid] += q - c
            reserves.append((lid, vid, q - c, number, created))
    wh_of: dict[int, int] = {}
    levels, moves = [], []
    for vid, sid, cold, stock in Variant.all_objects.values_list("pk", "product__store_id", "product__cold_chain",
                                                                 "stock").order_by("pk"):
        whs = warehouses.get(sid)
        if not whs:
            continue
        wh = whs["cold"] if cold and "cold" in whs else whs["default"]
        wh_of[vid] = wh
        on_hand = stock + held.get(vid, 0)
        if on_hand <= 0:
            continue
        levels.append(StockLevel(variant_id=vid, warehouse_id=wh, on_hand=on_hand, reserved=held.get(vid, 0)))
        moves.append(StockMovement(variant_id=vid, warehouse_id=wh, kind=MovementKind.RECEIVE, qty=on_hand,
                                   on_hand_delta=on_hand, reason=OPENING_REASON, at=start))
    for lid, vid, q, number, created in reserves:
        moves.append(StockMovement(variant_id=vid, warehouse_id=wh_of[vid], kind=MovementKind.RESERVE, qty=-q,
                                   reserved_delta=q, order_line_id=lid, ref=number, at=created))
    StockLevel.objects.bulk_create(levels, batch_size=5000)
    StockMovement.objects.bulk_create(moves, batch_size=5000)
    return {"stock_levels": len(levels), "stock_movements": len(moves)}


def _delivered_timeline(rnd: random.Random, ship: datetime, done: datetime, origin: str, dest: str) -> list:
    """집하 that evening, 간선 overnight, 배송출발 the morning of delivery, 배송완료 at ``done``; strictly in order."""
    ship, done = ship.astimezone(SEOUL), done.astimezone(SEOUL)
    pick = ship + timedelta(minutes=rnd.randint(30, 180))
    hub_in = pick + timedelta(minutes=rnd.randint(90, 240))
    hub_out = done.replace(hour=rnd.randint(3, 5), minute=rnd.randrange(60), second=rnd.randrange(60))
    out = done.replace(hour=rnd.randint(7, 8), minute=rnd.randrange(60), second=rnd.randrange(60))
    times = [pick, hub_in, hub_out, out]
    if not (ship < pick < hub_in < hub_out < out < done):  # a tight timeline: spread the steps evenly
        span = (done - ship) / 5
        times = [ship + span * (i + 1) for i in range(4)]
    times = [t.replace(microsecond=0) for t in times]
    return [("picked_up", times[0], "집하점"), ("hub_in", times[1], HUBS[region(origin)]),
            ("hub_out", times[2], HUBS[region(dest)]), ("out_for_delivery", times[3], "배송지 대리점"),
            ("delivered", done, "고객 전달")]


def build_shipments(rnd: random.Random, warehouses: dict[int, dict[str, int]], *, end: datetime) -> dict:
    dt = _dt()
    wh_postcode = dict(Warehouse.objects.values_list("pk", "postcode"))
    cold_orders = set(OrderLine.objects.filter(product__cold_chain=True, order__shipped_at__isnull=False)
                      .values_list("order_id", flat=True))
    ships = _Table(Shipment, ["order", "store", "warehouse", "kind", "carrier", "tracking_number", "status",
                              "dest_postcode", "created_at", "last_event_at", "delivered_at"])
    events = _Table(TrackingEvent, ["shipment", "code", "occurred_at", "location", "source", "created_at"])
    in_transit = []
    stats = defaultdict(int)
    rows = (Order.objects.filter(shipped_at__isnull=False).order_by("pk")
            .values_list("pk", "store_id", "carrier", "tracking_number", "shipped_at", "delivered_at",
                         "purchase__postcode"))
    for oid, sid, carrier, tn, shipped, delivered, postcode in rows.iterator(chunk_size=5000):
        whs = warehouses[sid]
        wh = whs["cold"] if oid in cold_orders and "cold" in whs else whs["default"]
        origin = wh_postcode[wh]
        if delivered is not None:
            timeline = _delivered_timeline(rnd, shipped, delivered, origin, postcode)
            status = "delivered"
        else:
            timeline = [(u.code, u.occurred_at, u.location) for u in SimulatedCarrier(carrier).timeline(
                tracking_number=tn, dispatched_at=shipped, origin_postcode=origin, dest_postcode=postcode)
                if u.occurred_at <= end and u.code not in ("delivered", "failed")]
            status = timeline[-1][0] if timeline else "ready"
        pk = ships.reserve()
        for code, at, loc in timeline:
            events.add(pk, code, dt(at), loc, TrackingEvent.Source.SIMULATED, dt(at))
        last = timeline[-1][1] if timeline else None
        ships.add(oid, sid, wh, Shipment.Kind.OUTBOUND, carrier, tn, status, postcode, dt(shipped), dt(last),
                  dt(delivered), pk=pk)
        stats[status] += 1
        if delivered is None and timeline:
            in_transit.append((len(ships.rows) - 1, pk, last))
    # A handful of parcels in transit are lost: 미배달/반송 after their last scan, before now.
    lost = rnd.sample(in_transit, max(min(3, len(in_transit)), int(len(in_transit) * LOST_SHARE)))
    for i, pk, last in lost:
        at = min(last + timedelta(hours=rnd.uniform(2, 8)), end - timedelta(minutes=1)).replace(microsecond=0)
        if at <= last:
            continue
        events.add(pk, "failed", dt(at), "배송지 대리점", TrackingEvent.Source.SIMULATED, dt(at))
        row = list(ships.rows[i])
        stats[row[7]] -= 1
        row[7], row[10] = "failed", dt(at)
        ships.rows[i] = tuple(row)
        stats["failed"] += 1
    with connection.cursor() as cur:
        ships.write(cur)
        events.write(cur)
        for stmt in connection.ops.sequence_reset_sql(no_style(), [Shipment, TrackingEvent]):
            cur.execute(stmt)
    return {"shipments": len(ships.rows), "tracking_events": len(events.rows),
            "shipment_status": {k: v for k, v in sorted(stats.items()) if v}}


def build_fulfillment(rnd: random.Random, cat: DemoCatalog, *, end: datetime, days: int) -> dict:
    """The whole step, in one transaction. Returns counts for demo.json."""
    with transaction.atomic():
        warehouses = build_warehouses(cat)
        info = build_opening_stock(warehouses, start=end - timedelta(days=days + 1))
        info.update(build_shipments(rnd, warehouses, end=end))
    info["warehouses"] = sum(len(w) for w in warehouses.values())
    return info
