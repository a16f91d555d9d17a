"""Seller-center shipment pages (배송): the list with a tab per status, one shipment's tracking timeline, and
the upload of tracking events (CSV/Excel; all or nothing, every broken row reported)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kkot.core.errors import KkotError
from kkot.fulfillment.selectors import shipment_detail_for_store, shipments_page
from kkot.fulfillment.services import tracking_events_import
from kkot.orders.services.lifecycle import CARRIERS
from kkot.sellercenter.access import ctx, seller_page
from kkot.sellercenter.forms import ImportForm


@seller_page(methods=("GET",))
def shipments(request, membership):
    data = shipments_page(store=membership.store, status=request.GET.get("status", ""), q=request.GET.get("q", ""),
                          page=request.GET.get("page") or 1)
    return render(request, "sellercenter/fulfillment/list.html", ctx(
        request, nav="shipments", data=data, page=data.page, carriers={c: label for c, (label, _r) in CARRIERS.items()},
    ))


@seller_page(methods=("GET",))
def shipment_detail(request, membership, shipment_id: int):
    d = shipment_detail_for_store(store=membership.store, shipment_id=shipment_id)
    if d is None:
        raise Http404(_("배송을 찾을 수 없습니다."))
    return render(request, "sellercenter/fulfillment/detail.html", ctx(
        request, nav="shipments", s=d["shipment"], events=d["events"], carrier_label=CARRIERS[d["shipment"].carrier][0]
        if d["shipment"].carrier in CARRIERS else d["shipment"].carrier,
    ))


@seller_page()
def tracking_events_upload(request, membership):
    store = membership.store
    result = None
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data["file"]
            try:
                result = tracking_events_import(store=store, actor=request.user, data=f.read(), filename=f.name)
            except KkotError as exc:
                form.add_error(None, exc.message)
            else:
                if not result.errors:
                    messages.success(request, _("배송 단계 %(a)d건을 반영했습니다.") % {"a": result.applied}
                                     + (_(" (이미 있던 %(u)d건은 그대로 두었습니다.)") % {"u": result.unchanged}
                                        if result.unchanged else ""))
                    return redirect("sellercenter:tracking_events_upload", slug=store.slug)
                form = ImportForm()
    return render(request, "sellercenter/fulfillment/upload.html", ctx(
        request, nav="shipments", form=form, result=result, cell_errors=result.errors if result else [],
        carriers=[label for label, _r in CARRIERS.values()],
    ))
