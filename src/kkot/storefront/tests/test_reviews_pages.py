"""Shopper review pages: write/edit from the order page, the product page's reviews section and Q&A."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kkot.core.testing import image_bytes, make_user, upload
from kkot.reviews import services as rsvc
from kkot.reviews.analysis import reviews_analyze
from kkot.reviews.models import ProductQuestion, Review
from kkot.reviews.tests.factories import delivered_line

pytestmark = pytest.mark.django_db
FRAG = {"HTTP_X_REQUESTED_WITH": "fetch"}


def test_order_page_links_to_write_then_edit(client):
    line = delivered_line()
    client.force_login(line.order.user)
    html = client.get(reverse("storefront:order_detail", args=[line.order_id])).content.decode()
    write = reverse("storefront:review_write", args=[line.pk])
    assert f'href="{write}"' in html
    page = client.get(write)
    assert page.status_code == 200 and "블랙 / M" in page.content.decode()
    assert 'name="body_height"' in page.content.decode()  # a fashion product asks for body info
    r = client.post(
        write,
        {
            "stars": "4",
            "text": "사이즈는 딱 맞는데 물빠짐이 심해요",
            "body_height": "170",
            "photos": [upload(image_bytes())],
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("storefront:order_detail", args=[line.order_id])
    review = Review.objects.get()
    assert (review.stars, review.body_height, review.photo_count) == (4, 170, 1)
    html = client.get(reverse("storefront:order_detail", args=[line.order_id])).content.decode()
    assert reverse("storefront:review_edit", args=[review.pk]) in html
    assert "한달사용리뷰는" in html
    # bad input: a Korean message, the form again, nothing changed
    r = client.post(reverse("storefront:review_edit", args=[review.pk]), {"stars": "5", "text": "ㅋㅋㅋㅋ"})
    assert r.status_code == 400
    assert (
        "자음·모음이나 이모지만으로는 등록할 수 없습니다. 리뷰 내용을 글로 적어 주세요." in r.content.decode()
    )
    assert Review.objects.get().stars == 4


def test_write_page_of_someone_elses_line_is_404(client):
    line = delivered_line()
    client.force_login(make_user())
    assert client.get(reverse("storefront:review_write", args=[line.pk])).status_code == 404
    assert (
        client.post(
            reverse("storefront:review_write", args=[line.pk]), {"stars": "5", "text": "좋아요 좋아요"}
        ).status_code
        == 404
    )
    assert Review.objects.count() == 0


def _reviews(product, n, texts):
    ids = []
    for i in range(n):
        line = delivered_line(product=product)
        text, stars = texts[i % len(texts)]
        ids.append(rsvc.review_create(user=line.order.user, order_line_id=line.pk, stars=stars, text=text).pk)
    reviews_analyze(review_ids=ids)
    return ids


def test_product_reviews_section_filters_sorts_and_escapes(client):
    first = delivered_line()
    product = first.product
    texts = [
        ("사이즈가 작아요 한 치수 크게 사세요", 3),
        ("색감 예쁘고 배송 빨라요", 5),
        ("<script>alert(1)</script> 소재가 부드러워요", 4),
    ]
    ids = _reviews(product, 6, texts)
    src = reverse("storefront:product_reviews", args=[product.store.slug, product.pk])
    frag = client.get(src, **FRAG)
    html = frag.content.decode()
    assert frag.status_code == 200 and "<html" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "사이즈 언급 리뷰만" in html
    assert 'id="rv-size"' in html and "작아요" in html
    assert "요약은 리뷰가 20개 이상일 때 제공됩니다" in html  # 6 reviews: no paragraph yet
    size_only = client.get(src, {"aspect": "사이즈"}, **FRAG).content.decode()
    assert size_only.count('class="rv-item"') == 2
    low = client.get(src, {"sort": "low"}, **FRAG).content.decode()
    assert low.index("★★★☆☆") < low.index("★★★★★")
    full = client.get(src)
    assert "<html" in full.content.decode()
    # the product page itself loads the section after the page
    page = client.get(reverse("storefront:product", args=[product.store.slug, product.pk])).content.decode()
    assert f'data-src="{src}"' in page and 'id="reviews"' in page
    # helpful vote through the JSON path
    client.force_login(make_user())
    r = client.post(
        reverse("storefront:review_helpful", args=[ids[0]]), {"next": src}, HTTP_ACCEPT="application/json"
    )
    assert r.json() == {"ok": True, "on": True, "count": 1}


def test_summary_paragraph_only_with_20_reviews(client):
    first = delivered_line()
    product = first.product
    _reviews(product, 20, [("사이즈 딱 맞고 핏이 예뻐요", 5), ("배송이 느려요 일주일 걸렸어요", 2)])
    src = reverse("storefront:product_reviews", args=[product.store.slug, product.pk])
    html = client.get(src, **FRAG).content.decode()
    assert 'id="rv-paragraph"' in html and "리뷰 20개 중" in html


def test_qna_secret_question_hidden_from_others(client):
    line = delivered_line()
    product = line.product
    url = reverse("storefront:product_qna", args=[product.store.slug, product.pk])
    asker = make_user()
    client.force_login(asker)
    r = client.post(url, {"text": "이 셔츠 비침 있나요?", "is_secret": "1"})
    assert r.status_code == 302
    assert "이 셔츠 비침 있나요?" in client.get(url, **FRAG).content.decode()
    r = client.post(url, {"text": "ㅋㅋㅋ"})
    assert r.status_code == 400 and ProductQuestion.objects.count() == 1
    client.force_login(make_user())
    html = client.get(url, **FRAG).content.decode()
    assert "비밀글입니다." in html and "비침" not in html
    client.logout()
    assert "비침" not in client.get(url).content.decode()
    assert client.post(url, {"text": "로그인 없이"}).status_code == 302
    assert ProductQuestion.objects.count() == 1
