"""Seller-center product pages: list with filters and bulk status, the editor, images, category fields."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from kkot.assist.services.checks import analysis_schedule, image_add_checked, publish_guard
from kkot.assist.tasks import product_changed_task
from kkot.catalog.models import Product
from kkot.catalog.selectors import (
    category_attribute_defs,
    category_label,
    category_notice_fields,
    category_tree,
    leaf_categories,
    products_for_seller,
)
from kkot.catalog.services import (
    product_create,
    product_get_for_store,
    product_image_delete,
    product_images_reorder,
    product_input_from_instance,
    product_update,
    products_set_status,
)
from kkot.core.errors import KkotError, NotFound
from kkot.sellercenter.access import ctx, seller_page
from kkot.sellercenter.forms import (
    parse_product_post,
    product_values_blank,
    product_values_from_input,
)
from kkot.sellercenter.views.assist import editor_context, publish_gate

PAGE_SIZE = 20
STOCK_FILTERS = {"out": "품절(재고 0)", "low": "재고 5개 이하"}


def _product_or_404(store, product_id: int) -> Product:
    try:
        return product_get_for_store(store=store, product_id=product_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@seller_page()
def product_list(request, membership):
    store = membership.store
    if request.method == "POST":
        ids = request.POST.getlist("ids")
        status = request.POST.get("status", "")
        back = reverse("sellercenter:products", args=[store.slug]) + "?" + request.POST.get("back", "")
        try:
            ids_int = [int(i) for i in ids]
        except ValueError as exc:
            raise Http404(_("상품을 찾을 수 없습니다.")) from exc
        if not ids_int:
            messages.error(request, _("상태를 바꿀 상품을 선택해 주세요."))
            return redirect(back)
        try:
            publish_guard(store=store, product_ids=ids_int, status=status)
            n = products_set_status(store=store, actor=request.user, product_ids=ids_int, status=status)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except KkotError as exc:
            messages.error(request, exc.message)
        else:
            product_changed_task.enqueue(product_ids=ids_int)
            messages.success(request, _("%(n)d개 상품을 '%(s)s'(으)로 바꿨습니다.")
                             % {"n": n, "s": Product.Status(status).label})
        return redirect(back)

    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    stock = request.GET.get("stock", "")
    try:
        category_id = int(request.GET.get("category") or 0) or None
    except ValueError:
        category_id = None
    qs = products_for_seller(store=store, q=q, status=status, category_id=category_id, stock=stock)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "sellercenter/products/list.html", ctx(
        request, nav="products", page=page, q=q, status=status, stock=stock, category_id=category_id,
        statuses=Product.Status.choices, stock_filters=STOCK_FILTERS.items(), tree=category_tree(),
        query=query.urlencode(),
    ))


def _category_rows(category, values: dict, errors: dict) -> dict:
    """Rows for the attribute and notice part of the editor (also served as JSON when the category changes)."""
    if category is None:
        return {"attr_rows": [], "notice_rows": [], "category_label": ""}
    attrs = values.get("attributes") or {}
    notice = values.get("notice") or {}
    attr_rows = []
    for d in category_attribute_defs(category):
        v = attrs.get(d.code)
        selected = v if isinstance(v, list) else ([v] if v else [])
        attr_rows.append({"def": d, "value": v if isinstance(v, str) else "", "selected": selected,
                          "errors": errors.get(f"attributes.{d.code}", [])})
    notice_rows = [{"name": n, "value": notice.get(n, ""), "errors": errors.get(f"notice.{n}", [])}
                   for n in category_notice_fields(category)]
    return {"attr_rows": attr_rows, "notice_rows": notice_rows, "category_label": category_label(category)}


def _tree_json(tree) -> list:
    return [{"id": n["category"].pk, "name": n["category"].name, "children": _tree_json(n["children"])} for n in tree]


def _js_i18n() -> dict[str, str]:
    return {
        "option_name": _("옵션명(예: 색상)"), "option_values": _("값을 쉼표로(예: 블랙, 화이트)"),
        "add_option": _("옵션 추가"), "remove": _("삭제"), "combo": _("조합"), "sku": "SKU",
        "delta": _("추가금액"), "stock": _("재고"), "active": _("사용"), "base": _("기본"),
        "max_options": _("옵션은 최대 3개입니다."), "pick1": _("대분류"), "pick2": _("중분류"), "pick3": _("소분류"),
        "tags": _("태그 {n}/10"), "too_many_tags": _("태그는 10개까지입니다."), "link": _("링크 주소(https://...)"),
        "bulk_fill": _("전체 재고 일괄 입력"), "apply": _("적용"), "loading": _("불러오는 중..."),
    }


class _Rollback(Exception):
    pass


IMAGE_CODES = {"image_too_large", "image_empty", "image_type", "image_pixels", "image_invalid", "too_many_images"}


def _editor(request, membership, product: Product | None):
    store = membership.store
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data, errors, values, images = parse_product_post(request.POST, request.FILES)
        publish_gate(request, store, data, product)
        try:
            with transaction.atomic():
                if product is None:
                    saved = product_create(store=store, actor=request.user, data=data)
                else:
                    saved = product_update(product=product, actor=request.user, data=data)
                if errors:
                    raise _Rollback
                for f in images:
                    image_add_checked(product=saved, actor=request.user, upload=f)
                product_changed_task.enqueue(product_ids=[saved.pk])
        except _Rollback:
            pass
        except KkotError as exc:
            if isinstance(exc.details, dict):
                for k, msgs in exc.details.items():
                    errors.setdefault(k, []).extend(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))
            else:
                errors.setdefault("images" if exc.code in IMAGE_CODES else "__all__", []).append(exc.message)
        else:
            messages.success(request, _("상품을 저장했습니다.") if product else _("상품을 등록했습니다."))
            return redirect("sellercenter:product_edit", slug=store.slug, product_id=saved.pk)
        if images and errors and "images" not in errors:
            errors["images"] = [_("다른 항목의 오류 때문에 이미지가 저장되지 않았습니다. 이미지를 다시 선택해 주세요.")]
    elif product is not None:
        values = product_values_from_input(product_input_from_instance(product))
    else:
        values = product_values_blank()

    category = leaf_categories().filter(pk=values.get("category_id") or 0).first()
    leaves = leaf_categories()
    images = list(product.images.all()) if product else []
    ids = [i.pk for i in images]
    image_rows = []
    for n, img in enumerate(images):
        left = ids[:]
        if n > 0:
            left[n - 1], left[n] = left[n], left[n - 1]
        right = ids[:]
        if n < len(ids) - 1:
            right[n + 1], right[n] = right[n], right[n + 1]
        first = [img.pk] + [i for i in ids if i != img.pk]
        image_rows.append({"image": img, "left": ",".join(map(str, left)), "right": ",".join(map(str, right)),
                           "first": ",".join(map(str, first)), "index": n, "last": n == len(ids) - 1})
    all_errors = [(k, m) for k, msgs in errors.items() for m in msgs]
    return render(request, "sellercenter/products/edit.html", ctx(
        request, nav="products", product=product, v=values, errors=errors, all_errors=all_errors,
        statuses=Product.Status.choices, leaves=leaves, tree_json=_tree_json(category_tree()),
        image_rows=image_rows, js_i18n=_js_i18n(), **_category_rows(category, values, errors),
        **editor_context(product, image_rows),
    ))


@seller_page()
def product_new(request, membership):
    return _editor(request, membership, None)


@seller_page()
def product_edit(request, membership, product_id: int):
    return _editor(request, membership, _product_or_404(membership.store, product_id))


@seller_page(methods=("GET",))
def category_fields(request, membership, category_id: int):
    """JSON for the editor: the category's attribute definitions and 상품정보제공고시 fields, and their HTML."""
    category = leaf_categories().filter(pk=category_id).first()
    if category is None:
        raise Http404(_("카테고리를 찾을 수 없습니다."))
    rows = _category_rows(category, {}, {})
    html = render_to_string("sellercenter/products/_category_fields.html", {**rows, "can_edit": request.can_edit},
                            request=request)
    return JsonResponse({
        "category": {"id": category.pk, "label": rows["category_label"]},
        "attributes": [{"code": r["def"].code, "name": r["def"].name, "kind": r["def"].kind,
                        "choices": r["def"].choices} for r in rows["attr_rows"]],
        "notice_fields": [r["name"] for r in rows["notice_rows"]],
        "html": html,
    })


def _back_to_editor(store, product):
    return redirect(reverse("sellercenter:product_edit", args=[store.slug, product.pk]) + "#images")


@seller_page(methods=("POST",))
def product_images_upload(request, membership, product_id: int):
    store = membership.store
    product = _product_or_404(store, product_id)
    files = request.FILES.getlist("images")
    if not files:
        messages.error(request, _("올릴 이미지를 선택해 주세요."))
        return _back_to_editor(store, product)
    try:
        with transaction.atomic():
            for f in files:
                try:
                    image_add_checked(product=product, actor=request.user, upload=f)
                except KkotError as exc:
                    exc.message = f"{f.name}: {exc.message}"
                    raise
    except KkotError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("이미지 %(n)d장을 올렸습니다.") % {"n": len(files)})
    return _back_to_editor(store, product)


@seller_page(methods=("POST",))
def product_images_reorder_view(request, membership, product_id: int):
    store = membership.store
    product = _product_or_404(store, product_id)
    try:
        ids = [int(x) for x in request.POST.get("order", "").split(",") if x.strip()]
        old_first = product.images.first()
        product_images_reorder(product=product, actor=request.user, image_ids=ids)
        for img in {old_first, product.images.first()} - {None}:  # representative rules changed for these
            analysis_schedule(image=img)
    except ValueError:
        messages.error(request, _("이미지 목록이 올바르지 않습니다."))
    except KkotError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("이미지 순서를 바꿨습니다. 첫 번째 이미지가 대표 이미지입니다."))
    return _back_to_editor(store, product)


@seller_page(methods=("POST",))
def product_image_delete_view(request, membership, product_id: int, image_id: int):
    store = membership.store
    product = _product_or_404(store, product_id)
    try:
        product_image_delete(product=product, actor=request.user, image_id=image_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    product_changed_task.enqueue(product_ids=[product.pk])
    messages.success(request, _("이미지를 삭제했습니다."))
    return _back_to_editor(store, product)
