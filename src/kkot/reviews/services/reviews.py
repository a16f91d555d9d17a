"""Review writes: reviews and 한달사용리뷰, photos, 도움돼요 votes, seller replies, moderation."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.core.uploads import clean_image
from kkot.orders.models import OrderLine
from kkot.reviews.models import (
    EDIT_DAYS,
    FOLLOW_UP_DAYS,
    MAX_PHOTOS,
    MAX_TEXT_CHARS,
    Review,
    ReviewKind,
    ReviewPhoto,
    ReviewReply,
    ReviewVote,
)
from kkot.reviews.services.common import (
    MAX_REPLY_CHARS,
    REVIEWABLE_STATUSES,
    BodyInfo,
    _body,
    _id,
    _schedule_analysis,
    _stars,
    _stats_bump,
    clean_user_text,
)
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

# ---------------------------------------------------------------- reviews


def reviewable_line_get(
    *, user: User, order_line_id, kind: str = ReviewKind.PURCHASE, at: datetime | None = None
) -> OrderLine:
    """The shopper's order line a review may be written for, or a Korean error."""
    line = (
        OrderLine.objects.select_related("order", "product", "variant")
        .filter(pk=_id(order_line_id), order__user=user)
        .first()
    )
    if line is None:
        raise NotFound(
            _("구매하신 상품에만 리뷰를 쓸 수 있습니다. 주문 내역에서 리뷰를 작성해 주세요."),
            code="not_purchased",
        )
    order = line.order
    if order.status not in REVIEWABLE_STATUSES or line.active_qty <= 0:
        raise Conflict(_("배송이 완료된 상품에만 리뷰를 쓸 수 있습니다."), code="not_delivered")
    if kind == ReviewKind.MONTH:
        at = at or timezone.now()
        delivered = order.delivered_at or order.confirmed_at
        if delivered is None or at < delivered + timedelta(days=FOLLOW_UP_DAYS):
            raise Conflict(
                _("한달사용리뷰는 배송 완료 %(n)d일 후부터 쓸 수 있습니다.") % {"n": FOLLOW_UP_DAYS},
                code="follow_up_too_early",
            )
        if not Review.objects.filter(order_line=line, kind=ReviewKind.PURCHASE).exists():
            raise Conflict(
                _("한달사용리뷰는 구매 리뷰를 먼저 쓴 뒤에 남길 수 있습니다."), code="follow_up_needs_review"
            )
    elif kind != ReviewKind.PURCHASE:
        raise ValidationError(_("리뷰 종류가 올바르지 않습니다."), code="kind_invalid")
    return line


@transaction.atomic
def review_create(
    *,
    user: User,
    order_line_id,
    stars,
    text: str,
    kind: str = ReviewKind.PURCHASE,
    body: BodyInfo | None = None,
    photos=(),
    at: datetime | None = None,
) -> Review:
    """Write a review of a delivered/confirmed order line of ``user``; photos are validated first."""
    line = reviewable_line_get(user=user, order_line_id=order_line_id, kind=kind, at=at)
    s = _stars(stars)
    raw, masked, found = clean_user_text(text, max_chars=MAX_TEXT_CHARS, what=_("리뷰"))
    fields = _body(body)
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("사진은 최대 %(n)d장까지 올릴 수 있습니다.") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    images = [clean_image(p) for p in photos]  # every photo validated before anything is stored
    if Review.objects.filter(order_line=line, kind=kind).exists():
        raise Conflict(
            _("이 주문 상품의 리뷰는 이미 작성하셨습니다. 작성한 리뷰를 수정해 주세요."), code="review_exists"
        )
    review = Review(
        store_id=line.order.store_id,
        product_id=line.product_id,
        order_line=line,
        user=user,
        kind=kind,
        variant_id=line.variant_id,
        option_label=line.variant_label,
        stars=s,
        text=raw,
        text_masked=masked,
        has_profanity=found,
        created_at=at or timezone.now(),
        **fields,
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise Conflict(
            _("이 주문 상품의 리뷰는 이미 작성하셨습니다. 작성한 리뷰를 수정해 주세요."), code="review_exists"
        ) from None
    for img in images:
        review_photo_store(review=review, img=img)
    _stats_bump(
        product_id=review.product_id,
        store_id=review.store_id,
        count=1,
        rating=s,
        stars={s: 1},
        photos=1 if images else 0,
    )
    _schedule_analysis(review.pk)
    return review


def review_for_author(*, user: User, review_id) -> Review:
    review = Review.objects.select_related("product", "store").filter(pk=_id(review_id), user=user).first()
    if review is None:
        raise NotFound(_("리뷰를 찾을 수 없습니다."))
    return review


@transaction.atomic
def review_update(
    *, user: User, review_id, stars, text: str, body: BodyInfo | None = None, at: datetime | None = None
) -> Review:
    """Edit one's own review within :data:`EDIT_DAYS` days of writing it."""
    review = review_for_author(user=user, review_id=review_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    at = at or timezone.now()
    if at > review.created_at + timedelta(days=EDIT_DAYS):
        raise Conflict(
            _("리뷰는 작성 후 %(n)d일 동안만 수정할 수 있습니다.") % {"n": EDIT_DAYS},
            code="edit_window_closed",
        )
    s = _stars(stars)
    raw, masked, found = clean_user_text(text, max_chars=MAX_TEXT_CHARS, what=_("리뷰"))
    fields = _body(body) if body is not None else {}
    old = review.stars
    text_changed = raw != review.text
    review.stars, review.text, review.text_masked, review.has_profanity = s, raw, masked, found
    review.edited_at = at
    for k, v in fields.items():
        setattr(review, k, v)
    review.save()
    if s != old and not review.is_hidden:
        _stats_bump(
            product_id=review.product_id, store_id=review.store_id, rating=s - old, stars={old: -1, s: 1}
        )
    if text_changed:
        _schedule_analysis(review.pk)
    return review


def review_photo_store(*, review: Review, img) -> ReviewPhoto:
    """Store an already-validated image (:func:`kkot.core.uploads.clean_image`) with its thumbnail."""
    pos = ReviewPhoto.objects.filter(review=review).aggregate(m=Max("position"))["m"]
    photo = ReviewPhoto(
        review=review,
        width=img.width,
        height=img.height,
        sha256=img.sha256,
        position=0 if pos is None else pos + 1,
    )
    name = f"{review.store_id}-{review.pk}-{img.sha256[:16]}.{img.ext}"
    photo.image.save(name, ContentFile(img.content), save=False)
    photo.thumbnail.save(name, ContentFile(img.thumbnail), save=False)
    photo.save()
    Review.objects.filter(pk=review.pk).update(photo_count=F("photo_count") + 1)
    return photo


@transaction.atomic
def review_photo_add(*, user: User, review_id, upload, at: datetime | None = None) -> ReviewPhoto:
    review = review_for_author(user=user, review_id=review_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if (at or timezone.now()) > review.created_at + timedelta(days=EDIT_DAYS):
        raise Conflict(
            _("리뷰는 작성 후 %(n)d일 동안만 수정할 수 있습니다.") % {"n": EDIT_DAYS},
            code="edit_window_closed",
        )
    if review.photo_count >= MAX_PHOTOS:
        raise ValidationError(
            _("사진은 최대 %(n)d장까지 올릴 수 있습니다.") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    img = clean_image(upload)
    first = review.photo_count == 0
    photo = review_photo_store(review=review, img=img)
    if first:
        _stats_bump(product_id=review.product_id, store_id=review.store_id, photos=1)
    return photo


@transaction.atomic
def review_photo_delete(*, user: User, review_id, photo_id) -> None:
    review = review_for_author(user=user, review_id=review_id)
    photo = ReviewPhoto.objects.filter(review=review, pk=_id(photo_id)).first()
    if photo is None:
        raise NotFound(_("사진을 찾을 수 없습니다."))
    photo.delete()
    Review.objects.filter(pk=review.pk).update(photo_count=F("photo_count") - 1)
    if review.photo_count == 1:
        _stats_bump(product_id=review.product_id, store_id=review.store_id, photos=-1)


@transaction.atomic
def review_vote_toggle(*, user: User, review_id) -> bool:
    """도움돼요 on (True) or off again (False); one vote per user, never on one's own review."""
    review = Review.objects.filter(pk=_id(review_id), is_hidden=False).first()
    if review is None:
        raise NotFound(_("리뷰를 찾을 수 없습니다."))
    if review.user_id == user.pk:
        raise Conflict(_("내가 쓴 리뷰에는 도움돼요를 누를 수 없습니다."), code="own_review")
    deleted, _d = ReviewVote.objects.filter(review=review, user=user).delete()
    if deleted:
        Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") - 1)
        return False
    try:
        with transaction.atomic():
            ReviewVote.objects.create(review=review, user=user)
    except IntegrityError:  # a concurrent click of the same user
        return True
    Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    return True


@transaction.atomic
def review_reply_save(*, store: Store, actor: User, review_id, text: str) -> ReviewReply:
    """The store's reply to one of its reviews (created or edited). Another store's review is 404."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    review = Review.objects.filter(pk=_id(review_id), store=store).first()
    if review is None:
        raise NotFound(_("리뷰를 찾을 수 없습니다."))
    raw = str(text or "").replace("\x00", "").strip()
    if not raw:
        raise ValidationError(_("답글 내용을 입력해 주세요."), code="text_empty")
    if len(raw) > MAX_REPLY_CHARS:
        raise ValidationError(
            _("답글은 %(n)s자까지 쓸 수 있습니다.") % {"n": f"{MAX_REPLY_CHARS:,}"}, code="text_too_long"
        )
    now = timezone.now()
    reply, created = ReviewReply.objects.get_or_create(
        review=review, defaults={"author": actor, "text": raw, "created_at": now, "updated_at": now}
    )
    if not created:
        reply.text, reply.author, reply.updated_at = raw, actor, now
        reply.save(update_fields=["text", "author", "updated_at"])
    return reply


@transaction.atomic
def reviews_set_hidden(*, review_ids, hidden: bool) -> int:
    """Moderation: hide (or show again) reviews; the products' stats are recomputed from the rows."""
    from kkot.reviews.analysis import products_recompute_stats

    ids = [_id(i) for i in review_ids]
    n = Review.objects.filter(pk__in=ids).exclude(is_hidden=hidden).update(is_hidden=hidden)
    products_recompute_stats(
        product_ids=set(Review.objects.filter(pk__in=ids).values_list("product_id", flat=True))
    )
    return n
