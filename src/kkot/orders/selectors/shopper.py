"""Shopper-side reads: my orders, my addresses, my notifications (the cart and checkout: :mod:`.cart`).

Every function is scoped to the shopper it is given: another shopper's order, purchase or address is NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kkot.core.errors import NotFound
from kkot.orders.models import (
    Address,
    Claim,
    ClaimKind,
    ClaimLine,
    ClaimStatus,
    Notification,
    Order,
    OrderStatus,
    Payment,
    Purchase,
)
from kkot.orders.pricing import ZERO
from kkot.orders.services.lifecycle import CARRIERS

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


# ---------------------------------------------------------------- addresses


def addresses_for(*, user) -> list[Address]:
    return list(Address.objects.filter(user=user).order_by("-is_default", "-created_at", "-id"))


def address_get(*, user, address_id) -> Address:
    a = Address.objects.filter(user=user, pk=_id(address_id)).first()
    if a is None:
        raise NotFound(_("배송지를 찾을 수 없습니다."))
    return a


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
