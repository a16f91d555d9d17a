from __future__ import annotations

import pytest
from django.urls import reverse

from kkot.accounts.models import ApiToken
from kkot.core.testing import VALID_BRN, image_bytes, make_store, make_user, store_fields, upload
from kkot.stores.models import Store, StoreBanner, StoreMembership

pytestmark = pytest.mark.django_db


def _open_data(**over):
    data = {k: ("" if v is None else v) for k, v in store_fields().items()}
    data.update(name="봄날 꽃집", slug="spring-flower", description="제철 꽃", shipping_jeju_surcharge=3000,
                shipping_island_surcharge=5000)
    data.update(over)
    return data


def test_start_flow_logged_out_goes_to_signup_then_open():
    from django.test import Client

    c = Client()
    r = c.get("/seller/open/")
    assert r.status_code == 302
    assert r["Location"] == "/accounts/signup/?next=%2Fseller%2Fopen%2F"
    landing = c.get("/seller/")
    assert landing.status_code == 200
    assert "판매자 시작하기" in landing.content.decode()
    assert "/accounts/signup/?next=%2Fseller%2Fopen%2F" in landing.content.decode()


def test_index_without_store_sends_to_open(client):
    client.force_login(make_user())
    r = client.get("/seller/")
    assert r.status_code == 302 and r["Location"] == "/seller/open/"


def test_open_store_with_logo_redirects_to_dashboard(client):
    user = make_user()
    client.force_login(user)
    assert client.get("/seller/open/").status_code == 200
    data = _open_data(logo=upload(image_bytes((300, 300)), "logo.png"))
    r = client.post("/seller/open/", data)
    assert r.status_code == 302 and r["Location"] == "/seller/spring-flower/"
    store = Store.objects.get(slug="spring-flower")
    assert store.name == "봄날 꽃집" and store.business_reg_no == VALID_BRN
    assert int(store.shipping_free_over) == 50000 and int(store.shipping_island_surcharge) == 5000
    assert store.logo.name.startswith("stores/logos/spring-flower-")
    assert StoreMembership.objects.get(store=store).user == user
    page = client.get(r["Location"])
    assert page.status_code == 200 and "봄날 꽃집" in page.content.decode()
    listing = client.get("/seller/")
    assert listing.status_code == 200 and "/seller/spring-flower/" in listing.content.decode()


@pytest.mark.parametrize("field,value,message", [
    ("business_reg_no", "123-45-67890", "사업자등록번호가 올바르지 않습니다. 10자리 숫자와 검증번호를 확인해 주세요."),
    ("mail_order_no", "서울-1234", "통신판매업 신고번호 형식이 올바르지 않습니다. 예: 2024-서울강남-01234"),
    ("return_postcode", "1234", "우편번호는 5자리 숫자입니다."),
    ("slug", "Bad Slug!", "스토어 주소는 영문 소문자, 숫자, 하이픈(-)으로 3~40자입니다."),
    ("slug", "admin", "사용할 수 없는 스토어 주소입니다."),
    ("slug", "open", "사용할 수 없는 스토어 주소입니다."),
    ("contact_phone", "abc", "전화번호 형식이 올바르지 않습니다. 예: 02-123-4567, 010-1234-5678, 1588-1234"),
])
def test_open_store_bad_input_is_shown_and_nothing_stored(client, field, value, message):
    client.force_login(make_user())
    r = client.post("/seller/open/", _open_data(**{field: value}))
    assert r.status_code == 200
    assert message in r.content.decode()
    assert r.context["form"].errors[field] == [message]
    assert "봄날 꽃집" in r.content.decode()  # what the seller typed is kept
    assert Store.objects.count() == 0


def test_open_store_taken_slug_and_bad_logo(client):
    make_store(slug="spring-flower")
    client.force_login(make_user())
    r = client.post("/seller/open/", _open_data())
    assert r.context["form"].errors["slug"] == ["이미 사용 중인 스토어 주소입니다."]
    r = client.post("/seller/open/", _open_data(slug="other-one", logo=upload(b"not an image", "logo.jpg")))
    assert r.context["form"].errors["logo"] == ["이미지 파일을 읽을 수 없습니다. 손상되었거나 이미지가 아닌 파일입니다."]
    assert not Store.objects.filter(slug="other-one").exists()


def test_slug_check_json(client):
    make_store(slug="taken-one")
    client.force_login(make_user())
    url = reverse("sellercenter:slug_check")
    assert client.get(url, {"slug": "Free-One"}).json() == {"ok": True, "message": "사용할 수 있는 주소입니다."}
    assert client.get(url, {"slug": "taken-one"}).json() == {"ok": False, "message": "이미 사용 중인 스토어 주소입니다."}
    assert client.get(url, {"slug": "api"}).json() == {"ok": False, "message": "사용할 수 없는 스토어 주소입니다."}
    assert client.get(url, {"slug": "a"}).json()["ok"] is False


def test_dashboard_numbers_are_real(client, world):
    client.force_login(world.owner)
    r = client.get(f"/seller/{world.store.slug}/")
    assert r.context["counts"] == {"on_sale": 1, "sold_out": 0, "suspended": 0, "hidden": 0}
    assert r.context["total"] == 1 and r.context["out_of_stock"] == 0 and r.context["low_stock"] == 0


def test_settings_update_and_banners(client, world):
    client.force_login(world.manager)
    url = f"/seller/{world.store.slug}/settings/"
    page = client.get(url)
    data = {k: ("" if v is None else v) for k, v in page.context["form"].initial.items()}
    data.update(name="꽃집 A 리뉴얼", shipping_base_fee=2500, same_day_cutoff="14:00")
    r = client.post(url, data)
    assert r.status_code == 302
    store = Store.objects.get(pk=world.store.pk)
    assert store.name == "꽃집 A 리뉴얼" and int(store.shipping_base_fee) == 2500 and str(store.same_day_cutoff) == "14:00:00"
    r = client.post(url, {**data, "business_reg_no": "1234567890"})
    assert r.context["form"].errors["business_reg_no"] == [
        "사업자등록번호가 올바르지 않습니다. 10자리 숫자와 검증번호를 확인해 주세요."]

    r = client.post(f"{url}banners/", {"new-title": "여름 세일", "new-color": "#aabbcc", "new-position": 2,
                                       "new-is_active": "on", "new-link_url": "/flower-a/"})
    assert r.status_code == 302
    b = StoreBanner.objects.get(store=world.store, title="여름 세일")
    assert (b.color, b.position, b.is_active, b.link_url) == ("#aabbcc", 2, True, "/flower-a/")
    p = f"b{world.banner.pk}"
    client.post(f"{url}banners/{world.banner.pk}/", {f"{p}-title": "봄 세일 끝", f"{p}-color": "#ffffff",
                                                      f"{p}-position": 0})
    b = StoreBanner.objects.get(pk=world.banner.pk)
    assert (b.title, b.is_active) == ("봄 세일 끝", False)
    r = client.post(f"{url}banners/", {"new-title": "x", "new-color": "red", "new-position": 0,
                                       "new-link_url": "javascript:alert(1)"}, follow=True)
    body = r.content.decode()
    assert "색상은 #RRGGBB 형식입니다." in body and "링크는 /로 시작하는 주소나 http(s):// 주소여야 합니다." in body
    assert not StoreBanner.objects.filter(title="x").exists()


def test_staff_add_change_remove(client, world):
    client.force_login(world.owner)
    url = f"/seller/{world.store.slug}/staff/"
    newbie = make_user(email="newbie@example.com")
    r = client.post(url, {"email": "nobody@example.com", "role": "viewer"})
    assert r.context["form"].errors["email"] == [
        "해당 이메일로 가입한 회원이 없습니다. 먼저 kkot에 가입하도록 안내해 주세요."]
    r = client.post(url, {"email": "NEWBIE@example.com", "role": "viewer"})
    assert r.status_code == 302
    m = StoreMembership.objects.get(store=world.store, user=newbie)
    assert m.role == "viewer"
    client.post(f"{url}{m.pk}/", {f"m{m.pk}-role": "manager", "action": "role"})
    assert StoreMembership.objects.get(pk=m.pk).role == "manager"
    client.post(f"{url}{m.pk}/", {"action": "remove"})
    assert not StoreMembership.objects.filter(pk=m.pk).exists()
    own = StoreMembership.objects.get(store=world.store, user=world.owner)
    r = client.post(f"{url}{own.pk}/", {"action": "remove"}, follow=True)
    assert "대표는 최소 한 명 있어야 합니다." in r.content.decode()
    assert StoreMembership.objects.filter(pk=own.pk).exists()


def test_api_token_shown_once_and_revoked(client, world):
    client.force_login(world.owner)
    url = f"/seller/{world.store.slug}/api-tokens/"
    r = client.post(url, {"name": "재고 연동"})
    raw = r.context["raw_key"]
    assert raw.startswith("kk_") and raw in r.content.decode()
    assert r["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(name="재고 연동")
    assert token.key_hash == ApiToken.hash(raw) and token.store == world.store
    assert raw not in client.get(url).content.decode()
    r = client.post(f"{url}{token.pk}/revoke/")
    assert r.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert client.post(f"{url}{token.pk}/revoke/").status_code == 404
    # Another member's token of the same store is not theirs to revoke.
    client.force_login(world.manager)
    assert client.post(f"{url}{world.token.pk}/revoke/").status_code == 404
