import json

import pytest

from kkot.accounts.models import User
from kkot.catalog.models import Product, ProductAttributeValue, Variant
from kkot.catalog.selectors import category_attribute_defs
from kkot.demo import build
from kkot.events.models import Event
from kkot.stores.models import Store

pytestmark = pytest.mark.django_db


def test_small_demo_is_consistent_and_deterministic(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    info = build.demo_build(seed=7, size=build.SMALL, quiet=True)
    assert info["stores"] == 8 and info["products"] == 96
    assert {s.slug for s in Store.objects.all()} >= {"dailylook", "glowlab", "jejufresh", "homenest", "gadgetbay",
                                                      "littlebloom"}
    assert User.objects.get(email=build.SELLER_EMAIL).check_password(build.DEMO_PASSWORD)
    assert User.objects.get(email=build.SHOPPER_EMAIL).check_password(build.DEMO_PASSWORD)
    # Products obey the same invariants as the catalog services.
    for p in Product.objects.prefetch_related("variants", "images"):
        variants = list(p.variants.all())
        assert variants and p.stock_total == sum(v.stock for v in variants)
        assert p.images.count() == 1
        allowed = {d.code for d in category_attribute_defs(p.category)}
        assert set(p.attributes) <= allowed, (p.name, p.attributes)
        assert p.sale_price is None or p.sale_price < p.price
        if p.stock_total == 0:
            assert p.status != Product.Status.ON_SALE
    assert ProductAttributeValue.objects.exists() and Variant.objects.count() >= 96
    assert Event.objects.count() == info["events"] > 1000
    # Privacy: no event of a shopper who opted out of tracking.
    opted_out = set(User.objects.filter(tracking_opt_out=True).values_list("pk", flat=True))
    assert not Event.objects.filter(user_id__in=opted_out).exists()
    # The dead banner is (almost) never clicked compared with the first banner.
    first = Store.objects.get(slug="dailylook").banners.order_by("position").first()
    dead = info["dead_banners"][first.store_id]
    assert Event.objects.filter(section=f"banner:{dead}").count() < Event.objects.filter(section=f"banner:{first.pk}").count()
    assert json.loads(build.marker_path().read_text())["events"] == info["events"]
    names_first = list(Product.objects.order_by("pk").values_list("name", "price")[:20])

    for model in (Event, Product, Store, User):
        model.objects.all().delete()
    build.demo_build(seed=7, size=build.SMALL, quiet=True)
    assert list(Product.objects.order_by("pk").values_list("name", "price")[:20]) == names_first
