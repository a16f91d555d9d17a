"""Shopper review pages: write/edit a review (and the 한달사용리뷰) from the order page, 도움돼요, the product page's
reviews section (loaded after the page, like the extras) and its Q&A tab.

The reviews and Q&A sections answer ``fetch`` with a fragment and a normal request with a full page, so links
inside them work without JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kkot.core.errors import KkotError, NotFound
from kkot.reviews import selectors as rsel
from kkot.reviews import services as rsvc
from kkot.reviews.categories import category_group
from kkot.reviews.models import MAX_PHOTOS, MAX_TEXT_CHARS, ReviewKind
from kkot.storefront import selectors as sel
from kkot.stores.models import StoreMembership


def _head_or_404(slug: str, product_id: int):
    try:
        return sel.product_page_head(store_slug=slug, product_id=product_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _is_fragment(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _body(post) -> rsvc.BodyInfo:
    return rsvc.BodyInfo(
        post.get("body_height") or None,
        post.get("body_weight") or None,
        (post.get("body_usual_size") or "").strip(),
    )


def _values(post, review) -> dict:
    """What the form shows: what was just posted, else the review being edited."""
    keys = ("stars", "text", "body_height", "body_weight", "body_usual_size")
    if post:
        return {k: post.get(k, "") for k in keys}
    if review is None:
        return dict.fromkeys(keys, "")
    return {k: "" if getattr(review, k) is None else str(getattr(review, k)) for k in keys}


def _order_url(line) -> str:
    return reverse("storefront:order_detail", args=[line.order_id])


@login_required
@require_http_methods(["GET", "POST"])
def review_write(request, line_id: int):
    """Write the review (``?kind=month`` for the 한달사용리뷰) of one of the shopper's delivered order lines."""
    kind = request.GET.get("kind") or request.POST.get("kind") or ReviewKind.PURCHASE
    kind = kind if kind in ReviewKind.values else ReviewKind.PURCHASE
    try:
        line = rsvc.reviewable_line_get(user=request.user, order_line_id=line_id, kind=kind)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except KkotError as exc:
        messages.error(request, exc.message)
        return redirect("storefront:orders")
    error, form = "", {}
    if request.method == "POST":
        form = request.POST
        try:
            rsvc.review_create(
                user=request.user,
                order_line_id=line.pk,
                stars=request.POST.get("stars"),
                text=request.POST.get("text", ""),
                kind=kind,
                body=_body(request.POST),
                photos=request.FILES.getlist("photos"),
            )
        except KkotError as exc:
            error = exc.message
        else:
            messages.success(request, _("리뷰를 등록했습니다. 소중한 후기 감사합니다!"))
            return redirect(_order_url(line))
    return render(
        request,
        "storefront/reviews/write.html",
        {
            "line": line,
            "kind": kind,
            "review": None,
            "v": _values(form, None),
            "error": error,
            "max_chars": MAX_TEXT_CHARS,
            "max_photos": MAX_PHOTOS,
            "fashion": category_group(line.product.category_id) == "fashion",
            "kk_page": "me",
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request, review_id: int):
    try:
        review = rsvc.review_for_author(user=request.user, review_id=review_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error, form = "", {}
    if request.method == "POST":
        action = request.POST.get("action", "save")
        form = request.POST
        try:
            if action == "photo":
                for f in request.FILES.getlist("photos")[:MAX_PHOTOS]:
                    rsvc.review_photo_add(user=request.user, review_id=review.pk, upload=f)
                messages.success(request, _("사진을 추가했습니다."))
            elif action == "delete_photo":
                rsvc.review_photo_delete(
                    user=request.user, review_id=review.pk, photo_id=request.POST.get("photo")
                )
                messages.success(request, _("사진을 지웠습니다."))
            else:
                rsvc.review_update(
                    user=request.user,
                    review_id=review.pk,
                    stars=request.POST.get("stars"),
                    text=request.POST.get("text", ""),
                    body=_body(request.POST),
                )
                messages.success(request, _("리뷰를 수정했습니다."))
                return redirect(_order_url(review.order_line))
        except KkotError as exc:
            error = exc.message
        else:
            return redirect("storefront:review_edit", review_id=review.pk)
    review = rsvc.review_for_author(user=request.user, review_id=review.pk)
    return render(
        request,
        "storefront/reviews/write.html",
        {
            "line": review.order_line,
            "kind": review.kind,
            "review": review,
            "v": _values(form, review),
            "error": error,
            "max_chars": MAX_TEXT_CHARS,
            "max_photos": MAX_PHOTOS,
            "photos": list(review.photos.all()),
            "fashion": category_group(review.product.category_id) == "fashion",
            "kk_page": "me",
        },
        status=400 if error else 200,
    )


@require_POST
def review_helpful(request, review_id: int):
    wants_json = "application/json" in request.headers.get("Accept", "")
    back = request.POST.get("next") or "/"
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    if not request.user.is_authenticated:
        if wants_json:
            return JsonResponse({"ok": False, "message": _("로그인 후 누를 수 있습니다.")}, status=401)
        return redirect(reverse("accounts:login") + "?" + urlencode({"next": back}))
    try:
        on = rsvc.review_vote_toggle(user=request.user, review_id=review_id)
    except KkotError as exc:
        if wants_json:
            return JsonResponse({"ok": False, "message": exc.message}, status=exc.status)
        messages.error(request, exc.message)
        return redirect(back)
    from kkot.reviews.models import Review

    count = Review.objects.filter(pk=review_id).values_list("helpful_count", flat=True).first() or 0
    if wants_json:
        return JsonResponse({"ok": True, "on": on, "count": count})
    return redirect(back)


@require_GET
def product_reviews(request, slug: str, product_id: int):
    """The reviews section: star distribution, aspect summary, filters, sorting and one page of reviews."""
    head = _head_or_404(slug, product_id)
    f = rsel.ReviewFilter.from_query(request.GET)
    overview = rsel.product_review_overview(product_id=head.product.pk)
    page = rsel.product_reviews(product_id=head.product.pk, f=f)
    q = request.GET.copy()
    q.pop("page", None)
    base_q = q.copy()
    for k in ("sort", "aspect", "option", "photo", "stars"):
        base_q.pop(k, None)
    ctx = {
        "p": head.product,
        "store": head.store,
        "ov": overview,
        "page": page,
        "f": f,
        "sorts": [(k, v[0]) for k, v in rsel.SORTS.items()],
        "qs_no_page": q.urlencode(),
        "src": reverse("storefront:product_reviews", args=[head.store.slug, head.product.pk]),
        "fashion": category_group(head.product.category_id) == "fashion",
        "next": request.get_full_path(),
    }
    if _is_fragment(request):
        return render(request, "storefront/reviews/_section.html", ctx)
    return render(request, "storefront/reviews/page.html", ctx)


def _is_store_member(user, store_id) -> bool:
    return bool(
        user.is_authenticated and StoreMembership.objects.filter(user=user, store_id=store_id).exists()
    )


@require_http_methods(["GET", "POST"])
def product_qna(request, slug: str, product_id: int):
    """상품문의: the list (secret questions readable only by the asker and the store) and the ask form."""
    head = _head_or_404(slug, product_id)
    here = reverse("storefront:product_qna", args=[head.store.slug, head.product.pk])
    error = ""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(reverse("accounts:login") + "?" + urlencode({"next": here}))
        try:
            rsvc.question_create(
                user=request.user,
                product_id=head.product.pk,
                text=request.POST.get("text", ""),
                is_secret=request.POST.get("is_secret") == "1",
            )
        except KkotError as exc:
            error = exc.message
        else:
            messages.success(request, _("문의를 등록했습니다. 판매자가 답변하면 알려 드립니다."))
            return redirect(here)
    try:
        page_no = max(1, min(int(request.GET.get("page") or 1), 10_000))
    except ValueError:
        page_no = 1
    page = rsel.product_questions(
        product_id=head.product.pk,
        viewer=request.user,
        store_member=_is_store_member(request.user, head.store.pk),
        page=page_no,
    )
    ctx = {
        "p": head.product,
        "store": head.store,
        "page": page,
        "error": error,
        "here": here,
        "text": request.POST.get("text", "") if error else "",
    }
    if _is_fragment(request):
        return render(request, "storefront/reviews/_qna.html", ctx, status=400 if error else 200)
    return render(request, "storefront/reviews/qna_page.html", ctx, status=400 if error else 200)
