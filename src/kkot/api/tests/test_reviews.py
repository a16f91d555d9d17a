"""Review API: public reviews/summary/questions, the seller's reviews, replies, Q&A answers and analysis."""

from __future__ import annotations

import pytest
from django.test import Client

from kkot.api.tests.conftest import call
from kkot.core.testing import make_product, make_user
from kkot.reviews.models import ReviewReply
from kkot.reviews.services import question_create
from kkot.reviews.tests.factories import delivered_line, reviews_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(seller):
    p = make_product(store=seller.store, code="R-1")
    line = delivered_line(store=seller.store, product=p)
    rs = reviews_for(
        line,
        [
            ("사이즈가 작아요 한 치수 크게 사세요", 2, None),
            ("색감 예쁘고 배송 빨라요", 5, None),
            ("<b>소재</b>가 부드러워요 존나 좋아요", 4, None),
        ],
    )
    q1 = question_create(user=make_user(), product_id=p.pk, text="비침 있나요?", is_secret=True)
    q2 = question_create(user=make_user(), product_id=p.pk, text="세탁기 돌려도 되나요?")
    return p, rs, (q1, q2)


def test_public_reviews_summary_and_questions(reviewed):
    p, rs, (q1, q2) = reviewed
    c = Client()
    r = call(c, "GET", f"/api/v1/stores/{p.store.slug}/products/{p.pk}/reviews?sort=low")
    body = r.json()
    assert r.status_code == 200 and body["count"] == 3
    assert [i["stars"] for i in body["items"]] == [2, 4, 5]
    texts = {i["stars"]: i["text"] for i in body["items"]}
    assert texts[4] == "<b>소재</b>가 부드러워요 ** 좋아요"
    assert body["items"][0]["option_label"] == "블랙 / M" and body["items"][0]["author"].endswith("**")
    r = call(c, "GET", f"/api/v1/stores/{p.store.slug}/products/{p.pk}/reviews?aspect=사이즈")
    assert r.json()["count"] == 1
    s = call(c, "GET", f"/api/v1/stores/{p.store.slug}/products/{p.pk}/reviews/summary").json()
    assert s["review_count"] == 3 and s["average"] == 3.7
    assert s["histogram"] == [{"stars": k, "count": n} for k, n in ((5, 1), (4, 1), (3, 0), (2, 1), (1, 0))]
    assert s["summary"] is None
    assert any(a["aspect"] == "사이즈" and a["negative"] == 1 for a in s["aspects"])
    qs = call(c, "GET", f"/api/v1/stores/{p.store.slug}/products/{p.pk}/questions").json()["items"]
    by = {q["id"]: q for q in qs}
    assert by[q1.pk]["text"] is None and by[q1.pk]["is_secret"] is True
    assert by[q2.pk]["text"] == "세탁기 돌려도 되나요?"


def test_public_bad_ids_and_params_are_json_errors(reviewed, other):
    c = Client()
    p = reviewed[0]
    for path in (
        "/api/v1/stores/alpha/products/999999/reviews",
        "/api/v1/stores/alpha/products/999999/reviews/summary",
        "/api/v1/stores/alpha/products/999999999999999999999/reviews",
        "/api/v1/stores/alpha/products/abc/reviews",
        f"/api/v1/stores/bravo/products/{p.pk}/reviews",
    ):
        r = call(c, "GET", path)
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), path
    r = call(c, "GET", f"/api/v1/stores/{p.store.slug}/products/{p.pk}/reviews?sort=best")
    assert (r.status_code, r.json()["code"]) == (422, "invalid_request")
    r = call(c, "GET", f"/api/v1/stores/{p.store.slug}/products/{p.pk}/reviews?stars=9")
    assert r.status_code == 422


def test_seller_reviews_reply_answer_and_analysis(seller, other, reviewed):
    p, rs, (q1, _q2) = reviewed
    base = f"/api/v1/seller/stores/{seller.store.slug}"
    r = seller.call("GET", base + "/reviews?negative=true")
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [rs[0].pk]
    assert r.json()["items"][0]["aspects"]
    d = seller.call("GET", base + f"/reviews/{rs[0].pk}").json()
    assert d["clauses"] and "사이즈" in d["reply_suggestion"]
    r = seller.call("PUT", base + f"/reviews/{rs[0].pk}/reply", {"text": "불편을 드려 죄송합니다."})
    assert r.status_code == 200 and r.json()["text"] == "불편을 드려 죄송합니다."
    r = seller.call("PUT", base + f"/reviews/{rs[0].pk}/reply", {"text": "   "})
    assert (r.status_code, r.json()["code"]) == (400, "text_empty")
    assert ReviewReply.objects.get(review=rs[0]).text == "불편을 드려 죄송합니다."
    assert seller.call("GET", base + "/reviews?unanswered=true").json()["count"] == 2
    qs = seller.call("GET", base + "/questions?unanswered=true").json()
    assert qs["count"] == 2 and any(q["text"] == "비침 있나요?" for q in qs["items"])
    r = seller.call("PUT", base + f"/questions/{q1.pk}/answer", {"text": "비침 없습니다."})
    assert r.status_code == 200 and r.json()["answer"] == "비침 없습니다."
    a = seller.call("GET", base + "/reviews/analysis").json()
    assert a["n_reviews"] == 3 and len(a["weeks"]) == 12
    a = seller.call("GET", base + f"/reviews/analysis?product_id={p.pk}").json()
    assert a["product_id"] == p.pk
    r = seller.call("GET", base + "/reviews/analysis?product_id=999999")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = seller.call("GET", base + "/reviews/99999999")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    # the other seller: their own slug with these ids is 404, nothing changed
    obase = f"/api/v1/seller/stores/{other.store.slug}"
    r = other.call("PUT", obase + f"/reviews/{rs[1].pk}/reply", {"text": "해킹"})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = other.call("GET", obase + f"/reviews/analysis?product_id={p.pk}")
    assert r.status_code == 404
    assert not ReviewReply.objects.filter(review=rs[1]).exists()
