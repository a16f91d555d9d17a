"""Public read endpoints for storefront clients: only visible products of open stores."""

from __future__ import annotations

import re
import sys
import types
from decimal import Decimal

import pytest

from kkot.api.tests.conftest import call
from kkot.catalog.models import Category, Product
from kkot.catalog.services import products_set_status
from kkot.core.testing import make_product
from kkot.stores.models import Store

pytestmark = pytest.mark.django_db

ISO_SEOUL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+09:00$")


def test_category_tree_has_three_levels(anon):
    r = call(anon, "GET", "/api/v1/categories")
    assert r.status_code == 200
    tree = r.json()
    fashion = next(n for n in tree if n["slug"] == "fashion")
    assert fashion["name"] == "패션의류" and fashion["level"] == 1
    women = next(n for n in fashion["children"] if n["slug"] == "women")
    tshirt = next(n for n in women["children"] if n["slug"] == "w-tshirt")
    assert (women["level"], tshirt["level"], tshirt["children"]) == (2, 3, [])
    assert {"패션의류", "화장품/미용", "식품"} <= {n["name"] for n in tree}


def test_store_card_with_business_info_and_shipping_policy(anon, seller):
    r = call(anon, "GET", "/api/v1/stores/alpha")
    assert r.status_code == 200
    body = r.json()
    assert body["slug"] == "alpha" and body["name"] == "alpha 상점"
    assert body["business"]["business_reg_no"] == "220-81-62517"
    assert body["shipping"] == {"base_fee": 3000, "free_over": 50000, "jeju_surcharge": 3000,
                                "island_surcharge": 5000, "same_day_cutoff": None}
    assert ISO_SEOUL.match(body["created_at"])
    assert "상점".encode() in r.content  # UTF-8 as is, not \\u escapes


@pytest.mark.parametrize("slug", ["nope", "ALPHA", "a" * 300, "%00", "alpha%2F..%2Fbravo"])
def test_unknown_store_is_json_404(anon, seller, slug):
    r = call(anon, "GET", f"/api/v1/stores/{slug}")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_paused_store_and_its_products_are_hidden(anon, seller, product):
    Store.objects.filter(pk=seller.store.pk).update(status=Store.Status.PAUSED)
    assert call(anon, "GET", "/api/v1/stores/alpha").status_code == 404
    assert call(anon, "GET", "/api/v1/stores/alpha/products").json()["code"] == "not_found"
    assert call(anon, "GET", f"/api/v1/stores/alpha/products/{product.pk}").status_code == 404
    assert call(anon, "GET", "/api/v1/products").json()["count"] == 0


def test_store_products_list_only_visible_products_of_that_store(anon, seller, other, product):
    hidden = make_product(store=seller.store, code="H-1", name="숨긴 상품")
    products_set_status(store=seller.store, actor=seller.user, product_ids=[hidden.pk], status="hidden")
    make_product(store=other.store, code="B-1", name="다른 가게 상품")
    r = call(anon, "GET", "/api/v1/stores/alpha/products")
    assert r.status_code == 200
    body = r.json()
    assert (body["count"], body["page"], body["per_page"]) == (1, 1, 20)
    item = body["items"][0]
    assert item["id"] == product.pk and item["store_slug"] == "alpha"
    assert (item["price"], item["sale_price"], item["current_price"], item["discount_percent"]) == (39000, 29000, 29000, 25)
    assert isinstance(item["price"], int)
    assert item["thumbnail_url"].startswith("http://testserver/media/products/thumbs/")
    assert call(anon, "GET", f"/api/v1/stores/alpha/products/{hidden.pk}").status_code == 404


def test_filters_sort_and_pagination(anon, seller):
    cheap = make_product(store=seller.store, code="C", name="면 티셔츠", price=10000, sale_price=None,
                         attributes={"material": ["면"]})
    mid = make_product(store=seller.store, code="M", name="린넨 셔츠", price=30000, sale_price=None,
                       attributes={"material": ["린넨"]})
    dear = make_product(store=seller.store, code="D", name="울 코트", price=90000, sale_price=None,
                        attributes={"material": ["울"]}, variants=[])  # no stock -> 품절
    url = "/api/v1/stores/alpha/products"

    def ids(query):
        r = call(anon, "GET", url + query)
        assert r.status_code == 200, r.content
        return [i["id"] for i in r.json()["items"]]

    assert ids("?sort=price_asc") == [cheap.pk, mid.pk, dear.pk]
    assert ids("?sort=price_desc") == [dear.pk, mid.pk, cheap.pk]
    assert ids("?sort=price_asc&min_price=20000&max_price=50000") == [mid.pk]
    assert ids("?sort=price_asc&in_stock=true") == [cheap.pk, mid.pk]
    assert ids("?sort=price_asc&attr_material=면,울") == [cheap.pk, dear.pk]
    assert ids("?sort=price_asc&attr_material=면&attr_material=린넨") == [cheap.pk, mid.pk]
    assert ids("?sort=price_asc&category=w-tshirt") == [cheap.pk, mid.pk, dear.pk]
    assert ids(f"?sort=price_asc&category={Category.objects.get(slug='fashion').pk}") == [cheap.pk, mid.pk, dear.pk]
    assert ids("?sort=price_asc&category=beauty") == []
    page2 = call(anon, "GET", url + "?sort=price_asc&page=2&per_page=2").json()
    assert page2 == {"items": page2["items"], "count": 3, "page": 2, "per_page": 2}
    assert [i["id"] for i in page2["items"]] == [dear.pk]
    assert call(anon, "GET", url + "?page=9").json()["items"] == []


@pytest.mark.parametrize("query,loc", [
    ("?per_page=101", ["query", "per_page"]),
    ("?per_page=0", ["query", "per_page"]),
    ("?page=0", ["query", "page"]),
    ("?page=abc", ["query", "page"]),
    ("?min_price=1000.5", ["query", "min_price"]),
    ("?min_price=-1", ["query", "min_price"]),
    ("?sort=cheapest", ["query", "sort"]),
    ("?in_stock=maybe", ["query", "in_stock"]),
])
def test_bad_listing_parameters_are_422_with_the_field(anon, seller, query, loc):
    r = call(anon, "GET", "/api/v1/stores/alpha/products" + query)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_request" and body["message"] == "요청 형식이 올바르지 않습니다."
    assert [d["loc"] for d in body["details"]] == [loc]


def test_unknown_category_filter_is_404(anon, seller):
    for ref in ("no-such-category", "999999", "99999999999999999999"):
        r = call(anon, "GET", f"/api/v1/products?category={ref}")
        assert (r.status_code, r.json()["code"], r.json()["message"]) == (404, "not_found", "카테고리를 찾을 수 없습니다.")


def test_product_page_data(anon, seller, product):
    r = call(anon, "GET", f"/api/v1/stores/alpha/products/{product.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "린넨 오버핏 셔츠" and body["category"]["slug"] == "w-tshirt"
    assert body["options"] == [{"name": "색상", "values": ["블랙", "화이트"]}, {"name": "사이즈", "values": ["M", "L"]}]
    assert [(v["label"], v["price"], v["stock"]) for v in body["variants"]] == [
        ("블랙 / M", 29000, 5), ("블랙 / L", 29000, 0), ("화이트 / M", 30000, 3), ("화이트 / L", 30000, 2)]
    assert sorted(body["tags"]) == ["린넨", "여름셔츠"]
    assert len(body["images"]) == 1 and body["images"][0]["position"] == 0
    assert "code" not in body and "view_count" not in body  # seller-only fields


@pytest.mark.parametrize("pid", ["abc", "0x1", "-1", "99999999999999999999", "1.5"])
def test_bad_product_ids_are_json_404(anon, seller, product, pid):
    r = call(anon, "GET", f"/api/v1/stores/alpha/products/{pid}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_another_stores_product_id_under_this_slug_is_404(anon, seller, other):
    theirs = make_product(store=other.store, code="B-1")
    r = call(anon, "GET", f"/api/v1/stores/alpha/products/{theirs.pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert call(anon, "GET", f"/api/v1/stores/bravo/products/{theirs.pk}").status_code == 200


def test_platform_listing_spans_open_stores(anon, seller, other, product):
    theirs = make_product(store=other.store, code="B-1")
    r = call(anon, "GET", "/api/v1/products?sort=new")
    assert r.status_code == 200
    assert {i["id"] for i in r.json()["items"]} == {product.pk, theirs.pk}
    Store.objects.filter(pk=other.store.pk).update(status=Store.Status.CLOSED)
    assert [i["id"] for i in call(anon, "GET", "/api/v1/products").json()["items"]] == [product.pk]


def test_unknown_paths_and_methods_are_json(anon, seller):
    r = call(anon, "GET", "/api/v1/no-such-thing")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = call(anon, "DELETE", "/api/v1/categories")
    assert (r.status_code, r.json()["code"], r["Allow"]) == (405, "method_not_allowed", "GET")
    r = call(anon, "POST", "/api/v1/stores/alpha", {})
    assert (r.status_code, r.json()["code"]) == (405, "method_not_allowed")


# ------------------------------------------------------------------------------------------------ search


class _FakeResult:
    def __init__(self, products, q):
        self.products, self.total, self.page, self.per_page = products, len(products), 1, 20
        self.highlights = {p.pk: f"<mark>{q}</mark>" for p in products}
        self.facets = {"category": [(p.category, 1) for p in products], "store": [(p.store, 1) for p in products],
                       "attributes": {"color": {"블랙": 1}}, "price": {"min": Decimal(29000), "max": Decimal(29000)}}
        self.tokens, self.took_ms = [q], 1.5


def test_search_passes_parsed_filters_to_the_search_selector(anon, seller, other, product, monkeypatch):
    seen = {}

    class SearchQuery:
        def __init__(self, **kw):
            seen.update(kw)

    def search_products(query):
        return _FakeResult(list(Product.objects.filter(pk=product.pk)), seen["q"])

    fake = types.ModuleType("kkot.search.selectors")
    fake.SearchQuery, fake.search_products = SearchQuery, search_products
    monkeypatch.setitem(sys.modules, "kkot.search.selectors", fake)
    r = call(anon, "GET", "/api/v1/search?q=린넨&store=alpha&category=w-tshirt&min_price=1000&in_stock=1"
                         "&attr_color=블랙,화이트&sort=price_asc&per_page=20")
    assert r.status_code == 200, r.content
    body = r.json()
    assert seen == {"q": "린넨", "store_id": seller.store.pk, "category_id": Category.objects.get(slug="w-tshirt").pk,
                    "min_price": 1000, "max_price": None, "attributes": {"color": ["블랙", "화이트"]},
                    "in_stock": True, "sort": "price_asc", "page": 1, "per_page": 20}
    assert [i["id"] for i in body["items"]] == [product.pk]
    assert (body["count"], body["tokens"], body["took_ms"]) == (1, ["린넨"], 1.5)
    assert body["highlights"] == {str(product.pk): "<mark>린넨</mark>"}
    assert body["facets"] == {
        "category": [{"id": product.category_id, "name": "티셔츠", "slug": "w-tshirt", "level": 3, "count": 1}],
        "store": [{"slug": "alpha", "name": "alpha 상점", "count": 1}],
        "attributes": {"color": {"블랙": 1}}, "price": {"min": 29000, "max": 29000}}
    # a closed / unknown store in the filter is a 404, an empty query a 422
    assert call(anon, "GET", "/api/v1/search?q=린넨&store=nope").status_code == 404
    r = call(anon, "GET", "/api/v1/search?q=")
    assert (r.status_code, r.json()["details"][0]["loc"]) == (422, ["query", "q"])
    assert call(anon, "GET", "/api/v1/search").status_code == 422


def test_search_with_the_real_search_module(anon, seller, product):
    pytest.importorskip("kkot.search.selectors")
    r = call(anon, "GET", "/api/v1/search?q=린넨 셔츠")
    assert r.status_code == 200, r.content
    body = r.json()
    assert product.pk in [i["id"] for i in body["items"]]
    assert "<mark>" in body["highlights"][str(product.pk)]
    assert body["facets"]["store"] == [{"slug": "alpha", "name": "alpha 상점", "count": 1}]
