"""Review writes: reviews (purchase and 한달사용리뷰), photos, 도움돼요 votes, seller replies, moderation and
product Q&A.

Every write validates first and changes nothing on bad input (atomic); counters move with ``F()``; the
analysis is scheduled with ``transaction.on_commit`` (see :mod:`kkot.reviews.analysis`).
"""

from kkot.reviews.services.common import (
    MAX_ANSWER_CHARS,
    MAX_QUESTION_CHARS,
    MAX_REPLY_CHARS,
    REVIEWABLE_STATUSES,
    BodyInfo,
    clean_user_text,
)
from kkot.reviews.services.qna import question_answer, question_create, question_delete
from kkot.reviews.services.reviews import (
    review_create,
    review_for_author,
    review_photo_add,
    review_photo_delete,
    review_photo_store,
    review_reply_save,
    review_update,
    review_vote_toggle,
    reviewable_line_get,
    reviews_set_hidden,
)

__all__ = [
    "MAX_ANSWER_CHARS",
    "MAX_QUESTION_CHARS",
    "MAX_REPLY_CHARS",
    "REVIEWABLE_STATUSES",
    "BodyInfo",
    "clean_user_text",
    "question_answer",
    "question_create",
    "question_delete",
    "review_create",
    "review_for_author",
    "review_photo_add",
    "review_photo_delete",
    "review_photo_store",
    "review_reply_save",
    "review_update",
    "review_vote_toggle",
    "reviewable_line_get",
    "reviews_set_hidden",
]
