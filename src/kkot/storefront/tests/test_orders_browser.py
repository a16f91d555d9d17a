"""In Debian's Chromium: a guest adds two options to the cart, logs in at checkout, pays with the test card; the
seller accepts and ships with a tracking number in the seller center; the carrier delivers (service); the shopper
confirms the purchase in /me/orders/<id>/ and the settlement lines exist. Screenshots: test-artifacts/browser/orders-*.png"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from kkot.core.testing import make_product, make_store, make_user
from kkot.orders.models import Order, OrderStatus, SettlementLine
from kkot.orders.services.lifecycle import order_mark_delivered
from kkot.storefront.tests.test_browser_journey import browser_page, shot  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-kkot-1234"


def login(page, base, email, next_url=None):
    page.goto(f"{base}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_shopper_buys_two_options_seller_ships_shopper_confirms(browser_page, live_server):  # noqa: F811
    cache.clear()
    page, js_errors = browser_page
    base = live_server.url
    seller = make_user(email="seller@example.com", password=PASSWORD)
    store = make_store(owner=seller, slug="kkot-shop", name="꽃상점")
    product = make_product(store=store)
    make_user(email="buyer@example.com", password=PASSWORD)

    # 1. A guest picks 블랙/M and 화이트/M on the product page; the toast and the header badge answer.
    page.goto(f"{base}/s/kkot-shop/p/{product.pk}/")
    for color in ("블랙", "화이트"):
        page.locator(f"#axis-pickers button[data-axis='색상'][data-value='{color}']").click()
        page.locator("#axis-pickers button[data-axis='사이즈'][data-value='M']").click()
        page.locator("#cart-btn").click()
        page.wait_for_selector("#cart-toast:not([hidden])")
        page.locator("#axis-pickers button[data-axis='사이즈'][data-value='M']").click()  # unpick for the next
    page.wait_for_function("document.getElementById('cart-count').textContent === '2'")
    shot(page, "orders-01-product-added")

    # 2. The cart, grouped by store; order the selection -> log in -> checkout.
    page.goto(f"{base}/cart/")
    assert page.locator("#cart-total").inner_text() == "59,000원"
    assert "41,000원 더 담으면 무료배송" not in page.content()  # 59,000 is over 50,000: free
    shot(page, "orders-02-cart")
    page.locator("#cart-order").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.fill("input[name=username]", "buyer@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/checkout/.*"))
    assert page.locator("#sum-total").inner_text() == "59,000원"

    # 3. Pay with the test card to a new address.
    page.fill("#a-recipient", "김구매")
    page.fill("#a-phone", "010-1234-5678")
    page.fill("#a-postcode", "04001")
    page.fill("#a-address1", "서울 마포구 월드컵로 1")
    page.fill("#card-number", "4242 4242 4242 4242")
    shot(page, "orders-03-checkout")
    page.locator("#place-order").click()
    page.wait_for_url(re.compile(r".*/checkout/done/.*"))
    assert page.locator("#done-title").inner_text() == "주문이 완료되었습니다"
    shot(page, "orders-04-done")
    order = Order.objects.get(store=store)
    assert order.status == OrderStatus.PAID and order.total == 59000
    assert sorted(order.lines.values_list("sku", "quantity")) == [("SH-BK-M", 1), ("SH-WH-M", 1)]

    # 4. The seller accepts (발주확인) and ships with a CJ tracking number in the seller center.
    page.context.clear_cookies()
    login(page, base, "seller@example.com")
    page.goto(f"{base}/seller/kkot-shop/orders/")
    page.locator(f"input[name=ids][value='{order.pk}']").check()
    page.locator("#accept-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.status == OrderStatus.PREPARING
    page.goto(f"{base}/seller/kkot-shop/orders/{order.pk}/")
    ship = page.locator(f"form[action='/seller/kkot-shop/orders/{order.pk}/ship/']")
    ship.locator("select[name=carrier]").select_option("cj")
    ship.locator("input[name=tracking_number]").fill("123456789012")
    shot(page, "orders-05-seller-ship")
    ship.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (OrderStatus.SHIPPING, "cj", "123456789012")

    # 5. The carrier reports delivery (no carrier integration yet: through the service).
    order_mark_delivered(order=order)

    # 6. The shopper confirms the purchase (confirm dialog) and is asked for a review.
    page.context.clear_cookies()
    login(page, base, "buyer@example.com")
    page.goto(f"{base}/me/orders/{order.pk}/")
    assert "123456789012" in page.locator("#tracking").inner_text()
    page.once("dialog", lambda d: d.accept())
    page.locator("#confirm-btn").click()
    page.wait_for_selector("#review-prompt")
    assert page.locator("#order-status").inner_text() == "구매확정"
    shot(page, "orders-06-confirmed")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert sorted(SettlementLine.objects.filter(order=order).values_list("line__sku", "sale_amount")) == [
        ("SH-BK-M", 29000), ("SH-WH-M", 30000)]

    # 7. The seller's settlement report lists the lines.
    page.context.clear_cookies()
    login(page, base, "seller@example.com")
    page.goto(f"{base}/seller/kkot-shop/settlements/")
    shot(page, "orders-07-settlements")
    assert js_errors == []
