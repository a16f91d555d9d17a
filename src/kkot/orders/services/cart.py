"""Carts: a guest cart per session, a member cart per user, merged on login."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kkot.catalog.models import Product, Variant
from kkot.core.errors import NotFound, ValidationError
from kkot.orders.models import Cart, CartItem

MAX_QTY = 999


def cart_get(*, user=None, session_key: str | None = None, create: bool = False) -> Cart | None:
    if user is not None and user.is_authenticated:
        cart = Cart.objects.filter(user=user).first()
        if cart is None and create:
            cart, _c = Cart.objects.get_or_create(user=user)
        return cart
    if not session_key:
        return None
    cart = Cart.objects.filter(session_key=session_key, user__isnull=True).first()
    if cart is None and create:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(session_key=session_key)
        except IntegrityError:
            cart = Cart.objects.get(session_key=session_key)
    return cart


def _quantity(value) -> int:
    try:
        q = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("수량은 숫자로 입력해 주세요."), code="invalid_quantity") from None
    if not 1 <= q <= MAX_QTY:
        raise ValidationError(_("수량은 1개 이상 %(m)d개 이하로 담을 수 있습니다.") % {"m": MAX_QTY}, code="invalid_quantity")
    return q


def _buyable_variant(variant_id) -> Variant:
    try:
        vid = int(variant_id)
    except (TypeError, ValueError):
        raise NotFound(_("옵션을 찾을 수 없습니다.")) from None
    v = (Variant.objects.select_related("product__store")
         .filter(pk=vid, is_active=True, product__status__in=[Product.Status.ON_SALE, Product.Status.SOLD_OUT],
                 product__store__status="open").first())
    if v is None:
        raise NotFound(_("옵션을 찾을 수 없습니다."))
    return v


@transaction.atomic
def cart_add(*, cart: Cart, variant_id, quantity) -> CartItem:
    """Add units (adds to an existing line). Stock is checked here for a friendly message and again at checkout."""
    q = _quantity(quantity)
    v = _buyable_variant(variant_id)
    item = CartItem.objects.select_for_update().filter(cart=cart, variant=v).first()
    new_qty = q + (item.quantity if item else 0)
    if v.stock < new_qty:
        raise ValidationError(_("재고가 부족합니다. 남은 수량은 %(s)d개입니다.") % {"s": v.stock}, code="out_of_stock")
    if new_qty > MAX_QTY:
        raise ValidationError(_("수량은 %(m)d개까지 담을 수 있습니다.") % {"m": MAX_QTY}, code="invalid_quantity")
    if item:
        item.quantity = new_qty
        item.save(update_fields=["quantity"])
        return item
    return CartItem.objects.create(cart=cart, variant=v, quantity=q)


@transaction.atomic
def cart_set_quantity(*, cart: Cart, item_id, quantity) -> CartItem:
    q = _quantity(quantity)
    item = CartItem.objects.select_for_update().select_related("variant").filter(cart=cart, pk=item_id).first()
    if item is None:
        raise NotFound(_("장바구니 상품을 찾을 수 없습니다."))
    if item.variant.stock < q:
        raise ValidationError(_("재고가 부족합니다. 남은 수량은 %(s)d개입니다.") % {"s": item.variant.stock},
                              code="out_of_stock")
    item.quantity = q
    item.save(update_fields=["quantity"])
    return item


def cart_remove(*, cart: Cart, item_ids: list) -> int:
    ids = [int(i) for i in item_ids if str(i).isdigit()]
    deleted, _n = CartItem.objects.filter(cart=cart, pk__in=ids).delete()
    return deleted


@transaction.atomic
def cart_merge(*, user, session_key: str | None) -> Cart | None:
    """On login: move the guest cart's items into the member's cart (quantities add up, capped by stock)."""
    guest = Cart.objects.filter(session_key=session_key, user__isnull=True).first() if session_key else None
    if guest is None:
        return cart_get(user=user)
    member = cart_get(user=user, create=True)
    for item in guest.items.select_related("variant"):
        existing = CartItem.objects.filter(cart=member, variant=item.variant).first()
        if existing:
            CartItem.objects.filter(pk=existing.pk).update(
                quantity=min(MAX_QTY, max(1, min(existing.quantity + item.quantity, max(item.variant.stock, 1)))))
        else:
            CartItem.objects.create(cart=member, variant=item.variant, quantity=item.quantity)
    guest.delete()
    Cart.objects.filter(pk=member.pk).update(updated_at=F("updated_at"))
    return member
