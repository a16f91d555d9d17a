"""The demo's assistant step at SMALL size: every picture checked, the visual index built, models trained."""

import pytest

from kkot.assist.models import ImageAnalysis, ImageCheck
from kkot.assist.services.visual import current_index, visual_similar
from kkot.catalog.models import Product, ProductImage
from kkot.demo import build

pytestmark = pytest.mark.django_db


def test_small_demo_checks_pictures_and_builds_the_visual_index(settings, tmp_path, client):
    settings.VAR_DIR = tmp_path
    info = build.demo_build(seed=7, size=build.SMALL, quiet=True)
    a = info["assist"]
    assert a["images"] == ProductImage.objects.count() == 96
    assert 0 < a["analysed_groups"] <= 96 and a["category_classes"] >= 0  # SMALL: 1-2 products per category
    assert a["colour_classes"] == 0 and a["search_head"] == ""  # 96 products: too few to learn from
    assert ImageAnalysis.objects.filter(state="done").count() == 96
    assert ImageCheck.objects.filter(code="adult", status="unavailable").count() == 96
    assert (
        a["indexed"]
        == Product.objects.filter(status__in=("on_sale", "sold_out")).count()
        == len(current_index())
    )
    p = Product.objects.filter(status="on_sale", store__slug="dailylook").order_by("pk").first()
    hits = visual_similar(product_id=p.pk, k=5)
    assert hits and all(h.product.pk != p.pk for h in hits)
    from kkot.accounts.models import User

    client.force_login(User.objects.get(email=build.SELLER_EMAIL))
    html = client.get(f"/seller/dailylook/products/{p.pk}/edit/").content.decode()
    assert "검색 노출 체크리스트" in html and "성인 콘텐츠 검사기가 설치되지 않아" in html
    assert client.get("/seller/dailylook/assist/").status_code == 200
