"""The search-exposure checklist, its expected gains (observed, with honest wording) and the store page."""

import pytest

from kkot.assist.models import ExposureStat
from kkot.assist.services.exposure import exposure_stats_refresh, product_checklist, store_opportunities
from kkot.catalog.models import Product
from kkot.core.testing import make_product, make_store

pytestmark = pytest.mark.django_db


def test_checklist_names_what_is_missing_and_says_when_data_is_thin():
    p = make_product(
        name="[특가] 셔츠 셔츠", description_html="", attributes={"material": ["린넨"]}, tags=["셔츠"]
    )
    items = {i.code: i for i in product_checklist(product=p)}
    assert not items["tags5"].ok and items["tags5"].detail == "태그 1개"
    assert not items["attrs"].ok and "색상" in items["attrs"].detail and "소재" not in items["attrs"].detail
    assert not items["title_clean"].ok and "되풀이" in items["title_clean"].detail
    assert not items["description"].ok and not items["images3"].ok and not items["image_ok"].ok
    assert items["tags5"].gain.value is None and "부족" in items["tags5"].gain.text


def test_gain_compares_products_with_and_without_the_property_in_the_store():
    store = make_store()
    for i in range(12):
        tagged = make_product(store=store, code=f"T{i}", tags=["린넨", "셔츠", "여름", "오버핏", f"t{i}x"])
        plain = make_product(store=store, code=f"P{i}", tags=["린넨"])
        Product.objects.filter(pk=tagged.pk).update(view_count=100, sales_count=6)
        Product.objects.filter(pk=plain.pk).update(view_count=50, sales_count=2)
    assert exposure_stats_refresh() > 0
    s = ExposureStat.objects.get(scope=f"store:{store.pk}", prop="tags5")
    assert (s.n_with, s.n_without, s.sales_with, s.sales_without) == (12, 12, 72, 24)
    plain = Product.objects.get(store=store, code="P0")
    gain = {i.code: i for i in product_checklist(product=plain)}["tags5"].gain
    assert gain.value == 2.0  # 6 vs 2 sales per product
    assert "+200%" in gain.text and "조회 +100%" in gain.text and "구매전환 +50%" in gain.text
    assert "이 스토어" in gain.basis and "관찰값" in gain.basis
    top = store_opportunities(store=store)
    assert top[0].product.code.startswith("P") and top[0].score >= 2.0


def test_store_page_lists_products_and_saves_the_setting(client):
    p = make_product(tags=[])
    owner = p.store.memberships.get(role="owner").user
    client.force_login(owner)
    r = client.get(f"/seller/{p.store.slug}/assist/")
    assert r.status_code == 200 and p.name in r.content.decode()
    client.post(f"/seller/{p.store.slug}/assist/", {"block_publish": "on"})
    from kkot.assist.services.checks import settings_for

    assert settings_for(p.store).block_publish_on_failed_checks
