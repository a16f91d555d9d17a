"""End to end in Debian's Chromium (Playwright, never a downloaded browser): a new seller signs up, opens a
store, creates a product with options and an image, and a shopper finds it with a Korean query and opens it.
Screenshots are left in ``test-artifacts/browser/`` for people to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kkot.catalog.models import Product
from kkot.core.testing import image_bytes

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "browser"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("KKOT_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required in CI: apt-get install chromium")
        pytest.skip("Debian chromium not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page, errors
        context.close()
        browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_seller_opens_store_adds_product_and_shopper_finds_it(browser_page, live_server, settings, tmp_path):
    settings.KKOT_SEARCH_SYNC_SECONDS = 0
    settings.KKOT_SEARCH_DIR = str(tmp_path / "search")
    page, js_errors = browser_page
    base = live_server.url

    # 1. Sign up as a new seller; the seller center sends us on to open a store.
    page.goto(f"{base}/seller/open/")
    page.fill("input[name=email]", "newseller@example.com")
    page.fill("input[name=password]", "kkot-pass-9876")
    page.fill("input[name=password2]", "kkot-pass-9876")
    page.fill("input[name=name]", "새판매자")
    shot(page, "01-signup")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/seller/open/")

    # 2. Open a store (사업자등록번호 with a valid check digit).
    for name, value in {
        "name": "봄꽃 의류", "slug": "spring-flower", "description": "봄에 어울리는 옷",
        "business_name": "봄꽃상회", "representative": "김봄", "business_reg_no": "220-81-62517",
        "mail_order_no": "2024-서울마포-01234", "contact_phone": "02-123-4567", "contact_email": "cs@spring.example",
        "return_postcode": "04001", "return_address": "서울특별시 마포구 월드컵로 1",
    }.items():
        page.fill(f"input[name={name}], textarea[name={name}]", value)
    shot(page, "02-open-store")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/seller/spring-flower/")
    shot(page, "03-dashboard")

    # 3. Create a product with 색상 x 사이즈 options and an image.
    page.goto(f"{base}/seller/spring-flower/products/new/")
    page.fill("#f-name", "봄 린넨 원피스")
    pickers = page.locator("[data-catpick] select")
    pickers.nth(0).select_option(label="패션의류")
    pickers.nth(1).select_option(label="여성의류")
    pickers.nth(2).select_option(label="원피스")
    page.wait_for_load_state("networkidle")
    assert page.locator("#f-category").input_value() == str(_leaf_id("w-onepiece"))
    page.fill("#f-price", "49000")
    img = tmp_path / "dress.jpg"
    img.write_bytes(image_bytes((800, 800), color=(230, 120, 150)))
    page.set_input_files("#f-images", str(img))
    builder = page.locator("#option-builder")
    builder.get_by_role("button", name="+").click()
    builder.locator(".optaxis input").nth(0).fill("색상")
    builder.locator(".optaxis input").nth(0).dispatch_event("change")
    builder.locator(".optaxis input").nth(1).fill("핑크, 아이보리")
    builder.locator(".optaxis input").nth(1).dispatch_event("change")
    builder.get_by_role("button", name="+").click()
    builder.locator(".optaxis").nth(1).locator("input").nth(0).fill("사이즈")
    builder.locator(".optaxis").nth(1).locator("input").nth(0).dispatch_event("change")
    builder.locator(".optaxis").nth(1).locator("input").nth(1).fill("S, M")
    builder.locator(".optaxis").nth(1).locator("input").nth(1).dispatch_event("change")
    builder.locator("input[type=number]").first.fill("7")
    builder.get_by_role("button", name="적용").click()
    shot(page, "04-product-editor")
    page.locator("#product-form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    shot(page, "05-product-saved")

    product = Product.objects.get(name="봄 린넨 원피스")
    assert sorted(product.variants.values_list("label", "stock")) == [
        ("아이보리 / M", 7), ("아이보리 / S", 7), ("핑크 / M", 7), ("핑크 / S", 7)]
    assert product.images.count() == 1

    # 4. A shopper (another browser session) searches in Korean and opens the product.
    page.context.clear_cookies()
    page.goto(f"{base}/search/?q=린넨원피스")
    shot(page, "06-search")
    link = page.locator(f"a[href*='/p/{product.pk}/']").first
    assert link.count() == 1
    link.click()
    page.wait_for_url(f"{base}/s/spring-flower/p/{product.pk}/")
    assert "봄 린넨 원피스" in page.content()
    assert "49,000원" in page.content()
    shot(page, "07-product-page")
    assert js_errors == []


def _leaf_id(slug: str) -> int:
    from kkot.catalog.models import Category

    return Category.objects.get(slug=slug).pk


def teardown_module(module):  # keep only the latest run's pictures
    if not any(ARTIFACTS.glob("*.png")):
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
