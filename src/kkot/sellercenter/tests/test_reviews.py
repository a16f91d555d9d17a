"""Seller center review pages: list filters, reply prefilled with the suggestion, Q&A inbox, analysis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kkot.core.testing import make_store
from kkot.reviews.models import ProductQuestion, ReviewReply
from kkot.reviews.services import question_create
from kkot.reviews.tests.factories import delivered_line, reviews_for
from kkot.stores.models import StoreMembership

pytestmark = pytest.mark.django_db


def _owner(store):
    return StoreMembership.objects.get(store=store, role="owner").user


@pytest.fixture
def shop(db):
    now = timezone.now()
    line = delivered_line(at=now - dt.timedelta(days=80))
    plan = (
        [("배송이 너무 늦어요 일주일 걸렸어요", 2, now - dt.timedelta(days=d)) for d in (1, 2, 4, 6, 9)]
        + [("사이즈가 작아요 한 치수 크게 사세요", 3, now - dt.timedelta(days=d)) for d in (3, 20)]
        + [
            ("색감 예쁘고 소재가 부드러워요 만족해요", 5, now - dt.timedelta(days=d))
            for d in (5, 25, 40, 50, 60)
        ]
    )
    reviews = reviews_for(line, plan)
    return line.order.store, line.product, reviews


def test_list_filters_and_reply_with_suggestion(client, shop):
    store, product, reviews = shop
    client.force_login(_owner(store))
    url = reverse("sellercenter:review_list", args=[store.slug])
    html = client.get(url).content.decode()
    assert html.count('class="rv-item"') == 12
    assert client.get(url, {"stars": "2"}).content.decode().count('class="rv-item"') == 5
    assert client.get(url, {"aspect": "사이즈"}).content.decode().count('class="rv-item"') == 2
    neg = client.get(url, {"negative": "1"}).content.decode().count('class="rv-item"')
    assert neg >= 5
    target = reviews[0]
    detail = reverse("sellercenter:review_detail", args=[store.slug, target.pk])
    page = client.get(detail).content.decode()
    assert 'id="suggestion-note"' in page
    assert "배송이 늦어져 정말 죄송합니다" in page  # the ML draft, built from the negative 배송 aspect
    r = client.post(detail, {"text": "늦어져서 죄송합니다. 다음엔 빨리 보내드릴게요."})
    assert r.status_code == 302
    assert ReviewReply.objects.get(review=target).text == "늦어져서 죄송합니다. 다음엔 빨리 보내드릴게요."
    r = client.post(detail, {"text": "  "})
    assert r.status_code == 400 and "답글 내용을 입력해 주세요." in r.content.decode()
    assert client.get(url, {"unanswered": "1"}).content.decode().count('class="rv-item"') == 11
    # another store's owner: 404 on the page, nothing saved
    other = make_store()
    client.force_login(_owner(other))
    assert (
        client.post(
            reverse("sellercenter:review_detail", args=[other.slug, target.pk]), {"text": "해킹"}
        ).status_code
        == 404
    )
    assert ReviewReply.objects.get(review=target).text.startswith("늦어져서")


def test_qna_inbox_answer(client, shop):
    store, product, reviews = shop
    q = question_create(
        user=reviews[0].user, product_id=product.pk, text="M 사이즈 재입고 되나요?", is_secret=True
    )
    client.force_login(_owner(store))
    html = client.get(
        reverse("sellercenter:question_list", args=[store.slug]), {"unanswered": "1"}
    ).content.decode()
    assert "M 사이즈 재입고 되나요?" in html
    r = client.post(
        reverse("sellercenter:question_detail", args=[store.slug, q.pk]), {"answer": "다음 주 입고됩니다."}
    )
    assert r.status_code == 302
    q.refresh_from_db()
    assert q.answer == "다음 주 입고됩니다." and q.answered_at is not None
    html = client.get(
        reverse("sellercenter:question_list", args=[store.slug]), {"unanswered": "1"}
    ).content.decode()
    assert "M 사이즈 재입고" not in html
    assert ProductQuestion.objects.count() == 1


def test_analysis_pages_show_points_alerts_and_chart(client, shop):
    store, product, reviews = shop
    client.force_login(_owner(store))
    html = client.get(reverse("sellercenter:review_analysis", args=[store.slug])).content.decode()
    assert 'id="points"' in html and "배송" in html
    assert 'id="alerts"' in html and "최근 2주 &#x27;배송" in html
    assert 'id="weekly"' in html and "plotly" in html.lower()
    html = client.get(
        reverse("sellercenter:review_analysis_product", args=[store.slug, product.pk])
    ).content.decode()
    assert product.name in html and 'id="points"' in html
    other = make_store()
    assert (
        client.get(reverse("sellercenter:review_analysis_product", args=[store.slug, 999999])).status_code
        == 404
    )
    client.force_login(_owner(other))
    assert client.get(reverse("sellercenter:review_analysis", args=[store.slug])).status_code == 404
