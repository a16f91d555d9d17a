"""English UI through the gettext catalog: Korean stays the default, English by cookie, header, setting or switcher."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kkot.core.testing import make_product, make_store, make_user

LOCALE_DIR = Path(django_settings.LOCALE_PATHS[0])
PO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"


@pytest.fixture(autouse=True)
def _reset_language():
    # LocaleMiddleware leaves the request's language active on the thread; don't leak English into other tests.
    yield
    translation.deactivate()


@pytest.fixture
def shop(db):
    owner = make_user(email="owner-i18n@example.com")
    store = make_store(owner=owner, slug="i18n-shop", name="꽃상점")
    product = make_product(store=store, actor=owner)
    return owner, store, product


def product_url(store, product):
    return reverse("storefront:product", args=[store.slug, product.pk])


def english_client(how: str, settings) -> Client:
    if how == "cookie":
        c = Client()
        c.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        return c
    if how == "header":
        return Client(headers={"accept-language": "en-US,en;q=0.9"})
    settings.LANGUAGE_CODE = "en"
    return Client()


# ----------------------------------------------------------------------------------------- pages


def test_an_english_browser_still_gets_the_korean_shop(shop):
    _owner, store, product = shop
    c = Client(headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="ko">' in c.get(product_url(store, product)).content.decode()


def test_korean_is_the_default(client, shop):
    _owner, store, product = shop
    home = client.get("/").content.decode()
    assert '<html lang="ko">' in home
    assert ">검색</button>" in home
    page = client.get(product_url(store, product)).content.decode()
    assert "<dt>배송비</dt>" in page
    assert "29,000원" in page
    assert " - 품절</option>" in page


@pytest.mark.parametrize("how", ["cookie", "setting"])
def test_home_page_in_english(shop, settings, how):
    r = english_client(how, settings).get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="en">' in html
    assert ">Search</button>" in html
    assert 'placeholder="Search products"' in html
    assert ">Log in</a>" in html and ">Sign up</a>" in html
    assert "Trending now" in html and "New arrivals" in html
    assert "₩29,000" in html
    assert "검색" not in html and "원<" not in html


def test_product_page_in_english(shop, settings):
    _owner, store, product = shop
    html = english_client("cookie", settings).get(product_url(store, product)).content.decode()
    assert "<dt>Shipping fee</dt>" in html
    assert "₩3,000" in html and "free on orders of ₩50,000 or more" in html
    assert "Jeju +" in html and "remote islands/mountain areas +" in html
    assert "Ships within 2 days of payment" in html
    assert ">Select an option</label>" in html
    assert " - Sold out</option>" in html  # the BK-L variant has no stock
    assert "Seller information" in html
    assert "<dt>Business registration number</dt>" in html
    assert "<dt>Mail-order business report number</dt>" in html
    assert "0 reviews" in html


def test_sold_out_product_in_english(shop, settings):
    from kkot.catalog.models import Product

    _owner, store, product = shop
    Product.objects.filter(pk=product.pk).update(status=Product.Status.SOLD_OUT)
    html = english_client("cookie", settings).get(product_url(store, product)).content.decode()
    assert "This product is sold out." in html


def test_seller_center_product_editor_in_english(shop, settings):
    owner, store, product = shop
    c = english_client("cookie", settings)
    c.force_login(owner)
    r = c.get(reverse("sellercenter:product_edit", args=[store.slug, product.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "<title>Edit product · kkot</title>" in html
    assert ">Product name" in html
    assert ">Sale price (₩)</label>" in html
    assert ">Product shipping fee (₩)</label>" in html
    assert 'placeholder="Blank = store policy (₩3000)"' in html
    assert "> Combined shipping available</label>" in html
    for label in ("On sale", "Sold out", "Suspended", "Hidden"):
        assert f">{label}</option>" in html
    assert ">Products</a>" in html and ">Store settings</a>" in html
    assert '"add_option": "Add option"' in html  # JS strings come from the json_script catalog


def test_cart_page_in_english(shop, settings):
    from kkot.catalog.models import Variant

    _owner, store, product = shop
    c = english_client("cookie", settings)
    page = c.get(product_url(store, product)).content.decode()
    assert 'id="cart-btn"' in page and ">Add to cart</button>" in page  # the button has its own context
    variant = Variant.objects.get(product=product, sku="SH-BK-M")
    assert c.post("/cart/add/", {"variant": variant.pk, "quantity": "2", "action": "cart"}).status_code == 302
    html = c.get(reverse("storefront:cart")).content.decode()
    assert "<title>Cart · " in html and '<h1>Cart <span class="count">' in html
    assert 'id="nav-cart">Cart<' in html and 'aria-label="Items in cart"' in html
    assert '<h2 id="sum-h">Estimated total</h2>' in html
    assert "<dt>Items</dt><dd>₩58,000</dd>" in html
    assert ">Checkout selected items</button>" in html
    assert "장바구니" not in html and "결제" not in html


def test_seller_orders_page_in_english(shop, settings):
    owner, store, _product = shop
    c = english_client("cookie", settings)
    c.force_login(owner)
    html = c.get(reverse("sellercenter:orders", args=[store.slug])).content.decode()
    assert "<title>Orders · kkot</title>" in html
    for label in (
        "All",
        "Awaiting payment",
        "New orders",
        "Awaiting shipment",
        "Shipped",
        "Delivered",
        "Cancellation requests",
        "Return requests",
        "Exchange requests",
        "Purchase confirmed",
    ):
        assert f">{label} <b>0</b></a>" in html, label
    assert ">Confirm selected orders</button>" in html and ">Bulk tracking upload</a>" in html
    assert ">Export to Excel</a>" in html and "0 orders" in html
    assert "신규주문" not in html and "발주확인" not in html


def test_image_badge_uses_its_own_context():
    with translation.override("en"):
        assert translation.pgettext("image", "대표") == "Main"
        assert translation.gettext("대표") == "Owner"


# ----------------------------------------------------------------------------------- switcher


def test_locale_middleware_is_active():
    mw = django_settings.MIDDLEWARE
    locale = mw.index("kkot.core.middleware.KoreanFirstLocaleMiddleware")
    assert mw.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < mw.index("django.middleware.common.CommonMiddleware")
    assert [code for code, _name in django_settings.LANGUAGES] == ["ko", "en"]


def test_language_switcher_in_both_base_templates(client, shop):
    owner, store, _product = shop
    home = client.get("/").content.decode()
    assert '<form class="lang-switch" action="/i18n/setlang/" method="post"' in home
    assert 'name="language" value="ko" lang="ko" aria-current="true">한국어</button>' in home
    assert 'name="language" value="en" lang="en">English</button>' in home
    client.force_login(owner)
    sc = client.get(reverse("sellercenter:dashboard", args=[store.slug])).content.decode()
    assert 'action="/i18n/setlang/" method="post"' in sc
    assert ">한국어</button>" in sc and ">English</button>" in sc


def test_setlang_switches_to_english_and_back(shop):
    c = Client()
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert (r.status_code, r["Location"]) == (302, "/")
    assert c.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert ">Search</button>" in c.get("/").content.decode()
    c.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert ">검색</button>" in c.get("/").content.decode()


def test_setlang_ignores_unknown_languages_and_foreign_next(shop):
    c = Client()
    r = c.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert django_settings.LANGUAGE_COOKIE_NAME not in c.cookies
    assert ">검색</button>" in c.get("/").content.decode()


# ---------------------------------------------------------------------------------------- API


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_api_missing_token_keeps_a_stable_code(shop, lang):
    r = Client(headers={"accept-language": lang}).get("/api/v1/seller/stores/i18n-shop")
    assert r.status_code == 401
    body = r.json()
    assert body["code"] == "unauthorized"
    if lang == "en":
        assert body["message"].startswith("Authentication required.")
    else:
        assert body["message"].startswith("인증이 필요합니다.")


# ------------------------------------------------------------------------------------ catalog


def _po_entries(path: Path) -> list[dict]:
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        fields: dict[str, str] = {}
        flags = ""
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[key] += ast.literal_eval(line)
            else:
                key, _sep, value = line.partition(" ")
                fields[key] = ast.literal_eval(value)
        entries.append({"flags": flags, **fields})
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def test_english_catalog_is_complete_and_compiled():
    entries = [e for e in _po_entries(PO_PATH) if e.get("msgid")]
    assert len(entries) > 500
    with MO_PATH.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    for e in entries:
        assert "fuzzy" not in e["flags"], e["msgid"]
        strs = [v for k, v in e.items() if k.startswith("msgstr")]
        assert strs and all(strs), f"untranslated: {e['msgid']}"
        for s in strs:
            assert sorted(PLACEHOLDER.findall(s)) == sorted(PLACEHOLDER.findall(e["msgid"])), e["msgid"]
        if "msgid_plural" in e:
            assert len(strs) == 2, e["msgid"]
            assert mo.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr[0]"]
            assert mo.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr[1]"]
        elif "msgctxt" in e:
            assert mo.pgettext(e["msgctxt"], e["msgid"]) == e["msgstr"]
        else:  # the .mo is not stale
            assert mo.gettext(e["msgid"]) == e["msgstr"], e["msgid"]
