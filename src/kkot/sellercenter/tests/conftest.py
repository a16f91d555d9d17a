from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import pytest

# kkot.orders.services.tracking_import is loaded here, before any test swaps kkot.catalog.bulk for the
# fake_bulk stand-in: the tracking upload imports kkot.catalog.bulk.reader, which must stay the real module.
import kkot.orders.services.tracking_import  # noqa: F401
from kkot.core.errors import ValidationError
from kkot.core.testing import image_bytes, make_product, make_store, make_user, upload


@dataclass
class World:
    owner: object
    store: object
    product: object
    image: object
    banner: object
    manager: object
    viewer: object
    viewer_membership: object
    token: object
    other_owner: object
    other_store: object
    order: object = None  # delivered, with a requested return claim
    claim: object = None
    coupon: object = None


@pytest.fixture
def world(db):
    from kkot.accounts.services import api_token_create
    from kkot.catalog.services import product_image_add
    from kkot.stores.models import StoreMembership
    from kkot.stores.services import banner_save, staff_add

    owner = make_user(email="owner@example.com")
    store = make_store(owner=owner, slug="flower-a", name="꽃집 A")
    product = make_product(store=store, actor=owner)
    image = product_image_add(product=product, actor=owner, upload=upload(image_bytes()))
    banner = banner_save(store=store, actor=owner, title="봄 세일")
    manager = make_user(email="manager@example.com")
    viewer = make_user(email="viewer@example.com")
    staff_add(store=store, actor=owner, email=manager.email, role="manager")
    vm = staff_add(store=store, actor=owner, email=viewer.email, role="viewer")
    token, _raw = api_token_create(user=owner, store=store, name="ci")
    other_owner = make_user(email="other@example.com")
    other_store = make_store(owner=other_owner, slug="flower-b", name="꽃집 B")
    assert StoreMembership.objects.filter(store=store).count() == 3
    return World(owner, store, product, image, banner, manager, viewer, vm, token, other_owner, other_store)


@pytest.fixture
def world_orders(world, django_capture_on_commit_callbacks):
    """The world plus an order of the first store (delivered, a requested return claim) and a coupon."""
    with django_capture_on_commit_callbacks(execute=True):  # notifications as in production
        world.order, world.claim, world.coupon = _order_with_claim(world.store, world.owner)
    return world


def _order_with_claim(store, owner):
    from kkot.fulfillment.services import shipment_create
    from kkot.orders.services.claims import ClaimItem, claim_request
    from kkot.orders.services.lifecycle import order_mark_delivered
    from kkot.orders.tests.factories import coupon, place

    buyer = make_user(email="buyer@example.com", name="김구매")
    # A product of its own: the product tests edit world.product's options, and ordered variants are protected.
    v = make_product(store=store, actor=owner, name="주문된 셔츠").variants.get(label="블랙 / M")
    order = place(buyer, [(v.pk, 2)]).orders.get()
    shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012")
    order_mark_delivered(order=order)
    line = order.lines.get()
    claim = claim_request(order_id=order.pk, user=buyer, kind="return", reason="defective",
                          items=[ClaimItem(line.pk, 1)], detail="찢어짐")
    return order, claim, coupon(store, code="WELCOME")


@dataclass
class _Result:
    created: int
    updated: int
    variants: int


@pytest.fixture
def fake_bulk(monkeypatch):
    """A stand-in for kkot.catalog.bulk so these page tests do not depend on its progress."""
    import kkot.catalog as catalog_pkg

    calls: list[dict] = []
    mod = types.ModuleType("kkot.catalog.bulk")
    mod.template_workbook = lambda *, category=None: b"PK\x03\x04xlsx"
    mod.template_csv = lambda: "상품코드,상품명\n".encode()
    mod.export_products = lambda *, store, fmt: f"{fmt}:{store.slug}".encode()

    def import_products(*, store, actor, data, filename):
        calls.append({"store": store, "actor": actor, "data": data, "filename": filename})
        if b"bad" in data:
            raise ValidationError("엑셀 파일에 오류가 있습니다.", code="sheet_invalid", details=[
                {"row": 3, "column": "판매가", "message": "금액은 숫자로 입력해 주세요."},
                {"row": 5, "column": "카테고리", "message": "카테고리를 찾을 수 없습니다."},
            ])
        return _Result(created=2, updated=1, variants=7)

    mod.import_products = import_products
    mod.calls = calls
    monkeypatch.setitem(sys.modules, "kkot.catalog.bulk", mod)
    monkeypatch.setattr(catalog_pkg, "bulk", mod, raising=False)
    return mod


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
