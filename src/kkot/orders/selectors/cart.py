"""Shopper-side reads for buying: the cart page, the checkout page's choices and the header badges.

Scoped to the shopper (or guest cart) they are given; totals come from :func:`checkout_quote`, so the cart and
checkout pages show exactly what placing the order would charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.catalog.models import Product, ProductImage
from kkot.core.errors import KkotError
from kkot.orders.models import Address, Cart, CartItem, Coupon, Notification
from kkot.orders.pricing import ZERO, region_of
from kkot.orders.selectors.shopper import MAX_ID
from kkot.orders.services.quote import Quote, checkout_quote, coupon_check
from kkot.stores.models import Store

# Shipping on the cart page is estimated for this postcode when the shopper has no default address (서울 중구).
MAINLAND_POSTCODE = "04524"


# ---------------------------------------------------------------- header badges


def _counts_key(*, user, cart_token: str | None) -> str:
    if user is not None and user.is_authenticated:
        stamp = int(user.date_joined.timestamp() * 1_000_000) if user.date_joined else 0
        return f"kk:hc:u{user.pk}:{stamp}"
    return f"kk:hc:g{cart_token}"


def header_counts(*, user, cart_token: str | None) -> dict[str, int]:
    """{"cart": items in the cart, "unread": unread notifications}, cached for a minute (the pages that change
    them call :func:`header_counts_forget`)."""
    if not (user is not None and user.is_authenticated) and not cart_token:
        return {"cart": 0, "unread": 0}
    if user is not None and user.is_authenticated and cart_token:  # logged in, guest cart not merged yet
        return {
            "cart": CartItem.objects.filter(
                Q(cart__user=user) | Q(cart__session_key=cart_token, cart__user__isnull=True)
            ).count(),
            "unread": Notification.objects.filter(user=user, read_at__isnull=True).count(),
        }
    key = _counts_key(user=user, cart_token=cart_token)
    counts = cache.get(key)
    if counts is None:
        if user is not None and user.is_authenticated:
            cart_n = CartItem.objects.filter(cart__user=user).count()
            unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
        else:
            cart_n = CartItem.objects.filter(cart__session_key=cart_token, cart__user__isnull=True).count()
            unread = 0
        counts = {"cart": cart_n, "unread": unread}
        cache.set(key, counts, 60)
    return counts


def header_counts_forget(*, user, cart_token: str | None) -> None:
    if user is not None and user.is_authenticated:
        cache.delete(_counts_key(user=user, cart_token=None))
    if cart_token:
        cache.delete(_counts_key(user=None, cart_token=cart_token))


# ---------------------------------------------------------------- cart page


def default_postcode(*, user) -> tuple[str, bool]:
    """(postcode, from_address_book) used to estimate shipping before the shopper picks an address."""
    if user is not None and user.is_authenticated:
        pc = (
            Address.objects.filter(user=user)
            .order_by("-is_default", "-created_at")
            .values_list("postcode", flat=True)
            .first()
        )
        if pc:
            return pc, True
    return MAINLAND_POSTCODE, False


@dataclass
class CartRow:
    item: CartItem
    unit_price: Decimal
    subtotal: Decimal
    available: bool
    problem: str = ""
    selected: bool = False
    image: ProductImage | None = None


@dataclass
class CartStoreGroup:
    store: Store
    rows: list[CartRow]
    items_total: Decimal = ZERO
    shipping_fee: Decimal = ZERO
    free_gap: Decimal | None = None  # "N원 더 담으면 무료배송"


@dataclass
class CartView:
    cart: Cart | None
    groups: list[CartStoreGroup]
    quote: Quote | None
    postcode: str
    postcode_from_book: bool
    region: str
    selected_ids: list[int]  # variant ids
    error: str = ""

    @property
    def count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def _row_problem(item: CartItem) -> str:
    v = item.variant
    p = v.product
    if (
        p.store.status != Store.Status.OPEN
        or p.status in (Product.Status.HIDDEN, Product.Status.SUSPENDED)
        or not v.is_active
    ):
        return _("판매하지 않는 상품입니다")
    if v.stock <= 0:
        return _("품절")
    if v.stock < item.quantity:
        return _("재고 부족 (남은 수량 %(s)d개)") % {"s": v.stock}
    return ""


def cart_view(*, cart: Cart | None, user, selected_ids: list[int] | None = None) -> CartView:
    """The cart grouped by store with shipping per store, totals of the selected buyable items from
    :func:`checkout_quote`. ``selected_ids``: variant ids (they survive the login merge, cart item ids do not);
    None = every buyable item."""
    postcode, from_book = default_postcode(user=user)
    items = []
    if cart is not None:
        items = list(
            cart.items.select_related("variant__product__store").prefetch_related(
                Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position", "id"))
            )
        )
    now = timezone.now()
    groups: dict[int, CartStoreGroup] = {}
    chosen: list[tuple[int, int]] = []
    selected: list[int] = []
    for item in items:
        v, p = item.variant, item.variant.product
        unit = p.current_price(now) + v.price_delta
        problem = _row_problem(item)
        row = CartRow(
            item=item,
            unit_price=unit,
            subtotal=unit * item.quantity,
            available=not problem,
            problem=problem,
            image=next(iter(p.images.all()), None),
        )
        row.selected = row.available and (selected_ids is None or v.pk in selected_ids)
        if row.selected:
            chosen.append((v.pk, item.quantity))
            selected.append(v.pk)
        groups.setdefault(p.store_id, CartStoreGroup(store=p.store, rows=[])).rows.append(row)
    quote, error = None, ""
    if chosen:
        try:
            quote = checkout_quote(user=user, items=chosen, postcode=postcode)
        except KkotError as exc:
            error = exc.message
    if quote is not None:
        by_store = {sq.store.pk: sq for sq in quote.stores}
        for sid, g in groups.items():
            sq = by_store.get(sid)
            if sq is None:
                continue
            g.items_total, g.shipping_fee = sq.items_total, sq.shipping_fee
            bundled = sum(
                (
                    ln.subtotal
                    for ln in sq.lines
                    if ln.variant.product.bundle_shipping or ln.variant.product.shipping_fee is None
                ),
                ZERO,
            )
            if (
                g.store.shipping_free_over is not None
                and bundled
                and bundled < g.store.shipping_free_over
                and sq.shipping_fee > 0
            ):
                g.free_gap = g.store.shipping_free_over - bundled
    return CartView(
        cart=cart,
        groups=list(groups.values()),
        quote=quote,
        postcode=postcode,
        postcode_from_book=from_book,
        region=region_of(postcode),
        selected_ids=selected,
        error=error,
    )


def cart_items_for_checkout(*, cart: Cart | None, variant_ids: list) -> list[tuple[int, int]]:
    """[(variant_id, quantity)] of the chosen cart lines, by variant id (variants not in this cart are ignored)."""
    if cart is None:
        return []
    ids = [int(i) for i in variant_ids if str(i).isdigit() and int(i) <= MAX_ID]
    return list(
        cart.items.filter(variant_id__in=ids).order_by("added_at", "id").values_list("variant_id", "quantity")
    )


# ---------------------------------------------------------------- checkout choices


def usable_coupons(*, user, quote: Quote) -> dict[int, list[Coupon]]:
    """{store_id: coupons this shopper can use on that store's part of the quote} (coupon_check for each
    active coupon in its period)."""
    now = timezone.now()
    totals = {sq.store.pk: sq.items_total for sq in quote.stores}
    out: dict[int, list[Coupon]] = {sid: [] for sid in totals}
    for c in Coupon.objects.filter(
        store__in=list(totals), is_active=True, starts_at__lte=now, ends_at__gt=now
    ).order_by("store_id", "-amount", "-percent", "id"):
        try:
            coupon_check(coupon=c, user=user, items_total=totals[c.store_id], at=now)
        except KkotError:
            continue
        out[c.store_id].append(c)
    return out


def coupon_errors(
    *, user, items: list[tuple[int, int]], postcode: str, coupons: dict[int, str]
) -> dict[int, str]:
    """{store_id: why its chosen coupon cannot be used}, checking each store's coupon on its own."""
    errors: dict[int, str] = {}
    for sid, code in coupons.items():
        if not code:
            continue
        try:
            checkout_quote(user=user, items=items, postcode=postcode, coupons={sid: code})
        except KkotError as exc:
            if exc.code.startswith("coupon_"):
                errors[sid] = exc.message
    return errors
