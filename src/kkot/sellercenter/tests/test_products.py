from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kkot.catalog.models import Product, ProductImage, Variant
from kkot.core.testing import image_bytes, leaf_category, make_product, upload

pytestmark = pytest.mark.django_db

OPTIONS = {
    "options": [{"name": "색상", "values": ["블랙", "화이트"]}, {"name": "사이즈", "values": ["M", "L"]}],
    "variants": [
        {"option_values": {"색상": "블랙", "사이즈": "M"}, "sku": "BK-M", "price_delta": 0, "stock": 5, "is_active": True},
        {"option_values": {"색상": "블랙", "사이즈": "L"}, "sku": "BK-L", "price_delta": 0, "stock": 0, "is_active": True},
        {"option_values": {"색상": "화이트", "사이즈": "M"}, "sku": "WH-M", "price_delta": 1000, "stock": 3,
         "is_active": True},
        {"option_values": {"색상": "화이트", "사이즈": "L"}, "sku": "WH-L", "price_delta": 1000, "stock": 2,
         "is_active": False},
    ],
}


def _post_data(**over):
    cat = leaf_category()
    data = {
        "name": "린넨 셔츠", "category_id": cat.pk, "price": "39,000", "sale_price": "29000",
        "sale_starts_at": "2030-01-01T09:00", "sale_ends_at": "2030-01-31T23:00", "status": "on_sale",
        "brand": "꽃", "description_html": "<p>시원한 <b>린넨</b></p>", "attr:material": ["린넨", "면"],
        "attrkind:material": "multi", "attr:fit": "오버사이즈", "attrkind:fit": "choice",
        "notice:제품 소재": "린넨 100%", "notice:제조국": "대한민국", "tags": "린넨, 여름셔츠,오버핏",
        "shipping_fee": "", "bundle_shipping": "on", "dispatch_days": "3", "cold_chain": "on",
        "options_json": json.dumps(OPTIONS, ensure_ascii=False),
    }
    data.update(over)
    return data


def test_create_product_with_options_and_images_through_the_views(client, world):
    client.force_login(world.owner)
    url = f"/seller/{world.store.slug}/products/new/"
    page = client.get(url)
    assert page.status_code == 200 and "category-tree" in page.content.decode()
    files = [upload(image_bytes(color=(10, 200, 10)), "a.jpg"), upload(image_bytes(fmt="PNG"), "b.png", "image/png")]
    r = client.post(url, _post_data(images=files))
    assert r.status_code == 302, r.context and r.context["errors"]
    p = Product.objects.exclude(pk=world.product.pk).get()
    assert r["Location"] == f"/seller/{world.store.slug}/products/{p.pk}/edit/"
    assert (p.name, int(p.price), int(p.sale_price), p.brand, p.dispatch_days) == ("린넨 셔츠", 39000, 29000, "꽃", 3)
    assert p.sale_starts_at.isoformat() == "2030-01-01T00:00:00+00:00"
    assert (p.bundle_shipping, p.cold_chain, p.made_to_order, p.shipping_fee) == (True, True, False, None)
    assert p.attributes == {"material": ["린넨", "면"], "fit": "오버사이즈"}
    assert p.notice == {"제품 소재": "린넨 100%", "제조국": "대한민국"}
    assert sorted(t.name for t in p.tags.all()) == ["린넨", "여름셔츠", "오버핏"]
    rows = list(Variant.objects.filter(product=p).values_list("label", "sku", "price_delta", "stock", "is_active"))
    assert [(a, b, int(c), d, e) for a, b, c, d, e in rows] == [
        ("블랙 / M", "BK-M", 0, 5, True), ("블랙 / L", "BK-L", 0, 0, True),
        ("화이트 / M", "WH-M", 1000, 3, True), ("화이트 / L", "WH-L", 1000, 2, False)]
    assert p.stock_total == 8
    images = list(ProductImage.objects.filter(product=p))
    assert [i.position for i in images] == [0, 1] and all(i.thumbnail.name for i in images)
    edit = client.get(r["Location"])
    body = edit.content.decode()
    assert edit.status_code == 200 and "린넨 100%" in body and "BK-M" in body
    assert json.loads(edit.context["v"]["options_json"])["options"] == OPTIONS["options"]


@pytest.mark.parametrize("data,message", [
    (b"this is not an image at all", "이미지 파일을 읽을 수 없습니다. 손상되었거나 이미지가 아닌 파일입니다."),
    (b"", "빈 파일입니다. 이미지 파일을 다시 선택해 주세요."),
])
def test_bad_image_on_create_shows_korean_error_and_stores_nothing(client, world, data, message):
    client.force_login(world.owner)
    before = (Product.objects.count(), ProductImage.objects.count(), Variant.objects.count())
    files = [upload(image_bytes(), "good.jpg"), upload(data, "fake.jpg")]
    r = client.post(f"/seller/{world.store.slug}/products/new/", _post_data(images=files))
    assert r.status_code == 200
    assert r.context["errors"]["images"] == [f"fake.jpg: {message}"]
    assert f"fake.jpg: {message}" in r.content.decode()
    assert (Product.objects.count(), ProductImage.objects.count(), Variant.objects.count()) == before
    assert r.context["v"]["name"] == "린넨 셔츠"  # the seller's input is kept


@pytest.mark.parametrize("data,message", [
    (b"GIF89a-but-broken", "이미지 파일을 읽을 수 없습니다. 손상되었거나 이미지가 아닌 파일입니다."),
    (b"", "빈 파일입니다. 이미지 파일을 다시 선택해 주세요."),
])
def test_bad_image_on_edit_upload_stores_nothing(client, world, data, message):
    client.force_login(world.owner)
    url = f"/seller/{world.store.slug}/products/{world.product.pk}/images/"
    r = client.post(url, {"images": [upload(image_bytes(), "ok.jpg"), upload(data, "bad.jpg")]}, follow=True)
    assert f"bad.jpg: {message}" in r.content.decode()
    assert list(ProductImage.objects.filter(product=world.product)) == [world.image]


def test_script_in_description_is_stripped(client, world):
    client.force_login(world.owner)
    html = '<p onclick="x()">안녕<script>alert(1)</script><img src="x" onerror="alert(2)"></p>'
    r = client.post(f"/seller/{world.store.slug}/products/new/", _post_data(description_html=html, code="XSS"))
    assert r.status_code == 302
    p = Product.objects.get(code="XSS")
    assert p.description_html == '<p>안녕<img src="x"></p>'
    # Re-rendered after an error: the editor only ever receives the sanitised HTML.
    r = client.post(f"/seller/{world.store.slug}/products/new/", _post_data(description_html=html, price=""))
    assert "<script>alert(1)</script>" not in r.content.decode()
    assert r.context["v"]["description_html"] == '<p>안녕<img src="x"></p>'


def test_every_field_error_is_shown_next_to_its_field_and_input_kept(client, world):
    client.force_login(world.owner)
    bad = _post_data(name="", price="abc", sale_price="50000", category_id="", tags=",".join(f"t{i}" for i in range(11)),
                     dispatch_days="99", sale_starts_at="어제")
    r = client.post(f"/seller/{world.store.slug}/products/new/", bad)
    errors = r.context["errors"]
    assert errors["name"] == ["상품명을 입력해 주세요."]
    assert errors["price"] == ["금액은 숫자로 입력해 주세요."]
    assert errors["category"] == ["카테고리를 선택해 주세요."]
    assert errors["tags"][0] == "태그는 최대 10개까지 입력할 수 있습니다."
    assert errors["dispatch_days"] == ["출고 소요일은 0~60일 사이로 입력해 주세요."]
    assert errors["sale_starts_at"] == ["날짜와 시각을 YYYY-MM-DD HH:MM 형식으로 입력해 주세요."]
    body = r.content.decode()
    for msgs in errors.values():
        for m in msgs:
            assert m in body
    assert 'value="abc"' in body and 'value="50000"' in body
    assert Product.objects.count() == 1
    # An attribute value outside the category's choices is reported on that attribute.
    r = client.post(f"/seller/{world.store.slug}/products/new/", _post_data(**{"attr:fit": "우주핏"}))
    assert r.context["errors"]["attributes.fit"] == ["핏 값이 올바르지 않습니다: 우주핏"]
    assert "핏 값이 올바르지 않습니다: 우주핏" in r.content.decode()


def test_edit_updates_product(client, world):
    client.force_login(world.owner)
    url = f"/seller/{world.store.slug}/products/{world.product.pk}/edit/"
    v = client.get(url).context["v"]
    assert v["name"] == "린넨 오버핏 셔츠" and v["price"] == 39000
    r = client.post(url, _post_data(name="린넨 셔츠 2", options_json=json.dumps({"options": [], "variants": [
        {"option_values": {}, "sku": "ONE", "price_delta": 0, "stock": 4, "is_active": True}]})))
    assert r.status_code == 302
    p = Product.objects.get(pk=world.product.pk)
    assert p.name == "린넨 셔츠 2" and p.stock_total == 4
    assert list(p.variants.values_list("sku", "label")) == [("ONE", "")]


def test_list_filters_pagination_and_bulk_status(client, world):
    client.force_login(world.owner)
    for i in range(22):
        make_product(store=world.store, actor=world.owner, code=f"C{i:02d}", name=f"면 티셔츠 {i}",
                     options=[], variants=[])
    url = f"/seller/{world.store.slug}/products/"
    r = client.get(url)
    assert r.context["page"].paginator.count == 23 and len(r.context["page"]) == 20
    assert len(client.get(url, {"page": 2}).context["page"]) == 3
    assert client.get(url, {"q": "린넨"}).context["page"].paginator.count == 1
    assert client.get(url, {"q": "SH-BK-M"}).context["page"].paginator.count == 1
    assert client.get(url, {"stock": "out"}).context["page"].paginator.count == 22  # no options -> stock 0
    assert client.get(url, {"status": "sold_out"}).context["page"].paginator.count == 22
    cat = leaf_category().parent
    assert client.get(url, {"category": cat.pk}).context["page"].paginator.count == 23
    ids = list(Product.objects.filter(store=world.store, code__in=["C00", "C01"]).values_list("pk", flat=True))
    r = client.post(url, {"ids": ids, "status": "hidden", "back": "status=sold_out"})
    assert r.status_code == 302 and r["Location"] == f"{url}?status=sold_out"
    assert set(Product.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"hidden"}
    # Another store's product id in the selection: 404 and nothing changes.
    other = make_product(store=world.other_store, actor=world.other_owner)
    assert client.post(url, {"ids": [ids[0], other.pk], "status": "on_sale"}).status_code == 404
    assert Product.objects.get(pk=ids[0]).status == "hidden"
    assert Product.objects.get(pk=other.pk).status == "on_sale"


def test_category_fields_json(client, world):
    client.force_login(world.owner)
    cat = leaf_category()
    d = client.get(f"/seller/{world.store.slug}/category-fields/{cat.pk}/").json()
    assert d["category"]["label"].endswith(cat.name)
    assert [a["code"] for a in d["attributes"]] == ["material", "color", "season", "fit", "pattern", "origin", "care"]
    assert d["notice_fields"][0] == "제품 소재"
    assert 'name="notice:제품 소재"' in d["html"] and 'name="attr:material"' in d["html"]
    assert client.get(f"/seller/{world.store.slug}/category-fields/{cat.parent_id}/").status_code == 404


def test_image_reorder_and_delete(client, world):
    from kkot.catalog.services import product_image_add

    client.force_login(world.owner)
    second = product_image_add(product=world.product, actor=world.owner, upload=upload(image_bytes(color=(1, 2, 3))))
    base = f"/seller/{world.store.slug}/products/{world.product.pk}/images/"
    page = client.get(f"/seller/{world.store.slug}/products/{world.product.pk}/edit/")
    assert page.context["image_rows"][1]["first"] == f"{second.pk},{world.image.pk}"
    client.post(f"{base}reorder/", {"order": f"{second.pk},{world.image.pk}"})
    assert list(world.product.images.values_list("pk", flat=True)) == [second.pk, world.image.pk]
    r = client.post(f"{base}reorder/", {"order": f"{second.pk}"}, follow=True)
    assert "이미지 목록이 올바르지 않습니다." in r.content.decode()
    client.post(f"{base}{second.pk}/delete/")
    assert list(world.product.images.values_list("pk", flat=True)) == [world.image.pk]
    assert client.post(f"{base}{second.pk}/delete/").status_code == 404


def test_import_page_lists_bad_cells_and_counts(client, world, fake_bulk):
    client.force_login(world.owner)
    url = reverse("sellercenter:product_import", args=[world.store.slug])
    r = client.post(url, {"file": upload(b"bad rows", "items.xlsx", "application/octet-stream")})
    assert r.context["cell_errors"] == [
        {"row": 3, "column": "판매가", "message": "금액은 숫자로 입력해 주세요."},
        {"row": 5, "column": "카테고리", "message": "카테고리를 찾을 수 없습니다."}]
    body = r.content.decode()
    assert "엑셀 파일에 오류가 있습니다." in body and "카테고리를 찾을 수 없습니다." in body
    r = client.post(url, {"file": upload(b"good", "items.csv", "text/csv")}, follow=True)
    assert "상품 2개를 새로 등록하고 1개를 수정했습니다(옵션 7개)." in r.content.decode()
    assert fake_bulk.calls[-1]["filename"] == "items.csv" and fake_bulk.calls[-1]["store"] == world.store
    r = client.post(url, {"file": upload(b"x", "items.pdf", "application/pdf")})
    assert r.context["form"].errors["file"] == ["엑셀(.xlsx) 또는 CSV 파일만 올릴 수 있습니다."]
    r = client.post(url, {"file": upload(b"", "items.csv", "text/csv")})
    assert r.context["form"].errors["file"]  # empty upload refused before any import
    assert len(fake_bulk.calls) == 2
    exp = client.get(reverse("sellercenter:product_export", args=[world.store.slug, "xlsx"]))
    assert exp.content == b"xlsx:flower-a" and exp["Content-Disposition"].startswith('attachment; filename="flower-a-')
    tpl = client.get(reverse("sellercenter:import_template", args=[world.store.slug, "csv"]))
    assert tpl.content == "상품코드,상품명\n".encode()
    assert client.get(reverse("sellercenter:product_export", args=[world.store.slug, "pdf"])).status_code == 404
