"""Review, Q&A and review-analysis schemas (tag 리뷰)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from kkot.api.schemas.common import absolute_url


class ReviewListParams(Schema):
    sort: Literal["recent", "high", "low", "helpful"] = Field(
        "recent", description="최신순·평점높은순·평점낮은순·도움돼요순"
    )
    photo_first: bool = Field(False, description="포토 리뷰 먼저")
    option: str = Field("", max_length=120, description="구매 옵션(예: 블랙 / M)")
    aspect: str = Field("", max_length=20, description="이 항목을 언급한 리뷰만(예: 사이즈)")
    stars: int | None = Field(None, ge=1, le=5)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class SellerReviewParams(Schema):
    stars: int | None = Field(None, ge=1, le=5)
    aspect: str = Field("", max_length=20)
    negative: bool = Field(False, description="부정 리뷰만(분석 결과 부정이거나 1-2점)")
    unanswered: bool = Field(False, description="답글 없는 리뷰만")
    product_id: int | None = Field(None, ge=1, le=2**63 - 1)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class ReplyOut(Schema):
    text: str
    created_at: datetime
    updated_at: datetime


class PhotoOut(Schema):
    image: str | None
    thumbnail: str | None

    @staticmethod
    def resolve_image(obj, context):
        return absolute_url(context, obj.image.url if obj.image else None)

    @staticmethod
    def resolve_thumbnail(obj, context):
        return absolute_url(context, obj.thumbnail.url if obj.thumbnail else None)


class ReviewOut(Schema):
    id: int
    product_id: int
    kind: str = Field(description="purchase(구매 리뷰) 또는 month(한달사용리뷰)")
    stars: int
    text: str = Field(
        description="욕설은 가려진(*) 표시용 본문. HTML은 글자 그대로이므로 화면에 넣을 때 이스케이프하세요."
    )
    option_label: str
    author: str
    body_height: int | None
    body_weight: int | None
    body_usual_size: str
    helpful_count: int
    photos: list[PhotoOut]
    reply: ReplyOut | None
    created_at: datetime

    @staticmethod
    def resolve_text(obj):
        return obj.text_masked

    @staticmethod
    def resolve_author(obj):
        return getattr(obj, "author_name", "")

    @staticmethod
    def resolve_photos(obj):
        return list(obj.photos.all())

    @staticmethod
    def resolve_reply(obj):
        try:
            return obj.reply
        except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
            return None


class AspectMentionOut(Schema):
    aspect: str
    polarity: str
    direction: str | None = None


class SellerReviewOut(ReviewOut):
    sentiment: str = Field(description="positive·negative·neutral, 분석 전이면 빈 문자열")
    has_profanity: bool
    aspects: list[AspectMentionOut]

    @staticmethod
    def resolve_aspects(obj):
        try:
            return [
                {"aspect": m["aspect"], "polarity": m["polarity"], "direction": m.get("direction")}
                for m in obj.analysis.aspects
            ]
        except Exception:  # noqa: BLE001 - not analysed yet
            return []


class ClauseOut(Schema):
    text: str
    sentiment: str
    prob: float


class SellerReviewDetailOut(SellerReviewOut):
    prob: float | None = Field(description="긍정 확률")
    clauses: list[ClauseOut]
    reply_suggestion: str = Field(description="리뷰 분석으로 만든 답글 초안(고쳐서 쓰세요)")

    @staticmethod
    def resolve_prob(obj):
        try:
            return obj.analysis.prob
        except Exception:  # noqa: BLE001
            return None

    @staticmethod
    def resolve_clauses(obj):
        try:
            return obj.analysis.clauses
        except Exception:  # noqa: BLE001
            return []


class TextIn(Schema):
    text: str = Field(min_length=1, max_length=2000)


class QuestionOut(Schema):
    id: int
    product_id: int
    is_secret: bool
    text: str | None = Field(description="비밀글이면 null (판매자 API에서는 보임)")
    answer: str | None
    answered_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_text(obj):
        return obj.text_masked if getattr(obj, "visible", True) else None

    @staticmethod
    def resolve_answer(obj):
        if not obj.answered_at or not getattr(obj, "visible", True):
            return None
        return obj.answer


class StarCount(Schema):
    stars: int
    count: int


class AspectCountOut(Schema):
    aspect: str
    total: int
    positive: int
    negative: int


class SizeShareOut(Schema):
    label: str = Field(description="작아요·딱 맞아요·커요")
    count: int
    pct: int


class PointOut(Schema):
    aspect: str
    positive: int
    negative: int
    positive_examples: list[str]
    negative_examples: list[str]


class ProductReviewSummaryOut(Schema):
    product_id: int
    review_count: int
    average: float
    histogram: list[StarCount]
    photo_review_count: int
    aspects: list[AspectCountOut]
    size: list[SizeShareOut]
    good_points: list[PointOut]
    bad_points: list[PointOut]
    summary: str | None = Field(description="한 문단 요약(리뷰 20개 이상일 때)")


class KeywordOut(Schema):
    phrase: str
    count: int
    positive_pct: int
    negative_pct: int
    examples: list[str]


class AlertOut(Schema):
    key: str
    kind: str
    message: str
    recent: int
    previous: int
    review_ids: list[int]


class AnalysisOut(Schema):
    product_id: int | None
    n_reviews: int
    positive_share: float
    good_points: list[PointOut]
    bad_points: list[PointOut]
    keywords: list[KeywordOut]
    alerts: list[AlertOut]
    weeks: list[str]
    weekly_negative_pct: dict[str, list[float | None]]
