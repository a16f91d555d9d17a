"""Shopper pages for buying: cart, checkout, thank-you page. Thin: parse, call one service/selector, render."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kkot.core.errors import KkotError, NotFound, ValidationError
from kkot.events.capture import request_identity, request_tracking_allowed
from kkot.events.models import EventKind
from kkot.events.services import event_row, events_append
from kkot.fulfillment.promise import promise_record_for_purchase
from kkot.orders.models import PaymentStatus
from kkot.orders.payments import providers, sign
from kkot.orders.pricing import region_of
from kkot.orders.selectors import cart as cart_sel
from kkot.orders.selectors import shopper as sel
from kkot.orders.services.addresses import address_create
from kkot.orders.services.cart import cart_add as svc_cart_add
from kkot.orders.services.cart import cart_remove, cart_set_quantity
from kkot.orders.services.checkout import AddressInput, checkout_place
from kkot.orders.services.payments import payment_webhook_receive
from kkot.orders.services.quote import checkout_quote
from kkot.recommendations.pages import page_widgets
from kkot.storefront.cart import forget_counts, request_cart

NOTE_PRESETS = [
    "", "문 앞에 놓아 주세요", "경비실에 맡겨 주세요", "택배함에 넣어 주세요", "배송 전에 연락 주세요", "direct",
]
TEST_CARDS = [
    ("4242 4242 4242 4242", "승인"), ("4000 0000 0000 0002", "거절 (잔액 부족)"),
    ("4000 0000 0000 0069", "거절 (유효기간 만료)"), ("4000 0000 0000 0119", "응답 없음 (결제 확인 중)"),
]


def _safe_next(request, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return fallback


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# ---------------------------------------------------------------- cart


@require_POST
def cart_add(request):
    """장바구니 담기 (action=cart, default) or 구매하기 (action=buy: straight to checkout with this item)."""
    back = _safe_next(request, reverse("storefront:cart"))
    variant_id, quantity = request.POST.get("variant", ""), request.POST.get("quantity") or "1"
    if request.POST.get("action") == "buy":
        if not (str(variant_id).isdigit() and re.fullmatch(r"-?\d{1,6}", str(quantity))):
            messages.error(request, _("옵션을 선택해 주세요."))
            return redirect(back)
        return redirect(reverse("storefront:checkout") + "?" + urlencode({"buy": f"{variant_id}:{quantity}"}))
    try:
        cart = request_cart(request, create=True)
        item = svc_cart_add(cart=cart, variant_id=variant_id, quantity=quantity)
    except KkotError as exc:
        msg = _("옵션을 선택해 주세요.") if (exc.code == "not_found" and not variant_id) else exc.message
        if _wants_json(request):
            return JsonResponse({"ok": False, "code": exc.code, "message": msg}, status=exc.status)
        messages.error(request, msg)
        return redirect(back)
    product = item.variant.product
    if request_tracking_allowed(request):
        events_append(rows=[event_row(identity=request_identity(request), kind=EventKind.ADD_TO_CART,
                                      store_id=product.store_id, product_id=product.pk, page_type="product",
                                      section="buy")])
    forget_counts(request)
    count = cart_sel.header_counts(user=request.user, cart_token=request.session.get("cart_token"))["cart"]
    msg = _("장바구니에 담았습니다.")
    if _wants_json(request):
        return JsonResponse({"ok": True, "count": count, "message": msg, "cart_url": reverse("storefront:cart")})
    messages.success(request, msg)
    return redirect(back)


@require_GET
def cart(request):
    selected = None
    if request.GET.get("sel"):
        selected = [int(i) for i in request.GET.getlist("v") if i.isdigit() and int(i) < 2**63]
    view = cart_sel.cart_view(cart=request_cart(request), user=request.user, selected_ids=selected)
    recs = page_widgets(request, "other", cart_product_ids=[r.item.variant.product_id for g in view.groups
                                                            for r in g.rows])
    return render(request, "storefront/orders/cart.html", {"v": view, "kk_page": "other", "recs": recs,
                                                           "kk_tracking": request_tracking_allowed(request)})


@require_POST
def cart_item_quantity(request, item_id: int):
    cart = request_cart(request)
    try:
        if cart is None:
            raise NotFound(_("장바구니 상품을 찾을 수 없습니다."))
        cart_set_quantity(cart=cart, item_id=item_id, quantity=request.POST.get("quantity"))
        messages.success(request, _("수량을 바꿨습니다."))
    except KkotError as exc:
        messages.error(request, exc.message)
    forget_counts(request)
    return redirect("storefront:cart")


@require_POST
def cart_item_remove(request):
    cart = request_cart(request)
    n = cart_remove(cart=cart, item_ids=request.POST.getlist("item")) if cart is not None else 0
    forget_counts(request)
    if n:
        messages.success(request, _("장바구니에서 %(n)d개 상품을 뺐습니다.") % {"n": n})
    return redirect("storefront:cart")


# ---------------------------------------------------------------- checkout


def _parse_lines(values: list[str]) -> list[tuple[int, int]]:
    out = []
    for raw in values[:100]:
        m = re.fullmatch(r"(\d{1,19}):(-?\d{1,12})", (raw or "").strip())
        if not m:
            raise ValidationError(_("주문 정보가 올바르지 않습니다."), code="invalid_item")
        out.append((int(m.group(1)), int(m.group(2))))
    return out


def _form_from_post(post) -> dict:
    coupons = {}
    for key, value in post.items():
        if key.startswith("coupon_") and key[7:].isdigit():
            coupons[int(key[7:])] = value.strip()[:30]
    return {
        "address": post.get("address", "new"), "save_address": post.get("save_address") == "1",
        "recipient": post.get("recipient", "").strip(), "phone": post.get("phone", "").strip(),
        "postcode": post.get("postcode", "").strip(), "address1": post.get("address1", "").strip(),
        "address2": post.get("address2", "").strip(), "note_preset": post.get("note_preset", ""),
        "note_text": post.get("note_text", "").strip()[:100], "provider": post.get("provider", "test_card"),
        "card_number": post.get("card_number", "").strip()[:25], "coupons": coupons,
    }


def _address_input(request, form: dict) -> AddressInput:
    if form["address"] != "new":
        a = sel.address_get(user=request.user, address_id=form["address"])
        return AddressInput(a.recipient, a.phone, a.postcode, a.address1, a.address2)
    return AddressInput(form["recipient"], form["phone"], form["postcode"], form["address1"], form["address2"])


def _note(form: dict) -> str:
    return form["note_text"] if form["note_preset"] in ("direct", "") else form["note_preset"]


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    errors: dict[str, str] = {}
    addresses = sel.addresses_for(user=request.user)
    default = next((a for a in addresses if a.is_default), addresses[0] if addresses else None)
    try:
        if request.method == "POST":
            lines = _parse_lines(request.POST.getlist("line"))
        elif request.GET.get("buy"):
            lines = _parse_lines([request.GET["buy"]])
        else:
            lines = cart_sel.cart_items_for_checkout(cart=request_cart(request), variant_ids=request.GET.getlist("v"))
    except KkotError as exc:
        lines, errors["top"] = [], exc.message
    if not lines and not errors:
        messages.error(request, _("주문할 상품을 선택해 주세요."))
        return redirect("storefront:cart")
    if request.method == "POST":
        form = _form_from_post(request.POST)
    else:
        form = _form_from_post({"address": str(default.pk) if default else "new"})
    status = 200
    if request.method == "POST" and request.POST.get("action") == "place" and not errors:
        try:
            if form["provider"] not in providers():
                raise ValidationError(_("결제 수단을 선택해 주세요."), code="invalid_provider")
            address = _address_input(request, form)
            purchase = checkout_place(
                user=request.user, items=lines, address=address, provider=form["provider"],
                idempotency_key=request.POST.get("idempotency_key", ""),
                expected_total=request.POST.get("expected_total", ""), coupons=form["coupons"],
                payment_params={"card_number": form["card_number"]} if form["provider"] == "test_card" else {},
                request_note=_note(form))
        except KkotError as exc:
            status = exc.status
            key = {"invalid_address": "address", "card_invalid": "card_number"}.get(exc.code, "top")
            if exc.code.startswith("coupon_"):
                key = "coupon"
            errors[key] = exc.message
            if exc.code == "invalid_address" and isinstance(exc.details, dict):
                errors.update({f"a_{k}": v[0] for k, v in exc.details.items()})
        else:
            payment = purchase.payments.order_by("-pk").first()
            if payment is not None and payment.status == PaymentStatus.FAILED:
                status = 402
                errors["top"] = _("카드 결제가 거절되었습니다: %(m)s 다른 카드로 다시 시도해 주세요.") % {
                    "m": payment.failure_message or payment.failure_code}
            else:
                if form["address"] == "new" and form["save_address"]:
                    try:
                        address_create(user=request.user, data=address, is_default=not addresses)
                    except KkotError as exc:
                        messages.warning(request, exc.message)
                promise_record_for_purchase(purchase=purchase)
                forget_counts(request)
                return redirect("storefront:checkout_done", number=purchase.number)
    ctx = _checkout_context(request, lines=lines, form=form, errors=errors, addresses=addresses)
    return render(request, "storefront/orders/checkout.html", ctx, status=status)


def _checkout_context(request, *, lines, form, errors, addresses) -> dict:
    postcode = cart_sel.MAINLAND_POSTCODE
    try:
        if form["address"] != "new":
            postcode = sel.address_get(user=request.user, address_id=form["address"]).postcode
        elif re.fullmatch(r"\d{5}", form["postcode"]):
            postcode = form["postcode"]
    except NotFound as exc:
        errors.setdefault("address", exc.message)
        form["address"] = "new"
    coupon_errs = {}
    if form["coupons"] and lines:
        coupon_errs = cart_sel.coupon_errors(user=request.user, items=lines, postcode=postcode, coupons=form["coupons"])
    good_coupons = {sid: c for sid, c in form["coupons"].items() if c and sid not in coupon_errs}
    quote = None
    if lines:
        try:
            quote = checkout_quote(user=request.user, items=lines, postcode=postcode, coupons=good_coupons)
        except KkotError as exc:
            if exc.code.startswith("coupon_"):  # e.g. a coupon for a store not in this order
                errors.setdefault("coupon", exc.message)
                try:
                    quote = checkout_quote(user=request.user, items=lines, postcode=postcode)
                except KkotError as exc2:
                    errors.setdefault("top", exc2.message)
            else:
                errors.setdefault("top", exc.message)
    usable = cart_sel.usable_coupons(user=request.user, quote=quote) if quote else {}
    groups = []
    if quote:
        for sq in quote.stores:
            sid = sq.store.pk
            groups.append({"sq": sq, "coupons": usable.get(sid, []), "chosen": form["coupons"].get(sid, ""),
                           "error": coupon_errs.get(sid, "")})
    region = region_of(postcode)
    surcharge = 0
    if quote and region != "mainland":
        field = "shipping_jeju_surcharge" if region == "jeju" else "shipping_island_surcharge"
        surcharge = sum(getattr(sq.store, field) for sq in quote.stores)
    return {
        "lines": [f"{v}:{q}" for v, q in lines], "quote": quote, "groups": groups, "form": form,
        "errors": errors, "addresses": addresses, "postcode": postcode, "region": region,
        "surcharge": surcharge, "note_presets": NOTE_PRESETS, "test_cards": TEST_CARDS,
        "providers": [(code, p.name) for code, p in providers().items()],
        "idempotency_key": secrets.token_urlsafe(24), "kk_page": "other",
    }


@login_required
@require_GET
def checkout_done(request, number: str):
    try:
        purchase = sel.purchase_for_shopper(user=request.user, number=number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "storefront/orders/done.html", {"purchase": purchase, "payment": purchase.payment,
                                                           "debug": settings.DEBUG, "kk_page": "other"})


@login_required
@require_POST
def checkout_simulate_deposit(request, number: str):
    """Demo only (settings.DEBUG): the bank tells us the deposit arrived, as a correctly signed webhook."""
    if not settings.DEBUG:
        raise Http404
    try:
        purchase = sel.purchase_for_shopper(user=request.user, number=number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    payment = purchase.payment
    if payment is None or payment.provider != "bank_transfer":
        raise Http404
    body = json.dumps({"id": "sim_" + uuid.uuid4().hex, "type": "deposit.received",
                       "payment_ref": payment.provider_ref, "amount": int(payment.amount)}).encode()
    try:
        outcome = payment_webhook_receive(provider="bank_transfer", headers={"X-Kkot-Signature": sign(body)}, body=body)
    except KkotError as exc:
        messages.error(request, exc.message)
    else:
        if outcome == "paid":
            messages.success(request, _("입금이 확인되어 결제가 완료되었습니다."))
        else:
            messages.info(request, _("입금 처리 결과: %(o)s") % {"o": outcome})
    return redirect("storefront:checkout_done", number=purchase.number)
