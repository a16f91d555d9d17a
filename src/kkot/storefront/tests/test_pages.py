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


@pytest.fixture
def listing_shop():
    store = make_store(slug="list-shop", name="목록상점")
    cheap = make_product(store=store, name="면 티셔츠", price=10000, sale_price=None,
                         attributes={"material": ["면"], "season": ["여름"]})
    mid = make_product(store=store, name="린넨 티셔츠", price=30000, sale_price=20000,
                       attributes={"material": ["린넨"], "season": ["여름"]})
    dear = make_product(store=store, name="울 티셔츠", price=50000, sale_price=None,
                        attributes={"material": ["울"], "season": ["겨울"]})
    Product.objects.filter(pk=cheap.pk).update(popularity=1, review_count=30, stock_total=0,
                                               created_at=timezone.now() - timedelta(days=3))
    Product.objects.filter(pk=mid.pk).update(popularity=3, review_count=10, created_at=timezone.now() - timedelta(days=2))
    Product.objects.filter(pk=dear.pk).update(popularity=2, review_count=20, created_at=timezone.now() - timedelta(days=1))
    return store, cheap, mid, dear


def names_in(html: str, names: list[str]) -> list[str]:
    found = [(html.index(f'<span class="card-name">{n}</span>'), n) for n in names
             if f'<span class="card-name">{n}</span>' in html]
    return [n for _i, n in sorted(found)]


ALL = ["면 티셔츠", "린넨 티셔츠", "울 티셔츠"]


@pytest.mark.parametrize("sort,expected", [
    ("popular", ["린넨 티셔츠", "울 티셔츠", "면 티셔츠"]),
    ("new", ["울 티셔츠", "린넨 티셔츠", "면 티셔츠"]),
    ("price_asc", ["면 티셔츠", "린넨 티셔츠", "울 티셔츠"]),
    ("price_desc", ["울 티셔츠", "린넨 티셔츠", "면 티셔츠"]),
    ("reviews", ["면 티셔츠", "울 티셔츠", "린넨 티셔츠"]),
    ("bogus", ["린넨 티셔츠", "울 티셔츠", "면 티셔츠"]),
])
def test_category_sorts(client, listing_shop, sort, expected):
    html = client.get(f"/c/w-tshirt/?sort={sort}").content.decode()
    assert names_in(html, ALL) == expected


def test_category_price_filter_uses_sale_price(client, listing_shop):
    html = client.get("/c/fashion/?min_price=15000&max_price=25000").content.decode()
    assert names_in(html, ALL) == ["린넨 티셔츠"]
    assert "상품 1개" in html


def test_category_bad_price_is_ignored_with_message(client, listing_shop):
    r = client.get("/c/w-tshirt/?min_price=abc&max_price=-5")
    html = r.content.decode()
    assert r.status_code == 200
    assert "최저 가격은(는) 숫자로 입력해 주세요." in html
    assert "최고 가격을(를) 확인해 주세요." in html
    assert len(names_in(html, ALL)) == 3


def test_category_attribute_filter_and_facets(client, listing_shop):
    html = client.get("/c/w-tshirt/?attr_season=여름").content.decode()
    assert names_in(html, ALL) == ["린넨 티셔츠", "면 티셔츠"]
    # facets keep the other values visible with counts
    assert 'name="attr_season" value="여름" checked> 여름 <small>(2)</small>' in html
    assert 'name="attr_season" value="겨울"> 겨울 <small>(1)</small>' in html
    html = client.get("/c/w-tshirt/?attr_material=면&attr_material=울").content.decode()
    assert names_in(html, ALL) == ["울 티셔츠", "면 티셔츠"]


def test_category_in_stock_filter(client, listing_shop):
    html = client.get("/c/w-tshirt/?in_stock=1").content.decode()
    assert names_in(html, ALL) == ["린넨 티셔츠", "울 티셔츠"]


def test_store_category_scoped_to_store(client, listing_shop):
    store, *_ = listing_shop
    other = make_store(slug="other-list")
    make_product(store=other, name="다른가게 티셔츠")
    html = client.get(f"/s/{store.slug}/c/w-tshirt/").content.decode()
    assert "다른가게 티셔츠" not in html and len(names_in(html, ALL)) == 3
    html = client.get("/c/w-tshirt/").content.decode()
    assert "다른가게 티셔츠" in html


def test_category_pagination(client, listing_shop, monkeypatch):
    from kkot.storefront import selectors

    monkeypatch.setattr(selectors, "PER_PAGE", 2)
    monkeypatch.setattr(selectors.product_listing, "__kwdefaults__", {"per_page": 2})
    html = client.get("/c/w-tshirt/?sort=price_asc").content.decode()
    assert names_in(html, ALL) == ["면 티셔츠", "린넨 티셔츠"]
    assert "1 / 2 페이지" in html and 'href="?sort=price_asc&amp;page=2"' in html
    html = client.get("/c/w-tshirt/?sort=price_asc&page=2").content.decode()
    assert names_in(html, ALL) == ["울 티셔츠"]
    html = client.get("/c/w-tshirt/?sort=price_asc&page=999").content.decode()
    assert names_in(html, ALL) == ["울 티셔츠"]
    assert client.get("/c/w-tshirt/?page=abc").status_code == 200


# ---------------------------------------------------------------- search


class _FakeSearch:
    """Stands in for kkot.search.selectors with the agreed contract (SearchQuery -> SearchResult)."""

    def __init__(self, products, facets=None):
        self.products, self.facets, self.queries = products, facets or {}, []

    def module(self):
        import types
        from dataclasses import dataclass, field

        fake = self

        @dataclass
        class SearchQuery:
            q: str
            store_id: int | None = None
            category_id: int | None = None
            min_price: object = None
            max_price: object = None
            attributes: dict = field(default_factory=dict)
            in_stock: bool = False
            sort: str = "relevance"
            page: int = 1
            per_page: int = 40

        @dataclass
        class SearchResult:
            products: list
            total: int
            page: int
            per_page: int
            highlights: dict
            facets: dict
            tokens: list
            took_ms: float

        def search_products(query):
            fake.queries.append(query)
            items = [p for p in fake.products if query.store_id in (None, p.store_id)]
            return SearchResult(products=items, total=len(items), page=query.page, per_page=query.per_page,
                                highlights={p.pk: p.name.replace("티셔츠", "<mark>티셔츠</mark>") for p in items},
                                facets=fake.facets, tokens=["티셔츠"], took_ms=1.0)

        mod = types.ModuleType("kkot.search.selectors")
        mod.SearchQuery, mod.SearchResult, mod.search_products = SearchQuery, SearchResult, search_products
        return mod


@pytest.fixture
def fake_search(monkeypatch, listing_shop):
    import sys

    from kkot.catalog.selectors import ProductFilter, products_visible

    store, *_ = listing_shop
    products = list(products_visible(ProductFilter(store=store, sort="price_asc")))
    fake = _FakeSearch(products, facets={"category": [(products[0].category, 3)], "store": [(store, 3)],
                                         "attributes": {"season": {"여름": 2, "겨울": 1}}, "price": {}})
    monkeypatch.setitem(sys.modules, "kkot.search.selectors", fake.module())
    return fake


def test_search_page_shows_highlights_facets_count_and_records_event(client, fake_search):
    r = client.get("/search/?q=티셔츠&min_price=1000&attr_season=여름&in_stock=1&sort=price_asc&page=1")
    assert r.status_code == 200
    html = r.content.decode()
    assert "'티셔츠' 검색 결과 3개" in html
    assert '<span class="card-name">면 <mark>티셔츠</mark></span>' in html
    assert 'data-kk-section="search:1" data-kk-pos="1"' in html
    assert "목록상점 <small>(3)</small>" in html
    assert "<h2>계절</h2>" in html and 'aria-current="true">여름 <small>(2)</small>' in html
    q = fake_search.queries[0]
    assert (q.q, q.store_id, str(q.min_price), q.attributes, q.in_stock, q.sort, q.page) == (
        "티셔츠", None, "1000", {"season": ["여름"]}, True, "price_asc", 1)
    ev = Event.objects.get(kind="search")
    assert (ev.query, ev.store_id, ev.result_count, ev.page_type) == ("티셔츠", None, 3, "search")
    assert len(ev.visitor) == 32 and len(ev.session) == 32


def test_store_search_scoped(client, fake_search, listing_shop):
    store, *_ = listing_shop
    r = client.get(f"/s/{store.slug}/search/?q=티셔츠&store=999")
    assert r.status_code == 200
    assert fake_search.queries[0].store_id == store.pk
    assert Event.objects.get(kind="search").store_id == store.pk


def test_search_bad_ids_ignored(client, fake_search):
    r = client.get("/search/?q=티셔츠&category=abc&store=99999999999999999999999")
    assert r.status_code == 200
    assert (fake_search.queries[0].category_id, fake_search.queries[0].store_id) == (None, None)


def test_search_falls_back_when_search_app_missing(client, listing_shop, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "kkot.search.selectors", None)  # import raises ImportError
    html = client.get("/search/?q=린넨").content.decode()
    assert "상품명으로만 찾았습니다" in html
    assert names_in(html, ALL) == ["린넨 티셔츠"]


def test_search_empty_query_records_nothing(client):
    r = client.get("/search/")
    assert r.status_code == 200 and "검색어를 입력해 주세요" in r.content.decode()
    assert Event.objects.count() == 0


def test_search_respects_dnt(client, fake_search):
    r = client.get("/search/?q=티셔츠", HTTP_DNT="1")
    assert r.status_code == 200
    assert "tracker.js" not in r.content.decode()
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_product_extras_fragment_404s_for_wrong_or_foreign_ids(client):
    from kkot.core.testing import make_product, make_store

    p = make_product()
    other = make_store(slug="someone-else")
    assert client.get(f"/s/{p.store.slug}/p/{p.pk}/extras/").status_code == 200
    assert client.get(f"/s/{other.slug}/p/{p.pk}/extras/").status_code == 404  # another store's product id
    assert client.get(f"/s/{p.store.slug}/p/99999999/extras/").status_code == 404
