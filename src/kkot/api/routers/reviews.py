"""Reviews and product Q&A (tag 리뷰): public lists and summary for a visible product; the seller's reviews with
replies, the Q&A inbox with answers, and the review analysis (bearer token, the token's store only)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from kkot.api.auth import seller_store, seller_token
from kkot.api.pagination import Page
from kkot.api.schemas.common import ERRORS, SELLER_ERRORS
from kkot.api.schemas.orders import PageParams
from kkot.api.schemas.reviews import (
    AnalysisOut,
    ProductReviewSummaryOut,
    QuestionOut,
    ReplyOut,
    ReviewListParams,
    ReviewOut,
    SellerReviewDetailOut,
    SellerReviewOut,
    SellerReviewParams,
    TextIn,
)
from kkot.catalog.models import Product
from kkot.core.errors import NotFound
from kkot.core.timeutil import seoul_today
from kkot.reviews import selectors as rsel
from kkot.reviews import services as rsvc
from kkot.reviews.insights import review_analysis

public_router = Router(tags=["리뷰"])
seller_router = Router(auth=seller_token, tags=["리뷰"])

PRODUCT = "/stores/{kkslug:slug}/products/{kkid:product_id}"
STORE = "/stores/{kkslug:slug}"


def _visible_product(slug: str, product_id: int) -> Product:
    p = Product.objects.filter(
        pk=product_id, store__slug=slug, status__in=("on_sale", "sold_out"), store__status="open"
    ).first()
    if p is None:
        raise NotFound(_("상품을 찾을 수 없습니다."))
    return p


def _page_items(page, params) -> dict:
    """One page of results; a page past the last one is empty (not clamped back to the last page)."""
    if params.page > page.paginator.num_pages and page.paginator.count:
        return {"items": [], "count": page.paginator.count, "page": params.page, "per_page": params.per_page}
    return {
        "items": list(page.object_list),
        "count": page.paginator.count,
        "page": page.number,
        "per_page": page.paginator.per_page,
    }


@public_router.get(
    PRODUCT + "/reviews",
    response={200: Page[ReviewOut], **ERRORS},
    summary="상품 리뷰 목록",
    description="정렬 sort=recent(최신순)·high(평점높은순)·low(평점낮은순)·helpful(도움돼요순), "
    "photo_first(포토 리뷰 먼저), option(구매 옵션), aspect(예: 사이즈 — 그 항목을 언급한 "
    "리뷰만), stars. 본문은 욕설이 가려진 표시용이며 HTML은 글자 그대로입니다.",
)
def product_reviews(request, slug: str, product_id: int, params: Query[ReviewListParams]):
    p = _visible_product(slug, product_id)
    f = rsel.ReviewFilter(
        sort=params.sort,
        photo_first=params.photo_first,
        option=params.option,
        aspect=params.aspect,
        stars=params.stars,
        page=params.page,
    )
    page = rsel.product_reviews(product_id=p.pk, f=f, per_page=params.per_page)
    return _page_items(page, params)


@public_router.get(
    PRODUCT + "/reviews/summary",
    response={200: ProductReviewSummaryOut, **ERRORS},
    summary="상품 리뷰 요약",
    description="별점 분포, 항목(사이즈·배송 등)별 긍정/부정 수, 사이즈 경향(작아요·딱 맞아요·커요), "
    "좋은 점·아쉬운 점과 대표 문장, 한 문단 요약(리뷰 20개 이상).",
)
def product_review_summary(request, slug: str, product_id: int):
    p = _visible_product(slug, product_id)
    ov = rsel.product_review_overview(product_id=p.pk)
    s = ov.stats
    summary = ov.summary or {}
    return {
        "product_id": p.pk,
        "review_count": s.review_count if s else 0,
        "average": s.average if s else 0.0,
        "histogram": [{"stars": k, "count": n} for k, n, _pct in (s.histogram if s else [])],
        "photo_review_count": s.photo_review_count if s else 0,
        "aspects": [{k: a[k] for k in ("aspect", "total", "positive", "negative")} for a in ov.aspects],
        "size": ov.size,
        "good_points": summary.get("good", []),
        "bad_points": summary.get("bad", []),
        "summary": summary.get("paragraph"),
    }


@public_router.get(
    PRODUCT + "/questions",
    response={200: Page[QuestionOut], **ERRORS},
    summary="상품문의 목록",
    description="비밀글은 내용과 답변이 null입니다(문의한 사람과 판매자만 볼 수 있음).",
)
def product_questions(request, slug: str, product_id: int, params: Query[PageParams]):
    p = _visible_product(slug, product_id)
    page = rsel.product_questions(product_id=p.pk, viewer=None, page=params.page, per_page=params.per_page)
    return _page_items(page, params)


@seller_router.get(
    STORE + "/reviews",
    response={200: Page[SellerReviewOut], **SELLER_ERRORS},
    summary="내 스토어 리뷰 목록",
    description="최신순. 필터: stars, aspect(항목), negative(부정만), unanswered(답글 없는 리뷰만), "
    "product_id.",
)
def seller_reviews(request, slug: str, params: Query[SellerReviewParams]):
    store = seller_store(request, slug)
    f = rsel.SellerReviewFilter(
        stars=params.stars,
        aspect=params.aspect,
        negative_only=params.negative,
        unanswered=params.unanswered,
        product_id=params.product_id,
        page=params.page,
    )
    page = rsel.store_reviews(store_id=store.pk, f=f, per_page=params.per_page)
    return _page_items(page, params)


@seller_router.get(
    STORE + "/reviews/analysis",
    response={200: AnalysisOut, **SELLER_ERRORS},
    summary="리뷰 분석 요약",
    description="좋은 점·아쉬운 점(건수와 대표 문장), 같은 카테고리 대비 키워드(긍정/부정 비율과 예시), "
    "최근 변화 알림(예: 최근 2주 '물빠짐' 불만이 이전 대비 3배)과 근거 리뷰 id, 최근 12주 "
    "항목별 부정 리뷰 비율. product_id를 주면 그 상품만(다른 스토어 상품은 404).",
)
def seller_review_analysis(request, slug: str, product_id: int | None = None):
    store = seller_store(request, slug)
    if product_id is not None and not Product.objects.filter(pk=product_id, store=store).exists():
        raise NotFound(_("상품을 찾을 수 없습니다."))
    a = review_analysis(store_id=store.pk, today=seoul_today(), product_id=product_id)
    return {
        "product_id": product_id,
        "n_reviews": a.n_reviews,
        "positive_share": a.positive_share,
        "good_points": a.good,
        "bad_points": a.bad,
        "keywords": a.keywords,
        "alerts": [
            {k: al[k] for k in ("key", "kind", "message", "recent", "previous", "review_ids")}
            for al in a.alerts
        ],
        "weeks": a.weeks,
        "weekly_negative_pct": a.series,
    }


@seller_router.get(
    STORE + "/reviews/{kkid:review_id}",
    response={200: SellerReviewDetailOut, **SELLER_ERRORS},
    summary="리뷰 상세",
    description="분석 결과(문장별 감성, 항목)와 답글 초안(reply_suggestion).",
)
def seller_review_detail(request, slug: str, review_id: int):
    store = seller_store(request, slug)
    r = rsel.review_for_store(store_id=store.pk, review_id=review_id)
    r.reply_suggestion = rsel.reply_suggestion(r)
    return r


@seller_router.put(
    STORE + "/reviews/{kkid:review_id}/reply",
    response={200: ReplyOut, **SELLER_ERRORS},
    summary="리뷰 답글 등록·수정",
    description="리뷰 하나에 답글 하나(다시 보내면 수정). 매니저 이상.",
)
def seller_review_reply(request, slug: str, review_id: int, payload: TextIn):
    store = seller_store(request, slug)
    return rsvc.review_reply_save(
        store=store, actor=request.auth.user, review_id=review_id, text=payload.text
    )


@seller_router.get(
    STORE + "/questions",
    response={200: Page[QuestionOut], **SELLER_ERRORS},
    summary="상품문의 목록(판매자)",
    description="비밀글도 보입니다. unanswered=true면 답변 대기만.",
)
def seller_questions(request, slug: str, params: Query[PageParams], unanswered: bool = False):
    store = seller_store(request, slug)
    page = rsel.store_questions(
        store_id=store.pk, unanswered=unanswered, page=params.page, per_page=params.per_page
    )
    return _page_items(page, params)


@seller_router.put(
    STORE + "/questions/{kkid:question_id}/answer",
    response={200: QuestionOut, **SELLER_ERRORS},
    summary="상품문의 답변",
    description="답변을 등록하거나 고칩니다. 매니저 이상.",
)
def seller_question_answer(request, slug: str, question_id: int, payload: TextIn):
    store = seller_store(request, slug)
    return rsvc.question_answer(
        store=store, actor=request.auth.user, question_id=question_id, text=payload.text
    )
