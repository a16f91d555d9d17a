"""Suggestions in the editor: colours, attributes from text, tags, category top-3; decisions are stored."""

import pytest

from kkot.assist.models import Suggestion
from kkot.assist.services import learn
from kkot.assist.services.checks import image_add_checked
from kkot.assist.services.suggestions import suggestion_decide, suggestions_refresh
from kkot.assist.tests.conftest import picture
from kkot.assist.textrules import extract_attributes, tag_ok, title_problems
from kkot.catalog.models import Product
from kkot.core.errors import Conflict, NotFound
from kkot.core.testing import leaf_category, make_product, make_store, upload

pytestmark = pytest.mark.django_db


def _owner(store):
    return store.memberships.get(role="owner").user


def test_attributes_are_read_from_title_description_and_options():
    got = {
        (g.code, g.value): g
        for g in extract_attributes(
            title="스트라이프 면 슬림핏 셔츠",
            description="<p>여름에 시원한 <b>린넨</b> 혼방</p>",
            options=["울산 배송"],
        )
    }
    assert ("pattern", "스트라이프") in got and got[("pattern", "스트라이프")].source == "title"
    assert ("material", "면") in got and ("fit", "슬림") in got
    assert got[("material", "린넨")].source == "description" and ("season", "여름") in got
    assert ("material", "울") not in got  # "울산" is a place, not wool
    assert {g.code for g in extract_attributes(title="합성가죽 미니백")} == {"material"}
    assert [g.value for g in extract_attributes(title="합성가죽 미니백")] == ["합성가죽"]


def test_tags_and_titles():
    assert not tag_ok("무료배송") and not tag_ok("2024") and not tag_ok("a") and tag_ok("린넨셔츠")
    assert title_problems("") == ["상품명이 비어 있습니다."]
    probs = title_problems("[무료배송] 꽃브랜드 셔츠 셔츠 꽃브랜드 ★특가★", brand="꽃브랜드")
    assert len(probs) >= 3 and any("브랜드" in p for p in probs) and any("되풀이" in p for p in probs)
    assert title_problems("린넨 오버핏 셔츠") == []


def test_suggestions_accept_and_reject_are_applied_and_stored(run_tasks):
    product = make_product(name="스트라이프 면 슬림 셔츠", attributes={}, tags=["셔츠"])
    owner = _owner(product.store)
    with run_tasks():
        image_add_checked(product=product, actor=owner, upload=upload(picture()))
    kinds = {(s.kind, s.value): s for s in Suggestion.objects.filter(product=product)}
    assert ("colour", "네이비") in kinds and kinds[("colour", "네이비")].score > 0.15
    assert {("pattern", "스트라이프"), ("material", "면"), ("fit", "슬림")} <= set(kinds)
    assert all(s.decision == "pending" and s.model_version for s in kinds.values())
    with run_tasks():
        s = suggestion_decide(
            store=product.store, suggestion_id=kinds[("pattern", "스트라이프")].pk, actor=owner, accept=True
        )
    assert (s.decision, s.decided_by, s.decided_at is not None) == ("accepted", owner, True)
    assert Product.objects.get(pk=product.pk).attributes["pattern"] == "스트라이프"
    suggestion_decide(
        store=product.store, suggestion_id=kinds[("colour", "네이비")].pk, actor=owner, accept=True
    )
    assert Product.objects.get(pk=product.pk).attributes["color"] == ["네이비"]
    r = suggestion_decide(
        store=product.store, suggestion_id=kinds[("fit", "슬림")].pk, actor=owner, accept=False
    )
    assert r.decision == "rejected" and "fit" not in Product.objects.get(pk=product.pk).attributes
    with pytest.raises(Conflict):
        suggestion_decide(store=product.store, suggestion_id=r.pk, actor=owner, accept=True)
    suggestions_refresh(
        product_id=product.pk
    )  # a rejected value stays rejected, never re-suggested as pending
    assert Suggestion.objects.get(product=product, kind="fit", value="슬림").decision == "rejected"
    assert not Suggestion.objects.filter(product=product, kind="pattern", decision="pending").exists()


def test_tags_are_learned_from_the_catalog_at_most_ten_and_never_empty_words():
    store = make_store()
    for i in range(6):
        make_product(
            store=store, code=f"L{i}", name=f"린넨 셔츠 {i}", tags=["린넨셔츠", "여름코디", "무료배송"]
        )
    p = make_product(store=store, code="NEW", name="린넨 반팔 셔츠 특가", tags=[])
    suggestions_refresh(product_id=p.pk)
    tags = list(Suggestion.objects.filter(product=p, kind="tag").values_list("value", flat=True))
    assert "린넨셔츠" in tags and "여름코디" in tags
    assert "무료배송" not in tags and "특가" not in tags and len(tags) <= 10


def test_category_top3_from_title_and_image_and_accepting_moves_the_product(run_tasks):
    store = make_store()
    owner = _owner(store)
    cats = {"w-tshirt": ("shirt", "티셔츠"), "w-pants": ("pants", "팬츠"), "bags": ("bag", "가방")}
    with run_tasks():
        for slug, (shape, noun) in cats.items():
            for i in range(4):
                p = make_product(
                    store=store,
                    code=f"{slug}{i}",
                    name=f"데일리 {noun} {i}",
                    category_id=leaf_category(slug if slug != "bags" else "shoulder-bag").pk,
                    attributes={},
                    options=[],
                    variants=[],
                )
                image_add_checked(product=p, actor=owner, upload=upload(picture(shape=shape, seed=i)))
    assert learn.category_model_train() == 3
    p = make_product(
        store=store,
        code="X",
        name="데일리 팬츠 새상품",
        category_id=leaf_category("w-tshirt").pk,
        attributes={},
        options=[],
        variants=[],
    )
    with run_tasks():
        image_add_checked(product=p, actor=owner, upload=upload(picture(shape="pants", seed=9)))
    cat = Suggestion.objects.filter(product=p, kind="category").order_by("-score")
    assert cat and cat[0].value == str(leaf_category("w-pants").pk) and len(cat) <= 3
    assert 0 < cat[0].score <= 1 and "%" in cat[0].label
    assert all(s.score >= 0.3 for s in cat)  # low-probability runners-up are noise, never shown
    assert cat[0].source_label == "상품명·사진"
    suggestion_decide(store=store, suggestion_id=cat[0].pk, actor=owner, accept=True)
    assert Product.objects.get(pk=p.pk).category_id == leaf_category("w-pants").pk

    # a product already in the category the model would choose gets no category advice at all
    agree = make_product(
        store=store, code="Y", name="데일리 가방 새상품", category_id=leaf_category("shoulder-bag").pk,
        attributes={}, options=[], variants=[],
    )
    with run_tasks():
        image_add_checked(product=agree, actor=owner, upload=upload(picture(shape="bag", seed=8)))
    assert not Suggestion.objects.filter(product=agree, kind="category").exists()


def test_empty_title_still_gets_image_suggestions_without_crashing(run_tasks):
    product = make_product()
    Product.objects.filter(pk=product.pk).update(name="")
    with run_tasks():
        image_add_checked(product=product, actor=_owner(product.store), upload=upload(picture()))
    assert Suggestion.objects.filter(product=product, kind="colour").exists()


def test_a_seller_never_sees_or_decides_another_stores_suggestions(client, run_tasks):
    product = make_product(name="스트라이프 셔츠", attributes={})
    suggestions_refresh(product_id=product.pk)
    s = Suggestion.objects.filter(product=product).first()
    other = make_store()
    with pytest.raises(NotFound):
        suggestion_decide(store=other, suggestion_id=s.pk, actor=_owner(other), accept=True)
    client.force_login(_owner(other))
    r = client.post(
        f"/seller/{other.slug}/products/{product.pk}/assist/decide/",
        {"suggestion": s.pk, "decision": "accept"},
    )
    assert r.status_code == 404
    own = make_product(store=other, code="O")
    r = client.post(
        f"/seller/{other.slug}/products/{own.pk}/assist/decide/", {"suggestion": s.pk, "decision": "accept"}
    )
    assert r.status_code == 404
    assert Suggestion.objects.get(pk=s.pk).decision == "pending"
    # the owner decides in the editor
    client.force_login(_owner(product.store))
    html = client.get(f"/seller/{product.store.slug}/products/{product.pk}/edit/").content.decode()
    assert s.label in html
    r = client.post(
        f"/seller/{product.store.slug}/products/{product.pk}/assist/decide/",
        {"suggestion": s.pk, "decision": "reject"},
    )
    assert r.status_code == 302 and Suggestion.objects.get(pk=s.pk).decision == "rejected"


def test_colour_names_are_learned_from_the_sellers_colour_labels(run_tasks, monkeypatch):
    store = make_store()
    owner = _owner(store)
    # this catalog's sellers call their deep blue "블루" (the shipped rules say 네이비) and their
    # wine red "레드": the learnt model follows the sellers, not the rules
    palette = {"블루": (30, 40, 90), "레드": (120, 20, 35), "베이지": (215, 195, 160)}
    with run_tasks():
        for name, rgb in palette.items():
            for i in range(6):
                p = make_product(store=store, code=f"{name}{i}", name=f"데일리 셔츠 {name} {i}",
                                 attributes={"color": [name]}, options=[], variants=[])
                image_add_checked(product=p, actor=owner, upload=upload(picture(rgb=rgb, seed=i)))
    # too few names or products for a model: the rules keep naming colours
    assert learn.colour_model_train() == 0 and learn.colour_model() is None
    monkeypatch.setattr(learn, "MIN_COLOUR_CLASSES", 3)
    monkeypatch.setattr(learn, "MIN_COLOUR_PRODUCTS", 15)
    assert learn.colour_model_train() == 3
    p = make_product(store=store, code="NEW", name="데일리 셔츠", attributes={}, options=[], variants=[])
    with run_tasks():
        image_add_checked(product=p, actor=owner, upload=upload(picture(rgb=(28, 38, 88), seed=11)))
    got = {s.value: s for s in Suggestion.objects.filter(product=p, kind="colour")}
    assert "블루" in got and "네이비" not in got
    assert got["블루"].score >= 0.5 and got["블루"].model_version.startswith("catalog-colour:")
    suggestion_decide(store=store, suggestion_id=got["블루"].pk, actor=owner, accept=True)
    assert Product.objects.get(pk=p.pk).attributes["color"] == ["블루"]
