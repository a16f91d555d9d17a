"""Seller-center stock pages (재고): warehouses, stock per warehouse with 입고/조정 forms, the movement ledger,
and low stock with days of cover and a reorder suggestion. Writes go through :mod:`kkot.inventory.services`
(every change is a ledger movement; below-zero adjustments are refused there)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kkot.core.errors import KkotError
from kkot.fulfillment.selectors import low_stock_list
from kkot.inventory.models import MovementKind, Warehouse
from kkot.inventory.selectors import (
    StockFilters,
    movements_page,
    stock_levels_page,
    variant_choices,
    warehouses_for_store,
)
from kkot.inventory.services import (
    stock_adjust,
    stock_receive,
    stock_sync_if_needed,
    warehouse_create,
    warehouse_set_default,
)
from kkot.sellercenter.access import ctx, seller_page


@seller_page()
def warehouses(request, membership):
    store = membership.store
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "default":
                wh = warehouse_set_default(store=store, actor=request.user, warehouse_id=p.get("warehouse"))
                messages.success(request, _("'%(n)s'을(를) 기본 출고지로 정했습니다.") % {"n": wh.name})
            else:
                wh = warehouse_create(store=store, actor=request.user, name=p.get("name", ""),
                                      code=p.get("code", ""), kind=p.get("kind") or Warehouse.Kind.OWN,
                                      cold_chain=p.get("cold_chain") == "on", is_default=p.get("is_default") == "on",
                                      postcode=(p.get("postcode") or "").strip())
                messages.success(request, _("창고 '%(n)s'을(를) 추가했습니다.") % {"n": wh.name})
        except KkotError as exc:
            messages.error(request, exc.message)
            return render(request, "sellercenter/inventory/warehouses.html", ctx(
                request, nav="inventory", warehouses=warehouses_for_store(store=store), kinds=Warehouse.Kind.choices,
                posted=p), status=400)
        return redirect("sellercenter:warehouses", slug=store.slug)
    return render(request, "sellercenter/inventory/warehouses.html", ctx(
        request, nav="inventory", warehouses=warehouses_for_store(store=store), kinds=Warehouse.Kind.choices,
        posted={}))


@seller_page()
def stock(request, membership):
    store = membership.store
    if request.method == "POST":
        p = request.POST
        back = reverse("sellercenter:inventory", args=[store.slug])
        nxt = p.get("next") or ""
        if nxt.startswith(back) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            back = nxt
        try:
            if p.get("action") == "adjust":
                mv = stock_adjust(store=store, actor=request.user, warehouse_id=p.get("warehouse"),
                                  variant_id=p.get("variant"), delta=p.get("qty"), reason=p.get("reason", ""))
                messages.success(request, _("재고를 %(q)+d개 조정했습니다.") % {"q": mv.qty})
            else:
                mv = stock_receive(store=store, actor=request.user, warehouse_id=p.get("warehouse"),
                                   variant_id=p.get("variant"), qty=p.get("qty"), reason=p.get("reason", ""))
                messages.success(request, _("%(q)d개를 입고했습니다.") % {"q": mv.qty})
        except KkotError as exc:
            messages.error(request, exc.message)
        return redirect(back)
    stock_sync_if_needed(store=store)  # lazy opening balances (ADR 0007); a no-op once the ledger is current
    filters = StockFilters.from_query(request.GET)
    page = stock_levels_page(store=store, filters=filters, page=request.GET.get("page") or 1)
    return render(request, "sellercenter/inventory/stock.html", ctx(
        request, nav="inventory", page=page, filters=filters, query=filters.query(),
        warehouses=warehouses_for_store(store=store), variants=variant_choices(store=store),
    ))


@seller_page(methods=("GET",))
def movements(request, membership):
    store = membership.store
    filters = StockFilters.from_query(request.GET)
    page = movements_page(store=store, filters=filters, page=request.GET.get("page") or 1)
    return render(request, "sellercenter/inventory/movements.html", ctx(
        request, nav="inventory", page=page, filters=filters, query=filters.query(),
        warehouses=warehouses_for_store(store=store), kinds=MovementKind.choices,
    ))


@seller_page(methods=("GET",))
def low_stock(request, membership):
    rows = low_stock_list(store=membership.store)
    return render(request, "sellercenter/inventory/low_stock.html", ctx(request, nav="inventory", rows=rows))
