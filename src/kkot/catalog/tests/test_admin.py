import pytest
from django.contrib import admin
from django.urls import reverse

from kkot.catalog.models import Category
from kkot.core.testing import make_product, make_user

pytestmark = pytest.mark.django_db


def test_every_admin_changelist_and_change_page_renders(client):
    product = make_product()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    for model in admin.site._registry:
        meta = model._meta
        resp = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert resp.status_code == 200, meta.label
    assert client.get(reverse("admin:catalog_product_change", args=[product.pk])).status_code == 200


def test_operator_adds_a_third_level_category_and_path_follows_the_parent(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    parent = Category.objects.get(slug="women")
    resp = client.post(reverse("admin:catalog_category_add"), {
        "name": "점프수트", "slug": "w-jumpsuit", "parent": parent.pk, "position": 9, "notice_group": "",
        "is_active": "on", "children-TOTAL_FORMS": 0, "children-INITIAL_FORMS": 0,
    })
    assert resp.status_code == 302, resp.content.decode()[:2000]
    new = Category.objects.get(slug="w-jumpsuit")
    assert new.level == 3 and new.path == f"{parent.path}{new.pk}/"
