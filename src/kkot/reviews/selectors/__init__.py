"""Review reads for the product page, the shopper's order page, the seller center, the API and the advisor."""

from kkot.reviews.selectors.product import (
    PER_PAGE,
    SIZE_DIRECTIONS,
    SORTS,
    Overview,
    ReviewFilter,
    masked_name,
    product_questions,
    product_review_overview,
    product_reviews,
    product_stats,
    review_state_for_lines,
)
from kkot.reviews.selectors.seller import (
    SellerReviewFilter,
    aspect_complaint_trends,
    question_for_store,
    reply_suggestion,
    review_for_store,
    store_aspect_names,
    store_questions,
    store_review_counts,
    store_reviews,
)

__all__ = [
    "PER_PAGE",
    "SIZE_DIRECTIONS",
    "SORTS",
    "Overview",
    "ReviewFilter",
    "SellerReviewFilter",
    "aspect_complaint_trends",
    "masked_name",
    "product_questions",
    "product_review_overview",
    "product_reviews",
    "product_stats",
    "question_for_store",
    "reply_suggestion",
    "review_for_store",
    "review_state_for_lines",
    "store_aspect_names",
    "store_questions",
    "store_review_counts",
    "store_reviews",
]
