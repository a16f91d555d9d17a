from __future__ import annotations

import pytest

from kkot.accounts.models import User
from kkot.core.testing import make_user

pytestmark = pytest.mark.django_db

GOOD = {"email": "Shopper@Example.com", "password": "kkot-flower-2024", "password2": "kkot-flower-2024",
        "name": "김꽃님", "gender": "F", "birth_year": "1992", "marketing_consent": "1"}


def test_signup_page_renders(client):
    r = client.get("/accounts/signup/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "회원가입" in html and 'name="birth_year"' in html and "마케팅 정보 수신에 동의합니다 (선택)" in html


def test_signup_creates_user_logs_in_and_follows_next(client):
    r = client.post("/accounts/signup/?next=/s/some-shop/", GOOD)
    assert r.status_code == 302 and r.url == "/s/some-shop/"
    user = User.objects.get()
    assert (user.email, user.name, user.gender, user.birth_year, user.marketing_consent) == (
        "shopper@example.com", "김꽃님", "F", 1992, True)
    assert user.check_password("kkot-flower-2024")
    assert client.get("/me/").status_code == 200


def test_signup_offsite_next_ignored(client):
    r = client.post("/accounts/signup/", {**GOOD, "next": "https://evil.example/x"})
    assert r.status_code == 302 and r.url == "/"


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-email", "이메일 주소 형식이 올바르지 않습니다."),
    ("email", "", "필수 항목입니다."),
    ("password", "short", "비밀번호가 서로 다릅니다."),
    ("gender", "X", "성별 값이 올바르지 않습니다."),
    ("birth_year", "1800", "출생연도를 확인해 주세요."),
    ("birth_year", "3000", "출생연도를 확인해 주세요."),
    ("birth_year", "abcd", "출생연도는 숫자 4자리로 입력해 주세요."),
])
def test_signup_errors_korean_nothing_stored(client, field, value, message):
    r = client.post("/accounts/signup/", {**GOOD, field: value})
    assert r.status_code == 200
    assert message in r.content.decode()
    assert User.objects.count() == 0


def test_signup_weak_password_korean(client):
    r = client.post("/accounts/signup/", {**GOOD, "password": "short", "password2": "short"})
    assert r.status_code == 200
    assert "이 비밀번호는 너무 짧습니다. 최소 8자 이상이어야 합니다." in r.content.decode()
    r = client.post("/accounts/signup/", {**GOOD, "password": "password123", "password2": "password123"})
    assert "너무 흔히 사용되는 비밀번호입니다." in r.content.decode()
    assert User.objects.count() == 0


def test_signup_duplicate_email(client):
    make_user(email="shopper@example.com")
    r = client.post("/accounts/signup/", GOOD)
    assert "이미 가입된 이메일입니다. 로그인해 주세요." in r.content.decode()
    assert User.objects.count() == 1


def test_login_respects_next_and_is_case_insensitive(client):
    make_user(email="buyer@example.com", password="pw-kkot-1234")
    r = client.get("/accounts/login/?next=/me/")
    assert r.status_code == 200 and 'name="next" value="/me/"' in r.content.decode()
    r = client.post("/accounts/login/", {"username": "Buyer@Example.com", "password": "pw-kkot-1234", "next": "/me/"})
    assert r.status_code == 302 and r.url == "/me/"


def test_login_wrong_password_korean(client):
    make_user(email="buyer@example.com")
    r = client.post("/accounts/login/", {"username": "buyer@example.com", "password": "wrong-password"})
    assert r.status_code == 200
    assert "이메일 또는 비밀번호가 올바르지 않습니다." in r.content.decode()


def test_login_offsite_next_ignored(client):
    make_user(email="buyer@example.com", password="pw-kkot-1234")
    r = client.post("/accounts/login/", {"username": "buyer@example.com", "password": "pw-kkot-1234",
                                         "next": "https://evil.example/"})
    assert r.status_code == 302 and r.url == "/"


def test_logout_post_only(client):
    client.force_login(make_user())
    assert client.get("/accounts/logout/").status_code == 405
    r = client.post("/accounts/logout/")
    assert r.status_code == 302 and r.url == "/"
    assert client.get("/me/").status_code == 302


def test_privacy_toggle(client):
    user = make_user()
    client.force_login(user)
    r = client.post("/accounts/privacy/", {"tracking_opt_out": "1", "next": "/me/"})
    assert r.status_code == 302 and r.url == "/me/"
    user.refresh_from_db()
    assert user.tracking_opt_out is True
    html = client.get("/me/").content.decode()
    assert 'name="tracking_opt_out" value="1" checked' in html
    assert "storefront/tracker.js" not in html
    client.post("/accounts/privacy/", {"next": "/me/"})
    user.refresh_from_db()
    assert user.tracking_opt_out is False


def test_privacy_requires_login_and_post(client):
    r = client.post("/accounts/privacy/", {"tracking_opt_out": "1"})
    assert r.status_code == 302 and r.url.startswith("/accounts/login/")
    client.force_login(make_user())
    assert client.get("/accounts/privacy/").status_code == 405
