"""Seller settlement and coupon reads: amounts, totals, date ranges, and never another store's rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from kkot.api.tests.helpers import BASE, buy
from kkot.core.testing import make_product
from kkot.orders.models import (
    Order,
    SettlementLine,
)
from kkot.orders.services.lifecycle import order_confirm, order_mark_delivered, order_ship, orders_accept
from kkot.orders.tests.factories import coupon

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------- settlements, coupons


def test_settlements_with_totals_and_date_range(seller):
    product = make_product(store=seller.store, code="A-1")
    orders = [buy(seller.store, product=product, qty=q) for q in (1, 2)]
    for order in orders:
        orders_accept(store=seller.store, actor=seller.user, order_ids=[order.pk])
        order_ship(order=order, actor=seller.user, carrier="cj", tracking_number="123456789012")
        order_mark_delivered(order=order)
        order_confirm(order=Order.objects.get(pk=order.pk), actor=order.user)
    SettlementLine.objects.filter(order=orders[0]).update(settle_date=date(2024, 5, 1))
    SettlementLine.objects.filter(order=orders[1]).update(settle_date=date(2024, 5, 3))

    r = seller.call("GET", BASE + "/settlements")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 2 and [i["order_id"] for i in body["items"]] == [orders[0].pk, orders[1].pk]
    first = body["items"][0]
    # 29,000 + 3,000 shipping (under 50,000); fees from the configured rates
    assert (first["sale_amount"], first["discount"], first["shipping_fee"], first["quantity"]) == (
        29000,
        0,
        3000,
        1,
    )
    assert first["net_amount"] == (
        first["sale_amount"]
        - first["discount"]
        + first["shipping_fee"]
        - first["platform_fee"]
        - first["payment_fee"]
    )
    assert (first["settle_date"], first["status"], first["status_label"]) == (
        "2024-05-01",
        "scheduled",
        "정산예정",
    )
    assert (first["order_number"], first["product_name"]) == (orders[0].number, "린넨 오버핏 셔츠")
    totals = body["totals"]
    assert (totals["count"], totals["quantity"], totals["sale_amount"]) == (2, 3, 87000)
    assert totals["sale_amount"] - totals["discount"] + totals["shipping_fee"] == int(
        sum(o.total for o in orders)
    )
    assert totals["net_amount"] == sum(i["net_amount"] for i in body["items"])

    r = seller.call("GET", BASE + "/settlements?date_from=2024-05-02&date_to=2024-05-31")
    assert [i["order_id"] for i in r.json()["items"]] == [orders[1].pk] and r.json()["totals"]["count"] == 1
    r = seller.call("GET", BASE + "/settlements?date_to=2024-04-30")
    assert r.json()["count"] == 0 and r.json()["totals"]["net_amount"] == 0
    r = seller.call("GET", BASE + "/settlements?date_from=2024-05-03&date_to=2024-05-01")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_date_range")
    r = seller.call("GET", BASE + "/settlements?date_from=yesterday")
    assert (r.status_code, r.json()["code"]) == (422, "invalid_request")


def test_settlements_of_another_store_never_show(seller, other):
    order = buy(other.store)
    order_ship(order=order, actor=other.user, carrier="cj", tracking_number="123456789012")
    order_mark_delivered(order=order)
    order_confirm(order=Order.objects.get(pk=order.pk), actor=order.user)
    assert SettlementLine.objects.filter(store=other.store).exists()
    body = seller.call("GET", BASE + "/settlements").json()
    assert (body["count"], body["items"], body["totals"]["sale_amount"]) == (0, [], 0)


def test_coupons(seller, other):
    coupon(
        seller.store,
        code="C10",
        name="10% 할인",
        kind="percent",
        amount=None,
        percent=10,
        max_discount=D(5000),
        audience="regulars",
        usage_limit=100,
    )
    coupon(seller.store, code="FIX", min_order=D(30000))
    coupon(other.store, code="THEIRS")
    r = seller.call("GET", BASE + "/coupons")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 2
    by_code = {c["code"]: c for c in body["items"]}
    assert set(by_code) == {"C10", "FIX"}
    c10 = by_code["C10"]
    assert (c10["kind"], c10["kind_label"], c10["percent"], c10["amount"], c10["max_discount"]) == (
        "percent",
        "정률 할인",
        10,
        None,
        5000,
    )
    assert (c10["audience"], c10["audience_label"], c10["usage_limit"], c10["used_count"]) == (
        "regulars",
        "단골 고객",
        100,
        0,
    )
    assert (by_code["FIX"]["amount"], by_code["FIX"]["min_order"]) == (3000, 30000)
    assert c10["ends_at"].endswith("+09:00")
