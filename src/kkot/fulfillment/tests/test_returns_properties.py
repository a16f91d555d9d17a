"""Property test: random sequences of returns and exchanges through the pickup flow (inspection pass/fail,
restock into either warehouse or dispose, replacement or conversion to a refund) keep the stock ledger
consistent with its balances and with a plain model of what should be on the shelf."""

from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kkot.catalog.models import Variant
from kkot.core.errors import Conflict
from kkot.core.testing import make_product, make_store, make_user
from kkot.fulfillment import returns as rs
from kkot.fulfillment import services as fs
from kkot.inventory.models import StockLevel, StockMovement
from kkot.inventory.services import stock_receive, warehouse_create, warehouse_default
from kkot.orders.models import Refund
from kkot.orders.services.claims import ClaimItem, claim_request
from kkot.orders.tests.factories import place, variant

pytestmark = pytest.mark.django_db
KST = timezone.get_current_timezone()
TUE = datetime(2024, 5, 21, 10, 0, tzinfo=KST)
LABELS = ["블랙 / M", "블랙 / L", "화이트 / M", "화이트 / L"]  # stock 5, 0, 3, 2 in the factory

CLAIM = st.tuples(
    st.sampled_from(["return", "exchange"]),
    st.integers(1, 3),  # exchange target (index into LABELS, never the bought option)
    st.booleans(),  # inspection passed
    st.sampled_from(["restock0", "restock1", "dispose"]),
    st.sampled_from(["ship", "convert"]),  # exchange: replacement or refund
    st.integers(0, 3),  # units received of the target before (so it may be sold out)
)


def _check_ledger(variants):
    for lv in StockLevel.objects.filter(variant__in=variants):
        sums = StockMovement.objects.filter(variant_id=lv.variant_id, warehouse_id=lv.warehouse_id).aggregate(
            oh=Sum("on_hand_delta"), r=Sum("reserved_delta")
        )
        assert (lv.on_hand, lv.reserved) == (sums["oh"] or 0, sums["r"] or 0)
        assert 0 <= lv.reserved <= lv.on_hand
    for v in variants:
        levels = StockLevel.objects.filter(variant=v)
        if levels:  # the ledger opens a variant lazily, on its first movement
            assert Variant.all_objects.get(pk=v.pk).stock == sum(lv.on_hand - lv.reserved for lv in levels)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=st.lists(CLAIM, min_size=1, max_size=3))
def test_pickup_flow_keeps_the_ledger_consistent(claims):
    with transaction.atomic():
        store = make_store()
        owner = store.memberships.get().user
        p = make_product(store=store)
        fc = warehouse_create(store=store, actor=owner, name="풀필먼트", code="fc", kind="fc")
        buyer = make_user()
        vs = [variant(p, lb) for lb in LABELS]
        order = place(buyer, [(vs[0].pk, 3)]).orders.get()
        s = fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
        fs.tracking_event_record(shipment=s, code="delivered", occurred_at=TUE + timedelta(days=1))
        whs = [warehouse_default(store=store), fc]
        stock = {v.pk: Variant.objects.get(pk=v.pk).stock for v in vs}  # available to sell
        refunds = 0
        for i, (kind, target, passed, disposition, ending, received) in enumerate(claims):
            t = vs[target]
            if received:
                stock_receive(store=store, actor=owner, warehouse_id=whs[0].pk, variant_id=t.pk, qty=received)
                stock[t.pk] += received
            claim = claim_request(
                order_id=order.pk,
                user=buyer,
                kind=kind,
                reason="wrong_item",
                items=[
                    ClaimItem(
                        line_id=order.lines.get().pk,
                        quantity=1,
                        exchange_variant_id=t.pk if kind == "exchange" else None,
                    )
                ],
            )
            case = rs.claim_accept(store=store, actor=owner, claim_id=claim.pk)
            fs.tracking_event_record(
                shipment=case.pickup, code="delivered", occurred_at=TUE + timedelta(days=3 + i)
            )
            rs.return_inspect(
                store=store, actor=owner, case_id=case.pk, passed=passed, note="" if passed else "얼룩"
            )
            if disposition == "dispose":
                rs.return_dispose(store=store, actor=owner, case_id=case.pk, reason="폐기")
            else:
                rs.return_restock(
                    store=store, actor=owner, case_id=case.pk, warehouse_id=whs[int(disposition[-1])].pk
                )
                stock[vs[0].pk] += 1
            if kind == "return":
                refunds += 1
            elif ending == "ship" and passed:
                n = StockMovement.objects.count()
                try:
                    rs.exchange_replacement_ship(
                        store=store, actor=owner, case_id=case.pk, carrier="cj", tracking_number=f"55{i:010d}"
                    )
                except Conflict as e:
                    assert e.code == "out_of_stock" and stock[t.pk] < 1
                    assert StockMovement.objects.count() == n
                    rs.exchange_convert_to_return(store=store, actor=owner, case_id=case.pk)
                    refunds += 1
                else:
                    stock[t.pk] -= 1
            else:
                rs.exchange_convert_to_return(store=store, actor=owner, case_id=case.pk)
                refunds += 1
            _check_ledger(vs)
            assert {v.pk: Variant.objects.get(pk=v.pk).stock for v in vs} == stock
            assert Refund.objects.filter(order=order).count() == refunds
        transaction.set_rollback(True)
