"""Review reads for the seller center, the API and the advisor (always scoped to one store)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from kkot.core.errors import NotFound
from kkot.core.timeutil import day_bounds
from kkot.reviews.analysis import to_ml
from kkot.reviews.models import (
    ProductQuestion,
    Review,
    ReviewAnalysis,
    ReviewAspect,
)
from kkot.reviews.selectors.product import _id, masked_name

# ---------------------------------------------------------------- seller center


@dataclass
class SellerReviewFilter:
    stars: int | None = None
    aspect: str = ""
    negative_only: bool = False
    unanswered: bool = False
    product_id: int | None = None
    page: int = 1

    @classmethod
    def from_query(cls, q) -> SellerReviewFilter:
        def num(k, lo, hi):
            try:
                n = int(q.get(k) or 0)
            except ValueError:
                return None
            return n if lo <= n <= hi else None

        return cls(
            stars=num("stars", 1, 5),
            aspect=(q.get("aspect") or "")[:20],
            negative_only=q.get("negative") == "1",
            unanswered=q.get("unanswered") == "1",
            product_id=num("product", 1, 2**63 - 1),
            page=num("page", 1, 10_000) or 1,
        )


def store_reviews(*, store_id: int, f: SellerReviewFilter, per_page: int = 20):
    qs = (
        Review.objects.filter(store_id=store_id)
        .select_related("user", "product", "reply", "analysis")
        .prefetch_related("photos")
    )
    if f.stars:
        qs = qs.filter(stars=f.stars)
    if f.aspect:
        qs = qs.filter(Exists(ReviewAspect.objects.filter(review=OuterRef("pk"), aspect=f.aspect)))
    if f.negative_only:
        qs = qs.filter(Q(sentiment="negative") | Q(stars__lte=2))
    if f.unanswered:
        qs = qs.filter(reply__isnull=True)
    if f.product_id:
        qs = qs.filter(product_id=f.product_id)
    page = Paginator(qs.order_by("-created_at", "-id"), per_page).get_page(f.page)
    for r in page.object_list:
        r.author_name = masked_name(r.user)
    return page


def store_aspect_names(*, store_id: int) -> list[str]:
    return [
        a
        for a, _n in Counter(
            ReviewAspect.objects.filter(store_id=store_id).values_list("aspect", flat=True)[:20000]
        ).most_common()
    ]


def review_for_store(*, store_id: int, review_id) -> Review:
    r = (
        Review.objects.select_related("user", "product", "reply", "analysis")
        .prefetch_related("photos")
        .filter(pk=_id(review_id), store_id=store_id)
        .first()
    )
    if r is None:
        raise NotFound(_("리뷰를 찾을 수 없습니다."))
    r.author_name = masked_name(r.user)
    return r


def reply_suggestion(review: Review) -> str:
    """The ml core's draft reply for a review (the seller edits it before sending)."""
    from kkot.ml.reviews import suggest_reply

    try:
        analysis = review.analysis
    except ReviewAnalysis.DoesNotExist:
        analysis = None
    if analysis is None:
        from kkot.reviews.analysis import base_analyzer

        ml = base_analyzer().analyze_one(review.text)
    else:
        ml = to_ml(analysis)
    return suggest_reply(ml)


def store_questions(*, store_id: int, unanswered: bool = False, page: int = 1, per_page: int = 20):
    qs = ProductQuestion.objects.filter(store_id=store_id).select_related("user", "product")
    if unanswered:
        qs = qs.filter(answered_at__isnull=True)
    p = Paginator(qs.order_by("-created_at", "-id"), per_page).get_page(page)
    for q in p.object_list:
        q.author_name = masked_name(q.user)
    return p


def question_for_store(*, store_id: int, question_id) -> ProductQuestion:
    q = (
        ProductQuestion.objects.select_related("product")
        .filter(pk=_id(question_id), store_id=store_id)
        .first()
    )
    if q is None:
        raise NotFound(_("문의를 찾을 수 없습니다."))
    return q


def store_review_counts(*, store_id: int) -> dict[str, int]:
    from django.db.models import Count

    return Review.objects.filter(store_id=store_id).aggregate(
        total=Count("id"),
        unanswered=Count("id", filter=Q(reply__isnull=True)),
        negative=Count("id", filter=Q(sentiment="negative") | Q(stars__lte=2)),
    )


# ---------------------------------------------------------------- trends (advisor insights feed)


def aspect_complaint_trends(
    *, store_id: int, today: dt.date, recent_days: int = 14, baseline_days: int = 56
) -> list[dict]:
    """Aspects whose negative mentions in the last ``recent_days`` days (up to and including ``today``, Seoul)
    compare with the ``baseline_days`` days before.

    Each dict: ``aspect`` (Korean name), ``recent_negative`` (reviews with a negative mention of it in the recent
    window), ``baseline_negative`` (the same count in the baseline window scaled to the recent window's length),
    ``ratio`` (recent / scaled baseline, a baseline of 0 counted as half a review so it stays finite),
    ``product_ids`` (up to 5, most recent complaints first), ``review_ids`` (evidence, newest first, up to 20),
    plus ``recent_reviews`` and ``baseline_reviews`` (all reviews of the store in each window, the baseline scaled).
    Sorted by ratio, then recent count; only aspects with at least one recent negative mention.
    """
    recent_start = day_bounds(today - dt.timedelta(days=recent_days - 1))[0]
    end = day_bounds(today)[1]
    base_start = recent_start - dt.timedelta(days=baseline_days)
    rows = (
        ReviewAspect.objects.filter(
            store_id=store_id,
            polarity="negative",
            created_at__gte=base_start,
            created_at__lt=end,
            review__is_hidden=False,
        )
        .values_list("aspect", "review_id", "product_id", "created_at")
        .order_by("-created_at", "-review_id")
    )
    recent: dict[str, list[tuple[int, int]]] = defaultdict(list)
    base: dict[str, set[int]] = defaultdict(set)
    for aspect, rid, pid, at in rows:
        if at >= recent_start:
            if all(r != rid for r, _p in recent[aspect]):
                recent[aspect].append((rid, pid))
        else:
            base[aspect].add(rid)
    scale = recent_days / baseline_days
    counts = Review.objects.filter(
        store_id=store_id, is_hidden=False, created_at__gte=base_start, created_at__lt=end
    )
    n_recent = counts.filter(created_at__gte=recent_start).count()
    n_base = counts.filter(created_at__lt=recent_start).count()
    out = []
    for aspect, items in recent.items():
        scaled = round(len(base.get(aspect, ())) * scale, 2)
        ratio = round(len(items) / (scaled if scaled > 0 else 0.5 * scale), 2)
        pc = Counter(p for _r, p in items)
        order = list(dict.fromkeys(p for _r, p in items))
        products = sorted(order, key=lambda p: (-pc[p], order.index(p)))[:5]
        out.append(
            {
                "aspect": aspect,
                "recent_negative": len(items),
                "baseline_negative": scaled,
                "ratio": ratio,
                "product_ids": products,
                "review_ids": [r for r, _p in items[:20]],
                "recent_reviews": n_recent,
                "baseline_reviews": round(n_base * scale, 2),
            }
        )
    out.sort(key=lambda d: (-d["ratio"], -d["recent_negative"], d["aspect"]))
    return out
