"""Seller-side reads of orders, always scoped to one store.

The order list must stay fast for a store with 100,000 orders: the tab counts are one grouped query (order
statuses UNION open claims by kind) served by the ``(store, status, -created_at)`` index, the page is one
query on ``(store, [status,] -created_at)`` with its lines and open claims fetched in one query each, and the
paginator reuses the tab count instead of running its own COUNT when no search or date filter is active.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kkot.core.errors import NotFound
from kkot.core.timeutil import SEOUL, day_bounds
from kkot.orders.models import (
    Claim,
    ClaimKind,
    ClaimLine,
    ClaimStatus,
    Coupon,
    Notification,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
)

OPEN_CLAIM = (ClaimStatus.REQUESTED, ClaimStatus.APPROVED)
S = OrderStatus

# (key, label, filter): a status, or open claims of a kind. Order = the seller's workflow.
TABS: list[tuple[str, Any]] = [
    ("all", gettext_lazy("전체")),
    (S.PENDING_PAYMENT, gettext_lazy("결제대기")),
    (S.PAID, gettext_lazy("신규주문")),
    (S.PREPARING, gettext_lazy("발송대기")),
    (S.SHIPPING, gettext_lazy("배송중")),
    (S.DELIVERED, gettext_lazy("배송완료")),
    ("claim_cancel", gettext_lazy("취소요청")),
    ("claim_return", gettext_lazy("반품요청")),
    ("claim_exchange", gettext_lazy("교환요청")),
    (S.CONFIRMED, gettext_lazy("구매확정")),
    (S.CANCELLED, gettext_lazy("취소완료")),
    (S.RETURNED, gettext_lazy("반품완료")),
]
TAB_KEYS = {k for k, _label in TABS}
CLAIM_TABS = {"claim_cancel": ClaimKind.CANCEL, "claim_return": ClaimKind.RETURN, "claim_exchange": ClaimKind.EXCHANGE}
PAGE_SIZE = 50
ORDER_NUMBER_RE = re.compile(r"^K\d{6,}", re.IGNORECASE)


@dataclass
class OrderFilters:
    tab: str = "all"
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def plain(self) -> bool:
        """No search and no dates: the tab count is the row count."""
        return not self.q and self.date_from is None and self.date_to is None


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def order_filters_from(params) -> OrderFilters:
    """Read ``status``, ``q``, ``from``, ``to`` from a QueryDict; unknown values fall back to no filter."""
    tab = (params.get("status") or "all").strip()
    return OrderFilters(tab=tab if tab in TAB_KEYS else "all", q=(params.get("q") or "").strip()[:60],
                        date_from=_parse_date(params.get("from")), date_to=_parse_date(params.get("to")))


def order_status_counts(*, store) -> dict[str, int]:
    """``{tab key: count}`` for every tab, in one grouped query (statuses UNION open claims by kind)."""
    by_status = Order.objects.filter(store=store).values_list("status").annotate(n=Count("id")).order_by()
    by_claim = (Claim.objects.filter(order__store=store, status__in=OPEN_CLAIM).values_list("kind")
                .annotate(n=Count("order_id", distinct=True)).order_by())
    counts = {k: 0 for k in TAB_KEYS}
    total = 0
    for key, n in by_status.union(by_claim, all=True):
        if key in ClaimKind.values:
            counts[f"claim_{key}"] = n
        else:
            counts[key] = n
            total += n
    counts["all"] = total
    return counts


def _open_claims_of(kind: str) -> Exists:
    return Exists(Claim.objects.filter(order=OuterRef("pk"), kind=kind, status__in=OPEN_CLAIM))


def orders_for_seller(*, store, filters: OrderFilters | None = None) -> QuerySet[Order]:
    """The store's orders matching the filters, newest first (index: store, [status,] -created_at)."""
    f = filters or OrderFilters()
    qs = Order.objects.filter(store=store)
    if f.tab in CLAIM_TABS:
        qs = qs.filter(_open_claims_of(CLAIM_TABS[f.tab]))
    elif f.tab != "all":
        qs = qs.filter(status=f.tab)
    if f.date_from:
        qs = qs.filter(created_at__gte=day_bounds(f.date_from)[0])
    if f.date_to:
        qs = qs.filter(created_at__lt=day_bounds(f.date_to)[1])
    if f.q:
        q = f.q
        if ORDER_NUMBER_RE.match(q):
            qs = qs.filter(number__startswith=q.upper())
        else:
            product = Exists(OrderLine.objects.filter(order=OuterRef("pk"), product_name__icontains=q))
            qs = qs.filter(Q(purchase__recipient__icontains=q) | Q(user__name__icontains=q) | product)
    return qs.order_by("-created_at", "-id")


class _KnownCountPaginator(Paginator):
    def __init__(self, *args, known_count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._known = known_count

    @cached_property
    def count(self) -> int:
        return self._known if self._known is not None else super().count


@dataclass
class OrderListPage:
    page: Page
    counts: dict[str, int]
    filters: OrderFilters
    tabs: list[tuple[str, Any, int]] = field(default_factory=list)


def order_list_page(*, store, filters: OrderFilters, page: Any = 1, per_page: int = PAGE_SIZE) -> OrderListPage:
    """One page of the seller's order list with the live tab counts: a fixed number of queries."""
    counts = order_status_counts(store=store)
    qs = orders_for_seller(store=store, filters=filters).select_related("purchase", "user").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.only(
            "id", "order_id", "product_name", "variant_label", "quantity", "cancelled_qty", "returned_qty",
            "subtotal").order_by("id")),
        Prefetch("claims", queryset=Claim.objects.filter(status__in=OPEN_CLAIM).only(
            "id", "order_id", "kind", "status", "created_at"), to_attr="open_claims"),
    )
    known = counts.get(filters.tab) if filters.plain else None
    paginator = _KnownCountPaginator(qs, per_page, known_count=known)
    p = paginator.get_page(page)
    tabs = [(k, label, counts.get(k, 0)) for k, label in TABS]
    return OrderListPage(page=p, counts=counts, filters=filters, tabs=tabs)


@dataclass
class LineView:
    line: OrderLine
    pending: dict[str, int]  # open claim quantity by kind


@dataclass
class OrderDetail:
    order: Order
    lines: list[LineView]
    claims: list[Claim]
    events: list[OrderEvent]
    payment: Payment | None
    refunds: list[Refund]
    refunded_total: Any
    can_cancel: bool
    can_ship: bool
    can_accept: bool


def order_for_seller(*, store, order_id) -> Order:
    order = (Order.objects.select_related("purchase", "user").filter(store=store, pk=order_id).first()
             if str(order_id).isdigit() else None)
    if order is None:
        raise NotFound(_("주문을 찾을 수 없습니다."))
    return order


def order_detail_for_seller(*, store, order_id) -> OrderDetail:
    """Everything the order page shows; 404 (NotFound) for another store's order."""
    order = order_for_seller(store=store, order_id=order_id)
    lines = list(order.lines.all())
    pending: dict[int, dict[str, int]] = {ln.pk: {} for ln in lines}
    for cl in ClaimLine.objects.filter(claim__order=order, claim__status__in=OPEN_CLAIM).select_related("claim"):
        d = pending.setdefault(cl.line_id, {})
        d[cl.claim.kind] = d.get(cl.claim.kind, 0) + cl.quantity
    claims = list(order.claims.prefetch_related(
        Prefetch("lines", queryset=ClaimLine.objects.select_related("line", "exchange_variant"))).order_by("-created_at"))
    events = list(order.events.select_related("actor").order_by("created_at", "id"))
    payment = Payment.objects.filter(purchase=order.purchase_id).order_by("-pk").only(
        "id", "provider", "method_label", "status", "paid_at", "vbank_name", "deposit_deadline").first()
    refunds = list(order.refunds.order_by("created_at"))
    refunded = sum((r.amount for r in refunds), 0)
    open_cancel = any(c.kind == ClaimKind.CANCEL and c.status in OPEN_CLAIM for c in claims)
    return OrderDetail(
        order=order, lines=[LineView(ln, pending.get(ln.pk, {})) for ln in lines], claims=claims, events=events,
        payment=payment, refunds=refunds, refunded_total=refunded,
        can_cancel=order.status in (S.PAID, S.PREPARING),
        can_ship=order.status in (S.PAID, S.PREPARING) and not open_cancel,
        can_accept=order.status == S.PAID and not open_cancel,
    )


def claim_for_seller(*, store, claim_id) -> Claim:
    claim = (Claim.objects.select_related("order").filter(pk=claim_id, order__store=store).first()
             if str(claim_id).isdigit() else None)
    if claim is None:
        raise NotFound(_("요청을 찾을 수 없습니다."))
    return claim


# ---- export -----------------------------------------------------------------------------------------------

EXPORT_HEADER = [
    gettext_lazy("주문번호"), gettext_lazy("주문일시"), gettext_lazy("상태"), gettext_lazy("구매자"),
    gettext_lazy("받는 분"), gettext_lazy("연락처"), gettext_lazy("우편번호"), gettext_lazy("주소"),
    gettext_lazy("배송 요청사항"), gettext_lazy("상품명"), gettext_lazy("옵션"), gettext_lazy("SKU"),
    gettext_lazy("수량"), gettext_lazy("취소수량"), gettext_lazy("반품수량"), gettext_lazy("상품금액"),
    gettext_lazy("쿠폰할인"), gettext_lazy("배송비"), gettext_lazy("주문금액"), gettext_lazy("택배사"),
    gettext_lazy("송장번호"),
]
EXPORT_MAX_ROWS = 100_000


def order_export_rows(*, store, filters: OrderFilters) -> tuple[list[str], Iterator[list[Any]]]:
    """One row per order line of the filtered list (what the seller sees), streamed in chunks."""
    from kkot.orders.services.lifecycle import CARRIERS

    header = [str(h) for h in EXPORT_HEADER]
    labels = dict(OrderStatus.choices)
    ids = orders_for_seller(store=store, filters=filters).values_list("pk", flat=True)[:EXPORT_MAX_ROWS]

    def rows() -> Iterator[list[Any]]:
        id_list = list(ids)
        for i in range(0, len(id_list), 1000):
            chunk = id_list[i:i + 1000]
            orders = (Order.objects.filter(pk__in=chunk).select_related("purchase", "user")
                      .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
                      .order_by("-created_at", "-id"))
            for o in orders:
                p = o.purchase
                for n, ln in enumerate(o.lines.all()):
                    first = n == 0
                    yield [o.number, timezone.localtime(o.created_at, SEOUL).strftime("%Y-%m-%d %H:%M"),
                           str(labels.get(o.status, o.status)), o.user.display_name, p.recipient, p.phone, p.postcode,
                           f"{p.address1} {p.address2}".strip(), p.request_note, ln.product_name, ln.variant_label,
                           ln.sku, ln.quantity, ln.cancelled_qty, ln.returned_qty, int(ln.subtotal),
                           int(ln.discount), int(o.shipping_fee) if first else 0, int(o.total) if first else 0,
                           CARRIERS.get(o.carrier, (o.carrier,))[0] if o.carrier else "", o.tracking_number]

    return header, rows()


FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(v: Any) -> Any:
    if isinstance(v, str) and len(v) > 1 and v[0] in FORMULA_CHARS and not re.fullmatch(r"-?\d+", v):
        return "'" + v  # never run as a formula when opened in Excel
    return v


def sheet_bytes(header: list[str], rows: Iterable[list[Any]], *, fmt: str, title: str = "Sheet1",
                text_columns: Iterable[int] = ()) -> bytes:
    """CSV (UTF-8 with BOM, Excel-safe) or .xlsx (write-only, every string a literal, never a formula)."""
    if fmt == "csv":
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header)
        for row in rows:
            w.writerow([_csv_safe(v) for v in row])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    text_cols = set(text_columns)

    def cell(i: int, v: Any):
        if isinstance(v, str) or i in text_cols:
            c = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", "" if v is None else str(v)))
            c.data_type = "s"
            c.number_format = "@"
            return c
        return WriteOnlyCell(ws, value=v)

    ws.append([cell(-1, str(h)) for h in header])
    for row in rows:
        ws.append([cell(i, v) for i, v in enumerate(row)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- coupons -------------------------------------------------------------------------------------------------

def coupons_for_seller(*, store) -> QuerySet[Coupon]:
    return Coupon.objects.filter(store=store).order_by("-is_active", "-created_at", "-id")


# ---- notifications -------------------------------------------------------------------------------------------

def store_notifications(*, store) -> QuerySet[Notification]:
    return Notification.objects.filter(store=store).order_by("-created_at", "-id")


def store_unread_count(*, store) -> int:
    return Notification.objects.filter(store=store, read_at__isnull=True).count()


__all__ = [
    "TABS", "OrderDetail", "coupons_for_seller", "OrderFilters", "OrderListPage", "claim_for_seller", "order_detail_for_seller",
    "order_export_rows", "order_filters_from", "order_for_seller", "order_list_page", "order_status_counts",
    "orders_for_seller", "sheet_bytes", "store_notifications", "store_unread_count",
]
