"""Demo reviews, photo reviews, seller replies and product Q&A, consistent with the demo orders.

Only delivered or purchase-confirmed lines get a review (15-30% of them depending on the store), dated after the
delivery; the text comes from :mod:`kkot.demo.review_phrases` with stars drawn first and the sentiment following
them. Planted patterns: one product of the demo seller's store runs small (most of its reviews say so), and
delivery complaints follow the real delivery times, so the store whose delivery got slow last month
(``kkot.demo.orders.SLOW_STORE``) shows rising 배송 complaints. Reviews are analysed in bulk with the ML
core's batch API; replies are the ML reply suggestions, as a seller who accepts them would post.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from tqdm import tqdm

from kkot.catalog.models import ProductImage, Variant
from kkot.demo import review_phrases as rp
from kkot.demo.orders import SLOW_STORE
from kkot.orders.models import OrderLine, OrderStatus
from kkot.reviews.analysis import products_recompute_stats, reviews_analyze, to_ml
from kkot.reviews.categories import category_group
from kkot.reviews.models import ProductQuestion, Review, ReviewAnalysis, ReviewPhoto, ReviewReply
from kkot.reviews.profanity import mask_profanity
from kkot.stores.models import Store, StoreMembership

SIZES = ["S", "M", "L", "XL"]


def _small_size_product(store_id: int | None, line_counts: dict[int, int]) -> int | None:
    """The demo seller's most ordered product with a 사이즈 option: the one that runs small."""
    if store_id is None:
        return None
    sized = {
        pid
        for pid, values in Variant.all_objects.filter(product__store_id=store_id).values_list(
            "product_id", "option_values"
        )
        if "사이즈" in (values or {})
    }
    return min(sized, key=lambda pid: (-line_counts.get(pid, 0), pid)) if sized else None


def build_reviews(
    rnd: random.Random,
    *,
    end: datetime,
    shoppers: list[tuple[int, str, int]] | None = None,
    quiet: bool = False,
) -> dict:
    lines = list(
        OrderLine.objects.filter(order__status__in=[OrderStatus.DELIVERED, OrderStatus.CONFIRMED])
        .order_by("id")
        .values_list(
            "id",
            "product_id",
            "variant_id",
            "variant_label",
            "quantity",
            "cancelled_qty",
            "returned_qty",
            "order__user_id",
            "order__store_id",
            "order__paid_at",
            "order__delivered_at",
            "product__category_id",
        )
    )
    stores = {s.pk: s.slug for s in Store.objects.all()}
    slow_store = next((pk for pk, slug in stores.items() if slug == SLOW_STORE), None)
    line_counts: dict[int, int] = defaultdict(int)
    for row in lines:
        line_counts[row[1]] += 1
    small_pid = _small_size_product(slow_store, line_counts)
    rate = {sid: rnd.uniform(0.15, 0.30) for sid in sorted(stores)}
    transit: dict[int, list[float]] = defaultdict(list)
    for row in lines:
        if row[9] and row[10]:
            transit[row[8]].append((row[10] - row[9]).total_seconds() / 86400)
    median = {sid: statistics.median(v) for sid, v in transit.items()}
    reviews: list[Review] = []
    for lid, pid, vid, label, qty, cq, rq, uid, sid, paid, delivered, cat_id in lines:
        if qty - cq - rq <= 0 or delivered is None or delivered > end - timedelta(hours=12):
            continue
        if rnd.random() >= rate[sid]:
            continue
        group = category_group(cat_id)
        days = (delivered - paid).total_seconds() / 86400 if paid else 2.0
        slow = days >= median.get(sid, 2.0) + 1.5
        fast = days <= 2.0
        small = pid == small_pid
        stars = rp.stars_for(rnd, slow=slow, runs_small=small)
        draft = rp.compose(
            rnd,
            group=group,
            stars=stars,
            slow=slow,
            fast=fast,
            runs_small=small,
            large=group == "fashion" and rnd.random() < 0.08,
        )
        created = min(delivered + timedelta(hours=rnd.uniform(10, 240)), end - timedelta(minutes=5))
        text = draft.text
        if rnd.random() < 0.004:
            text += " 존나 " + ("좋네요" if stars >= 4 else "별로네요")
        masked = mask_profanity(text)
        body = {}
        if group == "fashion" and rnd.random() < 0.4:
            body = {
                "body_height": rnd.randint(150, 186),
                "body_weight": rnd.randint(44, 88),
                "body_usual_size": rnd.choice(SIZES),
            }
        reviews.append(
            Review(
                store_id=sid,
                product_id=pid,
                order_line_id=lid,
                user_id=uid,
                variant_id=vid,
                option_label=label,
                stars=stars,
                text=text,
                text_masked=masked.text,
                has_profanity=masked.found,
                created_at=created,
                **body,
            )
        )
        if delivered + timedelta(days=31) < end and rnd.random() < 0.06:
            later = min(delivered + timedelta(days=rnd.uniform(30, 45)), end - timedelta(minutes=1))
            s2 = max(1, min(5, stars + rnd.choice([-1, 0, 0, 1])))
            d2 = rp.compose(rnd, group=group, stars=s2, runs_small=small)
            t2 = "한 달 써보니 " + d2.text
            reviews.append(
                Review(
                    store_id=sid,
                    product_id=pid,
                    order_line_id=lid,
                    user_id=uid,
                    variant_id=vid,
                    option_label=label,
                    stars=s2,
                    kind="month",
                    text=t2,
                    text_masked=mask_profanity(t2).text,
                    created_at=later,
                )
            )
    images = {}
    for pid, name, thumb, w, h, sha in ProductImage.objects.filter(position=0).values_list(
        "product_id", "image", "thumbnail", "width", "height", "sha256"
    ):
        images.setdefault(pid, (name, thumb, w, h, sha))
    with_photo = [r for r in reviews if r.product_id in images and rnd.random() < 0.15]
    for r in with_photo:
        r.photo_count = 1
    with transaction.atomic():
        Review.objects.bulk_create(reviews, batch_size=2000)
        ReviewPhoto.objects.bulk_create(
            [
                ReviewPhoto(
                    review_id=r.pk,
                    image=images[r.product_id][0],
                    thumbnail=images[r.product_id][1],
                    width=images[r.product_id][2],
                    height=images[r.product_id][3],
                    sha256=images[r.product_id][4],
                    created_at=r.created_at,
                )
                for r in with_photo
            ],
            batch_size=2000,
        )
    ids = [r.pk for r in reviews]
    with tqdm(total=len(ids), desc="리뷰 분석", unit="개", disable=quiet) as bar:
        reviews_analyze(review_ids=ids, progress=bar, refresh=False)
    products_recompute_stats()
    replies = _replies(rnd, reviews, end=end)
    questions = _questions(rnd, reviews, shoppers or [], end=end)
    return {
        "reviews": len(reviews),
        "follow_ups": sum(r.kind == "month" for r in reviews),
        "photo_reviews": len(with_photo),
        "replies": replies,
        "questions": questions,
        "small_size_product": small_pid,
        "delivery_complaints_store": SLOW_STORE,
    }


def _owners() -> dict[int, int]:
    return dict(StoreMembership.objects.filter(role="owner").values_list("store_id", "user_id"))


def _replies(rnd: random.Random, reviews: list[Review], *, end: datetime) -> int:
    """Seller replies on part of the reviews (more on the negative ones): the ML draft, as posted."""
    from kkot.ml.reviews import suggest_reply

    owners = _owners()
    analyses = {a.review_id: a for a in ReviewAnalysis.objects.filter(review_id__in=[r.pk for r in reviews])}
    out = []
    for r in reviews:
        a = analyses.get(r.pk)
        if a is None or rnd.random() >= (0.6 if r.stars <= 2 else 0.35):
            continue
        at = min(r.created_at + timedelta(hours=rnd.uniform(2, 72)), end - timedelta(minutes=1))
        out.append(
            ReviewReply(
                review_id=r.pk,
                author_id=owners.get(r.store_id),
                text=suggest_reply(to_ml(a)),
                created_at=at,
                updated_at=at,
            )
        )
    ReviewReply.objects.bulk_create(out, batch_size=2000)
    return len(out)


def _questions(
    rnd: random.Random, reviews: list[Review], shoppers: list[tuple[int, str, int]], *, end: datetime
) -> int:
    """Some product questions (a third of them secret), most answered by the store."""
    owners = _owners()
    askers = [uid for uid, _g, _y in shoppers] or sorted({r.user_id for r in reviews})
    products = sorted({(r.product_id, r.store_id, r.option_label) for r in reviews if r.kind == "purchase"})
    if not askers or not products:
        return 0
    from kkot.catalog.models import Product

    cats = dict(Product.objects.filter(pk__in={p for p, _s, _o in products}).values_list("pk", "category_id"))
    out = []
    for pid, sid, opt in products:
        if rnd.random() >= 0.2:
            continue
        group = category_group(cats.get(pid))
        asked = end - timedelta(days=rnd.uniform(0.2, 40))
        text = rnd.choice(rp.QUESTIONS.get(group, rp.QUESTIONS["default"])).format(opt=opt or "이 옵션")
        q = ProductQuestion(
            store_id=sid,
            product_id=pid,
            user_id=rnd.choice(askers),
            text=text,
            text_masked=text,
            is_secret=rnd.random() < 0.33,
            created_at=asked,
        )
        if rnd.random() < 0.75:
            q.answer = rnd.choice(rp.ANSWERS).format(
                a=rnd.choice(rp.ANSWER_BODY.get(group, rp.ANSWER_BODY["default"]))
            )
            q.answered_by_id = owners.get(sid)
            q.answered_at = min(asked + timedelta(hours=rnd.uniform(1, 30)), end)
        out.append(q)
    ProductQuestion.objects.bulk_create(out, batch_size=2000)
    return len(out)
