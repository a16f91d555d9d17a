"""The bare 500 page (rendered by Django when everything else failed) speaks the request's language."""

from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def test_server_error_page_in_korean_and_english():
    request = RequestFactory().get("/")
    with translation.override("ko"):
        ko = server_error(request).content.decode()
    with translation.override("en"):
        en = server_error(request).content.decode()
    assert "일시적인 오류가 발생했습니다" in ko and 'lang="ko"' in ko
    assert "A temporary error occurred" in en and 'lang="en"' in en and "일시적" not in en
