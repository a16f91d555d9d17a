"""Review reads for the product page and the shopper's order page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kkot.core.errors import NotFound
from kkot.reviews.analysis import to_ml
from kkot.reviews.models import (
    EDIT_DAYS,
    FOLLOW_UP_DAYS,
    ProductQuestion,
    ProductReviewStats,
    Review,
    ReviewAnalysis,
    ReviewAspect,
    ReviewKind,
)

PER_PAGE = 10
SORTS = {
    "recent": (gettext_lazy("최신순"), ("-created_at", "-id")),
    "high": (gettext_lazy("평점높은순"), ("-stars", "-created_at", "-id")),
    "low": (gettext_lazy("평점낮은순"), ("stars", "-created_at", "-id")),
    "helpful": (gettext_lazy("도움돼요순"), ("-helpful_count", "-created_at", "-id")),
}
SIZE_DIRECTIONS = ("작아요", "딱 맞아요", "커요")


def _id(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise NotFound(_("대상을 찾을 수 없습니다.")) from None
    if n <= 0 or n >= 2**63:
        raise NotFound(_("대상을 찾을 수 없습니다."))
    return n


def masked_name(user) -> str:
    name = (getattr(user, "name", "") or user.email.split("@")[0]).strip() or "고객"
    return name[0] + "*" * max(2, min(len(name) - 1, 4))


# ---------------------------------------------------------------- product page


@dataclass
class ReviewFilter:
    sort: str = "recent"
    photo_first: bool = False
    option: str = ""
    aspect: str = ""
    stars: int | None = None
    page: int = 1

    @classmethod
    def from_query(cls, q) -> ReviewFilter:
        sort = q.get("sort") or "recent"
        try:
            page = max(1, min(int(q.get("page") or 1), 10_000))
        except ValueError:
            page = 1
        try:
            stars = int(q.get("stars") or 0)
        except ValueError:
            stars = 0
        return cls(
            sort=sort if sort in SORTS else "recent",
            photo_first=q.get("photo") == "1",
            option=(q.get("option") or "")[:120],
            aspect=(q.get("aspect") or "")[:20],
            stars=stars if 1 <= stars <= 5 else None,
            page=page,
        )


def _review_qs():
    return Review.objects.filter(is_hidden=False).select_related("user", "reply").prefetch_related("photos")


def _filtered(qs, f: ReviewFilter):
    if f.option:
        qs = qs.filter(option_label=f.option)
    if f.stars:
        qs = qs.filter(stars=f.stars)
    if f.aspect:
        qs = qs.filter(Exists(ReviewAspect.objects.filter(review=OuterRef("pk"), aspect=f.aspect)))
    order = list(SORTS.get(f.sort, SORTS["recent"])[1])
    if f.photo_first:
        qs = qs.annotate(
            has_photo=Case(
                When(photo_count__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        order.insert(0, "-has_photo")
    return qs.order_by(*order)


def product_reviews(*, product_id, f: ReviewFilter, per_page: int = PER_PAGE):
    """One page of a product's reviews (with photos and the store's reply), filtered and sorted."""
    page = Paginator(_filtered(_review_qs().filter(product_id=_id(product_id)), f), per_page).get_page(f.page)
    for r in page.object_list:
        r.author_name = masked_name(r.user)
    return page


def product_stats(*, product_id) -> ProductReviewStats | None:
    return ProductReviewStats.objects.filter(pk=_id(product_id)).first()


@dataclass
class Overview:
    stats: ProductReviewStats | None
    options: list[str]
    aspects: list[dict]
    size: list[dict]
    summary: dict | None
    photo_reviews: list = field(default_factory=list)


def _summary_for(analyses: list[ReviewAnalysis]) -> dict:
    from kkot.ml.reviews import summarize

    s = summarize([to_ml(a) for a in analyses])

    def point(p):
        return {
            "aspect": p.aspect,
            "positive": p.positive,
            "negative": p.negative,
            "positive_examples": p.positive_examples,
            "negative_examples": p.negative_examples,
        }

    return {
        "n": s.n_reviews,
        "positive_share": s.positive_share,
        "good": [point(p) for p in s.good_points],
        "bad": [point(p) for p in s.bad_points],
        "paragraph": s.paragraph,
        "message": s.message,
    }


def product_review_overview(*, product_id, max_reviews: int = 400) -> Overview:
    """Star distribution, aspect summary (good/bad points, size tendency shares), the extractive summary (only
    with 20 or more reviews) and the option values to filter by. Cached until the product's stats change."""
    pid = _id(product_id)
    stats = ProductReviewStats.objects.filter(pk=pid).first()
    if stats is None or not stats.review_count:
        return Overview(stats, [], [], [], None)
    key = f"kk:reviews:overview:{pid}:{stats.updated_at.timestamp()}:{stats.review_count}"
    cached = cache.get(key)
    if cached is not None:
        cached.stats = stats
        return cached
    options = sorted(
        set(
            Review.objects.filter(product_id=pid, is_hidden=False)
            .exclude(option_label="")
            .values_list("option_label", flat=True)
        )
    )[:50]
    aspects = []
    for name, c in sorted((stats.aspect_counts or {}).items(), key=lambda t: -sum(t[1].values())):
        total = sum(c.values()) or 1
        aspects.append(
            {
                "aspect": name,
                "total": sum(c.values()),
                "positive": c.get("positive", 0),
                "negative": c.get("negative", 0),
                "positive_pct": round(100 * c.get("positive", 0) / total),
                "negative_pct": round(100 * c.get("negative", 0) / total),
            }
        )
    sizes = stats.size_counts or {}
    n_size = sum(sizes.get(d, 0) for d in SIZE_DIRECTIONS)
    size = (
        [
            {"label": d, "count": sizes.get(d, 0), "pct": round(100 * sizes.get(d, 0) / n_size)}
            for d in SIZE_DIRECTIONS
        ]
        if n_size
        else []
    )
    analyses = list(
        ReviewAnalysis.objects.filter(review__product_id=pid, review__is_hidden=False).order_by(
            "-review__created_at"
        )[:max_reviews]
    )
    summary = _summary_for(analyses) if analyses else None
    photo_reviews = list(
        Review.objects.filter(product_id=pid, is_hidden=False, photo_count__gt=0)
        .prefetch_related("photos")
        .order_by("-created_at")[:8]
    )
    ov = Overview(stats, options, aspects[:8], size, summary, photo_reviews)
    cache.set(key, ov, 600)
    return ov


def product_questions(
    *, product_id, viewer=None, store_member: bool = False, page: int = 1, per_page: int = 10
):
    """A product's Q&A; a secret question's text and answer are shown only to the asker and the store."""
    qs = (
        ProductQuestion.objects.filter(product_id=_id(product_id))
        .select_related("user")
        .order_by("-created_at", "-id")
    )
    p = Paginator(qs, per_page).get_page(page)
    uid = getattr(viewer, "pk", None) if getattr(viewer, "is_authenticated", False) else None
    for q in p.object_list:
        q.visible = not q.is_secret or store_member or (uid is not None and q.user_id == uid)
        q.author_name = masked_name(q.user)
        q.mine = uid is not None and q.user_id == uid
    return p


# ---------------------------------------------------------------- shopper (order page)


def review_state_for_lines(*, user, lines, now: dt.datetime | None = None) -> dict[int, dict]:
    """Per order line id: the shopper's reviews and what they may do now (write, edit, follow-up)."""
    now = now or timezone.now()
    ids = [ln.pk for ln in lines]
    by_line: dict[int, dict[str, Review]] = defaultdict(dict)
    for r in Review.objects.filter(user=user, order_line_id__in=ids):
        by_line[r.order_line_id][r.kind] = r
    out = {}
    for ln in lines:
        mine = by_line.get(ln.pk, {})
        purchase, month = mine.get(ReviewKind.PURCHASE), mine.get(ReviewKind.MONTH)
        delivered = ln.order.delivered_at or ln.order.confirmed_at
        ok = ln.order.status in ("delivered", "confirmed") and ln.active_qty > 0
        out[ln.pk] = {
            "review": purchase,
            "follow_up": month,
            "can_write": ok and purchase is None,
            "can_edit": purchase is not None and now <= purchase.created_at + dt.timedelta(days=EDIT_DAYS),
            "can_follow_up": ok
            and purchase is not None
            and month is None
            and delivered is not None
            and now >= delivered + dt.timedelta(days=FOLLOW_UP_DAYS),
            "follow_up_from": delivered + dt.timedelta(days=FOLLOW_UP_DAYS) if delivered else None,
        }
    return out
