import json
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from kkot.accounts.models import User
from kkot.catalog.models import Product, ProductAttributeValue, Variant
from kkot.catalog.selectors import category_attribute_defs
from kkot.demo import build
from kkot.demo.orders import SLOW_STORE
from kkot.demo.tests.fulfillment_checks import check_ledger, check_returns, check_shipments
from kkot.demo.tests.order_checks import check_orders, claim_counts, delivery_days
from kkot.events.models import Event
from kkot.fulfillment.models import PromiseRecord
from kkot.orders import models as om
from kkot.orders.models import Claim, ClaimStatus, CouponRedemption, Order, OrderStatus
from kkot.stores.models import Store

pytestmark = pytest.mark.django_db

#: The small demo's "now": its two weeks of trading hold a few dozen claims, so which kinds occur (an exchange, an
#: order still waiting for 발주확인) depends on the instant the build ends. The mix is asserted for this fixed instant
#: (a Friday, 15:30 KST); the whole build reads the clock through ``timezone.now``.
NOW = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
# Deleted children first (protected foreign keys) when the test builds twice.
ORDER_MODELS = (om.SettlementLine, om.Refund, om.CouponRedemption, om.ClaimLine, om.Claim, om.OrderEvent, om.OrderLine,
                om.Payment, om.Order, om.Purchase, om.Coupon, om.Address)


def test_small_demo_is_consistent_and_deterministic(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    info = build.demo_build(seed=7, size=build.SMALL, quiet=True)
    assert info["stores"] == 8 and info["products"] == 96
    assert {s.slug for s in Store.objects.all()} >= {"dailylook", "glowlab", "jejufresh", "homenest", "gadgetbay",
                                                      "littlebloom"}
    assert User.objects.get(email=build.SELLER_EMAIL).check_password(build.DEMO_PASSWORD)
    assert User.objects.get(email=build.SHOPPER_EMAIL).check_password(build.DEMO_PASSWORD)
    # Products obey the same invariants as the catalog services.
    for p in Product.objects.prefetch_related("variants", "images"):
        variants = list(p.variants.all())
        assert variants and p.stock_total == sum(v.stock for v in variants)
        assert p.images.count() == 1
        allowed = {d.code for d in category_attribute_defs(p.category)}
        assert set(p.attributes) <= allowed, (p.name, p.attributes)
        assert p.sale_price is None or p.sale_price < p.price
        if p.stock_total == 0:
            assert p.status != Product.Status.ON_SALE
    assert ProductAttributeValue.objects.exists() and Variant.objects.count() >= 96
    assert Event.objects.count() == info["events"] > 1000
    # Privacy: no event of a shopper who opted out of tracking.
    opted_out = set(User.objects.filter(tracking_opt_out=True).values_list("pk", flat=True))
    assert not Event.objects.filter(user_id__in=opted_out).exists()
    # The dead banner is (almost) never clicked compared with the first banner.
    first = Store.objects.get(slug="dailylook").banners.order_by("position").first()
    dead = info["dead_banners"][first.store_id]
    assert Event.objects.filter(section=f"banner:{dead}").count() < Event.objects.filter(section=f"banner:{first.pk}").count()
    assert json.loads(build.marker_path().read_text())["events"] == info["events"]
    names_first = list(Product.objects.order_by("pk").values_list("name", "price")[:20])
    orders_first = list(Order.objects.order_by("pk").values_list("store__slug", "items_total", "total", "status")[:50])

    for model in (*ORDER_MODELS, Event, Product, Store, User):
        model.objects.all().delete()
    build.demo_build(seed=7, size=build.SMALL, quiet=True)
    assert list(Product.objects.order_by("pk").values_list("name", "price")[:20]) == names_first
    assert list(Order.objects.order_by("pk").values_list("store__slug", "items_total", "total", "status")[:50]) \
        == orders_first


def test_small_demo_orders_keep_the_order_services_invariants(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    info = build.demo_build(seed=5, size=build.SMALL, quiet=True)
    n = info["orders"]
    assert n >= build.SMALL.purchases
    statuses = check_orders(info)  # every total, payment, refund, claim, settlement and timeline rule
    # Warehouses, stock ledger and shipments: exact invariants, then a plausible mix.
    assert check_ledger() == info["fulfillment"]["stock_levels"]
    shipments = check_shipments(datetime.fromisoformat(info["built_at"]))
    assert sum(shipments.values()) == info["fulfillment"]["shipments"] == Order.objects.filter(
        shipped_at__isnull=False).count()
    assert shipments["delivered"] > shipments["failed"] >= 3
    returns = check_returns(datetime.fromisoformat(info["built_at"]))  # pickups, inspections, replacements
    assert sum(returns.values()) == info["fulfillment"]["return_cases"] >= 1
    assert info["fulfillment"]["promise_records"] == PromiseRecord.objects.count() >= 1
    # Plausible mix for two weeks of trading: each status of the pipeline is present.
    assert set(statuses) >= {OrderStatus.PAID, OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED,
                             OrderStatus.CONFIRMED, OrderStatus.CANCELLED}
    assert 0.01 * n <= statuses[OrderStatus.CANCELLED] <= 0.12 * n
    assert statuses[OrderStatus.PENDING_PAYMENT] <= 0.05 * n  # a few virtual accounts waiting for the deposit
    claims = claim_counts()
    assert claims["cancel"] >= 1 and claims["return"] >= 1 and claims["exchange"] >= 1
    assert Claim.objects.filter(kind="return", status=ClaimStatus.COMPLETED).exists()
    # about 10% of orders use a coupon; a two-week window can hold a seasonal coupon, hence the wide bound
    assert 0.03 * n <= CouponRedemption.objects.count() <= 0.3 * n
    # The slow store's deliveries take clearly longer than the others' (all of SMALL is in the last 30 days).
    since = Order.objects.order_by("created_at").first().created_at
    slow = delivery_days(SLOW_STORE, since)
    others = [delivery_days(s.slug, since) for s in Store.objects.exclude(slug=SLOW_STORE)]
    assert slow > max(others) + 1.5, (slow, others)
    # Leaky products (viewed a lot, rarely carted) are rarely bought.
    leaky = Product.objects.filter(pk__in=info["leaky_products"])
    assert sum(p.sales_count for p in leaky) * 20 < sum(Product.objects.values_list("sales_count", flat=True))
    # The demo shopper has orders to show on "my orders".
    assert Order.objects.filter(user__email=build.SHOPPER_EMAIL).count() >= 3
