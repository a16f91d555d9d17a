"""쿠폰 page: the store's coupons, create, deactivate."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kkot.core.errors import KkotError, NotFound
from kkot.orders.selectors.seller import coupons_for_seller
from kkot.orders.services.coupons import coupon_create, coupon_deactivate
from kkot.sellercenter.access import ctx, seller_page
from kkot.sellercenter.forms import apply_service_errors
from kkot.sellercenter.order_forms import CouponForm


@seller_page()
def coupons(request, membership):
    store = membership.store
    form = CouponForm(initial=CouponForm.initial_values())
    if request.method == "POST":
        form = CouponForm(request.POST)
        if form.is_valid():
            try:
                c = coupon_create(store=store, actor=request.user, **form.cleaned_data)
            except KkotError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("쿠폰 '%(n)s'(%(c)s)을(를) 만들었습니다.") % {"n": c.name, "c": c.code})
                return redirect("sellercenter:coupons", slug=store.slug)
    return render(request, "sellercenter/orders/coupons.html", ctx(
        request, nav="coupons", form=form, coupons=coupons_for_seller(store=store),
    ))


@seller_page(methods=("POST",))
def coupon_deactivate_view(request, membership, coupon_id: int):
    try:
        c = coupon_deactivate(store=membership.store, actor=request.user, coupon_id=coupon_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("쿠폰 '%(n)s'을(를) 중지했습니다. 더 이상 사용할 수 없습니다.") % {"n": c.name})
    return redirect("sellercenter:coupons", slug=membership.store.slug)
