"""Property test: over random sequences of stock operations the ledger and the balances always agree.

For every StockLevel: on_hand == Σ on_hand_delta, reserved == Σ reserved_delta, 0 <= reserved <= on_hand;
Variant.stock == Σ available; and the totals follow a plain Python model of the operations."""

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kkot.catalog.models import Variant
from kkot.core.errors import Conflict, ValidationError
from kkot.core.testing import make_product, make_store
from kkot.inventory import services as inv
from kkot.inventory.models import StockLevel, StockMovement, Warehouse

pytestmark = pytest.mark.django_db

V = st.integers(0, 1)
Q = st.integers(1, 6)
OPS = st.one_of(
    st.tuples(st.just("receive"), V, st.integers(0, 1), Q),
    st.tuples(st.just("adjust"), V, st.integers(0, 1), st.integers(-6, 6).filter(bool)),
    st.tuples(st.just("reserve"), V, st.just(0), Q),
    st.tuples(st.just("release"), V, st.just(0), Q),
    st.tuples(st.just("ship"), V, st.just(0), Q),
    st.tuples(st.just("restock"), V, st.just(0), Q),
    st.tuples(st.just("catalog_write"), V, st.just(0), st.integers(0, 8)),
)


@pytest.fixture
def world():
    store = make_store()
    owner = store.memberships.get().user
    p = make_product(store=store)
    variants = list(p.variants.order_by("pk")[:2])  # stock 5 and 0 in the factory
    return store, owner, variants


def _check(variants, model):
    for lv in StockLevel.objects.filter(variant__in=variants):
        sums = StockMovement.objects.filter(variant_id=lv.variant_id, warehouse_id=lv.warehouse_id).aggregate(
            oh=Sum("on_hand_delta"), r=Sum("reserved_delta"))
        assert lv.on_hand == (sums["oh"] or 0)
        assert lv.reserved == (sums["r"] or 0)
        assert 0 <= lv.reserved <= lv.on_hand
    for i, v in enumerate(variants):
        levels = StockLevel.objects.filter(variant=v)
        on_hand = sum(lv.on_hand for lv in levels)
        reserved = sum(lv.reserved for lv in levels)
        assert Variant.all_objects.get(pk=v.pk).stock == on_hand - reserved
        if levels:  # opened
            assert [on_hand, reserved] == model[i]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=25))
def test_ledger_always_sums_to_balances(world, ops):
    store, owner, variants = world
    with transaction.atomic():
        second = Warehouse.objects.create(store=store, code="fc", name="풀필먼트", kind="fc")
        inv.stock_sync(store=store)  # opening balances: receive of the factory stock
        whs = [inv.warehouse_default(store=store), second]
        model = [[v.stock, 0] for v in variants]
        for op, vi, wi, q in ops:
            v = variants[vi]
            on_hand, reserved = model[vi]
            if op == "receive":
                inv.stock_receive(store=store, actor=owner, warehouse_id=whs[wi].pk, variant_id=v.pk, qty=q,
                                  reason="입고")
                model[vi][0] += q
            elif op == "adjust":
                lv = StockLevel.objects.filter(variant=v, warehouse=whs[wi]).first()
                avail = lv.available if lv else 0
                n = StockMovement.objects.count()
                if avail + q < 0:
                    with pytest.raises(ValidationError) as e:
                        inv.stock_adjust(store=store, actor=owner, warehouse_id=whs[wi].pk, variant_id=v.pk,
                                         delta=q, reason="실사")
                    assert e.value.code == "below_zero"
                    assert StockMovement.objects.count() == n
                else:
                    inv.stock_adjust(store=store, actor=owner, warehouse_id=whs[wi].pk, variant_id=v.pk,
                                     delta=q, reason="실사")
                    model[vi][0] += q
            elif op == "reserve":
                if on_hand - reserved < q:
                    with pytest.raises(Conflict):
                        inv.inventory_reserve(quantities={v.pk: q})
                else:
                    inv.inventory_reserve(quantities={v.pk: q})
                    model[vi][1] += q
            elif op == "release":
                inv.inventory_release(quantities={v.pk: q})
                r = min(q, reserved)
                model[vi] = [on_hand + q - r, reserved - r]
            elif op == "ship":
                inv.inventory_ship(lines=[(v.pk, q, None)])
                r = min(q, reserved)
                model[vi] = [on_hand - r, reserved - r]
            elif op == "restock":
                inv.inventory_restock(quantities={v.pk: q})
                model[vi][0] += q
            elif op == "catalog_write":  # the product form writes Variant.stock directly
                Variant.all_objects.filter(pk=v.pk).update(stock=q)
                inv.stock_sync(store=store)
                model[vi][0] = reserved + q
            _check(variants, model)
        transaction.set_rollback(True)


RETURN_OPS = st.one_of(
    st.tuples(st.just("reserve"), V, st.just(0), Q),
    st.tuples(st.just("ship"), V, st.just(0), Q),
    st.tuples(st.just("return_restock"), V, st.integers(0, 1), Q),  # into a chosen warehouse
    st.tuples(st.just("dispose"), V, st.integers(0, 1), Q),
    st.tuples(st.just("exchange"), V, st.integers(0, 1), Q),  # old variant back on a shelf, the other one out
    st.tuples(st.just("receive"), V, st.integers(0, 1), Q),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(RETURN_OPS, min_size=1, max_size=25))
def test_ledger_stays_consistent_through_returns_disposals_and_exchanges(world, ops):
    """Pickup outcomes: restock into a chosen warehouse, dispose (a ledger row, no balance change), and an
    exchange's replacement (reserve + ship of the new option, all or nothing when it is short)."""
    store, owner, variants = world
    with transaction.atomic():
        second = Warehouse.objects.create(store=store, code="fc", name="풀필먼트", kind="fc")
        inv.stock_sync(store=store)
        whs = [inv.warehouse_default(store=store), second]
        model = [[v.stock, 0] for v in variants]
        for op, vi, wi, q in ops:
            v = variants[vi]
            on_hand, reserved = model[vi]
            if op == "receive":
                inv.stock_receive(store=store, actor=owner, warehouse_id=whs[wi].pk, variant_id=v.pk, qty=q,
                                  reason="입고")
                model[vi][0] += q
            elif op == "reserve":
                if on_hand - reserved < q:
                    with pytest.raises(Conflict):
                        inv.inventory_reserve(quantities={v.pk: q})
                else:
                    inv.inventory_reserve(quantities={v.pk: q})
                    model[vi][1] += q
            elif op == "ship":
                inv.inventory_ship(lines=[(v.pk, q, None)])
                r = min(q, reserved)
                model[vi] = [on_hand - r, reserved - r]
            elif op == "return_restock":
                inv.inventory_restock(quantities={v.pk: q}, warehouse_id=whs[wi].pk, reason="반품 재입고")
                assert StockMovement.objects.latest("pk").warehouse_id == whs[wi].pk
                model[vi][0] += q
            elif op == "dispose":
                n = StockMovement.objects.count()
                moves = inv.inventory_dispose(quantities={v.pk: q}, reason="파손", warehouse_id=whs[wi].pk)
                assert [(m.kind, m.qty, m.on_hand_delta, m.reserved_delta) for m in moves] == [("dispose", q, 0, 0)]
                assert StockMovement.objects.count() == n + 1
            elif op == "exchange":
                new = variants[1 - vi]
                n = StockMovement.objects.count()
                try:
                    with transaction.atomic():
                        inv.inventory_restock(quantities={v.pk: q}, warehouse_id=whs[wi].pk)
                        inv.inventory_reserve(quantities={new.pk: q})
                        inv.inventory_ship(lines=[(new.pk, q, None)])
                except Conflict:
                    assert model[1 - vi][0] - model[1 - vi][1] < q
                    assert StockMovement.objects.count() == n  # nothing half-applied
                else:
                    model[vi][0] += q
                    model[1 - vi][0] -= q
            _check(variants, model)
        transaction.set_rollback(True)
