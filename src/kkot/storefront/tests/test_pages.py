from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kkot.catalog.models import Product, Variant
from kkot.core.testing import make_product, make_store, make_user
from kkot.events.models import Event
from kkot.stores.models import Store, StoreBanner, StoreFollow

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    store = make_store(slug="kkot-shop", name="꽃상점")
    product = make_product(store=store)
    return store, product


def product_url(store, product):
    return reverse("storefront:product", args=[store.slug, product.pk])


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"ok": True}


def test_home_lists_products_categories_and_stores(client, shop):
    store, product = shop
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "린넨 오버핏 셔츠" in html
    assert "패션의류" in html
    assert 'href="/s/kkot-shop/"' in html
    assert 'data-kk-section="best"' in html
    assert "storefront/tracker.js" in html


def test_product_page_sale_price_discount_and_sold_out_variant(client, shop, django_assert_max_num_queries):
    store, product = shop
    with django_assert_max_num_queries(9):  # cold: + category chain, attribute names, recs fallback ranking
        r = client.get(product_url(store, product))
    with django_assert_max_num_queries(5):  # warm: product+store+category, images, variants, options, tags
        client.get(product_url(store, product))
    assert r.status_code == 200
    html = r.content.decode()
    # 39,000 -> 29,000: 25% (floor of 25.6)
    assert '<span class="pct">25%</span>' in html
    assert '<strong class="price-now">29,000원</strong>' in html
    assert "39,000원</del>" in html
    black_l = Variant.objects.get(product=product, sku="SH-BK-L")
    white_m = Variant.objects.get(product=product, sku="SH-WH-M")
    assert f'<option value="{black_l.pk}" data-price="29000" disabled>블랙 / L - 품절</option>' in html
    assert f'<option value="{white_m.pk}" data-price="30000">화이트 / M (+1,000원)</option>' in html
    # shipping from the store policy, notices, seller info, tags, attributes
    assert "3,000원" in html and "50,000원 이상 구매 시 무료" in html
    assert "제주 추가 3,000원, 도서산간 추가 5,000원" in html
    assert "상품정보제공고시" in html and "<th scope=\"row\">제품 소재</th>" in html
    assert "220-81-62517" in html and "김꽃님" in html
    assert "#린넨" in html and "오버사이즈" in html
    assert "장바구니에 담았습니다." in html and 'action="/cart/add/"' in html
    assert 'id="kk-picker"' in html
    assert f'data-kk-product="{product.pk}"' in html


def test_product_page_few_queries_logged_in(client, shop, django_assert_max_num_queries):
    store, product = shop
    client.force_login(make_user())
    client.get(product_url(store, product))  # warm the small caches
    with django_assert_max_num_queries(8):  # + session, user, is_following
        r = client.get(product_url(store, product))
    assert r.status_code == 200


def test_product_without_active_sale_shows_list_price_only(client, shop):
    store, product = shop
    Product.objects.filter(pk=product.pk).update(sale_starts_at=timezone.now() + timedelta(days=1),
                                                 sale_ends_at=timezone.now() + timedelta(days=2))
    html = client.get(product_url(store, product)).content.decode()
    assert '<strong class="price-now">39,000원</strong>' in html
    assert 'class="pct"' not in html


@pytest.mark.parametrize("status", [Product.Status.HIDDEN, Product.Status.SUSPENDED])
def test_hidden_or_suspended_product_404(client, shop, status):
    store, product = shop
    Product.objects.filter(pk=product.pk).update(status=status)
    assert client.get(product_url(store, product)).status_code == 404


def test_sold_out_product_still_visible(client, shop):
    store, product = shop
    Product.objects.filter(pk=product.pk).update(status=Product.Status.SOLD_OUT)
    r = client.get(product_url(store, product))
    assert r.status_code == 200
    assert "품절된 상품입니다." in r.content.decode()


@pytest.mark.parametrize("status", [Store.Status.CLOSED, Store.Status.PAUSED])
def test_closed_store_404(client, shop, status):
    store, product = shop
    Store.objects.filter(pk=store.pk).update(status=status)
    assert client.get(f"/s/{store.slug}/").status_code == 404
    assert client.get(product_url(store, product)).status_code == 404
    assert client.get(f"/s/{store.slug}/c/w-tshirt/").status_code == 404


def test_other_store_product_under_slug_404(client, shop):
    store, product = shop
    other = make_store(slug="other-shop")
    assert client.get(f"/s/{other.slug}/p/{product.pk}/").status_code == 404


@pytest.mark.parametrize("path", [
    "/s/kkot-shop/p/999999/", "/s/kkot-shop/p/99999999999999999999999/", "/s/kkot-shop/p/0/",
    "/s/no-such-store/", "/c/no-such-category/", "/s/kkot-shop/c/nope/", "/s/kkot-shop/p/abc/",
])
def test_wrong_ids_404(client, shop, path):
    assert client.get(path).status_code == 404


def test_store_home_sections_and_follow_button(client, shop):
    store, product = shop
    banner = StoreBanner.objects.create(store=store, title="여름 린넨 특가", position=0)
    r = client.get(f"/s/{store.slug}/")
    html = r.content.decode()
    assert r.status_code == 200
    # the section key is the banner's id (what the advisor's click analysis joins on), not its position
    assert "여름 린넨 특가" in html and f'data-kk-section="banner:{banner.pk}"' in html
    assert "베스트" in html and "신상품" in html
    assert f'data-kk-section="category:{product.category_id}"' in html
    assert "단골 맺기" in html and "단골 0명" in html


def test_follow_requires_login_then_follow_unfollow(client, shop):
    store, _p = shop
    r = client.post(f"/s/{store.slug}/follow/", {"action": "follow"})
    assert r.status_code == 302 and r.url.startswith("/accounts/login/?next=")
    assert StoreFollow.objects.count() == 0

    user = make_user()
    client.force_login(user)
    r = client.post(f"/s/{store.slug}/follow/", {"action": "follow", "next": f"/s/{store.slug}/"})
    assert r.status_code == 302 and r.url == f"/s/{store.slug}/"
    store.refresh_from_db()
    assert store.follower_count == 1
    html = client.get(f"/s/{store.slug}/").content.decode()
    assert "단골 해제" in html and "단골 1명" in html
    assert list(Event.objects.values_list("kind", "store_id", "user_id")) == [("follow", store.pk, user.pk)]
    # twice is idempotent
    client.post(f"/s/{store.slug}/follow/", {"action": "follow"})
    store.refresh_from_db()
    assert store.follower_count == 1
    # my page lists it
    html = client.get("/me/").content.decode()
    assert "꽃상점" in html and "행동 데이터 수집 거부" in html

    client.post(f"/s/{store.slug}/follow/", {"action": "unfollow"})
    store.refresh_from_db()
    assert store.follower_count == 0
    assert "아직 단골 스토어가 없습니다." in client.get("/me/").content.decode()
    assert Event.objects.filter(kind="unfollow").count() == 1


def test_follow_rejects_offsite_next(client, shop):
    store, _p = shop
    client.force_login(make_user())
    r = client.post(f"/s/{store.slug}/follow/", {"action": "follow", "next": "https://evil.example/"})
    assert r.url == f"/s/{store.slug}/"


def test_follow_get_not_allowed(client, shop):
    store, _p = shop
    assert client.get(f"/s/{store.slug}/follow/").status_code == 405


def test_me_requires_login(client):
    r = client.get("/me/")
    assert r.status_code == 302 and r.url == "/accounts/login/?next=/me/"


# ---------------------------------------------------------------- listings: filters, sorts, pagination


@pytest.mark.django_db
def test_product_extras_fragment_404s_for_wrong_or_foreign_ids(client):
    from kkot.core.testing import make_product, make_store

    p = make_product()
    other = make_store(slug="someone-else")
    assert client.get(f"/s/{p.store.slug}/p/{p.pk}/extras/").status_code == 200
    assert client.get(f"/s/{other.slug}/p/{p.pk}/extras/").status_code == 404  # another store's product id
    assert client.get(f"/s/{p.store.slug}/p/99999999/extras/").status_code == 404
