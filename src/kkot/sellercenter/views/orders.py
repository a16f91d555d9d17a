"""Seller-center order pages: the list with live tab counts, bulk 발주확인, 발송처리, the order page with its
timeline and claims, 판매자 취소, tracking-number upload, and export of the current list.

발송처리 (one order or a sheet) goes through :mod:`kkot.fulfillment.services`, so every dispatched order has a
Shipment that its tracking events attach to."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kkot.core.errors import KkotError, NotFound
from kkot.fulfillment.returns import claim_accept
from kkot.fulfillment.selectors import return_case_for_order
from kkot.fulfillment.services import shipment_create, shipments_import
from kkot.orders.models import ClaimKind
from kkot.orders.selectors.seller import (
    claim_for_seller,
    order_detail_for_seller,
    order_export_rows,
    order_filters_from,
    order_for_seller,
    order_list_page,
    sheet_bytes,
)
from kkot.orders.services.claims import claim_approve, claim_complete_exchange, claim_reject
from kkot.orders.services.lifecycle import CARRIERS, orders_accept
from kkot.orders.services.seller_actions import order_cancel_by_seller
from kkot.orders.services.tracking_import import tracking_template
from kkot.sellercenter.access import ctx, seller_page
from kkot.sellercenter.forms import ImportForm
from kkot.sellercenter.order_forms import ShipForm

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _fmt_or_404(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
        raise Http404(_("지원하지 않는 파일 형식입니다."))
    return fmt


def _query(filters) -> str:
    params = {}
    if filters.tab != "all":
        params["status"] = filters.tab
    if filters.q:
        params["q"] = filters.q
    if filters.date_from:
        params["from"] = filters.date_from.isoformat()
    if filters.date_to:
        params["to"] = filters.date_to.isoformat()
    return urlencode(params)


def _back(request, default: str) -> str:
    nxt = request.POST.get("next") or ""
    prefix = reverse("sellercenter:orders", args=[request.store.slug])
    if nxt.startswith(prefix) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def _errors(request, form) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)


@seller_page()
def order_list(request, membership):
    store = membership.store
    if request.method == "POST":  # 발주확인 of the checked orders
        ids = [int(x) for x in request.POST.getlist("ids") if str(x).isdigit()]
        back = _back(request, reverse("sellercenter:orders", args=[store.slug]))
        if not ids:
            messages.error(request, _("발주확인할 주문을 선택해 주세요."))
            return redirect(back)
        try:
            n = orders_accept(store=store, actor=request.user, order_ids=ids)
        except KkotError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("주문 %(n)d건을 발주확인했습니다. 발송 준비를 시작해 주세요.") % {"n": n})
        return redirect(back)
    filters = order_filters_from(request.GET)
    data = order_list_page(store=store, filters=filters, page=request.GET.get("page") or 1)
    return render(request, "sellercenter/orders/list.html", ctx(
        request, nav="orders", data=data, page=data.page, filters=filters, query=_query(filters),
        carriers=[(c, label) for c, (label, _re) in CARRIERS.items()], ship_form=ShipForm(),
    ))


@seller_page(methods=("GET",))
def order_export(request, membership, fmt: str):
    fmt = _fmt_or_404(fmt)
    store = membership.store
    header, rows = order_export_rows(store=store, filters=order_filters_from(request.GET))
    data = sheet_bytes(header, rows, fmt=fmt, title=_("주문"), text_columns=(0, 5, 6, 20))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _download(data, f"{store.slug}-orders-{stamp}.{fmt}", fmt)


@seller_page(methods=("GET",))
def order_detail(request, membership, order_id: int):
    try:
        detail = order_detail_for_seller(store=membership.store, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "sellercenter/orders/detail.html", ctx(
        request, nav="orders", d=detail, order=detail.order, ship_form=ShipForm(),
        return_cases={c.claim_id: c for c in return_case_for_order(order_id=detail.order.pk)},
    ))


def _order_or_404(request, order_id):
    try:
        return order_for_seller(store=request.store, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@seller_page(methods=("POST",))
def order_ship_view(request, membership, order_id: int):
    order = _order_or_404(request, order_id)
    back = _back(request, reverse("sellercenter:order_detail", args=[membership.store.slug, order.pk]))
    form = ShipForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(back)
    try:
        shipment_create(order=order, actor=request.user, carrier=form.cleaned_data["carrier"],
                        tracking_number=form.cleaned_data["tracking_number"])
    except KkotError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("주문 %(n)s을(를) 발송처리했습니다.") % {"n": order.number})
    return redirect(back)


@seller_page(methods=("POST",))
def order_cancel_view(request, membership, order_id: int):
    order = _order_or_404(request, order_id)
    try:
        order_cancel_by_seller(store=membership.store, actor=request.user, order_id=order.pk,
                               reason=request.POST.get("reason", ""))
    except KkotError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("주문을 취소하고 결제 금액을 환불했습니다. 구매자에게 알림을 보냈습니다."))
    return redirect("sellercenter:order_detail", slug=membership.store.slug, order_id=order.pk)


def _claim_or_404(request, claim_id):
    try:
        return claim_for_seller(store=request.store, claim_id=claim_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _claim_post(request, membership, claim_id, action, success: str):
    claim = _claim_or_404(request, claim_id)
    try:
        action(claim)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except KkotError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("sellercenter:order_detail", slug=membership.store.slug, order_id=claim.order_id)


@seller_page(methods=("POST",))
def claim_approve_view(request, membership, claim_id: int):
    """Approve a claim: a return or exchange opens a return case with a pickup (회수) request."""
    claim = _claim_or_404(request, claim_id)
    if claim.kind not in (ClaimKind.RETURN, ClaimKind.EXCHANGE):
        return _claim_post(request, membership, claim_id,
                           lambda c: claim_approve(store=membership.store, actor=request.user, claim_id=c.pk),
                           _("요청을 승인했습니다."))
    try:
        case = claim_accept(store=membership.store, actor=request.user, claim_id=claim.pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except KkotError as exc:
        messages.error(request, exc.message)
        return redirect("sellercenter:order_detail", slug=membership.store.slug, order_id=claim.order_id)
    messages.success(request, _("요청을 승인하고 택배사에 회수를 요청했습니다(송장 %(t)s). 회수 상품이 도착하면 검수해 주세요.")
                     % {"t": case.pickup.tracking_number})
    return redirect("sellercenter:return_detail", slug=membership.store.slug, case_id=case.pk)


@seller_page(methods=("POST",))
def claim_reject_view(request, membership, claim_id: int):
    return _claim_post(request, membership, claim_id,
                       lambda c: claim_reject(store=membership.store, actor=request.user, claim_id=c.pk,
                                              reason=request.POST.get("reason", "")),
                       _("요청을 거부했습니다. 구매자에게 사유를 알렸습니다."))


@seller_page(methods=("POST",))
def claim_exchange_complete_view(request, membership, claim_id: int):
    return _claim_post(request, membership, claim_id,
                       lambda c: claim_complete_exchange(store=membership.store, actor=request.user, claim_id=c.pk),
                       _("교환을 완료했습니다."))


@seller_page()
def tracking_upload(request, membership):
    store = membership.store
    result = None
    cell_errors: list[dict] = []
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data["file"]
            try:
                result = shipments_import(store=store, actor=request.user, data=f.read(), filename=f.name)
            except KkotError as exc:
                form.add_error(None, exc.message)
            else:
                cell_errors = result.errors
                if result.applied or result.unchanged:
                    messages.success(request, _("%(a)d건을 발송처리했습니다.") % {"a": result.applied}
                                     + (_(" (이미 같은 송장으로 처리된 %(u)d건은 그대로 두었습니다.)") % {"u": result.unchanged}
                                        if result.unchanged else ""))
                if not cell_errors:
                    return redirect("sellercenter:tracking_upload", slug=store.slug)
                form = ImportForm()
    return render(request, "sellercenter/orders/tracking_upload.html", ctx(
        request, nav="orders", form=form, result=result, cell_errors=cell_errors,
        carriers=[(c, label) for c, (label, _re) in CARRIERS.items()],
    ))


@seller_page(methods=("GET",))
def tracking_template_view(request, membership, fmt: str):
    fmt = _fmt_or_404(fmt)
    data = tracking_template(store=membership.store, fmt=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return _download(data, f"{membership.store.slug}-tracking-{stamp}.{fmt}", fmt)
