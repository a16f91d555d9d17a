from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kkot.catalog.models import Product
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.core.testing import image_bytes, make_user, upload
from kkot.reviews import services as svc
from kkot.reviews.analysis import products_recompute_stats
from kkot.reviews.models import (
    ProductQuestion,
    ProductReviewStats,
    Review,
    ReviewAnalysis,
    ReviewAspect,
    ReviewPhoto,
)
from kkot.reviews.tests.factories import delivered_line

pytestmark = pytest.mark.django_db


def _stats(product_id):
    s = ProductReviewStats.objects.get(pk=product_id)
    return (
        s.review_count,
        s.rating_sum,
        [s.star_1, s.star_2, s.star_3, s.star_4, s.star_5],
        s.photo_review_count,
    )


def test_create_review_copies_option_masks_profanity_and_counts(django_capture_on_commit_callbacks):
    line = delivered_line()
    with django_capture_on_commit_callbacks(execute=True):
        r = svc.review_create(
            user=line.order.user,
            order_line_id=line.pk,
            stars=2,
            text="사이즈는 딱 맞는데 물빠짐이 심해요 씨 발",
            body=svc.BodyInfo(165, "55", "M"),
            photos=[upload(image_bytes())],
        )
    r.refresh_from_db()
    assert r.option_label == "블랙 / M"
    assert r.variant_id == line.variant_id
    assert r.text.endswith("씨 발")
    assert r.text_masked == "사이즈는 딱 맞는데 물빠짐이 심해요 * *"
    assert r.has_profanity is True
    assert (r.body_height, r.body_weight, r.body_usual_size) == (165, 55, "M")
    assert r.photo_count == 1 and ReviewPhoto.objects.get(review=r).thumbnail.name.endswith(".jpg")
    assert _stats(line.product_id) == (1, 2, [0, 1, 0, 0, 0], 1)
    p = Product.objects.get(pk=line.product_id)
    assert (p.review_count, p.rating_sum) == (1, 2)
    # The analysis ran after commit: clauses, aspects with polarity, and the review's sentiment.
    a = ReviewAnalysis.objects.get(review=r)
    assert a.model_key == "base"
    assert len(a.clauses) >= 2
    aspects = {(m.aspect, m.polarity) for m in ReviewAspect.objects.filter(review=r)}
    assert ("색상", "negative") in aspects
    assert r.sentiment in ("negative", "neutral", "positive")
    stats = ProductReviewStats.objects.get(pk=line.product_id)
    assert stats.aspect_counts["색상"]["negative"] == 1


@pytest.mark.parametrize(
    "text,code",
    [
        ("", "text_empty"),
        ("   ", "text_empty"),
        ("ㅋㅋㅋㅋㅋㅋ", "text_meaningless"),
        ("👍👍👍😀", "text_meaningless"),
        ("<script></script>", "text_meaningless"),
        ("가" * 3001, "text_too_long"),
    ],
)
def test_bad_text_is_refused_and_nothing_is_stored(text, code):
    line = delivered_line()
    with pytest.raises(ValidationError) as e:
        svc.review_create(user=line.order.user, order_line_id=line.pk, stars=5, text=text)
    assert e.value.code == code
    assert Review.objects.count() == 0
    assert not ProductReviewStats.objects.exists()


def test_html_is_kept_as_text_for_escaping():
    line = delivered_line()
    r = svc.review_create(
        user=line.order.user, order_line_id=line.pk, stars=5, text="좋아요 <script>alert('x')</script> 최고"
    )
    assert r.text_masked == "좋아요 <script>alert('x')</script> 최고"


def test_never_bought_other_users_line_and_undelivered_are_refused():
    line = delivered_line()
    stranger = make_user()
    with pytest.raises(NotFound) as e:
        svc.review_create(user=stranger, order_line_id=line.pk, stars=5, text="좋은 상품이에요 추천합니다")
    assert e.value.code == "not_purchased"
    assert "구매하신 상품에만 리뷰를 쓸 수 있습니다" in e.value.message
    with pytest.raises(NotFound):
        svc.review_create(user=stranger, order_line_id="abc", stars=5, text="좋은 상품이에요")
    from kkot.orders.tests.factories import place

    v = line.product.variants.get(label="블랙 / M")
    order = place(stranger, [(v.pk, 1)]).orders.get()  # paid, not delivered
    with pytest.raises(Conflict) as e:
        svc.review_create(user=stranger, order_line_id=order.lines.get().pk, stars=5, text="좋은 상품이에요")
    assert e.value.code == "not_delivered"
    assert Review.objects.count() == 0


def test_one_review_per_line_stars_range_and_photo_limit():
    line = delivered_line()
    u = line.order.user
    with pytest.raises(ValidationError):
        svc.review_create(user=u, order_line_id=line.pk, stars=6, text="좋아요 좋아요")
    with pytest.raises(ValidationError) as e:
        svc.review_create(
            user=u, order_line_id=line.pk, stars=5, text="좋아요 좋아요", photos=[upload(image_bytes())] * 11
        )
    assert e.value.code == "too_many_photos"
    with pytest.raises(ValidationError) as e:
        svc.review_create(
            user=u,
            order_line_id=line.pk,
            stars=5,
            text="좋아요 좋아요",
            photos=[upload(image_bytes()), upload(b"not an image", "x.jpg")],
        )
    assert e.value.code == "image_invalid"
    assert Review.objects.count() == 0 and ReviewPhoto.objects.count() == 0
    svc.review_create(user=u, order_line_id=line.pk, stars=5, text="좋아요 좋아요")
    with pytest.raises(Conflict) as e:
        svc.review_create(user=u, order_line_id=line.pk, stars=4, text="또 써요 또 써요")
    assert e.value.code == "review_exists"
    assert _stats(line.product_id) == (1, 5, [0, 0, 0, 0, 1], 0)


def test_edit_within_30_days_moves_the_histogram(django_capture_on_commit_callbacks):
    line = delivered_line()
    u = line.order.user
    r = svc.review_create(user=u, order_line_id=line.pk, stars=5, text="배송 빠르고 좋아요")
    svc.review_update(user=u, review_id=r.pk, stars=1, text="한 번 빨았더니 보풀이 심해요")
    assert _stats(line.product_id) == (1, 1, [1, 0, 0, 0, 0], 0)
    assert Product.objects.get(pk=line.product_id).rating_sum == 1
    with pytest.raises(Conflict) as e:
        svc.review_update(
            user=u, review_id=r.pk, stars=3, text="다시 수정", at=timezone.now() + timedelta(days=31)
        )
    assert e.value.code == "edit_window_closed"
    with pytest.raises(NotFound):
        svc.review_update(user=make_user(), review_id=r.pk, stars=3, text="남의 리뷰 수정")
    assert Review.objects.get(pk=r.pk).stars == 1
    products_recompute_stats(product_ids=[line.product_id])
    assert _stats(line.product_id) == (1, 1, [1, 0, 0, 0, 0], 0)


def test_month_follow_up_only_after_30_days_and_after_the_review():
    line = delivered_line(at=timezone.now() - timedelta(days=10))
    u = line.order.user
    with pytest.raises(Conflict) as e:
        svc.review_create(user=u, order_line_id=line.pk, stars=5, text="한달 써보니 좋아요", kind="month")
    assert e.value.code == "follow_up_too_early"
    later = timezone.now() + timedelta(days=21)
    with pytest.raises(Conflict) as e:
        svc.review_create(
            user=u, order_line_id=line.pk, stars=5, text="한달 써보니 좋아요", kind="month", at=later
        )
    assert e.value.code == "follow_up_needs_review"
    svc.review_create(user=u, order_line_id=line.pk, stars=4, text="처음엔 좋았어요")
    m = svc.review_create(
        user=u, order_line_id=line.pk, stars=5, text="한달 써보니 더 좋아요", kind="month", at=later
    )
    assert m.kind == "month"
    assert _stats(line.product_id)[0] == 2


def test_photos_add_and_delete_keep_photo_review_count():
    line = delivered_line()
    u = line.order.user
    r = svc.review_create(user=u, order_line_id=line.pk, stars=5, text="사진 추가할게요 예뻐요")
    p1 = svc.review_photo_add(user=u, review_id=r.pk, upload=upload(image_bytes()))
    svc.review_photo_add(user=u, review_id=r.pk, upload=upload(image_bytes(color=(0, 0, 0))))
    assert Review.objects.get(pk=r.pk).photo_count == 2
    assert _stats(line.product_id)[3] == 1
    svc.review_photo_delete(user=u, review_id=r.pk, photo_id=p1.pk)
    assert Review.objects.get(pk=r.pk).photo_count == 1
    assert _stats(line.product_id)[3] == 1
    with pytest.raises(NotFound):
        svc.review_photo_add(user=make_user(), review_id=r.pk, upload=upload(image_bytes()))


def test_helpful_vote_toggles_once_per_user_not_own():
    line = delivered_line()
    r = svc.review_create(user=line.order.user, order_line_id=line.pk, stars=5, text="좋아요 좋아요")
    a, b = make_user(), make_user()
    assert svc.review_vote_toggle(user=a, review_id=r.pk) is True
    assert svc.review_vote_toggle(user=b, review_id=r.pk) is True
    assert Review.objects.get(pk=r.pk).helpful_count == 2
    assert svc.review_vote_toggle(user=a, review_id=r.pk) is False
    assert Review.objects.get(pk=r.pk).helpful_count == 1
    with pytest.raises(Conflict):
        svc.review_vote_toggle(user=line.order.user, review_id=r.pk)


def test_seller_reply_one_per_review_editable_and_scoped_to_the_store():
    from kkot.core.testing import make_store
    from kkot.stores.models import StoreMembership

    line = delivered_line()
    r = svc.review_create(user=line.order.user, order_line_id=line.pk, stars=5, text="좋아요 좋아요")
    owner = StoreMembership.objects.get(store=r.store, role="owner").user
    svc.review_reply_save(store=r.store, actor=owner, review_id=r.pk, text="감사합니다")
    svc.review_reply_save(store=r.store, actor=owner, review_id=r.pk, text="감사합니다!")
    assert r.__class__.objects.get(pk=r.pk).reply.text == "감사합니다!"
    other = make_store()
    other_owner = StoreMembership.objects.get(store=other, role="owner").user
    with pytest.raises(NotFound):
        svc.review_reply_save(store=other, actor=other_owner, review_id=r.pk, text="해킹")
    from kkot.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        svc.review_reply_save(store=r.store, actor=other_owner, review_id=r.pk, text="해킹")
    assert r.__class__.objects.get(pk=r.pk).reply.text == "감사합니다!"


def test_questions_secret_and_answers():
    from kkot.core.testing import make_store
    from kkot.reviews.selectors import product_questions
    from kkot.stores.models import StoreMembership

    line = delivered_line()
    asker, other = make_user(), make_user()
    q = svc.question_create(
        user=asker, product_id=line.product_id, text="배송 언제 되나요? 병신", is_secret=True
    )
    assert q.text_masked == "배송 언제 되나요? **"
    owner = StoreMembership.objects.get(store=q.store, role="owner").user
    svc.question_answer(store=q.store, actor=owner, question_id=q.pk, text="내일 출고됩니다.")
    other_store = make_store()
    other_owner = StoreMembership.objects.get(store=other_store, role="owner").user
    with pytest.raises(NotFound):
        svc.question_answer(store=other_store, actor=other_owner, question_id=q.pk, text="x")
    assert [x.visible for x in product_questions(product_id=line.product_id, viewer=asker)] == [True]
    assert [x.visible for x in product_questions(product_id=line.product_id, viewer=other)] == [False]
    assert [x.visible for x in product_questions(product_id=line.product_id, viewer=None)] == [False]
    with pytest.raises(ValidationError):
        svc.question_create(user=asker, product_id=line.product_id, text="ㅋㅋㅋ")
    with pytest.raises(Conflict):
        svc.question_delete(user=asker, question_id=q.pk)
    assert ProductQuestion.objects.get(pk=q.pk).answer == "내일 출고됩니다."


def test_hiding_a_review_recomputes_the_stats():
    line = delivered_line()
    r = svc.review_create(user=line.order.user, order_line_id=line.pk, stars=1, text="욕설 가득한 리뷰 내용")
    assert svc.reviews_set_hidden(review_ids=[r.pk], hidden=True) == 1
    assert not ProductReviewStats.objects.filter(pk=line.product_id).exists()
    assert Product.objects.get(pk=line.product_id).review_count == 0
    svc.review_update(user=line.order.user, review_id=r.pk, stars=5, text="수정했어요 좋아요")
    assert Product.objects.get(pk=line.product_id).review_count == 0
    svc.reviews_set_hidden(review_ids=[r.pk], hidden=False)
    assert _stats(line.product_id) == (1, 5, [0, 0, 0, 0, 1], 0)
