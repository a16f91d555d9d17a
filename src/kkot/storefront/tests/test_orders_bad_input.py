"""Every bad input of the shopper's buying pages: a clear Korean message and nothing changed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from kkot.catalog.models import Variant
from kkot.core.testing import make_product, make_store, make_user
from kkot.orders.models import Address, CartItem, CouponRedemption, Order, Payment, PaymentStatus, Purchase
from kkot.orders.tests.factories import coupon, place

pytestmark = pytest.mark.django_db

ADDR = {"address": "new", "recipient": "김구매", "phone": "010-1234-5678", "postcode": "04001",
        "address1": "서울 마포구 월드컵로 1"}
CARD = {"provider": "test_card", "card_number": "4242424242424242"}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def shop():
    store = make_store(slug="kkot-shop", name="꽃상점")
    product = make_product(store=store)
    return store, product


@pytest.fixture
def buyer(client):
    user = make_user()
    client.force_login(user)
    return user


def vid(product, sku="SH-BK-M") -> int:
    return Variant.objects.get(product=product, sku=sku).pk


def page_key(client, product, qty=1) -> tuple[str, str]:
    html = client.get(f"/checkout/?buy={vid(product)}:{qty}").content.decode()
    return (re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1),
            re.search(r'name="expected_total" value="(\d+)"', html).group(1))


def post_place(client, product, *, qty=1, key=None, total=None, **extra):
    k, t = page_key(client, product, qty if isinstance(qty, int) and 1 <= qty <= 999 else 1)
    data = {"line": [f"{vid(product)}:{qty}"], "idempotency_key": key or k,
            "expected_total": t if total is None else total, "action": "place", **CARD, **ADDR}
    data.update(extra)
    return client.post("/checkout/", data)


def nothing_placed():
    return not Purchase.objects.exists() and not Payment.objects.exists() and not Order.objects.exists()


def test_tampered_expected_total_shows_new_total_and_places_nothing(client, shop, buyer):
    _store, product = shop
    r = post_place(client, product, total="1000")
    assert r.status_code == 409
    html = r.content.decode()
    assert "결제 금액이 바뀌었습니다(1,000원 → 32,000원). 주문 내용을 다시 확인해 주세요." in html
    assert '<input type="hidden" name="expected_total" value="32000">' in html
    assert nothing_placed()
    assert Variant.objects.get(pk=vid(product)).stock == 5
    r = post_place(client, product, total="12,000,000,000,000,000,000,000")
    assert r.status_code == 400 and "결제 금액이 올바르지 않습니다." in r.content.decode()
    assert nothing_placed()


@pytest.mark.parametrize("qty", ["-1", "0", "99999999999", "1000", "abc"])
def test_bad_quantity_when_adding_to_cart(client, shop, qty):
    _store, product = shop
    r = client.post("/cart/add/", {"variant": vid(product), "quantity": qty}, HTTP_ACCEPT="application/json")
    assert r.status_code == 400
    expected = "수량은 숫자로 입력해 주세요." if qty == "abc" else "수량은 1개 이상 999개 이하로 담을 수 있습니다."
    assert r.json()["message"] == expected
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("qty", ["-1", "0", "99999999999"])
def test_bad_quantity_in_checkout_lines_and_cart_update(client, shop, buyer, qty):
    _store, product = shop
    r = post_place(client, product, qty=qty)
    assert r.status_code == 400
    assert "수량은 1개 이상 999개 이하입니다." in r.content.decode()
    assert nothing_placed()
    client.post("/cart/add/", {"variant": vid(product), "quantity": "2"})
    item = CartItem.objects.get()
    r = client.post(f"/cart/items/{item.pk}/", {"quantity": qty}, follow=True)
    assert "수량은 1개 이상 999개 이하로 담을 수 있습니다." in r.content.decode()
    assert CartItem.objects.get().quantity == 2


def test_forged_line_and_unknown_variant(client, shop, buyer):
    _store, product = shop
    k, t = page_key(client, product)
    r = client.post("/checkout/", {"line": ["1;DROP TABLE"], "idempotency_key": k, "expected_total": t,
                                   "action": "place", **CARD, **ADDR})
    assert r.status_code == 200 and "주문 정보가 올바르지 않습니다." in r.content.decode()
    r = client.post("/checkout/", {"line": ["999999:1"], "idempotency_key": k, "expected_total": t,
                                   "action": "place", **CARD, **ADDR})
    assert r.status_code == 404 and "주문할 수 없는 상품이 있습니다." in r.content.decode()
    r = client.post("/cart/add/", {"variant": "999999", "quantity": "1"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 404 and r.json()["message"] == "옵션을 찾을 수 없습니다."
    r = client.post("/cart/add/", {"variant": "", "quantity": "1"}, HTTP_ACCEPT="application/json")
    assert r.json()["message"] == "옵션을 선택해 주세요."
    assert nothing_placed() and not CartItem.objects.exists()


def test_address_without_postcode(client, shop, buyer):
    _store, product = shop
    r = post_place(client, product, postcode="", save_address="1")
    assert r.status_code == 400
    html = r.content.decode()
    assert '<p class="field-error" role="alert" id="address-error">우편번호 5자리를 입력해 주세요.</p>' in html
    assert '<span class="field-error" id="postcode-error">우편번호 5자리를 입력해 주세요.</span>' in html
    assert nothing_placed() and not Address.objects.exists()
    r = client.post("/me/addresses/", {"recipient": "김집", "phone": "010-1111-2222", "postcode": "",
                                       "address1": "서울"})
    assert r.status_code == 400 and "우편번호 5자리를 입력해 주세요." in r.content.decode()
    assert not Address.objects.exists()


def test_another_stores_coupon_code_is_refused(client, shop, buyer):
    _store, product = shop
    coupon(make_store(), code="OTHER")
    r = post_place(client, product, **{f"coupon_{product.store_id}": "OTHER"})
    assert r.status_code == 400
    html = r.content.decode()
    assert (f'<span class="field-error" role="alert" id="coupon-error-{product.store_id}">'
            "이 스토어에서 쓸 수 없는 쿠폰입니다: OTHER</span>") in html
    assert nothing_placed() and not CouponRedemption.objects.exists()
    # a coupon field for a store that is not in the order
    other = make_store()
    coupon(other, code="ELSEWHERE")
    r = post_place(client, product, **{f"coupon_{other.pk}": "ELSEWHERE"})
    assert r.status_code == 400 and "주문에 없는 스토어의 쿠폰입니다." in r.content.decode()
    assert nothing_placed()


def test_expired_coupon_is_not_offered_and_refused(client, shop, buyer):
    store, product = shop
    now = timezone.now()
    coupon(store, code="OLD", name="지난 쿠폰", starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=1))
    coupon(store, code="NOW", name="지금 쿠폰")
    html = client.get(f"/checkout/?buy={vid(product)}:1").content.decode()
    assert '<option value="NOW">지금 쿠폰 (3,000원 할인)</option>' in html
    assert 'value="OLD"' not in html
    r = post_place(client, product, **{f"coupon_{store.pk}": "OLD"})
    assert r.status_code == 400
    assert "사용 기간이 아닌 쿠폰입니다: 지난 쿠폰" in r.content.decode()
    assert nothing_placed()
    # the usable one works, and the total reflects it: 29,000 - 3,000 + 3,000
    html = client.post("/checkout/", {"line": [f"{vid(product)}:1"], "action": "recalc", f"coupon_{store.pk}": "NOW",
                                      **ADDR}).content.decode()
    assert '<dd class="total" id="sum-total">29,000원</dd>' in html


def test_another_shoppers_order_and_purchase_are_404(client, shop, buyer):
    _store, product = shop
    other = make_user()
    purchase = place(other, [(vid(product), 1)])
    order = purchase.orders.get()
    assert client.get(f"/me/orders/{order.pk}/").status_code == 404
    assert client.post(f"/me/orders/{order.pk}/claim/", {"kind": "cancel", "whole": "1"}).status_code == 404
    assert client.post(f"/me/orders/{order.pk}/confirm/").status_code == 404
    assert client.get(f"/checkout/done/{purchase.number}/").status_code == 404
    assert client.get("/me/orders/99999999999999999999/").status_code == 404
    order.refresh_from_db()
    assert order.status == "paid" and not order.claims.exists()
    addr = Address.objects.create(user=other, recipient="남", phone="010-1111-2222", postcode="04001", address1="x")
    assert client.get(f"/me/addresses/{addr.pk}/").status_code == 404
    assert client.post(f"/me/addresses/{addr.pk}/action/", {"action": "delete"}).status_code == 404
    assert Address.objects.filter(pk=addr.pk).exists()
    # checkout with another shopper's address id
    r = post_place(client, product, address=str(addr.pk))
    assert r.status_code == 404 and "배송지를 찾을 수 없습니다." in r.content.decode()
    assert Purchase.objects.count() == 1


def test_replayed_idempotency_key_returns_the_same_purchase(client, shop, buyer):
    _store, product = shop
    k, t = page_key(client, product)
    r1 = post_place(client, product, key=k, total=t)
    r2 = post_place(client, product, key=k, total=t)
    purchase = Purchase.objects.get()
    assert r1.url == r2.url == f"/checkout/done/{purchase.number}/"
    assert Payment.objects.count() == 1
    assert Variant.objects.get(pk=vid(product)).stock == 4


def test_declined_card_invalid_card_and_out_of_stock(client, shop, buyer):
    _store, product = shop
    client.post("/cart/add/", {"variant": vid(product), "quantity": "1"})
    r = post_place(client, product, card_number="4000 0000 0000 0002")
    assert r.status_code == 402
    assert "카드 결제가 거절되었습니다: 잔액이 부족합니다. 다른 카드로 다시 시도해 주세요." in r.content.decode()
    assert Payment.objects.get().status == PaymentStatus.FAILED
    assert Variant.objects.get(pk=vid(product)).stock == 5  # released
    assert CartItem.objects.count() == 1  # the cart keeps the item
    r = post_place(client, product, card_number="1234 5678 9012 3456")
    assert r.status_code == 400
    assert '<span class="field-error" role="alert" id="card-error">카드 번호가 올바르지 않습니다.</span>' in r.content.decode()
    r = post_place(client, product, qty=6)
    assert r.status_code == 409
    assert "재고가 부족합니다: 린넨 오버핏 셔츠 블랙 / M (남은 수량 5개)" in r.content.decode()
    r = post_place(client, product, provider="bitcoin")
    assert r.status_code == 400 and "결제 수단을 선택해 주세요." in r.content.decode()
    assert Payment.objects.count() == 2 and Order.objects.filter(status="paid").count() == 0


def test_claim_with_bad_quantities_changes_nothing(client, shop, buyer):
    _store, product = shop
    order = place(buyer, [(vid(product), 2)]).orders.get()
    line = order.lines.get()
    for qty in ("3", "-1", "x"):
        r = client.post(f"/me/orders/{order.pk}/claim/", {"kind": "cancel", f"qty_{line.pk}": qty}, follow=True)
        assert "수량이 올바르지 않습니다: 린넨 오버핏 셔츠 (가능 2개)" in r.content.decode()
    r = client.post(f"/me/orders/{order.pk}/claim/", {"kind": "return", f"qty_{line.pk}": "1",
                                                       "reason": "defective"}, follow=True)
    assert "반품/교환은 배송이 시작된 뒤에 신청할 수 있습니다." in r.content.decode()
    r = client.post(f"/me/orders/{order.pk}/confirm/", follow=True)
    assert "&#x27;결제완료&#x27; 상태의 주문은 &#x27;구매확정&#x27;(으)로 바꿀 수 없습니다." in r.content.decode()
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, line.cancelled_qty, order.claims.count()) == ("paid", 0, 0)


def test_checkout_requires_login_and_items(client, shop):
    r = client.get("/checkout/")
    assert r.status_code == 302 and r.url == "/accounts/login/?next=/checkout/"
    client.force_login(make_user())
    r = client.get("/checkout/", follow=True)
    assert "주문할 상품을 선택해 주세요." in r.content.decode()
