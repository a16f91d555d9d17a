"""Shared helpers of the API tests: request bodies, a database snapshot for "nothing changed" checks, and
orders, claims and returns brought to a given state."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings

from kkot.core.testing import leaf_category

SNAPSHOT_APPS = ("accounts", "stores", "catalog", "orders", "reviews", "inventory", "fulfillment")
VOLATILE = {"last_used_at", "last_login"}


def product_body(**overrides) -> dict:
    body = {
        "name": "API 반팔 티셔츠",
        "category_id": leaf_category().pk,
        "price": 19000,
        "sale_price": 15000,
        "description_html": "<p>부드러운 면 티셔츠</p>",
        "brand": "꽃브랜드",
        "attributes": {"material": ["면"], "fit": "레귤러"},
        "notice": {"제조국": "대한민국"},
        "tags": ["반팔", "면티"],
        "options": [{"name": "색상", "values": ["블랙", "화이트"]}, {"name": "사이즈", "values": ["S", "M"]}],
        "variants": [
            {"option_values": {"색상": "블랙", "사이즈": "S"}, "stock": 3, "sku": "T-BK-S"},
            {"option_values": {"색상": "블랙", "사이즈": "M"}, "stock": 2, "sku": "T-BK-M"},
            {"option_values": {"색상": "화이트", "사이즈": "S"}, "stock": 0, "sku": "T-WH-S"},
            {"option_values": {"색상": "화이트", "사이즈": "M"}, "stock": 1, "sku": "T-WH-M", "price_delta": 1000},
        ],
        "shipping_fee": 2500,
        "dispatch_days": 1,
    }
    body.update(overrides)
    return body


def media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def db_snapshot() -> dict:
    """Every row of the accounts, stores, catalog and orders tables (plus the media files): equal before and after
    a refused request means the request stored nothing."""
    out: dict = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
            out[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
            for m2m in model._meta.many_to_many:
                through = m2m.remote_field.through
                out[through._meta.label] = list(through.objects.order_by("pk").values_list())
    out["media"] = media_files()
    return out


def buy(store, buyer=None, *, qty: int = 1, label: str = "블랙 / M", product=None, **kw):
    """A paid (test card) order of ``store`` for one variant of ``product`` (a new product if none)."""
    from kkot.core.testing import make_product, make_user
    from kkot.orders.tests.factories import place, variant

    product = product or make_product(store=store, code=f"P-{store.slug}-{store.products.count()}")
    purchase = place(buyer or make_user(), [(variant(product, label).pk, qty)], **kw)
    return purchase.orders.get()


def delivered_with_return(store, *, qty: int = 2, claim_qty: int = 1, reason: str = "change_of_mind", product=None,
                          kind: str = "return", exchange_to: str = ""):
    """A delivered order of ``store`` with a requested return claim for ``claim_qty`` units: (order, claim).
    ``kind="exchange"`` with ``exchange_to`` (a variant label of the product): an exchange claim instead."""
    from kkot.core.testing import make_user
    from kkot.orders.services.claims import ClaimItem, claim_request
    from kkot.orders.services.lifecycle import order_mark_delivered, order_ship
    from kkot.orders.tests.factories import variant

    buyer = make_user()
    order = buy(store, buyer, qty=qty, product=product)
    owner = store.memberships.get(role="owner").user
    order_ship(order=order, actor=owner, carrier="cj", tracking_number="123456789012")
    order_mark_delivered(order=order)
    line = order.lines.get()
    to = variant(line.product, exchange_to).pk if exchange_to else None
    claim = claim_request(order_id=order.pk, user=buyer, kind=kind, reason=reason,
                          items=[ClaimItem(line_id=line.pk, quantity=claim_qty, exchange_variant_id=to)],
                          detail="사이즈가 커요")
    order.refresh_from_db()
    return order, claim


RETURN_STATES = ("pickup_requested", "pickup_failed", "arrived", "passed", "failed", "restocked")


def return_case_in(store, state: str, *, kind: str = "return", exchange_to: str = "화이트 / L", product=None,
                   **kw):
    """An accepted return (or exchange) claim of ``store`` whose case has reached ``state`` through the
    fulfillment services (the pickup's tracking events as the carrier would send them): the ReturnCase."""
    from datetime import timedelta

    from django.utils import timezone

    from kkot.fulfillment import returns as rs
    from kkot.fulfillment.models import ReturnCase
    from kkot.fulfillment.services import tracking_event_record

    assert state in RETURN_STATES, state
    _order, claim = delivered_with_return(store, product=product, kind=kind,
                                          exchange_to=exchange_to if kind == "exchange" else "", **kw)
    owner = store.memberships.get(role="owner").user
    case = rs.claim_accept(store=store, actor=owner, claim_id=claim.pk)
    t = timezone.now() - timedelta(days=2)
    if state == "pickup_failed":
        tracking_event_record(shipment=case.pickup, code="failed", occurred_at=t)
    elif state != "pickup_requested":
        tracking_event_record(shipment=case.pickup, code="picked_up", occurred_at=t)
        tracking_event_record(shipment=case.pickup, code="delivered", occurred_at=t + timedelta(days=1))
    if state in ("passed", "restocked"):
        rs.return_inspect(store=store, actor=owner, case_id=case.pk, passed=True, note="이상 없음")
    if state == "failed":
        rs.return_inspect(store=store, actor=owner, case_id=case.pk, passed=False, note="사용 흔적")
    if state == "restocked":
        rs.return_restock(store=store, actor=owner, case_id=case.pk)
    return ReturnCase.objects.get(pk=case.pk)


BASE = "/api/v1/seller/stores/alpha"  # the ``seller`` fixture's store


def status_of(order) -> str:
    from kkot.orders.models import Order

    return Order.objects.get(pk=order.pk).status


def pickup_arrives(case_id: int) -> None:
    """The carrier's pickup events (집하, 배송완료 at the warehouse) arrive through the fulfillment service."""
    from datetime import timedelta

    from django.utils import timezone

    from kkot.fulfillment.models import ReturnCase
    from kkot.fulfillment.services import tracking_event_record

    pickup, t = ReturnCase.objects.get(pk=case_id).pickup, timezone.now() - timedelta(days=2)
    tracking_event_record(shipment=pickup, code="picked_up", occurred_at=t)
    tracking_event_record(shipment=pickup, code="delivered", occurred_at=t + timedelta(days=1))


def complete_return(seller, case_id: int) -> dict:
    """An approved return through the API to its end: pickup arrives, inspection passes, restock (refund)."""
    pickup_arrives(case_id)
    r = seller.call("POST", f"{BASE}/returns/{case_id}/inspect", {"passed": True, "note": "이상 없음"})
    assert (r.status_code, r.json()["status"]) == (200, "passed"), r.content
    r = seller.call("POST", f"{BASE}/returns/{case_id}/restock", {})
    assert (r.status_code, r.json()["status"]) == (200, "completed"), r.content
    return r.json()
