"""리뷰 관리: the store's reviews with filters, a reply prefilled with the ML suggestion, the Q&A inbox and the
review analysis (per store and per product) with a Plotly chart of weekly negative share per aspect."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kkot.catalog.models import Product
from kkot.core.errors import KkotError, NotFound
from kkot.core.timeutil import seoul_today
from kkot.reviews import selectors as rsel
from kkot.reviews import services as rsvc
from kkot.reviews.insights import review_analysis
from kkot.sellercenter.access import ctx, seller_page

COLORS = ("#e0457b", "#2e9d6a", "#3b6fd4", "#f0a020", "#8e5bd0")


@seller_page(methods=("GET",))
def review_list(request, membership):
    f = rsel.SellerReviewFilter.from_query(request.GET)
    page = rsel.store_reviews(store_id=request.store.pk, f=f)
    q = request.GET.copy()
    q.pop("page", None)
    return render(
        request,
        "sellercenter/reviews/list.html",
        ctx(
            request,
            nav="reviews",
            page=page,
            f=f,
            qs=q.urlencode(),
            aspects=rsel.store_aspect_names(store_id=request.store.pk),
            counts=rsel.store_review_counts(store_id=request.store.pk),
        ),
    )


@seller_page()
def review_detail(request, membership, review_id: int):
    try:
        review = rsel.review_for_store(store_id=request.store.pk, review_id=review_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = ""
    if request.method == "POST":
        try:
            rsvc.review_reply_save(
                store=request.store,
                actor=request.user,
                review_id=review.pk,
                text=request.POST.get("text", ""),
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except KkotError as exc:
            error = exc.message
        else:
            messages.success(request, _("답글을 등록했습니다."))
            return redirect("sellercenter:review_detail", slug=request.store.slug, review_id=review.pk)
    try:
        reply = review.reply
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        reply = None
    draft = request.POST.get("text") if error else (reply.text if reply else rsel.reply_suggestion(review))
    try:
        analysis = review.analysis
    except Exception:  # noqa: BLE001
        analysis = None
    return render(
        request,
        "sellercenter/reviews/detail.html",
        ctx(
            request,
            nav="reviews",
            review=review,
            reply=reply,
            draft=draft,
            suggested=reply is None and not error,
            analysis=analysis,
            error=error,
        ),
        status=400 if error else 200,
    )


@seller_page(methods=("GET",))
def question_list(request, membership):
    try:
        page_no = max(1, min(int(request.GET.get("page") or 1), 10_000))
    except ValueError:
        page_no = 1
    unanswered = request.GET.get("unanswered") == "1"
    page = rsel.store_questions(store_id=request.store.pk, unanswered=unanswered, page=page_no)
    return render(
        request,
        "sellercenter/reviews/questions.html",
        ctx(request, nav="reviews", page=page, unanswered=unanswered),
    )


@seller_page()
def question_detail(request, membership, question_id: int):
    try:
        q = rsel.question_for_store(store_id=request.store.pk, question_id=question_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = ""
    if request.method == "POST":
        try:
            rsvc.question_answer(
                store=request.store, actor=request.user, question_id=q.pk, text=request.POST.get("answer", "")
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except KkotError as exc:
            error = exc.message
        else:
            messages.success(request, _("답변을 등록했습니다."))
            return redirect("sellercenter:question_list", slug=request.store.slug)
    return render(
        request,
        "sellercenter/reviews/question.html",
        ctx(request, nav="reviews", q=q, error=error, answer=request.POST.get("answer", q.answer)),
        status=400 if error else 200,
    )


def _chart(analysis) -> str:
    if not analysis.series:
        return ""
    import plotly.graph_objects as go

    from kkot.sellercenter.views.advisor import _fig_html

    fig = go.Figure()
    for i, (aspect, ys) in enumerate(analysis.series.items()):
        fig.add_scatter(
            x=analysis.weeks,
            y=ys,
            name=aspect,
            mode="lines+markers",
            connectgaps=False,
            line={"color": COLORS[i % len(COLORS)]},
        )
    fig.update_layout(
        yaxis={"title": _("부정 리뷰 비율(%)"), "rangemode": "tozero"}, xaxis={"title": _("주 시작일")}
    )
    return _fig_html(fig)


def _analysis_page(request, product=None):
    analysis = review_analysis(
        store_id=request.store.pk, today=seoul_today(), product_id=product.pk if product else None
    )
    top = (
        Product.objects.filter(store=request.store, review_count__gt=0)
        .order_by("-review_count", "-id")
        .only("id", "name", "review_count", "rating_sum")[:15]
    )
    return render(
        request,
        "sellercenter/reviews/analysis.html",
        ctx(request, nav="reviews", a=analysis, product=product, chart=_chart(analysis), top_products=top),
    )


@seller_page(methods=("GET",))
def review_analysis_store(request, membership):
    return _analysis_page(request)


@seller_page(methods=("GET",))
def review_analysis_product(request, membership, product_id: int):
    product = Product.objects.filter(pk=product_id, store=request.store).first()
    if product is None:
        raise Http404(_("상품을 찾을 수 없습니다."))
    return _analysis_page(request, product)
