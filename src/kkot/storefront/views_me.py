"""Shopper pages under /me/: my orders (timeline, cancel/return/exchange, 구매확정), address book, notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kkot.core.errors import KkotError, NotFound
from kkot.orders.models import ClaimKind, ClaimReason
from kkot.orders.selectors import shopper as sel
from kkot.orders.services import addresses as addr_svc
from kkot.orders.services.checkout import AddressInput
from kkot.orders.services.claims import ClaimItem, claim_request
from kkot.orders.services.inbox import notifications_mark_read
from kkot.orders.services.lifecycle import order_confirm
from kkot.storefront.cart import forget_counts


def _page_no(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page") or 1), 10_000))
    except ValueError:
        return 1


# ---------------------------------------------------------------- orders


@login_required
@require_GET
def order_list(request):
    status = request.GET.get("status", "")
    status = status if status in sel.ORDER_FILTERS else ""
    page = sel.orders_for_shopper(user=request.user, status=status, page=_page_no(request))
    counts = sel.orders_count_by_filter(user=request.user)
    chips = [(key, label, counts.get(key, 0)) for key, (label, _st) in sel.ORDER_FILTERS.items()]
    return render(request, "storefront/orders/order_list.html",
                  {"page": page, "status": status, "chips": chips, "kk_page": "me"})


def _detail(request, order_id):
    try:
        return sel.order_for_shopper(user=request.user, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def order_detail(request, order_id: int):
    d = _detail(request, order_id)
    reasons = [(v, lbl) for v, lbl in ClaimReason.choices]
    return render(request, "storefront/orders/order_detail.html",
                  {"d": d, "o": d.order, "reasons": reasons, "kk_page": "me"})


def _claim_items(request, d) -> list[ClaimItem]:
    items = []
    for lv in d.lines:
        raw = (request.POST.get(f"qty_{lv.line.pk}") or "").strip()
        if raw in ("", "0"):
            continue
        ev = request.POST.get(f"exchange_{lv.line.pk}") or ""
        items.append(ClaimItem(line_id=lv.line.pk, quantity=raw if raw.lstrip("-").isdigit() else 0,
                               exchange_variant_id=int(ev) if ev.isdigit() and int(ev) < 2**63 else None))
    return items


@login_required
@require_POST
def order_claim(request, order_id: int):
    """주문취소 (kind=cancel; whole=1 for every remaining unit) / 반품신청 / 교환신청 for lines and quantities."""
    d = _detail(request, order_id)
    kind = request.POST.get("kind", "")
    if request.POST.get("whole") == "1":
        items = [ClaimItem(line_id=lv.line.pk, quantity=lv.claimable_qty) for lv in d.lines if lv.claimable_qty > 0]
    else:
        items = _claim_items(request, d)
    reason = request.POST.get("reason") or (ClaimReason.CHANGE_OF_MIND if kind == ClaimKind.CANCEL else "")
    try:
        claim = claim_request(order_id=d.order.pk, user=request.user, kind=kind, reason=reason, items=items,
                              detail=(request.POST.get("detail") or "").strip()[:300])
    except KkotError as exc:
        messages.error(request, exc.message)
    else:
        if claim.kind == ClaimKind.CANCEL and claim.refund_amount:
            messages.success(request, _("주문을 취소했습니다. %(a)s원이 환불됩니다.") % {"a": f"{int(claim.refund_amount):,}"})
        elif claim.kind == ClaimKind.CANCEL:
            messages.success(request, _("주문을 취소했습니다."))
        else:
            messages.success(request, _("%(k)s 신청을 접수했습니다. 판매자가 확인한 뒤 알려 드립니다.")
                             % {"k": claim.get_kind_display()})
    forget_counts(request)
    return redirect("storefront:order_detail", order_id=d.order.pk)


@login_required
@require_POST
def order_confirm_view(request, order_id: int):
    d = _detail(request, order_id)
    try:
        order_confirm(order=d.order, actor=request.user, role="shopper")
    except KkotError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("구매를 확정했습니다. 리뷰를 남겨 주시면 다른 분들께 큰 도움이 됩니다."))
    return redirect("storefront:order_detail", order_id=d.order.pk)


# ---------------------------------------------------------------- address book


def _address_data(post) -> tuple[AddressInput, str, bool]:
    return (AddressInput(post.get("recipient", ""), post.get("phone", ""), post.get("postcode", ""),
                         post.get("address1", ""), post.get("address2", "")),
            post.get("label", ""), post.get("is_default") == "1")


@login_required
@require_http_methods(["GET", "POST"])
def addresses(request):
    errors, form = {}, {}
    status = 200
    if request.method == "POST":
        data, label, is_default = _address_data(request.POST)
        try:
            addr_svc.address_create(user=request.user, data=data, label=label, is_default=is_default)
        except KkotError as exc:
            status, form = 400, request.POST
            errors = {k: v[0] for k, v in (exc.details or {}).items()} if isinstance(exc.details, dict) else {}
            errors["top"] = exc.message
        else:
            messages.success(request, _("배송지를 저장했습니다."))
            return redirect("storefront:addresses")
    return render(request, "storefront/orders/addresses.html",
                  {"addresses": sel.addresses_for(user=request.user), "errors": errors, "form": form,
                   "kk_page": "me"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request, address_id: int):
    try:
        a = sel.address_get(user=request.user, address_id=address_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    errors, status = {}, 200
    form = {"recipient": a.recipient, "phone": a.phone, "postcode": a.postcode, "address1": a.address1,
            "address2": a.address2, "label": a.label}
    if request.method == "POST":
        data, label, is_default = _address_data(request.POST)
        try:
            addr_svc.address_update(user=request.user, address_id=a.pk, data=data, label=label, is_default=is_default)
        except KkotError as exc:
            status, form = 400, request.POST
            errors = {k: v[0] for k, v in (exc.details or {}).items()} if isinstance(exc.details, dict) else {}
            errors["top"] = exc.message
        else:
            messages.success(request, _("배송지를 고쳤습니다."))
            return redirect("storefront:addresses")
    return render(request, "storefront/orders/address_edit.html",
                  {"a": a, "form": form, "errors": errors, "kk_page": "me"}, status=status)


@login_required
@require_POST
def address_action(request, address_id: int):
    try:
        if request.POST.get("action") == "delete":
            addr_svc.address_delete(user=request.user, address_id=address_id)
            messages.success(request, _("배송지를 삭제했습니다."))
        else:
            addr_svc.address_set_default(user=request.user, address_id=address_id)
            messages.success(request, _("기본 배송지를 바꿨습니다."))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return redirect("storefront:addresses")


# ---------------------------------------------------------------- notifications


@login_required
@require_GET
def notifications(request):
    page = sel.notifications_for(user=request.user, page=_page_no(request))
    return render(request, "storefront/orders/notifications.html", {"page": page, "kk_page": "me"})


@login_required
@require_POST
def notifications_read(request):
    """Mark one (id=...) or all notifications read; with ``go=1`` continue to the notification's page."""
    nid = request.POST.get("id")
    notifications_mark_read(user=request.user, ids=[nid] if nid else None)
    forget_counts(request)
    if nid and request.POST.get("go") == "1":
        n = sel.notification_get(user=request.user, notification_id=nid)
        if n is not None and n.url.startswith("/") and not n.url.startswith("//"):
            return redirect(n.url)
    return redirect("storefront:notifications")
