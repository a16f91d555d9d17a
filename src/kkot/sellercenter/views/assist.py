"""Seller-center pages of the registration assistant: image checks and suggestions in the product editor,
the exposure checklist, and the store page listing the products with the most to gain."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kkot.assist.models import Suggestion
from kkot.assist.selectors import image_checks_for, suggestion_groups
from kkot.assist.services.checks import publish_blockers, settings_for, settings_update
from kkot.assist.services.exposure import product_checklist, store_opportunities
from kkot.assist.services.suggestions import suggestion_decide, suggestions_refresh
from kkot.catalog.models import Product
from kkot.catalog.services import product_get_for_store
from kkot.core.errors import KkotError, NotFound
from kkot.sellercenter.access import ctx, seller_page


def editor_context(product: Product | None, image_rows: list[dict]) -> dict:
    """What the product editor shows from the assistant: checks next to each image, suggestions, checklist."""
    if product is None:
        return {}
    if not Suggestion.objects.filter(product=product).exists():  # e.g. imported products: first visit, fast
        suggestions_refresh(product_id=product.pk)
    checks = image_checks_for(product=product)
    for r in image_rows:
        r["assist"] = checks.get(r["image"].pk)
    return {
        "assist_groups": suggestion_groups(product=product),
        "assist_checklist": product_checklist(product=product),
        "assist_block": settings_for(product.store).block_publish_on_failed_checks,
    }


def publish_gate(request, store, data, product: Product | None) -> None:
    """Before saving from the editor: a product whose representative image failed a check does not go on sale
    when the store chose so; everything else is saved (a failed check never blocks saving a draft)."""
    if product is None or data.status != Product.Status.ON_SALE or product.status == Product.Status.ON_SALE:
        return
    blocked = publish_blockers(store=store, product_ids=[product.pk], status=data.status)
    if blocked:
        data.status = product.status
        messages.warning(
            request,
            _("대표 이미지 검사에 실패한 항목이 있어 판매 상태는 바꾸지 않고 저장했습니다: %(m)s")
            % {"m": " / ".join(blocked[product.pk][:3])},
        )


def _product_or_404(store, product_id: int) -> Product:
    try:
        return product_get_for_store(store=store, product_id=product_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _to_editor(store, product):
    return redirect(reverse("sellercenter:product_edit", args=[store.slug, product.pk]) + "#assist")


@seller_page(methods=("POST",))
def suggestion_decide_view(request, membership, product_id: int):
    store = membership.store
    product = _product_or_404(store, product_id)
    try:
        sid = int(request.POST.get("suggestion", ""))
    except ValueError:
        messages.error(request, _("처리할 제안을 선택해 주세요."))
        return _to_editor(store, product)
    accept = request.POST.get("decision") == "accept"
    try:
        s = suggestion_decide(store=store, suggestion_id=sid, actor=request.user, accept=accept)
        if s.product_id != product.pk:
            raise NotFound(_("제안을 찾을 수 없습니다."))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except KkotError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (_("'%(l)s' 제안을 적용했습니다.") if accept else _("'%(l)s' 제안을 거절했습니다."))
            % {"l": s.label or s.value},
        )
    return _to_editor(store, product)


@seller_page(methods=("POST",))
def assist_refresh_view(request, membership, product_id: int):
    """Run the image checks and suggestions of a product again (after a model update, or on request)."""
    from kkot.assist.services.checks import analysis_schedule
    from kkot.assist.tasks import product_changed_task

    store = membership.store
    product = _product_or_404(store, product_id)
    for img in product.images.all():
        analysis_schedule(image=img)
    product_changed_task.enqueue(product_ids=[product.pk])
    messages.success(request, _("이미지 검사와 추천을 다시 요청했습니다. 잠시 후 새로고침해 주세요."))
    return _to_editor(store, product)


@seller_page()
def assist_home(request, membership):
    """검색 노출 개선: the store's products with the most to gain, and the assistant's store settings."""
    store = membership.store
    if request.method == "POST":
        try:
            settings_update(
                store=store,
                actor=request.user,
                block_publish_on_failed_checks=request.POST.get("block_publish") == "on",
            )
        except KkotError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("설정을 저장했습니다."))
        return redirect("sellercenter:assist", slug=store.slug)
    return render(
        request,
        "sellercenter/assist/home.html",
        ctx(
            request,
            nav="assist",
            opportunities=store_opportunities(store=store, limit=50),
            assist_settings=settings_for(store),
        ),
    )
