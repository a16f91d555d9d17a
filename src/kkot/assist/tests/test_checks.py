"""Image checks at upload: stored per image, shown in the editor, duplicates in the store, bad files, publishing."""

import io

import pytest
from PIL import Image

from kkot.assist.models import ImageAnalysis, ImageCheck
from kkot.assist.services.checks import image_add_checked, settings_update
from kkot.assist.tests.conftest import picture
from kkot.catalog.models import Product
from kkot.core.errors import ValidationError
from kkot.core.testing import make_product, make_store, make_user, upload

pytestmark = pytest.mark.django_db


def _owner(store):
    return store.memberships.get(role="owner").user


def _add(product, data, run_tasks, name="p.jpg"):
    with run_tasks():
        img = image_add_checked(product=product, actor=_owner(product.store), upload=upload(data, name))
    return ImageAnalysis.objects.get(image=img)


def test_checks_are_stored_per_image_with_status_number_and_korean_fix(run_tasks):
    product = make_product()
    a = _add(product, picture(), run_tasks)
    assert a.state == "done" and a.overall in ("pass", "warn")
    checks = {c.code: c for c in ImageCheck.objects.filter(analysis=a)}
    assert {
        "file",
        "resolution",
        "aspect",
        "sharpness",
        "exposure",
        "background",
        "adult",
        "duplicate",
    } <= set(checks)
    assert checks["resolution"].status == "pass" and checks["resolution"].value == 600.0
    assert checks["duplicate"].status == "pass"
    # no adult-content detector installed: said so, never a fake pass
    assert checks["adult"].status == "unavailable" and checks["adult"].value is None
    assert "설치" in checks["adult"].message
    assert a.colours[0]["name"] == "네이비" and 0 < a.colours[0]["share"] <= 1
    assert a.embedding and a.phash is not None and a.model_version


def test_low_resolution_representative_fails_and_the_fix_is_given(run_tasks):
    product = make_product()
    a = _add(product, picture(size=(300, 300)), run_tasks)
    res = ImageCheck.objects.get(analysis=a, code="resolution")
    assert (res.status, res.value) == ("fail", 300.0)
    assert "500픽셀" in res.fix
    assert a.overall == "fail"


def test_same_photo_on_another_product_and_within_the_product_is_flagged(run_tasks):
    store = make_store()
    p1 = make_product(store=store, code="A")
    p2 = make_product(store=store, code="B", name="다른 셔츠")
    data = picture(seed=3)
    a1 = _add(p1, data, run_tasks)
    a2 = _add(p2, data, run_tasks)
    d2 = ImageCheck.objects.get(analysis=a2, code="duplicate")
    assert d2.status == "warn" and "다른 상품" in d2.message and p1.name in d2.message
    d1 = ImageCheck.objects.get(analysis=a1, code="duplicate")  # the earlier photo is flagged as well
    assert d1.status == "warn" and p2.name in d1.message
    a3 = _add(p1, picture(seed=3, size=(620, 620)), run_tasks)  # a resized copy in the same product
    d3 = ImageCheck.objects.get(analysis=a3, code="duplicate")
    assert d3.status == "warn"
    # another colour of the same design is not a duplicate
    a4 = _add(p2, picture(rgb=(200, 30, 40), seed=3), run_tasks)
    assert ImageCheck.objects.get(analysis=a4, code="duplicate").status == "pass"


def test_duplicates_never_cross_stores(run_tasks):
    data = picture(seed=5)
    _add(make_product(), data, run_tasks)
    other = _add(make_product(), data, run_tasks)
    assert ImageCheck.objects.get(analysis=other, code="duplicate").status == "pass"


def test_bad_files_get_a_clear_message_and_store_nothing(run_tasks):
    product = make_product()
    owner = _owner(product.store)
    with pytest.raises(ValidationError) as e:
        image_add_checked(product=product, actor=owner, upload=upload(b"\xff\xd8\xff\xe0 not really a jpeg"))
    assert "이미지" in e.value.message
    big = io.BytesIO()
    Image.new("1", (9000, 9000)).save(big, format="PNG")  # 81 million pixels: refused before decoding
    with pytest.raises(ValidationError) as e:
        image_add_checked(product=product, actor=owner, upload=upload(big.getvalue(), "big.png", "image/png"))
    assert e.value.code == "image_pixels"
    assert not ImageAnalysis.objects.exists() and not product.images.exists()


def test_animated_and_cmyk_images_are_checked_with_a_note(run_tasks):
    product = make_product()
    frames = [Image.open(io.BytesIO(picture(rgb=c))).convert("P") for c in ((30, 40, 90), (200, 30, 40))]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    a = _add(product, buf.getvalue(), run_tasks, "anim.gif")
    f = ImageCheck.objects.get(analysis=a, code="file")
    assert f.status == "warn" and "첫 프레임" in f.message and f.value_text == "GIF"
    cmyk = _add(product, picture(mode="CMYK", seed=9), run_tasks, "print.jpg")
    f = ImageCheck.objects.get(analysis=cmyk, code="file")
    assert f.status == "pass" and "CMYK" in f.message


def test_an_installed_adult_detector_is_used(run_tasks, settings):
    settings.KKOT_ADULT_DETECTOR = "kkot.assist.tests.test_checks.fake_detector"
    a = _add(make_product(), picture(), run_tasks)
    adult = ImageCheck.objects.get(analysis=a, code="adult")
    assert (adult.status, adult.value) == ("pass", 0.01)


def fake_detector(rgb):
    return 0.01


def test_failed_checks_block_publishing_only_when_the_store_chose_so(client, run_tasks):
    product = make_product()
    store, owner = product.store, _owner(product.store)
    _add(product, picture(size=(300, 300)), run_tasks)  # resolution fails on the representative image
    Product.objects.filter(pk=product.pk).update(status="hidden")
    client.force_login(owner)
    url = f"/seller/{store.slug}/products/"
    client.post(url, {"ids": [product.pk], "status": "on_sale"})
    assert Product.objects.get(pk=product.pk).status == "on_sale"  # the default: warn, never block
    Product.objects.filter(pk=product.pk).update(status="hidden")
    settings_update(store=store, actor=owner, block_publish_on_failed_checks=True)
    r = client.post(url, {"ids": [product.pk], "status": "on_sale"}, follow=True)
    assert Product.objects.get(pk=product.pk).status == "hidden"
    assert "대표 이미지 검사에 실패" in r.content.decode()
    client.post(url, {"ids": [product.pk], "status": "suspended"})  # other statuses are never blocked
    assert Product.objects.get(pk=product.pk).status == "suspended"


def test_editor_shows_checks_next_to_each_image_and_the_checklist(client, run_tasks):
    product = make_product()
    store, owner = product.store, _owner(product.store)
    a = _add(product, picture(size=(300, 300)), run_tasks)
    client.force_login(owner)
    edit = f"/seller/{store.slug}/products/{product.pk}/edit/"
    html = client.get(edit).content.decode()
    assert "해상도가 낮습니다" in html and "성인 콘텐츠 검사기가 설치되지 않아" in html
    assert ImageCheck.objects.filter(analysis=a, status="fail").exists()
    assert "검색 노출 체크리스트" in html


def test_other_store_never_sees_checks_in_the_editor(client, run_tasks):
    product = make_product()
    _add(product, picture(size=(300, 300)), run_tasks)
    intruder = make_user()
    make_store(owner=intruder)
    client.force_login(intruder)
    r = client.get(f"/seller/{product.store.slug}/products/{product.pk}/edit/")
    assert r.status_code == 404


def test_editor_saves_everything_but_keeps_the_status_when_publishing_is_blocked(client, run_tasks):
    import json

    product = make_product()
    store, owner = product.store, _owner(product.store)
    _add(product, picture(size=(300, 300)), run_tasks)
    Product.objects.filter(pk=product.pk).update(status="hidden")
    settings_update(store=store, actor=owner, block_publish_on_failed_checks=True)
    client.force_login(owner)
    variants = {
        "options": [],
        "variants": [{"option_values": {}, "sku": "ONE", "price_delta": 0, "stock": 4, "is_active": True}],
    }
    r = client.post(
        f"/seller/{store.slug}/products/{product.pk}/edit/",
        {
            "name": "새 이름 셔츠",
            "category_id": product.category_id,
            "price": "39000",
            "status": "on_sale",
            "dispatch_days": "2",
            "options_json": json.dumps(variants),
        },
        follow=True,
    )
    p = Product.objects.get(pk=product.pk)
    assert p.name == "새 이름 셔츠" and p.status == "hidden"  # the draft is saved, publishing is not
    assert "판매 상태는 바꾸지 않고 저장했습니다" in r.content.decode()
