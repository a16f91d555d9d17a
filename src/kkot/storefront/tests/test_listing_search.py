"""Listing pages: category sorts, filters, facets and paging; search results (with a stand-in search engine)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kkot.catalog.models import Product
from kkot.core.testing import make_product, make_store
from kkot.events.models import Event

pytestmark = pytest.mark.django_db


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
