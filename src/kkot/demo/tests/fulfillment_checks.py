"""Exact invariants of the demo's warehouses, stock ledger and shipments (used by test_demo)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from django.db.models import Sum

from kkot.catalog.models import Variant
from kkot.fulfillment.carriers import sits_over_day_off
from kkot.fulfillment.models import RANK, Shipment, TrackingEvent
from kkot.inventory.models import StockLevel, StockMovement, Warehouse
from kkot.orders.models import Order, OrderLine
from kkot.stores.models import Store

DELIVERED_STEPS = ["picked_up", "hub_in", "hub_out", "out_for_delivery", "delivered"]


def check_ledger() -> int:
    """Every level is the sum of its movements; Σ available per variant is Variant.stock; one receive per level."""
    sums = {(r["variant_id"], r["warehouse_id"]): (r["oh"], r["res"]) for r in StockMovement.objects.values(
        "variant_id", "warehouse_id").annotate(oh=Sum("on_hand_delta"), res=Sum("reserved_delta"))}
    avail: dict[int, int] = defaultdict(int)
    n = 0
    for lv in StockLevel.objects.all():
        assert sums[(lv.variant_id, lv.warehouse_id)] == (lv.on_hand, lv.reserved), lv.pk
        assert 0 <= lv.reserved <= lv.on_hand
        avail[lv.variant_id] += lv.on_hand - lv.reserved
        n += 1
    assert len(sums) == n
    for vid, stock in Variant.all_objects.values_list("pk", "stock"):
        assert avail.get(vid, 0) == stock, vid
    receives = Counter(StockMovement.objects.filter(kind="receive").values_list("variant_id", flat=True))
    assert set(receives.values()) == {1} and len(receives) == n
    # Reservations are exactly the units of the orders still waiting for dispatch.
    held = Counter()
    for vid, q, c in OrderLine.objects.filter(order__status__in=["pending_payment", "paid", "preparing"]).values_list(
            "variant_id", "quantity", "cancelled_qty"):
        held[vid] += q - c
    reserved = Counter()
    for vid, r in StockLevel.objects.values_list("variant_id", "reserved"):
        reserved[vid] += r
    assert +held == +reserved
    # Chilled goods sit in a cold-chain warehouse.
    assert not StockLevel.objects.filter(variant__product__cold_chain=True, warehouse__cold_chain=False).exists()
    return n


def check_shipments(end: datetime) -> Counter:
    """One shipment per dispatched order, its events in time order and matching the order's times."""
    orders = {o.pk: o for o in Order.objects.filter(shipped_at__isnull=False).select_related("purchase")}
    assert not Shipment.objects.exclude(order_id__in=orders).exists()
    events = defaultdict(list)
    for e in TrackingEvent.objects.order_by("shipment_id", "occurred_at", "pk"):
        events[e.shipment_id].append(e)
    cold = set(OrderLine.objects.filter(product__cold_chain=True).values_list("order_id", flat=True))
    seen: set[int] = set()
    statuses: Counter = Counter()
    for s in Shipment.objects.filter(kind="outbound").select_related("warehouse"):
        o = orders[s.order_id]
        assert s.order_id not in seen
        seen.add(s.order_id)
        assert (s.store_id, s.carrier, s.tracking_number, s.created_at) == (o.store_id, o.carrier, o.tracking_number,
                                                                            o.shipped_at)
        assert s.dest_postcode == o.purchase.postcode and s.warehouse.store_id == o.store_id
        evs = events[s.pk]
        times = [e.occurred_at for e in evs]
        assert times == sorted(times) and len(set(times)) == len(times), s.pk
        assert all(o.shipped_at < t <= end for t in times)
        codes = [e.code for e in evs]
        if o.delivered_at is not None:
            assert codes == DELIVERED_STEPS and times[-1] == o.delivered_at == s.delivered_at
            assert s.status == "delivered"
        else:
            assert o.status == "shipping" and s.delivered_at is None and "delivered" not in codes
            assert codes == DELIVERED_STEPS[:len(codes)] or codes[-1] == "failed"
            assert s.status == (codes[-1] if codes else "ready")
        assert [RANK[c] for c in codes] == sorted(RANK[c] for c in codes)
        assert s.last_event_at == (times[-1] if times else None)
        if s.order_id in cold:
            assert s.carrier == "fresh" and s.warehouse.cold_chain
            assert not sits_over_day_off(s.created_at.astimezone(end.tzinfo).date()), o.number
        statuses[s.status] += 1
    assert seen == set(orders)
    assert Warehouse.objects.filter(is_default=True).count() == Store.objects.count()
    return statuses


def check_returns(end: datetime) -> Counter:
    """Every accepted return/exchange has one return case with a pickup parcel of its order; events in time
    order; the audit rows chain (each starts where the previous ended) and end at the case's status; refunds,
    inspections and replacements agree with the claim."""
    from kkot.fulfillment.models import ReturnCase
    from kkot.fulfillment.returns import TRANSITIONS
    from kkot.orders.models import Claim

    accepted = set(Claim.objects.filter(kind__in=["return", "exchange"]).exclude(status="requested")
                   .values_list("pk", flat=True))
    cases = list(ReturnCase.objects.select_related("claim", "pickup", "replacement"))
    assert {c.claim_id for c in cases} == accepted
    statuses: Counter = Counter()
    for c in cases:
        p = c.pickup
        assert (p.kind, p.claim_id, p.order_id, p.store_id) == ("pickup", c.claim_id, c.order_id, c.store_id)
        assert p.origin_postcode == c.order.purchase.postcode
        times = list(TrackingEvent.objects.filter(shipment=p).order_by("occurred_at", "pk")
                     .values_list("occurred_at", flat=True))
        assert times == sorted(times) and all(p.created_at < t <= end for t in times)
        audit = list(c.events.order_by("pk").values_list("from_status", "to_status", "created_at"))
        assert audit[0][0] == "" and audit[-1][1] == c.status
        for (_f1, t1, at1), (f2, t2, at2) in zip(audit, audit[1:], strict=False):
            assert f2 == t1 and t2 in TRANSITIONS[f2] and at1 <= at2 <= end, c.pk
        if c.claim.kind == "return" and c.claim.status == "completed":
            assert c.status == "completed" and c.refunded_at == c.claim.resolved_at
        if c.claim.status == "rejected":
            assert c.status == "rejected" and c.inspection_passed is False
        if c.replacement_id:
            assert c.claim.kind == "exchange" and c.replacement.kind == "replacement" and c.inspection_passed
        statuses[c.status] += 1
    return statuses
