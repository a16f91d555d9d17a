"""The shopper's whole buying flow through the real views: guest cart, login merge, checkout with the test card,
order detail, partial cancel with its refund, a return request after delivery, purchase confirmation."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.core.cache import cache

from kkot.catalog.models import Variant
from kkot.core.testing import make_product, make_store, make_user
from kkot.events.models import Event
from kkot.orders.models import (
    Address,
    Cart,
    CartItem,
    Claim,
    ClaimStatus,
    Notification,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Purchase,
    Refund,
    SettlementLine,
)
from kkot.orders.services.claims import claim_reject
from kkot.orders.services.lifecycle import order_mark_delivered, order_ship
from kkot.orders.tests.factories import place
from kkot.stores.models import StoreMembership

pytestmark = pytest.mark.django_db

PASSWORD = "pw-kkot-1234"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop():
    store = make_store(slug="kkot-shop", name="꽃상점")
    product = make_product(store=store)
    return store, product


def v(product, sku) -> Variant:
    return Variant.objects.get(product=product, sku=sku)


def owner_of(store):
    return StoreMembership.objects.get(store=store, role="owner").user


def key_and_total(html: str) -> tuple[str, str]:
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    total = re.search(r'name="expected_total" value="(\d+)"', html).group(1)
    return key, total


NEW_ADDRESS = {"address": "new", "recipient": "김구매", "phone": "010-1234-5678", "postcode": "04001",
               "address1": "서울 마포구 월드컵로 1", "address2": "101호"}


def test_whole_flow_guest_cart_login_merge_checkout_cancel_return_confirm(client, shop,
                                                                         django_capture_on_commit_callbacks):
    store, product = shop
    bk_m, wh_m = v(product, "SH-BK-M"), v(product, "SH-WH-M")
    url = f"/s/{store.slug}/p/{product.pk}/"

    # 1. A guest adds two options; the first without JS (redirect back), the second as the JS toast does.
    r = client.post("/cart/add/", {"variant": bk_m.pk, "quantity": "2", "action": "cart", "next": url})
    assert r.status_code == 302 and r.url == url
    r = client.post("/cart/add/", {"variant": wh_m.pk, "quantity": "1", "action": "cart", "next": url},
                    HTTP_ACCEPT="application/json")
    assert r.json() == {"ok": True, "count": 2, "message": "장바구니에 담았습니다.", "cart_url": "/cart/"}
    guest_cart = Cart.objects.get(user__isnull=True)
    assert sorted(guest_cart.items.values_list("variant__sku", "quantity")) == [("SH-BK-M", 2), ("SH-WH-M", 1)]
    assert Event.objects.filter(kind="add_to_cart", product_id=product.pk, store_id=store.pk).count() == 2
    html = client.get(url).content.decode()
    assert '<span class="nav-badge" id="cart-count" aria-label="담긴 상품 수">2</span>' in html

    # 2. The guest cart page: 29,000 x 2 + 30,000 = 88,000, over 50,000 so shipping is free.
    html = client.get("/cart/").content.decode()
    assert '<dd class="total" id="cart-total">88,000원</dd>' in html
    assert "배송비는 서울(내륙) 기준이며" in html

    # 3. Log in through the login page: the guest cart merges into the member's cart (which had 1 x BK-M).
    user = make_user(email="buyer@example.com", password=PASSWORD)
    member = Cart.objects.create(user=user)
    CartItem.objects.create(cart=member, variant=bk_m, quantity=1)
    r = client.post("/accounts/login/", {"username": "buyer@example.com", "password": PASSWORD})
    assert r.status_code == 302
    html = client.get("/cart/").content.decode()
    assert not Cart.objects.filter(pk=guest_cart.pk).exists()
    assert sorted(member.items.values_list("variant__sku", "quantity")) == [("SH-BK-M", 3), ("SH-WH-M", 1)]
    assert '<dd class="total" id="cart-total">117,000원</dd>' in html

    # 4. Checkout with the selected items, a new address (saved), the test card.
    r = client.get("/checkout/", {"sel": "1", "v": [bk_m.pk, wh_m.pk]})
    assert r.status_code == 200
    html = r.content.decode()
    assert '<dd class="total" id="sum-total">117,000원</dd>' in html
    key, total = key_and_total(html)
    assert total == "117000"
    r = client.post("/checkout/", {
        "line": [f"{bk_m.pk}:3", f"{wh_m.pk}:1"], "idempotency_key": key, "expected_total": total,
        "action": "place", "provider": "test_card", "card_number": "4242 4242 4242 4242", "save_address": "1",
        "note_preset": "문 앞에 놓아 주세요", "note_text": "", **NEW_ADDRESS})
    purchase = Purchase.objects.get(user=user)
    assert r.status_code == 302 and r.url == f"/checkout/done/{purchase.number}/"
    assert purchase.grand_total == D(117000) and purchase.request_note == "문 앞에 놓아 주세요"
    order = purchase.orders.get()
    assert order.status == OrderStatus.PAID
    assert member.items.count() == 0  # paid items leave the cart
    assert list(Address.objects.filter(user=user).values_list("postcode", "is_default")) == [("04001", True)]
    assert sorted(Variant.objects.filter(product=product).values_list("sku", "stock")) == [
        ("SH-BK-L", 0), ("SH-BK-M", 2), ("SH-WH-L", 2), ("SH-WH-M", 2)]

    html = client.get(r.url).content.decode()
    assert '<h1 id="done-title">주문이 완료되었습니다</h1>' in html
    assert '<dd class="total" id="done-total">117,000원</dd>' in html

    # 5. Order list and detail.
    html = client.get("/me/orders/").content.decode()
    assert f'href="/me/orders/{order.pk}/"' in html and "결제완료" in html
    html = client.get(f"/me/orders/{order.pk}/").content.decode()
    assert '<span class="chip st-paid" id="order-status">결제완료</span>' in html
    assert "카드 ****4242" in html and 'id="cancel-form"' in html

    # 6. Partial cancel before dispatch: 1 of the 3 BK-M -> 29,000 refunded at once, shipping kept (free anyway).
    bk_line = order.lines.get(sku="SH-BK-M")
    wh_line = order.lines.get(sku="SH-WH-M")
    r = client.post(f"/me/orders/{order.pk}/claim/", {"kind": "cancel", f"qty_{bk_line.pk}": "1",
                                                       f"qty_{wh_line.pk}": "0", "reason": "change_of_mind"})
    assert r.status_code == 302
    assert list(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [D(29000)]
    html = client.get(f"/me/orders/{order.pk}/").content.decode()
    assert "주문을 취소했습니다. 29,000원이 환불됩니다." in html
    assert '<dd id="refunded-total">29,000원</dd>' in html
    assert "취소 1개" in html
    assert Payment.objects.get(purchase=purchase).status == PaymentStatus.PARTIALLY_REFUNDED
    assert v(product, "SH-BK-M").stock == 3

    # 7. Seller ships (CJ), the carrier delivers; the shopper sees the tracking link and asks to return 1 WH-M.
    order_ship(order=order, actor=owner_of(store), carrier="cj", tracking_number="123456789012")
    order_mark_delivered(order=order)
    html = client.get(f"/me/orders/{order.pk}/").content.decode()
    assert "https://trace.cjlogistics.com/next/tracking.html?wblNo=123456789012" in html
    assert 'id="claim-form"' in html and 'id="confirm-form"' in html
    r = client.post(f"/me/orders/{order.pk}/claim/", {"kind": "return", f"qty_{wh_line.pk}": "1",
                                                       "reason": "defective", "detail": "실밥이 풀려 있어요"})
    claim = Claim.objects.get(order=order, kind="return")
    assert (claim.status, claim.reason, claim.detail) == (ClaimStatus.REQUESTED, "defective", "실밥이 풀려 있어요")
    assert list(claim.lines.values_list("line_id", "quantity")) == [(wh_line.pk, 1)]
    html = client.get(f"/me/orders/{order.pk}/").content.decode()
    assert "처리 중 1개" in html and 'id="confirm-form"' not in html

    # 8. The seller rejects the return; the shopper confirms the purchase and is asked for a review.
    claim_reject(store=store, actor=owner_of(store), claim_id=claim.pk, reason="사진 확인 결과 정상 제품입니다")
    with django_capture_on_commit_callbacks(execute=True):  # notifications are sent after commit
        r = client.post(f"/me/orders/{order.pk}/confirm/")
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert sorted(SettlementLine.objects.filter(order=order).values_list("line__sku", "quantity", "sale_amount")) == [
        ("SH-BK-M", 2, D(58000)), ("SH-WH-M", 1, D(30000))]
    html = client.get(f"/me/orders/{order.pk}/").content.decode()
    assert 'id="review-prompt"' in html
    assert f'href="/s/{store.slug}/p/{product.pk}/#reviews"' in html
    assert "구매확정" in html and "사진 확인 결과 정상 제품입니다" in html

    # 9. Notifications: a badge in the header, marked read from /me/notifications/.
    assert list(Notification.objects.filter(user=user, read_at__isnull=True).values_list("title", flat=True)) == [
        "구매가 확정되었습니다. 리뷰를 남겨 주세요!"]
    cache.clear()
    html = client.get("/me/notifications/").content.decode()
    assert 'aria-label="읽지 않은 알림">1</span>' in html
    assert "구매가 확정되었습니다. 리뷰를 남겨 주세요!" in html
    client.post("/me/notifications/read/")
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 0
    html = client.get("/me/notifications/").content.decode()
    assert 'aria-label="읽지 않은 알림"' not in html


def test_buy_now_goes_straight_to_checkout_and_guests_log_in_first(client, shop):
    store, product = shop
    bk_m = v(product, "SH-BK-M")
    r = client.post("/cart/add/", {"variant": bk_m.pk, "quantity": "2", "action": "buy"})
    assert r.status_code == 302 and r.url == f"/checkout/?buy={bk_m.pk}%3A2"
    assert not CartItem.objects.exists()
    r = client.get(r.url)
    assert r.status_code == 302 and r.url == f"/accounts/login/?next=/checkout/%3Fbuy%3D{bk_m.pk}%253A2"
    client.force_login(make_user())
    html = client.get(f"/checkout/?buy={bk_m.pk}:2").content.decode()
    # 58,000 >= 50,000: free shipping
    assert '<dd class="total" id="sum-total">58,000원</dd>' in html
    assert f'<input type="hidden" name="line" value="{bk_m.pk}:2">' in html


def test_cart_quantity_change_remove_and_sold_out_rows(client, shop):
    store, product = shop
    client.force_login(make_user())
    client.post("/cart/add/", {"variant": v(product, "SH-BK-M").pk, "quantity": "1"})
    client.post("/cart/add/", {"variant": v(product, "SH-WH-L").pk, "quantity": "2"})
    item_bk = CartItem.objects.get(variant__sku="SH-BK-M")
    html = client.get("/cart/").content.decode()
    # 29,000 + 60,000 = 89,000, free shipping
    assert '<dd class="total" id="cart-total">89,000원</dd>' in html
    client.post(f"/cart/items/{item_bk.pk}/", {"quantity": "4"})
    assert CartItem.objects.get(pk=item_bk.pk).quantity == 4
    html = client.get("/cart/", {"sel": "1", "v": [v(product, "SH-WH-L").pk]}).content.decode()
    assert '<dd class="total" id="cart-total">60,000원</dd>' in html  # only the selected line counts
    # WH-L sells out elsewhere: shown disabled, not counted
    Variant.objects.filter(sku="SH-WH-L").update(stock=0)
    html = client.get("/cart/").content.decode()
    assert '<p class="ci-problem" role="status">품절</p>' in html
    assert '<dd class="total" id="cart-total">116,000원</dd>' in html
    # only BK-M selected, 1 item below the free-shipping amount after lowering the quantity
    client.post(f"/cart/items/{item_bk.pk}/", {"quantity": "1"})
    html = client.get("/cart/").content.decode()
    assert "21,000원 더 담으면 무료배송" in html
    assert '<dd class="total" id="cart-total">32,000원</dd>' in html
    client.post("/cart/remove/", {"item": [item_bk.pk]})
    assert list(CartItem.objects.values_list("variant__sku", flat=True)) == ["SH-WH-L"]


def test_virtual_account_and_deposit_simulation(client, shop, settings):
    settings.DEBUG = True
    store, product = shop
    user = make_user()
    client.force_login(user)
    bk_m = v(product, "SH-BK-M")
    html = client.get(f"/checkout/?buy={bk_m.pk}:1").content.decode()
    key, total = key_and_total(html)
    assert total == "32000"  # 29,000 + 3,000 shipping
    r = client.post("/checkout/", {"line": [f"{bk_m.pk}:1"], "idempotency_key": key, "expected_total": total,
                                   "action": "place", "provider": "bank_transfer", **NEW_ADDRESS})
    purchase = Purchase.objects.get(user=user)
    assert r.url == f"/checkout/done/{purchase.number}/"
    pay = Payment.objects.get(purchase=purchase)
    html = client.get(r.url).content.decode()
    assert "입금을 기다리고 있습니다" in html
    assert f'<dd id="vbank-account"><strong>{pay.vbank_account}</strong></dd>' in html
    assert "입금 시뮬레이션 (데모)" in html
    client.post(f"/checkout/done/{purchase.number}/simulate-deposit/")
    pay.refresh_from_db()
    assert pay.status == PaymentStatus.PAID
    assert purchase.orders.get().status == OrderStatus.PAID
    html = client.get(r.url).content.decode()
    assert "주문이 완료되었습니다" in html


def test_simulation_is_off_without_debug(client, shop, settings):
    settings.DEBUG = False
    store, product = shop
    user = make_user()
    client.force_login(user)
    purchase = place(user, [(v(product, "SH-BK-M").pk, 1)], provider="bank_transfer", params={})
    assert "입금 시뮬레이션" not in client.get(f"/checkout/done/{purchase.number}/").content.decode()
    assert client.post(f"/checkout/done/{purchase.number}/simulate-deposit/").status_code == 404
    assert Payment.objects.get(purchase=purchase).status == PaymentStatus.PENDING


def test_address_book_crud_and_default(client):
    user = make_user()
    client.force_login(user)
    r = client.post("/me/addresses/", {"label": "집", "recipient": "김집", "phone": "010-1111-2222",
                                       "postcode": "04001", "address1": "서울 마포구 1"})
    assert r.status_code == 302
    client.post("/me/addresses/", {"label": "회사", "recipient": "김회사", "phone": "02-123-4567",
                                   "postcode": "63100", "address1": "제주시 1", "is_default": "1"})
    home, office = Address.objects.get(label="집"), Address.objects.get(label="회사")
    assert (home.is_default, office.is_default) == (False, True)
    client.post(f"/me/addresses/{home.pk}/action/", {"action": "default"})
    assert list(Address.objects.filter(is_default=True).values_list("label", flat=True)) == ["집"]
    client.post(f"/me/addresses/{office.pk}/", {"label": "사무실", "recipient": "김회사", "phone": "02-123-4567",
                                                "postcode": "63100", "address1": "제주시 2"})
    office.refresh_from_db()
    assert (office.label, office.address1) == ("사무실", "제주시 2")
    client.post(f"/me/addresses/{home.pk}/action/", {"action": "delete"})
    assert list(Address.objects.values_list("label", "is_default")) == [("사무실", True)]
    # Jeju default address: the checkout shows the surcharge line.
    store = make_store()
    product = make_product(store=store)
    html = client.get(f"/checkout/?buy={v(product, 'SH-BK-M').pk}:1").content.decode()
    assert '<dd class="sub" id="sum-surcharge">3,000원</dd>' in html
    assert '<dd class="total" id="sum-total">35,000원</dd>' in html  # 29,000 + 3,000 + 3,000 제주
    html = client.get("/me/").content.decode()
    assert 'href="/me/orders/"' in html and 'href="/me/addresses/"' in html and 'href="/me/notifications/"' in html


def test_query_counts_cart_and_my_orders(client, shop, django_assert_max_num_queries):
    store, product = shop
    user = make_user()
    client.force_login(user)
    for sku in ("SH-BK-M", "SH-WH-M", "SH-WH-L"):
        client.post("/cart/add/", {"variant": v(product, sku).pk, "quantity": "1"})
    other = make_product(store=make_store(), name="다른 가게 셔츠")
    client.post("/cart/add/", {"variant": v(other, "SH-BK-M").pk, "quantity": "1"})
    client.get("/cart/")
    # session, user, cart, items+variants+products+stores, images, default postcode, quote variants
    with django_assert_max_num_queries(8):
        r = client.get("/cart/")
    assert r.status_code == 200
    for _i in range(3):
        place(user, [(v(product, "SH-BK-M").pk, 1), (v(other, "SH-BK-M").pk, 1)])
    client.get("/me/orders/")
    # session, user, count, orders+stores, lines, chip counts
    with django_assert_max_num_queries(7):
        r = client.get("/me/orders/")
    assert r.status_code == 200
    assert r.content.decode().count('class="order-link"') == 6
    assert Order.objects.filter(user=user).count() == 6
