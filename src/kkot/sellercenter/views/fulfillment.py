"""Seller-center shipment pages (배송): the list with a tab per status, one shipment's tracking timeline, the
upload of tracking events (CSV/Excel; all or nothing, every broken row reported), return pickups (회수·검수: the
pickup's tracking, inspection, restock or dispose, the exchange's replacement) and the on-time rate of the
store's delivery promises (도착보장 성과)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kkot.core.errors import KkotError
from kkot.fulfillment.returns import (
    exchange_convert_to_return,
    exchange_replacement_ship,
    return_dispose,
    return_inspect,
    return_pickup_retry,
    return_policy,
    return_policy_update,
    return_reject,
    return_restock,
)
from kkot.fulfillment.selectors import (
    promise_report,
    return_case_detail_for_store,
    return_cases_page,
    shipment_detail_for_store,
    shipments_page,
    warehouses_for_store,
)
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


# ------------------------------------------------------------------------------------------- 회수·검수
@seller_page()
def returns(request, membership):
    """Return cases with a tab per status; POST: the store's return policy (검수 후 환불, 회수 택배사, 입고 창고)."""
    store = membership.store
    if request.method == "POST":
        try:
            return_policy_update(store=store, actor=request.user,
                                 inspect_before_refund=request.POST.get("inspect_before_refund") == "on",
                                 pickup_carrier=request.POST.get("pickup_carrier", ""),
                                 warehouse_id=request.POST.get("warehouse") or None)
        except KkotError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("반품 정책을 저장했습니다."))
        return redirect("sellercenter:returns", slug=store.slug)
    data = return_cases_page(store=store, status=request.GET.get("status", ""), page=request.GET.get("page") or 1)
    return render(request, "sellercenter/fulfillment/returns.html", ctx(
        request, nav="shipments", data=data, page=data.page, policy=return_policy(store=store),
        warehouses=warehouses_for_store(store=store), carriers=[(c, label) for c, (label, _r) in CARRIERS.items()],
        carrier_names={c: label for c, (label, _r) in CARRIERS.items()},
    ))


RETURN_ACTIONS = {
    "inspect_pass": (lambda r, store, pk: return_inspect(store=store, actor=r.user, case_id=pk, passed=True,
                                                         note=r.POST.get("note", ""), photos=r.FILES.getlist("photos")),
                     _lazy("검수 통과로 기록했습니다.")),
    "inspect_fail": (lambda r, store, pk: return_inspect(store=store, actor=r.user, case_id=pk, passed=False,
                                                         note=r.POST.get("note", ""), photos=r.FILES.getlist("photos")),
                     _lazy("검수 불합격으로 기록했습니다.")),
    "restock": (lambda r, store, pk: return_restock(store=store, actor=r.user, case_id=pk,
                                                    warehouse_id=r.POST.get("warehouse") or None),
                _lazy("재입고했습니다.")),
    "dispose": (lambda r, store, pk: return_dispose(store=store, actor=r.user, case_id=pk,
                                                    reason=r.POST.get("reason", "")),
                _lazy("폐기로 처리했습니다. 재고는 늘지 않습니다.")),
    "reject": (lambda r, store, pk: return_reject(store=store, actor=r.user, case_id=pk,
                                                  reason=r.POST.get("reason", "")),
               _lazy("반품을 거절했습니다. 구매자에게 사유를 알렸습니다.")),
    "retry_pickup": (lambda r, store, pk: return_pickup_retry(store=store, actor=r.user, case_id=pk,
                                                              carrier=r.POST.get("carrier", "")),
                     _lazy("회수를 다시 요청했습니다.")),
    "ship_replacement": (lambda r, store, pk: exchange_replacement_ship(
        store=store, actor=r.user, case_id=pk, carrier=r.POST.get("carrier", ""),
        tracking_number=r.POST.get("tracking_number", "")), _lazy("교환 상품을 발송했습니다.")),
    "convert": (lambda r, store, pk: exchange_convert_to_return(store=store, actor=r.user, case_id=pk,
                                                                reason=r.POST.get("reason", "")),
                _lazy("교환을 반품(환불)으로 전환했습니다.")),
}


@seller_page()
def return_detail(request, membership, case_id: int):
    store = membership.store
    d = return_case_detail_for_store(store=store, case_id=case_id)
    if d is None:
        raise Http404(_("회수·검수 건을 찾을 수 없습니다."))
    if request.method == "POST":
        action = RETURN_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, _("알 수 없는 작업입니다."))
        else:
            try:
                action[0](request, store, d["case"].pk)
            except KkotError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, action[1])
        return redirect("sellercenter:return_detail", slug=store.slug, case_id=d["case"].pk)
    carriers = {c: label for c, (label, _r) in CARRIERS.items()}
    return render(request, "sellercenter/fulfillment/return_detail.html", ctx(
        request, nav="shipments", **d, carriers=carriers, carrier_choices=list(carriers.items()),
        warehouses=warehouses_for_store(store=store).filter(is_active=True),
    ))


# ------------------------------------------------------------------------------------------- 도착보장 성과
@seller_page(methods=("GET",))
def promise_performance(request, membership):
    """On-time rate of the store's delivery promises: by week (Plotly), by carrier, by region."""
    import plotly.graph_objects as go

    from kkot.sellercenter.views.advisor import GREEN, PINK, _fig_html

    try:
        days = min(max(int(request.GET.get("days", 84)), 7), 365)
    except ValueError:
        days = 84
    rep = promise_report(store=membership.store, days=days)
    chart = ""
    if rep.weeks:
        x = [w.label for w in rep.weeks]
        fig = go.Figure()
        fig.add_bar(x=x, y=[w.shown for w in rep.weeks], name=_("도착일 안내 주문"), marker_color=PINK, opacity=0.55)
        fig.add_scatter(x=x, y=[round(w.rate * 100, 1) if w.rate is not None else None for w in rep.weeks],
                        name=_("약속 지킴 비율(%)"), yaxis="y2", mode="lines+markers", line={"color": GREEN})
        fig.add_scatter(x=x, y=[90] * len(x), name=_("목표 90%"), yaxis="y2", mode="lines",
                        line={"color": "#888", "dash": "dot"})
        fig.update_layout(yaxis={"title": _("주문 수")},
                          yaxis2={"overlaying": "y", "side": "right", "range": [0, 100], "showgrid": False})
        chart = _fig_html(fig)
    return render(request, "sellercenter/fulfillment/promises.html", ctx(
        request, nav="shipments", rep=rep, chart=chart, days=days, day_options=(28, 84, 182, 365),
    ))
