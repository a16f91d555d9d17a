"""Races on PostgreSQL: concurrent checkouts never oversell; a double-submitted payment is applied once."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from kkot.catalog.models import Variant
from kkot.core.errors import KkotError
from kkot.core.testing import make_product, make_user
from kkot.orders.models import Order, OrderStatus, Payment, PaymentStatus
from kkot.orders.services.checkout import checkout_place
from kkot.orders.tests.factories import APPROVE, SEOUL_ADDR, key

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is proven on PostgreSQL (CI runs the suite there too)")


def _run_parallel(fns):
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - collected for assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_50_concurrent_checkouts_for_10_in_stock_give_exactly_10_paid_orders():
    p = make_product(variants=[])
    v = p.variants.get(label="블랙 / M")
    Variant.objects.filter(pk=v.pk).update(stock=10)
    buyers = [make_user() for _ in range(50)]
    total = D(32000)  # 29,000 + 3,000 shipping (free over 50,000)

    def buy(user):
        return lambda: checkout_place(user=user, items=[(v.pk, 1)], address=SEOUL_ADDR, provider="test_card",
                                      idempotency_key=key(), expected_total=total, payment_params=APPROVE)

    results = _run_parallel([buy(u) for u in buyers])
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, KkotError) and e.code == "out_of_stock" for e in errors), errors[:3]
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 10
    assert len(errors) == 40
    assert Variant.objects.get(pk=v.pk).stock == 0
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 10


def test_the_same_checkout_submitted_ten_times_at_once_is_one_order():
    p = make_product()
    v = p.variants.get(label="블랙 / M")
    buyer = make_user()
    k = key()

    def submit():
        return checkout_place(user=buyer, items=[(v.pk, 1)], address=SEOUL_ADDR, provider="test_card",
                              idempotency_key=k, expected_total=D(32000), payment_params=APPROVE).pk

    results = _run_parallel([submit] * 10)
    ok = {r for r in results if isinstance(r, int)}
    assert len(ok) == 1, results
    assert Order.objects.count() == 1 and Variant.objects.get(pk=v.pk).stock == 4
