"""The 상품등록 도우미 API: checks after an API upload, suggestions and decisions, publishing guard."""

import pytest
from django.test import Client

from kkot.accounts.services import api_token_create
from kkot.assist.models import Suggestion
from kkot.assist.services.checks import settings_update
from kkot.assist.tests.conftest import picture
from kkot.core.testing import make_product, upload

pytestmark = pytest.mark.django_db


def _token(product):
    owner = product.store.memberships.get(role="owner").user
    _t, raw = api_token_create(user=owner, store=product.store, name="t")
    return owner, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_upload_is_checked_and_suggestions_can_be_decided(run_tasks):
    product = make_product(name="스트라이프 셔츠", attributes={})
    owner, auth = _token(product)
    c = Client()
    base = f"/api/v1/seller/stores/{product.store.slug}/products/{product.pk}"
    with run_tasks():
        r = c.post(base + "/images", {"file": upload(picture(size=(300, 300)))}, **auth)
    assert r.status_code == 201
    body = c.get(base + "/assist", **auth).json()
    img = body["images"][0]
    assert img["state"] == "done" and img["overall"] == "fail"
    res = next(ch for ch in img["checks"] if ch["code"] == "resolution")
    assert res["status"] == "fail" and res["value"] == 300.0 and res["fix"]
    assert next(ch for ch in img["checks"] if ch["code"] == "adult")["status"] == "unavailable"
    sid = next(s["id"] for s in body["suggestions"] if s["kind"] == "pattern")
    r = c.post(
        base + "/suggestions/decisions",
        {"decisions": [{"id": sid, "accept": True}]},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200
    assert Suggestion.objects.get(pk=sid).decision == "accepted"
    assert {i["code"] for i in r.json()["checklist"]} >= {"tags5", "attrs", "image_ok"}
    # publishing guard on PUT when the store chose it
    settings_update(store=product.store, actor=owner, block_publish_on_failed_checks=True)
    product.status = "hidden"
    product.save()
    body = {
        "name": "스트라이프 셔츠",
        "category_id": product.category_id,
        "price": 19000,
        "status": "on_sale",
        "variants": [{"option_values": {}, "stock": 5}],
    }
    r = c.put(base, body, content_type="application/json", **auth)
    assert r.status_code == 400 and r.json()["code"] == "image_checks_failed"
    product.refresh_from_db()
    assert product.status == "hidden"
