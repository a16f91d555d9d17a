"""알림 page (the store's in-app notifications) and the webhook signing key."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kkot.core.errors import KkotError
from kkot.orders.selectors.seller import store_notifications
from kkot.orders.services.seller_actions import (
    SIGNATURE_SCHEME,
    store_notifications_mark_read,
    store_webhook_secret_rotate,
)
from kkot.sellercenter.access import Role, ctx, seller_page


@seller_page()
def notifications(request, membership):
    store = membership.store
    if request.method == "POST":
        n = store_notifications_mark_read(store=store, actor=request.user)
        messages.success(request, _("알림 %(n)d개를 읽음으로 표시했습니다.") % {"n": n})
        return redirect("sellercenter:notifications", slug=store.slug)
    page = Paginator(store_notifications(store=store), 50).get_page(request.GET.get("page") or 1)
    return render(request, "sellercenter/orders/notifications.html", ctx(request, nav="notifications", page=page))


@seller_page(write_role=Role.OWNER, methods=("POST",))
def webhook_secret_rotate(request, membership):
    try:
        secret = store_webhook_secret_rotate(store=membership.store, actor=request.user)
    except KkotError as exc:
        messages.error(request, exc.message)
        return redirect("sellercenter:settings", slug=membership.store.slug)
    response = render(request, "sellercenter/orders/webhook_secret.html", ctx(
        request, nav="settings", secret=secret, scheme=SIGNATURE_SCHEME))
    response["Cache-Control"] = "no-store"
    return response
