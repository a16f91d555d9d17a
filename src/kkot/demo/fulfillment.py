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
- **Returns**: a return case with its pickup (회수) parcel for every accepted return/exchange, and a tracked
  replacement parcel for exchanges (:func:`build_returns`); exchanges still open sit somewhere along the way.
- **Promises**: the promise each order of the last weeks would have been shown, with its outcome (a time split
  over these shipments, :func:`build_promises`), for the seller's 도착보장 성과 page.
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
from kkot.demo.orders.rows import Table
from kkot.fulfillment.carriers import SimulatedCarrier, region
from kkot.fulfillment.models import Shipment, TrackingEvent
from kkot.inventory.models import MovementKind, StockLevel, StockMovement, Warehouse
from kkot.inventory.services import OPENING_REASON
from kkot.orders.models import Order, OrderLine, OrderStatus
from kkot.stores.models import StoreMembership

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
    ships = Table(Shipment, ["order", "store", "warehouse", "kind", "carrier", "tracking_number", "status",
                              "dest_postcode", "origin_postcode", "created_at", "last_event_at", "delivered_at"])
    events = Table(TrackingEvent, ["shipment", "code", "occurred_at", "location", "source", "created_at"])
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
        ships.add(oid, sid, wh, Shipment.Kind.OUTBOUND, carrier, tn, status, postcode, "", dt(shipped), dt(last),
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
        row[7], row[11] = "failed", dt(at)
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
        info.update(build_returns(rnd, warehouses, end=end))
        info.update(build_promises(end=end, days=days))
    info["warehouses"] = sum(len(w) for w in warehouses.values())
    return info


# ------------------------------------------------------------------------------------------- returns (회수·검수)
def _spread(start: datetime, stop: datetime, n: int) -> list[datetime]:
    span = (stop - start) / (n + 1)
    return [(start + span * (i + 1)).replace(microsecond=0) for i in range(n)]


def build_returns(rnd: random.Random, warehouses: dict[int, dict[str, int]], *, end: datetime) -> dict:
    """A return case with its pickup (회수) parcel for every return/exchange the sellers accepted, as the
    pickup flow would have left it: completed returns were picked up, inspected (defective goods fail and are
    disposed, the rest pass and are restocked) and refunded; rejected ones failed inspection; completed
    exchanges got a tracked replacement parcel; exchanges still open at ``end`` are somewhere along the way
    (pickup in transit, waiting for inspection, restocked and waiting for the replacement). Historical
    restock/dispose movements are not written: the ledger opens after them (see the module doc)."""
    from kkot.fulfillment.models import ReturnCase, ReturnCaseEvent, ReturnStatus
    from kkot.orders.models import Claim, ClaimKind, ClaimReason, ClaimStatus, OrderEvent

    R = ReturnStatus
    done_at = dict(OrderEvent.objects.filter(kind="claim_exchange_completed").values_list("order_id", "created_at"))
    cold_orders = set(OrderLine.objects.filter(product__cold_chain=True).values_list("order_id", flat=True))
    owners = dict(StoreMembership.objects.filter(role=StoreMembership.Role.OWNER).values_list("store_id", "user_id"))
    wh_postcode = dict(Warehouse.objects.values_list("pk", "postcode"))
    used = set(Shipment.objects.values_list("carrier", "tracking_number"))
    rows = (Claim.objects.filter(kind__in=[ClaimKind.RETURN, ClaimKind.EXCHANGE])
            .exclude(status=ClaimStatus.REQUESTED).order_by("pk")
            .values_list("pk", "order_id", "order__store_id", "kind", "status", "reason", "reject_reason",
                         "created_at", "resolved_at", "order__carrier", "order__purchase__postcode"))
    plans = []  # (claim, case fields, pickup fields, pickup events, replacement or None, audit [(from,to,at,role,why)])
    stats: dict[str, int] = defaultdict(int)
    for cid, oid, sid, kind, status, reason, reject, t_req, t_res, carrier, postcode in rows:
        if t_res is None or sid not in warehouses:
            continue
        cold = oid in cold_orders
        whs = warehouses[sid]
        wh = whs["cold"] if cold and "cold" in whs else whs["default"]
        carrier = "fresh" if cold else (carrier if carrier and carrier != "fresh" else "cj")
        salt = 0
        while True:
            tn = SimulatedCarrier(carrier).request_pickup(reference=f"demo{cid}-{salt}").tracking_number
            if (carrier, tn) not in used:
                used.add((carrier, tn))
                break
            salt += 1
        audit = []
        events: list[tuple[str, datetime, str]] = []
        case = {"status": R.COMPLETED, "inspection_passed": None, "inspection_note": "", "inspected_at": None,
                "disposition_reason": "", "refunded_at": None}
        replacement = None
        origin, dest = postcode or "04000", wh_postcode.get(wh) or "04000"
        if kind == ClaimKind.EXCHANGE and status == ClaimStatus.APPROVED:  # still open at the end
            requested = t_res
            tl = [(u.code, u.occurred_at, u.location) for u in SimulatedCarrier(carrier).timeline(
                tracking_number=tn, dispatched_at=requested, origin_postcode=origin, dest_postcode=dest)
                if u.occurred_at <= end and u.code != "failed"]
            events = tl
            audit.append(("", R.PICKUP_REQUESTED, requested, "seller", ""))
            if tl:
                audit.append((R.PICKUP_REQUESTED, R.IN_TRANSIT, tl[0][1], "system", ""))
            state = R.IN_TRANSIT if tl else R.PICKUP_REQUESTED
            if tl and tl[-1][0] == "delivered":
                arrived = tl[-1][1]
                audit.append((R.IN_TRANSIT, R.ARRIVED, arrived, "system", ""))
                state = R.ARRIVED
                if arrived + timedelta(hours=20) <= end and rnd.random() < 0.6:
                    t_ins = arrived + timedelta(hours=rnd.uniform(2, 18))
                    case.update(inspection_passed=True, inspection_note="이상 없음", inspected_at=t_ins)
                    audit += [(R.ARRIVED, R.PASSED, t_ins, "seller", "이상 없음"),
                              (R.PASSED, R.RESTOCKED, t_ins + timedelta(minutes=10), "seller", "")]
                    state = R.RESTOCKED
            case["status"] = state
        else:
            t_end = done_at.get(oid, t_res) if kind == ClaimKind.EXCHANGE else t_res
            t_end = max(t_end, t_req + timedelta(hours=6))
            requested = (t_res if kind == ClaimKind.EXCHANGE else t_req + (t_res - t_req) * 0.1).replace(microsecond=0)
            arrived = requested + (t_end - requested) * 0.7
            t_ins = requested + (t_end - requested) * 0.85
            steps = _spread(requested, arrived, 4)
            events = [("picked_up", steps[0], "집하점"), ("hub_in", steps[1], HUBS[region(origin)]),
                      ("hub_out", steps[2], HUBS[region(dest)]), ("out_for_delivery", steps[3], "배송지 대리점"),
                      ("delivered", arrived.replace(microsecond=0), "판매자 창고")]
            audit += [("", R.PICKUP_REQUESTED, requested, "seller", ""),
                      (R.PICKUP_REQUESTED, R.IN_TRANSIT, steps[0], "system", ""),
                      (R.IN_TRANSIT, R.ARRIVED, events[-1][1], "system", "")]
            if status == ClaimStatus.REJECTED:
                note = reject or "사용 흔적이 있습니다"
                case.update(status=R.REJECTED, inspection_passed=False, inspection_note=note, inspected_at=t_ins)
                audit += [(R.ARRIVED, R.FAILED, t_ins, "seller", note), (R.FAILED, R.REJECTED, t_res, "seller", note)]
            elif reason == ClaimReason.DEFECTIVE and kind == ClaimKind.RETURN:
                note = "불량 확인"
                case.update(inspection_passed=False, inspection_note=note, inspected_at=t_ins,
                            disposition_reason="불량으로 폐기", refunded_at=t_res)
                audit += [(R.ARRIVED, R.FAILED, t_ins, "seller", note),
                          (R.FAILED, R.DISPOSED, t_ins + timedelta(minutes=5), "seller", "불량으로 폐기"),
                          (R.DISPOSED, R.COMPLETED, t_res, "seller", "환불 완료")]
            else:
                case.update(inspection_passed=True, inspection_note="이상 없음", inspected_at=t_ins,
                            refunded_at=t_res if kind == ClaimKind.RETURN else None)
                audit += [(R.ARRIVED, R.PASSED, t_ins, "seller", "이상 없음"),
                          (R.PASSED, R.RESTOCKED, t_ins + timedelta(minutes=5), "seller", "")]
                if kind == ClaimKind.RETURN:
                    audit.append((R.RESTOCKED, R.COMPLETED, t_res, "seller", "환불 완료"))
                else:  # the replacement leaves at the exchange's completion
                    replacement = _replacement(rnd, carrier, t_end, origin=dest, dest=origin, end=end, used=used)
                    audit.append((R.RESTOCKED, R.REPLACEMENT_SHIPPED, t_end, "seller", ""))
                    if replacement["status"] == "delivered":
                        audit.append((R.REPLACEMENT_SHIPPED, R.COMPLETED, replacement["delivered_at"], "system",
                                      "교환 상품 배송완료"))
                        case["status"] = R.COMPLETED
                    else:
                        case["status"] = R.REPLACEMENT_SHIPPED
        plans.append((cid, oid, sid, wh, requested, carrier, tn, origin, dest, events, case, replacement, audit))
        stats[case["status"]] += 1
    # -- rows
    pickups = [Shipment(order_id=oid, claim_id=cid, store_id=sid, warehouse_id=wh, kind=Shipment.Kind.PICKUP,
                        carrier=carrier, tracking_number=tn, origin_postcode=origin, dest_postcode=dest,
                        status=events[-1][0] if events else "ready", created_at=requested,
                        last_event_at=events[-1][1] if events else None,
                        delivered_at=events[-1][1] if events and events[-1][0] == "delivered" else None)
               for cid, oid, sid, wh, requested, carrier, tn, origin, dest, events, *_rest in plans]
    Shipment.objects.bulk_create(pickups, batch_size=2000)
    reps = {}
    for p in plans:
        rep = p[11]
        if rep is not None:
            reps[p[0]] = Shipment(order_id=p[1], claim_id=p[0], store_id=p[2], warehouse_id=p[3],
                                  kind=Shipment.Kind.REPLACEMENT, carrier=rep["carrier"],
                                  tracking_number=rep["tracking_number"], dest_postcode=p[7], status=rep["status"],
                                  created_at=rep["shipped_at"], last_event_at=rep["events"][-1][1] if rep["events"]
                                  else None, delivered_at=rep.get("delivered_at"))
    Shipment.objects.bulk_create(list(reps.values()), batch_size=2000)
    tevents = []
    for p, s in zip(plans, pickups, strict=True):
        tevents += [TrackingEvent(shipment=s, code=c, occurred_at=at, location=loc, source="simulated", created_at=at)
                    for c, at, loc in p[9]]
        if p[0] in reps:
            tevents += [TrackingEvent(shipment=reps[p[0]], code=c, occurred_at=at, location=loc, source="simulated",
                                      created_at=at) for c, at, loc in p[11]["events"]]
    TrackingEvent.objects.bulk_create(tevents, batch_size=5000)
    cases = [ReturnCase(claim_id=p[0], order_id=p[1], store_id=p[2], warehouse_id=p[3], pickup=s,
                        replacement=reps.get(p[0]), created_at=p[4], updated_at=p[12][-1][2], **p[10])
             for p, s in zip(plans, pickups, strict=True)]
    ReturnCase.objects.bulk_create(cases, batch_size=2000)
    audits, oevents = [], []
    for p, c in zip(plans, cases, strict=True):
        owner = owners.get(p[2])
        for frm, to, at, role, why in p[12]:
            actor = owner if role == "seller" else None
            audits.append(ReturnCaseEvent(case=c, from_status=frm, to_status=to, actor_id=actor, actor_role=role,
                                          reason=why, created_at=at))
            oevents.append(OrderEvent(order_id=p[1], kind=f"return_{to}", actor_id=actor, actor_role=role,
                                      reason=why, data={"claim": p[0], "case": c.pk}, created_at=at))
    ReturnCaseEvent.objects.bulk_create(audits, batch_size=5000)
    OrderEvent.objects.bulk_create(oevents, batch_size=5000)
    return {"return_cases": len(cases), "return_case_status": dict(sorted(stats.items())),
            "exchange_replacements": len(reps)}


def _replacement(rnd: random.Random, carrier: str, shipped: datetime, *, origin: str, dest: str, end: datetime,
                 used: set) -> dict:
    digits = {"lotte": 12, "epost": 13, "logen": 11}.get(carrier, 12)
    while True:
        tn = (f"EX{rnd.randrange(10**10):010d}" if carrier == "fresh"
              else f"7{rnd.randrange(10 ** (digits - 1)):0{digits - 1}d}")
        if (carrier, tn) not in used:
            used.add((carrier, tn))
            break
    tl = [(u.code, u.occurred_at, u.location) for u in SimulatedCarrier(carrier).timeline(
        tracking_number=tn, dispatched_at=shipped, origin_postcode=origin, dest_postcode=dest)
        if u.occurred_at <= end and u.code != "failed"]
    out = {"carrier": carrier, "tracking_number": tn, "shipped_at": shipped, "events": tl,
           "status": tl[-1][0] if tl else "ready"}
    if tl and tl[-1][0] == "delivered":
        out["delivered_at"] = tl[-1][1]
    return out


def build_promises(*, end: datetime, days: int) -> dict:
    """The promise each order of the last weeks would have been shown at checkout and how it turned out (a
    time split over the demo's own shipments, :mod:`kkot.fulfillment.promise_eval`), so the seller's 도착보장
    성과 page has a history."""
    from kkot.fulfillment.promise_eval import promise_backtest, promise_records_from_backtest

    window = max(2, min(56, days // 5))  # orders of the last 8 weeks get a recorded promise
    gap = max(1, min(14, days // 6))
    train = 75  # days of shipments before the gap the estimator learns from (enough support, seconds to fit)
    bt = promise_backtest(split_at=end - timedelta(days=window), gap_days=gap,
                          since=end - timedelta(days=min(days + 2, window + gap + train)))
    n = promise_records_from_backtest(bt)
    shown = sum(r.shown for r in bt.rows)
    return {"promise_records": n, "promise_dates": shown, "promise_train": len(bt.train)}
