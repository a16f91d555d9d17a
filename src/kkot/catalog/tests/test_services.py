from decimal import Decimal

import pytest

from kkot.catalog.models import Product, Variant
from kkot.catalog.selectors import ProductFilter, products_for_seller, products_visible
from kkot.catalog.services import (
    OptionInput,
    VariantInput,
    product_image_add,
    product_update,
    products_set_status,
)
from kkot.core.errors import NotFound, PermissionDenied, ValidationError
from kkot.core.testing import image_bytes, make_product, make_store, make_user, product_input, upload
from kkot.stores.services import staff_add

pytestmark = pytest.mark.django_db


def test_product_with_option_grid_creates_one_variant_per_combination():
    p = make_product()
    labels = list(p.variants.values_list("label", "stock", "price_delta"))
    assert labels == [("블랙 / M", 5, Decimal(0)), ("블랙 / L", 0, Decimal(0)),
                      ("화이트 / M", 3, Decimal(1000)), ("화이트 / L", 2, Decimal(1000))]
    assert p.stock_total == 10
    assert sorted(t.name for t in p.tags.all()) == ["린넨", "여름셔츠"]
    assert p.current_price() == Decimal(29000)


def test_missing_combinations_get_zero_stock_and_generated_sku():
    p = make_product(variants=[], code="X1")
    assert list(p.variants.values_list("sku", "stock")) == [("X1-001", 0), ("X1-002", 0), ("X1-003", 0), ("X1-004", 0)]
    assert p.status == Product.Status.SOLD_OUT  # nothing in stock -> 품절


def test_description_is_sanitised():
    p = make_product(description_html='<p>좋아요</p><script>alert("x")</script><img src=x onerror="alert(1)">')
    assert "<script" not in p.description_html and "onerror" not in p.description_html


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"name": ""}, "name"),
        ({"price": "abc"}, "price"),
        ({"price": "12000.5"}, "price"),
        ({"sale_price": 50000}, "sale_price"),
        ({"tags": [f"태그{i}" for i in range(11)]}, "tags"),
        ({"attributes": {"material": ["우주소재"]}}, "attributes.material"),
        ({"attributes": {"skin_type": ["건성"]}}, "attributes.skin_type"),
        ({"options": [OptionInput("색상", [])]}, "options"),
        ({"variants": [VariantInput(option_values={"색상": "보라", "사이즈": "M"}, stock=1)]}, "variants"),
        ({"variants": [VariantInput(option_values={"색상": "블랙", "사이즈": "M"}, stock=-1)]}, "variants"),
    ],
)
def test_invalid_product_input_is_refused_and_nothing_is_written(overrides, field):
    store = make_store()
    before = Product.objects.count(), Variant.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_product(store=store, **overrides)
    assert field in exc.value.details
    assert (Product.objects.count(), Variant.objects.count()) == before


def test_category_must_be_a_leaf():
    from kkot.catalog.models import Category

    with pytest.raises(ValidationError) as exc:
        make_product(category_id=Category.objects.get(slug="fashion").pk)
    assert "category" in exc.value.details


def test_viewer_staff_cannot_write_and_outsiders_cannot_either():
    store = make_store()
    owner = store.memberships.get().user
    viewer = make_user()
    staff_add(store=store, actor=owner, email=viewer.email, role="viewer")
    with pytest.raises(PermissionDenied):
        make_product(store=store, actor=viewer)
    with pytest.raises(PermissionDenied):
        make_product(store=store, actor=make_user())


def test_update_keeps_variant_ids_for_unchanged_combinations():
    p = make_product()
    owner = p.store.memberships.get().user
    ids = dict(p.variants.values_list("label", "pk"))
    data = product_input(options=[OptionInput("색상", ["블랙"]), OptionInput("사이즈", ["M", "L", "XL"])], variants=[])
    p2 = product_update(product=p, actor=owner, data=data)
    new = dict(p2.variants.values_list("label", "pk"))
    assert new["블랙 / M"] == ids["블랙 / M"] and "화이트 / M" not in new and "블랙 / XL" in new


def test_bulk_status_change_is_scoped_to_the_store():
    a, b = make_product(), make_product()
    owner_a = a.store.memberships.get().user
    with pytest.raises(NotFound):
        products_set_status(store=a.store, actor=owner_a, product_ids=[a.pk, b.pk], status="hidden")
    b.refresh_from_db()
    assert b.status == "on_sale"
    assert products_set_status(store=a.store, actor=owner_a, product_ids=[a.pk], status="hidden") == 1


def test_image_upload_makes_thumbnail_and_bad_file_stores_nothing():
    p = make_product()
    owner = p.store.memberships.get().user
    img = product_image_add(product=p, actor=owner, upload=upload(image_bytes((800, 800))))
    assert img.position == 0 and img.thumbnail.name and (img.width, img.height) == (800, 800)
    with pytest.raises(ValidationError):
        product_image_add(product=p, actor=owner, upload=upload(b"GIF89a-not-really", "fake.jpg"))
    assert p.images.count() == 1


def test_storefront_filters_and_sorts():
    store = make_store()
    cheap = make_product(store=store, name="면 티셔츠", price=10000, sale_price=None,
                         attributes={"material": ["면"]}, code="A")
    dear = make_product(store=store, name="울 니트", price=90000, sale_price=None,
                        attributes={"material": ["울"]}, code="B")
    hidden = make_product(store=store, name="숨김", code="C", status="hidden")
    ids = lambda f: [p.pk for p in products_visible(f)]  # noqa: E731
    assert ids(ProductFilter(store=store, sort="price_asc")) == [cheap.pk, dear.pk]
    assert ids(ProductFilter(store=store, sort="price_desc")) == [dear.pk, cheap.pk]
    assert ids(ProductFilter(store=store, max_price=Decimal(20000))) == [cheap.pk]
    assert ids(ProductFilter(store=store, attributes={"material": ["울"]})) == [dear.pk]
    assert hidden.pk not in ids(ProductFilter(store=store))
    assert set(products_for_seller(store=store).values_list("pk", flat=True)) == {cheap.pk, dear.pk, hidden.pk}


def test_restock_reopens_sale_but_a_manual_sold_out_stays():
    from kkot.catalog.services import VariantInput as V

    p = make_product(variants=[], code="R1")  # no stock -> 품절 automatically
    owner = p.store.memberships.get().user
    combos = [{"색상": c, "사이즈": s} for c in ("블랙", "화이트") for s in ("M", "L")]
    p = product_update(product=p, actor=owner, data=product_input(
        code="R1", status="sold_out", variants=[V(option_values=o, stock=3) for o in combos]))
    assert p.status == Product.Status.ON_SALE  # restocked
    p = product_update(product=p, actor=owner, data=product_input(
        code="R1", status="sold_out", variants=[V(option_values=o, stock=3) for o in combos]))
    assert p.status == Product.Status.SOLD_OUT  # the seller's own choice while in stock


def test_product_code_cannot_start_with_hash():
    with pytest.raises(ValidationError) as exc:
        make_product(code="#1")
    assert "code" in exc.value.details

