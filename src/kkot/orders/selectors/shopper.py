"""Shopper-side reads: the cart page, the checkout page's choices, my orders, my addresses, my notifications.

Every function is scoped to the shopper it is given: another shopper's order, purchase or address is NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kkot.catalog.models import Product, ProductImage
from kkot.core.errors import KkotError, NotFound
from kkot.orders.models import (
    Address,
    Cart,
    CartItem,
    Claim,
    ClaimKind,
    ClaimLine,
    ClaimStatus,
    Coupon,
    Notification,
    Order,
    OrderStatus,
    Payment,
    Purchase,
)
from kkot.orders.pricing import ZERO, region_of
from kkot.orders.services.lifecycle import CARRIERS
from kkot.orders.services.quote import Quote, checkout_quote, coupon_check
from kkot.stores.models import Store

# Shipping on the cart page is estimated for this postcode when the shopper has no default address (서울 중구).
MAINLAND_POSTCODE = "04524"
MAX_ID = 2**63 - 1

# Carriers' public tracking pages (the number is appended / substituted).
TRACKING_URLS = {
    "cj": "https://trace.cjlogistics.com/next/tracking.html?wblNo={n}",
    "hanjin": "https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2={n}",
    "lotte": "https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo={n}",
    "epost": "https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1={n}",
    "logen": "https://www.ilogen.com/web/personal/trace/{n}",
}

# Status filters of "my orders" (chip -> statuses).
ORDER_FILTERS: dict[str, tuple[str, list[str]]] = {
    "pending": (gettext_lazy("결제대기"), [OrderStatus.PENDING_PAYMENT]),
    "paid": (gettext_lazy("결제완료"), [OrderStatus.PAID, OrderStatus.PREPARING]),
    "shipping": (gettext_lazy("배송중"), [OrderStatus.SHIPPING]),
    "delivered": (gettext_lazy("배송완료"), [OrderStatus.DELIVERED]),
    "confirmed": (gettext_lazy("구매확정"), [OrderStatus.CONFIRMED]),
    "cancelled": (gettext_lazy("취소·반품"), [OrderStatus.CANCELLED, OrderStatus.RETURNED]),
}

EVENT_LABELS = {
    "placed": gettext_lazy("주문 접수"),
    "partial_cancel": gettext_lazy("부분 취소"),
    "claim_cancel_requested": gettext_lazy("취소 요청"),
    "claim_return_requested": gettext_lazy("반품 신청"),
    "claim_exchange_requested": gettext_lazy("교환 신청"),
    "claim_return_approved": gettext_lazy("반품 승인"),
    "claim_exchange_approved": gettext_lazy("교환 승인"),
    "claim_return_rejected": gettext_lazy("반품 거부"),
    "claim_exchange_rejected": gettext_lazy("교환 거부"),
    "claim_cancel_rejected": gettext_lazy("취소 거부"),
    "claim_exchange_completed": gettext_lazy("교환 완료"),
    "claim_return_refunded": gettext_lazy("반품 환불"),
    "claim_exchange_converted": gettext_lazy("교환 → 반품 전환"),
    # return pickups (kkot.fulfillment.returns): "return_<status>"
    "return_pickup_requested": gettext_lazy("회수 요청"),
    "return_in_transit": gettext_lazy("회수중"),
    "return_pickup_failed": gettext_lazy("회수 실패"),
    "return_arrived": gettext_lazy("회수 완료·검수 대기"),
    "return_passed": gettext_lazy("검수 통과"),
    "return_failed": gettext_lazy("검수 불합격"),
    "return_restocked": gettext_lazy("재입고"),
    "return_disposed": gettext_lazy("폐기"),
    "return_replacement_shipped": gettext_lazy("교환 상품 발송"),
    "return_completed": gettext_lazy("회수·검수 완료"),
    "return_rejected": gettext_lazy("반품 거절"),
}


def _id(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise NotFound(_("찾을 수 없습니다.")) from None
    if not 1 <= n <= MAX_ID:
        raise NotFound(_("찾을 수 없습니다."))
    return n


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
        return {"cart": CartItem.objects.filter(Q(cart__user=user) | Q(cart__session_key=cart_token,
                                                                    cart__user__isnull=True)).count(),
                "unread": Notification.objects.filter(user=user, read_at__isnull=True).count()}
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


# ---------------------------------------------------------------- addresses


def addresses_for(*, user) -> list[Address]:
    return list(Address.objects.filter(user=user).order_by("-is_default", "-created_at", "-id"))


def address_get(*, user, address_id) -> Address:
    a = Address.objects.filter(user=user, pk=_id(address_id)).first()
    if a is None:
        raise NotFound(_("배송지를 찾을 수 없습니다."))
    return a


def default_postcode(*, user) -> tuple[str, bool]:
    """(postcode, from_address_book) used to estimate shipping before the shopper picks an address."""
    if user is not None and user.is_authenticated:
        pc = Address.objects.filter(user=user).order_by("-is_default", "-created_at").values_list(
            "postcode", flat=True).first()
        if pc:
            return pc, True
    return MAINLAND_POSTCODE, False


# ---------------------------------------------------------------- cart page


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
    if p.store.status != Store.Status.OPEN or p.status in (Product.Status.HIDDEN, Product.Status.SUSPENDED) \
            or not v.is_active:
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
        items = list(cart.items.select_related("variant__product__store").prefetch_related(
            Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position", "id"))))
    now = timezone.now()
    groups: dict[int, CartStoreGroup] = {}
    chosen: list[tuple[int, int]] = []
    selected: list[int] = []
    for item in items:
        v, p = item.variant, item.variant.product
        unit = p.current_price(now) + v.price_delta
        problem = _row_problem(item)
        row = CartRow(item=item, unit_price=unit, subtotal=unit * item.quantity, available=not problem,
                      problem=problem, image=next(iter(p.images.all()), None))
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
            bundled = sum((ln.subtotal for ln in sq.lines
                           if ln.variant.product.bundle_shipping or ln.variant.product.shipping_fee is None), ZERO)
            if g.store.shipping_free_over is not None and bundled and bundled < g.store.shipping_free_over \
                    and sq.shipping_fee > 0:
                g.free_gap = g.store.shipping_free_over - bundled
    return CartView(cart=cart, groups=list(groups.values()), quote=quote, postcode=postcode,
                    postcode_from_book=from_book, region=region_of(postcode), selected_ids=selected, error=error)


def cart_items_for_checkout(*, cart: Cart | None, variant_ids: list) -> list[tuple[int, int]]:
    """[(variant_id, quantity)] of the chosen cart lines, by variant id (variants not in this cart are ignored)."""
    if cart is None:
        return []
    ids = [int(i) for i in variant_ids if str(i).isdigit() and int(i) <= MAX_ID]
    return list(cart.items.filter(variant_id__in=ids).order_by("added_at", "id").values_list("variant_id", "quantity"))


# ---------------------------------------------------------------- checkout choices


def usable_coupons(*, user, quote: Quote) -> dict[int, list[Coupon]]:
    """{store_id: coupons this shopper can use on that store's part of the quote} (coupon_check for each
    active coupon in its period)."""
    now = timezone.now()
    totals = {sq.store.pk: sq.items_total for sq in quote.stores}
    out: dict[int, list[Coupon]] = {sid: [] for sid in totals}
    for c in Coupon.objects.filter(store__in=list(totals), is_active=True, starts_at__lte=now, ends_at__gt=now) \
            .order_by("store_id", "-amount", "-percent", "id"):
        try:
            coupon_check(coupon=c, user=user, items_total=totals[c.store_id], at=now)
        except KkotError:
            continue
        out[c.store_id].append(c)
    return out


def coupon_errors(*, user, items: list[tuple[int, int]], postcode: str, coupons: dict[int, str]) -> dict[int, str]:
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


# ---------------------------------------------------------------- purchases and orders


def purchase_for_shopper(*, user, number: str) -> Purchase:
    p = (Purchase.objects.filter(user=user, number=str(number)[:20])
         .prefetch_related(Prefetch("orders", queryset=Order.objects.select_related("store").prefetch_related("lines")
                                    .order_by("pk")),
                           Prefetch("payments", queryset=Payment.objects.order_by("-pk"))).first())
    if p is None:
        raise NotFound(_("주문서를 찾을 수 없습니다."))
    p.payment = next(iter(p.payments.all()), None)
    return p


def orders_for_shopper(*, user, status: str = "", page: int = 1, per_page: int = 10):
    """A page of the shopper's orders (newest first) with store and lines: 3 queries (count, orders, lines)."""
    qs = Order.objects.filter(user=user).select_related("store").order_by("-created_at", "-pk")
    if status in ORDER_FILTERS:
        qs = qs.filter(status__in=ORDER_FILTERS[status][1])
    qs = qs.prefetch_related(Prefetch("lines"))
    return Paginator(qs, per_page).get_page(page)


@dataclass
class LineView:
    line: object
    pending_claim_qty: int = 0

    @property
    def claimable_qty(self) -> int:
        return self.line.active_qty - self.pending_claim_qty


@dataclass
class OrderDetail:
    order: Order
    lines: list[LineView]
    events: list
    claims: list[Claim]
    payment: Payment | None
    refunds: list
    tracking_url: str = ""
    carrier_name: str = ""
    can_cancel: bool = False
    can_return: bool = False
    can_confirm: bool = False
    open_claim: bool = False
    exchange_options: dict[int, list] = field(default_factory=dict)
    refunded_total: Decimal = ZERO


def order_for_shopper(*, user, order_id) -> OrderDetail:
    order = (Order.objects.select_related("store", "purchase").filter(user=user, pk=_id(order_id)).first())
    if order is None:
        raise NotFound(_("주문을 찾을 수 없습니다."))
    lines = list(order.lines.select_related("product").prefetch_related("product__variants"))
    claims = list(order.claims.prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.select_related("line")))
                  .order_by("-created_at", "-pk"))
    pending: dict[int, int] = {}
    open_claim = False
    for c in claims:
        if c.status in (ClaimStatus.REQUESTED, ClaimStatus.APPROVED):
            open_claim = True
            if c.kind in (ClaimKind.RETURN, ClaimKind.EXCHANGE):
                for cl in c.lines.all():
                    pending[cl.line_id] = pending.get(cl.line_id, 0) + cl.quantity
    views = [LineView(line=ln, pending_claim_qty=pending.get(ln.pk, 0)) for ln in lines]
    events = list(order.events.all())
    for ev in events:
        ev.label = (OrderStatus(ev.to_status).label if ev.kind == "status" and ev.to_status in OrderStatus.values
                    else EVENT_LABELS.get(ev.kind, ev.kind))
    payment = Payment.objects.filter(purchase=order.purchase_id).order_by("-pk").first()
    refunds = list(order.refunds.order_by("created_at", "pk"))
    d = OrderDetail(order=order, lines=views, events=events, claims=claims, payment=payment, refunds=refunds,
                    open_claim=open_claim, refunded_total=sum((r.amount for r in refunds), ZERO))
    if order.tracking_number:
        d.carrier_name = CARRIERS.get(order.carrier, (order.carrier, ""))[0]
        url = TRACKING_URLS.get(order.carrier)
        d.tracking_url = url.format(n=order.tracking_number) if url else ""
    st = order.status
    any_left = any(v.claimable_qty > 0 for v in views)
    d.can_cancel = st in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.PREPARING) and any_left
    d.can_return = st in (OrderStatus.SHIPPING, OrderStatus.DELIVERED) and any_left
    d.can_confirm = st == OrderStatus.DELIVERED and not open_claim
    if d.can_return:
        d.exchange_options = {ln.pk: [v for v in ln.product.variants.all() if v.is_active] for ln in lines}
    return d


def notifications_for(*, user, page: int = 1, per_page: int = 20):
    return Paginator(Notification.objects.filter(user=user).order_by("-created_at", "-pk"), per_page).get_page(page)


def orders_count_by_filter(*, user) -> dict[str, int]:
    """How many of the shopper's orders each status chip holds (one query)."""
    from django.db.models import Count

    agg = Order.objects.filter(user=user).aggregate(
        **{key: Count("pk", filter=Q(status__in=statuses)) for key, (_label, statuses) in ORDER_FILTERS.items()})
    return agg


def notification_get(*, user, notification_id) -> Notification | None:
    try:
        nid = _id(notification_id)
    except NotFound:
        return None
    return Notification.objects.filter(user=user, pk=nid).first()
