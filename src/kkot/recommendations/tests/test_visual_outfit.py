"""비슷한 상품 blended with visual similarity, and 코디 추천 on the product page's deferred extras."""

import pytest

from kkot.assist.services.checks import image_add_checked
from kkot.assist.tests.conftest import picture
from kkot.core.testing import leaf_category, make_product, make_store, upload
from kkot.recommendations.outfit import outfit_widget
from kkot.recommendations.selectors import Widget
from kkot.recommendations.visual import blend_visual

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(django_capture_on_commit_callbacks):
    store = make_store()
    owner = store.memberships.get(role="owner").user
    spec = {
        "tee": ("w-tshirt", "shirt", (30, 40, 90), "네이비 티셔츠"),
        "tee2": ("w-tshirt", "shirt", (35, 45, 95), "네이비 라운드 티셔츠"),
        "white_pants": ("w-pants", "pants", (245, 245, 245), "화이트 팬츠"),
        "beige_pants": ("w-pants", "pants", (215, 195, 160), "베이지 팬츠"),
        "bag": ("shoulder-bag", "bag", (20, 20, 20), "블랙 숄더백"),
        "mug": ("mug", "bag", (200, 30, 40), "머그컵"),
    }
    made = {}
    with django_capture_on_commit_callbacks(execute=True):
        for i, (key, (slug, shape, rgb, name)) in enumerate(spec.items()):
            cat = leaf_category(slug) if slug != "mug" else None
            kw = {"category_id": cat.pk} if cat else {}
            if cat is None:
                from kkot.catalog.models import Category

                kw["category_id"] = (
                    Category.objects.filter(level=3)
                    .exclude(path__startswith=leaf_category().path[:2])
                    .exclude(slug__in=["w-tshirt", "w-pants", "shoulder-bag"])
                    .order_by("pk")
                    .last()
                    .pk
                )
            p = make_product(store=store, code=key, name=name, attributes={}, **kw)
            bg = (150, 155, 165) if key == "white_pants" else (246, 246, 246)  # white on white cannot be seen
            image_add_checked(
                product=p, actor=owner, upload=upload(picture(shape=shape, rgb=rgb, seed=i, bg=bg))
            )
            made[key] = p
    return store, made


def test_outfit_suggests_complementary_categories_with_colour_reasons(shop):
    _store, made = shop
    w = outfit_widget(product=made["tee"])
    ids = [it.product.pk for it in w.items]
    assert made["white_pants"].pk in ids and made["bag"].pk in ids
    assert made["tee2"].pk not in ids  # the same slot is not an outfit
    first = next(it for it in w.items if it.product == made["white_pants"])
    assert "상의에 어울리는 하의" in first.reason and "네이비와 화이트" in first.reason
    assert w.title == "코디 추천" and w.section == "widget:outfit"


def test_outfit_is_empty_for_products_outside_fashion(shop):
    _store, made = shop
    w = outfit_widget(product=made["mug"])
    assert w.items == [] and w.note in ("not_fashion", "no_candidates")


def test_visual_items_are_blended_into_similar_with_their_own_reason(shop, client):
    store, made = shop
    w = blend_visual(Widget("similar", source="none"), product=made["tee"], store_id=store.pk)
    assert w.items and w.items[0].product == made["tee2"] and w.items[0].reason == "이 상품과 비슷한 스타일"
    assert [it.position for it in w.items] == list(range(1, len(w.items) + 1))
    html = client.get(f"/s/{store.slug}/p/{made['tee'].pk}/extras/").content.decode()
    assert "코디 추천" in html and "이 상품과 비슷한 스타일" in html
