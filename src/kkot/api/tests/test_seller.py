"""Seller endpoints: happy paths and every bad input, with exact error codes and nothing-stored checks."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kkot.accounts.services import api_token_create, api_token_revoke
from kkot.api.tests.conftest import call
from kkot.api.tests.helpers import db_snapshot, media_files, product_body
from kkot.catalog.models import Category, Product, ProductImage, Variant
from kkot.core.testing import image_bytes, make_product, make_user, upload
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import staff_add, staff_remove

pytestmark = pytest.mark.django_db

BASE = "/api/v1/seller/stores/alpha"


# ------------------------------------------------------------------------------------------- store


def test_store_settings_read_and_patch(seller):
    r = seller.call("GET", BASE)
    assert r.status_code == 200
    assert r.json()["shipping_base_fee"] == 3000 and r.json()["status"] == "open"
    r = seller.call("PATCH", BASE, {"name": "알파 상점", "shipping_base_fee": 2500, "shipping_free_over": None,
                                   "same_day_cutoff": "14:00", "business_reg_no": "2208162517"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["name"], body["shipping_base_fee"], body["shipping_free_over"], body["same_day_cutoff"]) == (
        "알파 상점", 2500, None, "14:00:00")
    assert body["business_reg_no"] == "220-81-62517"
    store = Store.objects.get(pk=seller.store.pk)
    assert (store.name, store.shipping_base_fee, store.shipping_free_over) == ("알파 상점", 2500, None)
    assert store.description == ""  # fields not sent are untouched


@pytest.mark.parametrize("payload,status,code,field", [
    ({"business_reg_no": "123-45-67890"}, 400, "invalid", "business_reg_no"),
    ({"mail_order_no": "abc"}, 400, "invalid", "mail_order_no"),
    ({"contact_email": "not-an-email"}, 400, "invalid", "contact_email"),
    ({"shipping_base_fee": 2500.5}, 422, "invalid_request", "shipping_base_fee"),
    ({"shipping_base_fee": "2500"}, 422, "invalid_request", "shipping_base_fee"),
    ({"shipping_base_fee": -1}, 422, "invalid_request", "shipping_base_fee"),
    ({"name": None}, 422, "invalid_request", "name"),
    ({"name": ""}, 422, "invalid_request", "name"),
    ({"status": "gone"}, 422, "invalid_request", "status"),
    ({"slug": "stolen"}, 422, "invalid_request", "slug"),
    ({"same_day_cutoff": "25:99"}, 422, "invalid_request", "same_day_cutoff"),
])
def test_bad_store_patch_changes_nothing(seller, payload, status, code, field):
    before = db_snapshot()
    r = seller.call("PATCH", BASE, payload)
    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code
    if status == 422:
        assert [d["loc"][-1] for d in body["details"]] == [field]
    else:
        assert field in body["details"]
    assert db_snapshot() == before


def test_staff_list(seller):
    viewer = make_user(email="viewer@example.com", name="뷰어")
    staff_add(store=seller.store, actor=seller.user, email=viewer.email, role="viewer")
    r = seller.call("GET", BASE + "/staff")
    assert r.status_code == 200
    assert sorted((s["email"], s["role"], s["role_label"]) for s in r.json()) == [
        (seller.user.email, "owner", "대표"), ("viewer@example.com", "viewer", "뷰어")]


# ---------------------------------------------------------------------------------------- products


def test_create_product_with_options_and_variants(seller):
    r = seller.call("POST", BASE + "/products", product_body())
    assert r.status_code == 201, r.content
    body = r.json()
    p = Product.objects.get(pk=body["id"])
    assert p.store_id == seller.store.pk and p.code == body["code"] == "P00001"
    assert (body["price"], body["sale_price"], body["current_price"], body["shipping_fee"]) == (19000, 15000, 15000, 2500)
    assert [(v["label"], v["sku"], v["stock"], v["price"]) for v in body["variants"]] == [
        ("블랙 / S", "T-BK-S", 3, 15000), ("블랙 / M", "T-BK-M", 2, 15000),
        ("화이트 / S", "T-WH-S", 0, 15000), ("화이트 / M", "T-WH-M", 1, 16000)]
    assert p.stock_total == body["stock_total"] == 6
    assert sorted(body["tags"]) == ["면티", "반팔"] and body["notice"] == {"제조국": "대한민국"}
    assert body["attributes"] == {"material": ["면"], "fit": "레귤러"}
    assert body["created_at"].endswith("+09:00")


def test_create_minimal_product_gets_defaults(seller):
    cat = Category.objects.get(slug="w-tshirt").pk
    r = seller.call("POST", BASE + "/products", {"name": "기본 티", "category_id": cat, "price": 9900})
    assert r.status_code == 201, r.content
    body = r.json()
    assert [(v["label"], v["stock"]) for v in body["variants"]] == [("", 0)]
    assert body["status"] == "sold_out"  # no stock -> 품절


def test_script_in_description_is_stripped(seller):
    html = '<p>좋은 옷</p><script>alert("x")</script><img src="https://example.com/a.jpg" onerror="alert(1)">'
    r = seller.call("POST", BASE + "/products", product_body(description_html=html))
    assert r.status_code == 201
    stored = Product.objects.get(pk=r.json()["id"]).description_html
    assert "<script" not in stored and "onerror" not in stored and "alert" not in stored
    assert "<p>좋은 옷</p>" in stored and r.json()["description_html"] == stored


BAD_BODIES = [
    # (case id, body or raw text, status, code, field in details)
    ("malformed_json", '{"name": "x", ', 400, "invalid_json", None),
    ("not_an_object", "[1, 2, 3]", 422, "invalid_request", None),
    ("empty_body", "", 422, "invalid_request", "body"),
    ("price_decimal", lambda: product_body(price=19000.5), 422, "invalid_request", "price"),
    ("price_float_integral", lambda: product_body(price=19000.0), 422, "invalid_request", "price"),
    ("price_string", lambda: product_body(price="19000"), 422, "invalid_request", "price"),
    ("price_negative", lambda: product_body(price=-1), 422, "invalid_request", "price"),
    ("price_bool", lambda: product_body(price=True), 422, "invalid_request", "price"),
    ("price_zero", lambda: product_body(price=0, sale_price=None), 400, "invalid_product", "price"),
    ("sale_not_below_price", lambda: product_body(sale_price=19000), 400, "invalid_product", "sale_price"),
    ("category_wrong_type", lambda: product_body(category_id="셔츠"), 422, "invalid_request", "category_id"),
    ("category_unknown", lambda: product_body(category_id=999999), 400, "invalid_product", "category"),
    ("category_not_leaf", lambda: product_body(category_id=1), 400, "invalid_product", "category"),
    ("name_missing", lambda: {k: v for k, v in product_body().items() if k != "name"}, 422, "invalid_request", "name"),
    ("name_blank", lambda: product_body(name="   "), 400, "invalid_product", "name"),
    ("options_not_list", lambda: product_body(options="색상"), 422, "invalid_request", "options"),
    ("stock_negative", lambda: product_body(variants=[{"option_values": {"색상": "블랙", "사이즈": "S"}, "stock": -3}]),
     422, "invalid_request", "stock"),
    ("variant_unknown_value", lambda: product_body(variants=[{"option_values": {"색상": "보라", "사이즈": "S"}, "stock": 1}]),
     400, "invalid_product", "variants"),
    ("too_many_tags", lambda: product_body(tags=[f"태그{i}" for i in range(11)]), 400, "invalid_product", "tags"),
    ("bad_attribute", lambda: product_body(attributes={"material": ["우주소재"]}), 400, "invalid_product", "attributes.material"),
    ("unknown_field", lambda: product_body(prcie=1000), 422, "invalid_request", "prcie"),
    ("status_unknown", lambda: product_body(status="deleted"), 422, "invalid_request", "status"),
    ("bad_datetime", lambda: product_body(sale_starts_at="어제"), 422, "invalid_request", "sale_starts_at"),
    ("sale_period_reversed", lambda: product_body(sale_starts_at="2030-01-02T00:00:00", sale_ends_at="2030-01-01T00:00:00"),
     400, "invalid_product", "sale_ends_at"),
    ("nul_character", lambda: product_body(name="이름\u0000"), 422, "invalid_request", None),
]


@pytest.mark.parametrize("case,body,status,code,field", BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_product_input_is_refused_and_nothing_is_stored(seller, product, case, body, status, code, field):
    body = body() if callable(body) else body
    before = db_snapshot()
    for method, url in (("POST", BASE + "/products"), ("PUT", f"{BASE}/products/{product.pk}")):
        r = seller.call(method, url, body)
        assert r.status_code == status, (method, r.content)
        out = r.json()
        assert out["code"] == code and out["message"]
        if field and status == 422:
            assert field in [str(p) for d in out["details"] for p in d["loc"]], out
            assert all(d["message"] for d in out["details"])
        elif field:
            assert field in out["details"], out
    assert db_snapshot() == before


def test_duplicate_product_code_is_refused(seller, product):
    before = db_snapshot()
    r = seller.call("POST", BASE + "/products", product_body(code="A-1"))
    assert (r.status_code, r.json()["code"]) == (400, "duplicate_code")
    assert db_snapshot() == before


def test_get_and_put_replaces_the_product(seller, product):
    r = seller.call("GET", f"{BASE}/products/{product.pk}")
    assert r.status_code == 200 and r.json()["code"] == "A-1"
    keep_id = product.variants.get(label="블랙 / M").pk
    body = product_body(name="새 이름", code="A-1", options=[{"name": "색상", "values": ["블랙"]},
                                                               {"name": "사이즈", "values": ["M"]}],
                        variants=[{"option_values": {"색상": "블랙", "사이즈": "M"}, "stock": 9}], tags=[])
    r = seller.call("PUT", f"{BASE}/products/{product.pk}", body)
    assert r.status_code == 200, r.content
    product.refresh_from_db()
    assert (product.name, product.price, product.stock_total, product.tags.count()) == ("새 이름", 19000, 9, 0)
    assert list(Variant.objects.filter(product=product).values_list("pk", "label", "stock")) == [(keep_id, "블랙 / M", 9)]
    assert r.json()["variants"][0]["id"] == keep_id


def test_seller_product_list_with_filters(seller, product):
    hidden = make_product(store=seller.store, code="H-1", name="숨긴 셔츠", status="hidden")
    r = seller.call("GET", BASE + "/products")
    assert r.status_code == 200
    assert {i["id"] for i in r.json()["items"]} == {product.pk, hidden.pk}  # sellers see hidden ones too
    assert [i["id"] for i in seller.call("GET", BASE + "/products?status=hidden").json()["items"]] == [hidden.pk]
    assert [i["id"] for i in seller.call("GET", BASE + "/products?q=SH-BK-M").json()["items"]] == [hidden.pk, product.pk]
    assert seller.call("GET", BASE + "/products?q=없는상품").json()["count"] == 0
    assert seller.call("GET", BASE + "/products?stock=low").status_code == 200
    assert seller.call("GET", BASE + "/products?status=deleted").status_code == 422
    assert seller.call("GET", BASE + "/products?per_page=1000").status_code == 422


def test_bulk_status_change(seller, product):
    second = make_product(store=seller.store, code="A-2")
    r = seller.call("POST", BASE + "/products/status", {"ids": [product.pk, second.pk], "status": "suspended"})
    assert (r.status_code, r.json()) == (200, {"updated": 2})
    assert set(Product.objects.values_list("status", flat=True)) == {"suspended"}


@pytest.mark.parametrize("payload,status,code", [
    ({"ids": [], "status": "hidden"}, 422, "invalid_request"),
    ({"ids": ["abc"], "status": "hidden"}, 422, "invalid_request"),
    ({"ids": [1], "status": "deleted"}, 422, "invalid_request"),
    ({"ids": [999999], "status": "hidden"}, 404, "not_found"),
])
def test_bad_bulk_status_changes_nothing(seller, product, payload, status, code):
    before = db_snapshot()
    r = seller.call("POST", BASE + "/products/status", payload)
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert db_snapshot() == before


def test_bulk_status_with_another_stores_product_changes_nothing(seller, other, product):
    theirs = make_product(store=other.store, code="B-1")
    before = db_snapshot()
    r = seller.call("POST", BASE + "/products/status", {"ids": [product.pk, theirs.pk], "status": "hidden"})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert db_snapshot() == before


# ------------------------------------------------------------------------------------------ images


def _upload(seller, pid, data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return seller.client.post(f"{BASE}/products/{pid}/images", {"file": upload(data, name, content_type)},
                              HTTP_AUTHORIZATION=f"Bearer {seller.token}")


def test_image_upload_and_delete(seller, product):
    r = _upload(seller, product.pk, image_bytes((800, 600), fmt="PNG"), "a.png", "image/png")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["width"], body["height"], body["position"]) == (800, 600, 1)
    assert body["url"].startswith("http://testserver/media/products/") and body["thumbnail_url"]
    assert ProductImage.objects.filter(product=product).count() == 2
    files_before = len(media_files())
    r = seller.call("DELETE", f"{BASE}/products/{product.pk}/images/{body['id']}")
    assert r.status_code == 204 and r.content == b""
    assert ProductImage.objects.filter(product=product).count() == 1
    assert len(media_files()) == files_before - 2  # image and thumbnail removed


@pytest.mark.parametrize("data,name,code", [
    (b"this is not an image at all", "fake.jpg", "image_invalid"),
    (b"", "empty.jpg", "image_empty"),
    (b"%PDF-1.4 fake pdf", "doc.pdf", "image_invalid"),
    (image_bytes(fmt="BMP"), "pic.bmp", "image_type"),
    (image_bytes()[:200], "truncated.jpg", "image_invalid"),
])
def test_bad_uploads_store_nothing(seller, product, data, name, code):
    before = db_snapshot()
    r = _upload(seller, product.pk, data, name)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code and r.json()["message"]
    assert db_snapshot() == before


def test_upload_without_file_is_422(seller, product):
    before = db_snapshot()
    r = seller.client.post(f"{BASE}/products/{product.pk}/images", {}, HTTP_AUTHORIZATION=f"Bearer {seller.token}")
    assert (r.status_code, r.json()["code"]) == (422, "invalid_request")
    assert r.json()["details"][0]["loc"] == ["file", "file"]
    assert db_snapshot() == before


def test_wrong_ids_are_json_404(seller, other, product):
    theirs = make_product(store=other.store, code="B-1")
    their_image = ProductImage.objects.create(product=theirs, width=1, height=1, sha256="x", image="a.jpg", thumbnail="a.jpg")
    own_image = product.images.first()
    before = db_snapshot()
    cases = [
        ("GET", f"{BASE}/products/999999"),
        ("GET", f"{BASE}/products/{theirs.pk}"),
        ("PUT", f"{BASE}/products/{theirs.pk}"),
        ("GET", f"{BASE}/products/abc"),
        ("GET", f"{BASE}/products/99999999999999999999"),
        ("DELETE", f"{BASE}/products/{product.pk}/images/999999"),
        ("DELETE", f"{BASE}/products/{product.pk}/images/{their_image.pk}"),
        ("DELETE", f"{BASE}/products/{theirs.pk}/images/{their_image.pk}"),
        ("DELETE", f"{BASE}/products/{theirs.pk}/images/{own_image.pk}"),
        ("GET", "/api/v1/seller/stores/nope"),
        ("GET", "/api/v1/seller/stores/bravo"),
    ]
    for method, url in cases:
        r = seller.call(method, url, product_body() if method == "PUT" else None)
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), (method, url, r.content)
    r = _upload(seller, theirs.pk, image_bytes())
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert db_snapshot() == before


# -------------------------------------------------------------------------------------- auth, roles


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Bearer kk_wrong", "Token kk_x", "kk_x",
                                    "Basic dXNlcjpwYXNz"])
def test_missing_or_bad_token_is_401(seller, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    r = Client().get(BASE, **extra)
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorized" and r["WWW-Authenticate"] == "Bearer"


def test_revoked_token_is_401(seller):
    token = seller.user.api_tokens.get()
    api_token_revoke(user=seller.user, store=seller.store, token_id=token.pk)
    before = db_snapshot()
    for method, url, body in (("GET", BASE, None), ("PATCH", BASE, {"name": "해킹"}),
                              ("POST", BASE + "/products", product_body())):
        r = seller.call(method, url, body)
        assert (r.status_code, r.json()["code"]) == (401, "unauthorized")
    assert db_snapshot() == before


def test_token_of_removed_staff_is_401(seller):
    manager = make_user()
    staff_add(store=seller.store, actor=seller.user, email=manager.email, role="manager")
    _t, raw = api_token_create(user=manager, store=seller.store, name="m")
    assert call(Client(), "GET", BASE, token=raw).status_code == 200
    staff_remove(store=seller.store, actor=seller.user,
                 membership_id=StoreMembership.objects.get(user=manager).pk)
    assert call(Client(), "GET", BASE, token=raw).status_code == 401


def test_viewer_reads_but_cannot_write(seller, product):
    viewer = make_user()
    staff_add(store=seller.store, actor=seller.user, email=viewer.email, role="viewer")
    _t, raw = api_token_create(user=viewer, store=seller.store, name="v")
    client = Client()
    assert call(client, "GET", BASE, token=raw).status_code == 200
    assert call(client, "GET", f"{BASE}/products/{product.pk}", token=raw).status_code == 200
    before = db_snapshot()
    r = call(client, "POST", BASE + "/products", product_body(), token=raw)
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (403, "forbidden", "이 작업을 할 권한이 없습니다.")
    assert call(client, "PATCH", BASE, {"name": "뷰어"}, token=raw).status_code == 403
    assert db_snapshot() == before


def test_token_is_bound_to_its_store_even_for_staff_of_both(seller, other):
    """A user who is staff of alpha and bravo, with a token issued for bravo, cannot reach alpha with it."""
    staff_add(store=seller.store, actor=seller.user, email=other.user.email, role="manager")
    before = db_snapshot()
    r = other.call("GET", BASE)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = other.call("POST", BASE + "/products", product_body())
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert db_snapshot() == before
    assert other.call("GET", "/api/v1/seller/stores/bravo").status_code == 200


def test_malformed_json_and_wrong_content_type(seller):
    before = db_snapshot()
    r = seller.call("POST", BASE + "/products", b"\xff\xfe not utf8")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_json")
    assert db_snapshot() == before
    # ninja reads a JSON body whatever Content-Type says; a text/plain JSON body is accepted as JSON.
    r = seller.client.post(BASE + "/products", json.dumps(product_body()), content_type="text/plain",
                           HTTP_AUTHORIZATION=f"Bearer {seller.token}")
    assert r.status_code == 201
