"""The cached product and listing bodies (kkot.storefront.pagecache) never show stale names, prices, stock or
sale state, and never carry one shopper's personal bits to another."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kkot.catalog.models import Category, Product, Variant
from kkot.catalog.services import product_input_from_instance, product_update
from kkot.core.testing import make_product, make_store, make_user
from kkot.orders.services.stock import stock_reserve
from kkot.stores.models import StoreMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    store = make_store(slug="kkot-shop", name="꽃상점")
    product = make_product(store=store)
    return store, product


def unmasked(html: str) -> str:
    """The page without its CSRF tokens (masked differently on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)


def product_url(product):
    return reverse("storefront:product", args=[product.store.slug, product.pk])


def category_url(product):
    top = Category.objects.get(pk=product.category.ancestor_ids[0])
    return reverse("storefront:category", args=[top.slug])


def owner(store):
    return StoreMembership.objects.get(store=store, role="owner").user


def rename(product, name):
    data = dataclasses.replace(product_input_from_instance(product), name=name)
    return product_update(product=product, actor=owner(product.store), data=data)


def test_product_page_second_request_is_one_query_and_identical(client, shop, django_assert_num_queries):
    _store, product = shop
    first = client.get(product_url(product)).content.decode()
    with django_assert_num_queries(1):  # the fingerprint; the body comes from the cache
        second = client.get(product_url(product)).content.decode()
    assert unmasked(second) == unmasked(first)


def test_rename_shows_at_once_on_product_and_category_pages(client, shop):
    _store, product = shop
    assert "린넨 오버핏 셔츠" in client.get(product_url(product)).content.decode()
    assert "린넨 오버핏 셔츠" in client.get(category_url(product)).content.decode()
    rename(product, "여름 린넨 셔츠")
    page = client.get(product_url(product)).content.decode()
    assert "<h1 class=\"product-name\">여름 린넨 셔츠</h1>" in page and "린넨 오버핏 셔츠" not in page
    listing = client.get(category_url(product)).content.decode()
    assert "여름 린넨 셔츠" in listing and "린넨 오버핏 셔츠" not in listing


def test_rename_by_raw_update_without_updated_at_still_shows(client, shop):
    _store, product = shop
    client.get(product_url(product))
    client.get(category_url(product))
    stamp = Product.objects.get(pk=product.pk).updated_at
    Product.objects.filter(pk=product.pk).update(name="몰래 바뀐 이름", updated_at=stamp)
    assert "몰래 바뀐 이름" in client.get(product_url(product)).content.decode()
    assert "몰래 바뀐 이름" in client.get(category_url(product)).content.decode()


def test_stock_taken_by_checkout_disables_the_variant_at_once(client, shop):
    _store, product = shop
    white_l = Variant.objects.get(product=product, sku="SH-WH-L")
    html = client.get(product_url(product)).content.decode()
    assert f'<option value="{white_l.pk}" data-price="30000">화이트 / L (+1,000원)</option>' in html
    stock_reserve(quantities={white_l.pk: 2})
    html = client.get(product_url(product)).content.decode()
    assert f'<option value="{white_l.pk}" data-price="30000" disabled>화이트 / L (+1,000원) - 품절</option>' in html


def test_variant_stock_raw_update_changes_the_page(client, shop):
    _store, product = shop
    black_l = Variant.objects.get(product=product, sku="SH-BK-L")
    assert "disabled>블랙 / L - 품절</option>" in client.get(product_url(product)).content.decode()
    Variant.objects.filter(pk=black_l.pk).update(stock=4)  # no product row touched at all
    html = client.get(product_url(product)).content.decode()
    assert f'<option value="{black_l.pk}" data-price="29000">블랙 / L</option>' in html


def test_sold_out_shows_at_once_on_both_pages(client, shop):
    _store, product = shop
    client.get(product_url(product))
    client.get(category_url(product))
    stock_reserve(quantities={v.pk: v.stock for v in Variant.objects.filter(product=product, stock__gt=0)})
    assert Product.objects.get(pk=product.pk).status == Product.Status.SOLD_OUT
    page = client.get(product_url(product)).content.decode()
    assert "품절된 상품입니다." in page and 'id="buy-btn" disabled' in page
    assert '<span class="badge-soldout">품절</span>' in client.get(category_url(product)).content.decode()


def test_sale_ending_shows_list_price_the_next_moment(client, shop, monkeypatch):
    _store, product = shop
    now = timezone.now()
    ends = now + timedelta(minutes=1)
    stamp = Product.objects.get(pk=product.pk).updated_at
    Product.objects.filter(pk=product.pk).update(sale_ends_at=ends, updated_at=stamp)
    page = client.get(product_url(product)).content.decode()
    listing = client.get(category_url(product)).content.decode()
    assert '<strong class="price-now">29,000원</strong>' in page
    assert "<strong>29,000원</strong>" in listing
    monkeypatch.setattr(timezone, "now", lambda: ends + timedelta(seconds=1))  # nothing written: time passes
    page = client.get(product_url(product)).content.decode()
    listing = client.get(category_url(product)).content.decode()
    assert '<strong class="price-now">39,000원</strong>' in page and "29,000원" not in page
    assert "<strong>39,000원</strong>" in listing and "29,000원" not in listing


def test_sale_starting_shows_sale_price_the_next_moment(client, shop, monkeypatch):
    _store, product = shop
    starts = timezone.now() + timedelta(minutes=5)
    Product.objects.filter(pk=product.pk).update(sale_starts_at=starts)
    assert '<strong class="price-now">39,000원</strong>' in client.get(product_url(product)).content.decode()
    monkeypatch.setattr(timezone, "now", lambda: starts)
    assert '<strong class="price-now">29,000원</strong>' in client.get(product_url(product)).content.decode()


def test_hidden_product_is_404_even_when_cached(client, shop):
    _store, product = shop
    assert client.get(product_url(product)).status_code == 200
    Product.objects.filter(pk=product.pk).update(status=Product.Status.HIDDEN)
    assert client.get(product_url(product)).status_code == 404
    assert "린넨 오버핏 셔츠" not in client.get(category_url(product)).content.decode()


def test_store_rename_shows_on_product_page(client, shop):
    store, product = shop
    client.get(product_url(product))
    store.name = "새이름상점"
    store.save()
    html = client.get(product_url(product)).content.decode()
    assert '<a class="store-name" href="/s/kkot-shop/">새이름상점</a>' in html
    assert '<a href="/s/kkot-shop/">새이름상점</a>' in html  # crumbs and buy box


def test_personal_parts_are_never_shared(shop):
    store, product = shop
    anon, member = Client(), Client(enforce_csrf_checks=True)
    user = make_user()
    member.force_login(user)
    from kkot.stores.services import store_follow

    store_follow(store=store, user=user)
    a1 = anon.get(product_url(product)).content.decode()  # fills the cache
    m1 = member.get(product_url(product)).content.decode()  # served from it
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.findall(a1) and token.findall(m1)
    assert anon.cookies["csrftoken"].value != member.cookies["csrftoken"].value
    assert "로그아웃" in m1 and "로그아웃" not in a1
    assert 'aria-pressed="true">단골 해제' in m1 and 'aria-pressed="false">단골 맺기' in a1
    assert "단골 1명" in m1 and "단골 1명" in a1
    # The picker form posts with the requester's own token (a cart add works from a cached page).
    picker = m1[m1.index('id="picker"'):]
    r = member.post(reverse("storefront:cart_add"), {
        "csrfmiddlewaretoken": token.search(picker).group(1), "quantity": 1,
        "variant": Variant.objects.get(product=product, sku="SH-BK-M").pk, "action": "cart",
        "next": product_url(product)})
    assert r.status_code == 302


def test_listing_filters_and_pages_are_cached_separately(client, shop, django_assert_max_num_queries):
    store, product = shop
    make_product(store=store, name="면 티셔츠", price=10000, sale_price=None, code="T-1")
    url = category_url(product)
    cheap = client.get(url + "?max_price=15000").content.decode()
    assert "면 티셔츠" in cheap and "린넨 오버핏 셔츠" not in cheap
    everything = client.get(url).content.decode()
    assert "면 티셔츠" in everything and "린넨 오버핏 셔츠" in everything
    with django_assert_max_num_queries(3):  # category, count + newest change, the page's card columns
        again = client.get(url).content.decode()
    assert unmasked(again) == unmasked(everything)
