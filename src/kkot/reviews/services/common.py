"""Shared parts of the review services: text validation and masking, body info, F() stats, scheduling."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.catalog.models import Product
from kkot.core.errors import NotFound, ValidationError
from kkot.ml.text import clean_text, has_meaningful_text
from kkot.orders.models import OrderStatus
from kkot.reviews.models import (
    ProductReviewStats,
)
from kkot.reviews.profanity import mask_profanity

REVIEWABLE_STATUSES = (OrderStatus.DELIVERED, OrderStatus.CONFIRMED)
MAX_REPLY_CHARS = 1000
MAX_QUESTION_CHARS = 1000
MAX_ANSWER_CHARS = 2000


@dataclass(frozen=True)
class BodyInfo:
    """Optional body information for fashion reviews (키, 몸무게, 평소 사이즈)."""

    height: int | str | None = None
    weight: int | str | None = None
    usual_size: str = ""


def _id(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise NotFound(_("대상을 찾을 수 없습니다.")) from None
    if n <= 0 or n >= 2**63:
        raise NotFound(_("대상을 찾을 수 없습니다."))
    return n


def clean_user_text(text, *, max_chars: int, what: str) -> tuple[str, str, bool]:
    """``(text, masked, has_profanity)`` of a shopper's text, or a Korean ``ValidationError``.

    HTML is kept as typed (for moderation) and always escaped when shown; NUL characters are dropped."""
    raw = str(text or "").replace("\x00", "").strip()
    if not raw:
        raise ValidationError(_("%(what)s 내용을 입력해 주세요.") % {"what": what}, code="text_empty")
    if len(raw) > max_chars:
        raise ValidationError(
            _("글자 수가 너무 많습니다. 최대 %(max)s자까지 쓸 수 있습니다(지금 %(n)s자).")
            % {"max": f"{max_chars:,}", "n": f"{len(raw):,}"},
            code="text_too_long",
        )
    if not has_meaningful_text(clean_text(raw, max_chars=None)):
        raise ValidationError(
            _("자음·모음이나 이모지만으로는 등록할 수 없습니다. %(what)s 내용을 글로 적어 주세요.")
            % {"what": what},
            code="text_meaningless",
        )
    m = mask_profanity(raw)
    return raw, m.text, m.found


def _stars(value) -> int:
    try:
        s = int(value)
    except (TypeError, ValueError):
        s = 0
    if not 1 <= s <= 5:
        raise ValidationError(_("별점은 1점에서 5점 사이로 골라 주세요."), code="stars_invalid")
    return s


def _body(body: BodyInfo | None) -> dict:
    if body is None:
        return {"body_height": None, "body_weight": None, "body_usual_size": ""}

    def num(v, lo, hi, label):
        if v in (None, ""):
            return None
        try:
            n = int(str(v).strip())
        except ValueError:
            raise ValidationError(
                _("%(f)s은(는) 숫자로 입력해 주세요.") % {"f": label}, code="body_invalid"
            ) from None
        if not lo <= n <= hi:
            raise ValidationError(
                _("%(f)s은(는) %(lo)d~%(hi)d 사이로 입력해 주세요.") % {"f": label, "lo": lo, "hi": hi},
                code="body_invalid",
            )
        return n

    size = (body.usual_size or "").strip()[:10]
    return {
        "body_height": num(body.height, 100, 230, _("키")),
        "body_weight": num(body.weight, 20, 200, _("몸무게")),
        "body_usual_size": size,
    }


# ---------------------------------------------------------------- stats (F() counters)


def _stats_bump(
    *,
    product_id: int,
    store_id: int,
    count: int = 0,
    rating: int = 0,
    stars: dict[int, int] | None = None,
    photos: int = 0,
) -> None:
    ProductReviewStats.objects.get_or_create(product_id=product_id, defaults={"store_id": store_id})
    upd = {"updated_at": timezone.now()}
    if count:
        upd["review_count"] = F("review_count") + count
    if rating:
        upd["rating_sum"] = F("rating_sum") + rating
    for s, d in (stars or {}).items():
        if d:
            upd[f"star_{s}"] = F(f"star_{s}") + d
    if photos:
        upd["photo_review_count"] = F("photo_review_count") + photos
    ProductReviewStats.objects.filter(pk=product_id).update(**upd)
    if count or rating:
        Product.objects.filter(pk=product_id).update(
            review_count=F("review_count") + count, rating_sum=F("rating_sum") + rating
        )


def _schedule_analysis(review_id: int) -> None:
    def run():
        from kkot.reviews.tasks import review_analyze_task

        review_analyze_task.enqueue(review_id)

    transaction.on_commit(run)
