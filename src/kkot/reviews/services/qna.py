"""Product Q&A writes: questions (secret or not), the store's answers."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.catalog.models import Product
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.reviews.models import (
    ProductQuestion,
)
from kkot.reviews.services.common import (
    MAX_ANSWER_CHARS,
    MAX_QUESTION_CHARS,
    _id,
    clean_user_text,
)
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

# ---------------------------------------------------------------- product Q&A


@transaction.atomic
def question_create(
    *, user: User, product_id, text: str, is_secret: bool = False, at: datetime | None = None
) -> ProductQuestion:
    product = Product.objects.filter(pk=_id(product_id)).first()
    if product is None or not product.is_visible:
        raise NotFound(_("상품을 찾을 수 없습니다."))
    raw, masked, _found = clean_user_text(text, max_chars=MAX_QUESTION_CHARS, what=_("문의"))
    return ProductQuestion.objects.create(
        store_id=product.store_id,
        product=product,
        user=user,
        text=raw,
        text_masked=masked,
        is_secret=bool(is_secret),
        created_at=at or timezone.now(),
    )


@transaction.atomic
def question_answer(*, store: Store, actor: User, question_id, text: str) -> ProductQuestion:
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    q = ProductQuestion.objects.select_for_update().filter(pk=_id(question_id), store=store).first()
    if q is None:
        raise NotFound(_("문의를 찾을 수 없습니다."))
    raw = str(text or "").replace("\x00", "").strip()
    if not raw:
        raise ValidationError(_("답변 내용을 입력해 주세요."), code="text_empty")
    if len(raw) > MAX_ANSWER_CHARS:
        raise ValidationError(
            _("답변은 %(n)s자까지 쓸 수 있습니다.") % {"n": f"{MAX_ANSWER_CHARS:,}"}, code="text_too_long"
        )
    q.answer, q.answered_by, q.answered_at = raw, actor, timezone.now()
    q.save(update_fields=["answer", "answered_by", "answered_at"])
    return q


def question_delete(*, user: User, question_id) -> None:
    """The asker withdraws an unanswered question."""
    q = ProductQuestion.objects.filter(pk=_id(question_id), user=user).first()
    if q is None:
        raise NotFound(_("문의를 찾을 수 없습니다."))
    if q.answered_at:
        raise Conflict(_("답변이 달린 문의는 삭제할 수 없습니다."), code="answered")
    q.delete()
