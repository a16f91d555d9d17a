"""Bulk registration page: template download, sheet upload with every bad cell listed, export.

``kkot.catalog.bulk`` is imported inside the views so this page works (with a notice) before it lands.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.catalog.selectors import leaf_categories
from kkot.core.errors import KkotError
from kkot.sellercenter.access import ctx, seller_page
from kkot.sellercenter.forms import ImportForm

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _bulk():
    try:
        from kkot.catalog import bulk
    except ImportError:
        return None
    return bulk


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@seller_page()
def product_import(request, membership):
    store = membership.store
    bulk = _bulk()
    result = None
    cell_errors: list[dict] = []
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if bulk is None:
            form.add_error(None, _("대량등록 기능을 준비 중입니다. 잠시 후 다시 시도해 주세요."))
        elif form.is_valid():
            f = form.cleaned_data["file"]
            try:
                result = bulk.import_products(store=store, actor=request.user, data=f.read(), filename=f.name)
            except KkotError as exc:
                if isinstance(exc.details, list):
                    cell_errors = [d if isinstance(d, dict) else getattr(d, "as_dict", lambda d=d: {"message": str(d)})()
                                   for d in exc.details]
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("상품 %(c)d개를 새로 등록하고 %(u)d개를 수정했습니다(옵션 %(v)d개).")
                                 % {"c": result.created, "u": result.updated, "v": result.variants})
                return redirect("sellercenter:product_import", slug=store.slug)
    return render(request, "sellercenter/products/import.html", ctx(
        request, nav="import", form=form, cell_errors=cell_errors, bulk_ready=bulk is not None,
        leaves=leaf_categories(),
    ))


def _fmt_or_404(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
        raise Http404(_("지원하지 않는 파일 형식입니다."))
    return fmt


@seller_page(methods=("GET",))
def import_template(request, membership, fmt: str):
    fmt = _fmt_or_404(fmt)
    bulk = _bulk()
    if bulk is None:
        messages.error(request, _("대량등록 기능을 준비 중입니다. 잠시 후 다시 시도해 주세요."))
        return redirect("sellercenter:product_import", slug=membership.store.slug)
    if fmt == "csv":
        data = bulk.template_csv()
    else:
        category = leaf_categories().filter(pk=int(request.GET["category"])).first() \
            if request.GET.get("category", "").isdigit() else None
        data = bulk.template_workbook(category=category)
    return _download(data, f"kkot-products-template.{fmt}", fmt)


@seller_page(methods=("GET",))
def product_export(request, membership, fmt: str):
    fmt = _fmt_or_404(fmt)
    bulk = _bulk()
    store = membership.store
    if bulk is None:
        messages.error(request, _("대량등록 기능을 준비 중입니다. 잠시 후 다시 시도해 주세요."))
        return redirect("sellercenter:product_import", slug=store.slug)
    data = bulk.export_products(store=store, fmt=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _download(data, f"{store.slug}-products-{stamp}.{fmt}", fmt)
