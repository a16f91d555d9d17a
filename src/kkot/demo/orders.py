"""Twelve months of demo orders, written in bulk with exactly the invariants the order services keep.

Purchases come from :mod:`kkot.demo.order_plans` (consistent with the event log). Each purchase is priced with
:mod:`kkot.orders.pricing` (shipping per store and postcode, coupon discount and its allocation to the lines,
refund shares), lives through the order state machine up to "now" (결제대기 → 결제완료 → 상품준비중 → 배송중 →
배송완료 → 구매확정, with cancellations, returns and exchanges), and leaves the rows the services would have left:
orders and lines, the purchase's payment and its refunds, claims, coupon redemptions, the ``OrderEvent`` audit
trail, and settlement lines (computed by :func:`kkot.orders.services.settlement.settlement_amounts`) for confirmed
orders. The data is a fixed point of the periodic jobs: no pending payment is past its deadline and no delivered
order without an open claim is older than the auto-confirm delay.

Stock: ``Variant.stock`` in the demo catalog is *today's* count, i.e. what is left after the year's sales and the
sellers' restocks, so orders that have already shipped do not change it. Orders still waiting for dispatch
(결제대기/결제완료/상품준비중) hold their units the way checkout reserves them: they buy an option that has the units,
which are taken from its stock (never below zero); cancelling one later gives back units that existed.

Dispatch habits differ per store (``DISPATCH_HABIT``: one same-day store, one slow, one made-to-order); nobody
picks up or delivers on Sundays and Korean public holidays, and chilled food is not sent the day before one.
One store (``SLOW_STORE``) gets slower in the last 30 days: dispatch takes 1.5-3.5 days longer and carriers 1-2 days
longer, so analytics can find "delivery got slow last month"; a few more of its orders are cancelled for 배송지연.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from kkot.catalog.models import Product, Variant
from kkot.core.timeutil import SEOUL
from kkot.demo.catalog import DemoCatalog
from kkot.demo.order_plans import Plan, Planner, PlanResult, event_insert_sql
from kkot.fulfillment.carriers import is_day_off, sits_over_day_off
from kkot.orders.models import (
    Address,
    Claim,
    ClaimKind,
    ClaimLine,
    ClaimReason,
    ClaimStatus,
    Coupon,
    CouponRedemption,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Purchase,
    Refund,
    SettlementLine,
)
from kkot.orders.payments import get_provider
from kkot.orders.pricing import (
    ISLANDS,
    ZERO,
    CouponTerms,
    LineForShipping,
    ShippingPolicy,
    allocate,
    coupon_discount,
    discount_share,
    region_of,
    shipping_fee,
)
from kkot.orders.services.claims import return_shipping_fee
from kkot.orders.services.lifecycle import validate_tracking
from kkot.orders.services.settlement import settle_date_for, settlement_amounts
from kkot.stores.models import StoreFollow, StoreMembership

S = OrderStatus
SLOW_STORE = "dailylook"  # the demo seller's own store, so the signal shows on the demo login
SLOW_DAYS = 30
# Dispatch habits (the delivery promise learns them): gadgetbay ships the same day when paid by 14:00 (오늘출발),
# homenest packs late, dailylook's 사입 (made-to-order) items take their declared days. Others: as declared.
DISPATCH_HABIT = {"gadgetbay": "fast", "homenest": "slow", "dailylook": "made_to_order"}
BANK_SHARE = 0.13  # 무통장입금 (virtual account); the rest pay by card
BANK_NEVER_PAID = 0.09
CARD_DECLINED = 0.005
CANCEL, CANCEL_SLOW, PARTIAL_CANCEL, RETURN, EXCHANGE = 0.027, 0.07, 0.007, 0.034, 0.02
RETURN_REJECTED = 0.06
SHOPPER_CONFIRMS = 0.35  # the rest are confirmed automatically after KKOT_AUTO_CONFIRM_DAYS
COUPON_USE = {Coupon.Audience.ALL: 0.35, Coupon.Audience.REGULARS: 0.7, Coupon.Audience.FIRST_PURCHASE: 0.08}
OPEN = {S.PENDING_PAYMENT, S.PAID, S.PREPARING}
SOLD = {S.PAID, S.PREPARING, S.SHIPPING, S.DELIVERED, S.CONFIRMED}
CARRIER_BY_CONCEPT = {"fashion": "cj", "beauty": "hanjin", "food": "epost", "living": "lotte", "digital": "cj",
                      "kids": "logen", "goods": "cj", "sports": "hanjin"}
CITIES = ["서울특별시 마포구 월드컵로", "서울특별시 강남구 테헤란로", "서울특별시 송파구 올림픽로", "경기도 성남시 분당구 판교역로",
          "경기도 수원시 영통구 광교중앙로", "인천광역시 연수구 컨벤시아대로", "부산광역시 해운대구 센텀중앙로",
          "대구광역시 수성구 동대구로", "광주광역시 서구 상무중앙로", "대전광역시 유성구 대학로", "울산광역시 남구 삼산로",
          "경기도 고양시 일산동구 중앙로", "충청북도 청주시 상당구 상당로", "전라북도 전주시 완산구 효자로"]
NOTES = ["", "", "", "문 앞에 놓아주세요", "부재 시 경비실에 맡겨주세요", "배송 전 연락 바랍니다", "파손 주의 부탁드려요"]
DETAILS = {
    ClaimReason.CHANGE_OF_MIND: ["생각했던 색감과 달라요", "사이즈가 맞지 않아요", "다른 상품으로 다시 주문할게요", "필요 없어졌어요"],
    ClaimReason.DEFECTIVE: ["박음질이 뜯어져 왔어요", "작동하지 않아요", "포장이 파손되어 왔어요", "얼룩이 있어요"],
    ClaimReason.WRONG_ITEM: ["다른 색상이 왔어요", "주문한 옵션과 다른 상품이 왔어요"],
    ClaimReason.LATE: ["배송이 너무 늦어요", "발송이 계속 지연되어 취소합니다"],
    ClaimReason.OTHER: ["주소를 잘못 입력했어요", ""],
}
REJECT_REASONS = ["상품 사용 흔적이 있어 반품이 어렵습니다.", "반품 기간이 지나 접수할 수 없습니다."]


def _pick(rnd: random.Random, table: list[tuple[str, float]]) -> str:
    r = rnd.random()
    for value, p in table:
        r -= p
        if r < 0:
            return value
    return table[-1][0]


class _Table:
    """Rows for one model with explicit primary keys, inserted with ``executemany`` in the model's column names."""

    def __init__(self, model, fields: list[str]):
        meta = model._meta
        qn = connection.ops.quote_name
        cols = [meta.pk.column] + [meta.get_field(f).column for f in fields]
        self.model, self.width = model, len(fields)
        self.sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in cols)}) "
                    f"VALUES ({', '.join(['%s'] * len(cols))})")
        self.next_id = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.rows: list[tuple] = []

    def reserve(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, *values, pk: int | None = None) -> int:
        assert len(values) == self.width, (self.model, len(values))
        pk = pk or self.reserve()
        self.rows.append((pk, *values))
        return pk

    def write(self, cur) -> None:
        for i in range(0, len(self.rows), 5000):
            cur.executemany(self.sql, self.rows[i:i + 5000])


@dataclass
class _Store:
    id: int
    slug: str
    concept: str
    policy: ShippingPolicy
    owner_id: int | None


@dataclass
class _Product:
    id: int
    store_id: int
    name: str
    price: Decimal
    unit: Decimal  # current price (sale price while the sale runs)
    bundle: bool
    own_fee: Decimal | None
    dispatch_days: int
    cold_chain: bool
    variants: list  # [_Variant]


@dataclass
class _Variant:
    id: int
    sku: str
    label: str
    delta: Decimal
    stock: int


class _Line:
    __slots__ = ("id", "product", "variant", "unit_price", "list_unit_price", "quantity", "discount",
                 "cancelled_qty", "returned_qty")

    def __init__(self, id, product, variant, quantity):  # noqa: A002
        self.id, self.product, self.variant, self.quantity = id, product, variant, quantity
        self.unit_price = product.unit + variant.delta
        self.list_unit_price = product.price + variant.delta
        self.discount = ZERO
        self.cancelled_qty = self.returned_qty = 0

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def active_qty(self) -> int:
        return self.quantity - self.cancelled_qty - self.returned_qty


@dataclass
class _Coupon:
    id: int
    store_id: int
    audience: str
    terms: CouponTerms
    min_order: Decimal
    starts: datetime
    ends: datetime
    limit: int | None
    used: int = 0


def _window(end: datetime, month: int, day: int, days: int) -> tuple[datetime, datetime]:
    """The latest yearly period starting on month/day that has started by ``end``."""
    local = end.astimezone(SEOUL)
    start = datetime(local.year, month, day, tzinfo=SEOUL)
    if start > local:
        start = start.replace(year=local.year - 1)
    return start, start + timedelta(days=days)


def create_coupons(stores: list, end: datetime) -> list[Coupon]:
    """A few coupons per store: a first-purchase and a regulars-only coupon all year, and seasonal sales."""
    always = (end - timedelta(days=400), end + timedelta(days=365))
    spring, summer, autumn = _window(end, 3, 15, 45), _window(end, 7, 1, 31), _window(end, 11, 1, 30)
    A = Coupon.Audience
    specs = [
        ("WELCOME3000", "첫 구매 3,000원 할인", "fixed", 3000, None, None, 20000, always, A.FIRST_PURCHASE, None),
        ("REGULAR10", "단골 고객 10% 할인", "percent", None, 10, 10000, 30000, always, A.REGULARS, None),
        ("SPRING15", "봄맞이 15% 할인", "percent", None, 15, 15000, 30000, spring, A.ALL, None),
        ("SUMMER5", "여름 특가 5% 할인", "percent", None, 5, 5000, 20000, summer, A.ALL, None),
        ("SALE5000", "블랙프라이데이 5,000원 할인", "fixed", 5000, None, None, 50000, autumn, A.ALL, 600),
    ]
    rows = [Coupon(store=s, code=code, name=name, kind=kind, amount=amount, percent=pct, max_discount=mx,
                   min_order=mo, starts_at=w[0], ends_at=w[1], audience=aud, usage_limit=limit)
            for s in stores for code, name, kind, amount, pct, mx, mo, w, aud, limit in specs]
    Coupon.objects.bulk_create(rows)
    return list(Coupon.objects.filter(store__in=stores).order_by("pk"))


class OrderWriter:
    def __init__(self, rnd: random.Random, cat: DemoCatalog, *, end: datetime, follows: dict[int, set[int]],
                 names: dict[int, str]):
        self.rnd, self.end = rnd, end.astimezone(SEOUL)
        self.slow_from = self.end - timedelta(days=SLOW_DAYS)
        self.habit_rnd = random.Random(str(rnd.getstate()[1][:8]))  # seeded from the main stream, not drawn from it
        self.follows, self.names = follows, names
        self.sales: Counter = Counter()
        ops = connection.ops
        if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC":
            # What adapt_datetimefield_value returns on SQLite, without its per-call settings lookups.
            self.dt = lambda t: None if t is None else str(t.astimezone(UTC).replace(tzinfo=None))
        else:
            self.dt = lambda t: None if t is None else ops.adapt_datetimefield_value(t)
        self.day = ops.adapt_datefield_value
        self.js = lambda v: ops.adapt_json_value(v, None)
        self.platform_rate = Decimal(str(settings.KKOT_PLATFORM_FEE_RATE))
        self.auto_days = settings.KKOT_AUTO_CONFIRM_DAYS
        self._load(cat)
        self.coupons: dict[int, list[_Coupon]] = {}
        for c in create_coupons([s for s in cat.stores if s.pk in self.stores], end):
            self.coupons.setdefault(c.store_id, []).append(_Coupon(
                c.pk, c.store_id, c.audience, CouponTerms(c.kind, c.amount, c.percent, c.max_discount), c.min_order,
                c.starts_at, c.ends_at, c.usage_limit))
        self.used_coupons: set[tuple[int, int]] = set()
        self.bought_from: set[tuple[int, int]] = set()
        self.addresses: dict[int, tuple] = {}
        self.stats: Counter = Counter()
        self.changed_variants: set[int] = set()
        self.t = {
            "address": _Table(Address, ["user", "label", "recipient", "phone", "postcode", "address1", "address2",
                                        "is_default", "created_at"]),
            "purchase": _Table(Purchase, ["number", "user", "recipient", "phone", "postcode", "address1", "address2",
                                          "request_note", "items_total", "discount_total", "shipping_total",
                                          "grand_total", "created_at"]),
            "order": _Table(Order, ["purchase", "store", "user", "number", "status", "items_total", "discount_total",
                                    "shipping_fee", "shipping_refunded", "total", "carrier", "tracking_number",
                                    "created_at", "paid_at", "accepted_at", "shipped_at", "delivered_at",
                                    "confirmed_at", "cancelled_at", "updated_at"]),
            "line": _Table(OrderLine, ["order", "product", "variant", "product_name", "variant_label", "sku",
                                       "unit_price", "list_unit_price", "quantity", "subtotal", "discount",
                                       "cancelled_qty", "returned_qty"]),
            "redemption": _Table(CouponRedemption, ["coupon", "user", "order", "discount", "created_at"]),
            "payment": _Table(Payment, ["purchase", "provider", "method_label", "status", "amount", "refunded", "fee",
                                        "idempotency_key", "provider_ref", "vbank_name", "vbank_account",
                                        "vbank_holder", "deposit_deadline", "failure_code", "failure_message",
                                        "created_at", "paid_at", "updated_at"]),
            "claim": _Table(Claim, ["order", "kind", "status", "reason", "detail", "requested_by",
                                    "return_shipping_fee", "refund_amount", "reject_reason", "created_at",
                                    "resolved_at"]),
            "claim_line": _Table(ClaimLine, ["claim", "line", "quantity", "exchange_variant"]),
            "refund": _Table(Refund, ["payment", "claim", "order", "amount", "idempotency_key", "provider_ref",
                                      "reason", "created_at"]),
            "event": _Table(OrderEvent, ["order", "kind", "from_status", "to_status", "actor", "actor_role", "reason",
                                         "data", "created_at"]),
            "settlement": _Table(SettlementLine, ["store", "order", "line", "quantity", "sale_amount", "discount",
                                                  "shipping_fee", "platform_fee", "payment_fee", "net_amount",
                                                  "confirmed_at", "settle_date", "status"]),
        }

    # -- catalog ------------------------------------------------------------------------------------------
    def _load(self, cat: DemoCatalog) -> None:
        owners = dict(StoreMembership.objects.filter(role=StoreMembership.Role.OWNER).values_list("store_id", "user_id"))
        self.stores = {s.pk: _Store(s.pk, s.slug, s._concept,  # noqa: SLF001
                                    ShippingPolicy(s.shipping_base_fee, s.shipping_free_over, s.shipping_jeju_surcharge,
                                                   s.shipping_island_surcharge), owners.get(s.pk))
                       for s in cat.stores}
        slow = [s for s in cat.stores if s.slug == SLOW_STORE] or cat.stores[:1]
        self.slow_store = slow[0].pk if slow else None
        variants: dict[int, list[_Variant]] = {}
        for vid, pid, sku, label, delta, stock in (Variant.objects.filter(is_active=True).order_by("product_id", "position", "pk")
                                                   .values_list("pk", "product_id", "sku", "label", "price_delta", "stock")):
            variants.setdefault(pid, []).append(_Variant(vid, sku, label, delta, stock))
        self.products: dict[int, _Product] = {}
        for p in Product.objects.filter(status__in=[Product.Status.ON_SALE, Product.Status.SOLD_OUT],
                                        store_id__in=self.stores):
            if variants.get(p.pk):
                self.products[p.pk] = _Product(p.pk, p.store_id, p.name, p.price, p.current_price(self.end),
                                               p.bundle_shipping, p.shipping_fee, p.dispatch_days, p.cold_chain,
                                               variants[p.pk])

    # -- one purchase -------------------------------------------------------------------------------------
    def purchase(self, plan: Plan) -> None:
        rnd, end = self.rnd, self.end
        groups: dict[int, list[_Product]] = {}
        for pid in plan.products:
            p = self.products.get(pid)
            if p is not None:
                groups.setdefault(p.store_id, []).append(p)
        if not groups:
            return
        uid, ts = plan.user_id, plan.ts.astimezone(SEOUL)
        addr = self._address(uid, ts)
        pur_id = self.t["purchase"].reserve()
        number = f"K{ts:%y%m%d}{pur_id:08d}"
        pay_id = self.t["payment"].reserve()
        bank = rnd.random() < BANK_SHARE
        provider = get_provider("bank_transfer" if bank else "test_card")
        paid_at = closed_at = None
        state = "pending"
        if bank:
            deadline = ts + timedelta(hours=settings.KKOT_DEPOSIT_HOURS)
            if rnd.random() < BANK_NEVER_PAID:
                closed_at, state = deadline + timedelta(seconds=rnd.randint(5, 300)), "expired"
            else:
                paid_at = ts + timedelta(seconds=min(47.5 * 3600, 120 + rnd.expovariate(1 / (5 * 3600))))
        else:
            deadline = ts + timedelta(minutes=settings.KKOT_PAYMENT_PENDING_MINUTES)
            if rnd.random() < CARD_DECLINED:
                closed_at, state = ts + timedelta(seconds=rnd.randint(3, 20)), "declined"
            else:
                paid_at = ts + timedelta(seconds=rnd.randint(3, 25))
        if paid_at is not None:
            state = "paid" if paid_at <= end else "pending"
            paid_at = paid_at if paid_at <= end else None
        elif closed_at is not None and closed_at > end:
            state, closed_at = "pending", None
        ref_hash = hashlib.sha256(f"demo-{pur_id}".encode()).hexdigest()
        if bank:
            label = f"{['국민은행', '신한은행', '우리은행', '하나은행', '농협은행'][pur_id % 5]} 가상계좌"
        else:
            label = f"카드 ****{rnd.randint(1000, 9999)}"
        pay = {"id": pay_id, "provider": provider, "label": label, "refunded": ZERO}
        totals = [ZERO, ZERO, ZERO]
        for i, (sid, prods) in enumerate(groups.items(), start=1):
            o = self._order(f"{number}-{i:02d}", pur_id, uid, ts, sid, prods, addr, state, paid_at, closed_at, pay)
            totals[0] += o[0]
            totals[1] += o[1]
            totals[2] += o[2]
        grand = totals[0] - totals[1] + totals[2]
        dt = self.dt
        self.t["purchase"].add(number, uid, *addr[:5], rnd.choice(NOTES), int(totals[0]), int(totals[1]),
                               int(totals[2]), int(grand), dt(ts), pk=pur_id)
        pstatus = {"pending": PaymentStatus.PENDING, "declined": PaymentStatus.FAILED,
                   "expired": PaymentStatus.CANCELLED}.get(state, PaymentStatus.PAID)
        if state == "paid" and pay["refunded"] > 0:
            pstatus = PaymentStatus.REFUNDED if pay["refunded"] == grand else PaymentStatus.PARTIALLY_REFUNDED
        fail_code, fail_msg = {"declined": ("insufficient_funds", "잔액이 부족합니다."),
                               "expired": ("deadline", "입금 기한이 지나 주문이 취소되었습니다.")}.get(state, ("", ""))
        self.t["payment"].add(
            pur_id, provider.code, label, pstatus, int(grand), int(pay["refunded"]),
            int(provider.fee(grand)) if state == "paid" else 0, f"demo-purchase-{pur_id:010d}",
            ("vb_" if bank else "tc_") + ref_hash[:24], label.split()[0] if bank else "",
            f"{int(ref_hash[2:8], 16) % 900 + 100}-{int(ref_hash[8:14], 16) % 900000 + 100000}" if bank else "",
            "kkot(꽃)" if bank else "", dt(deadline), fail_code, fail_msg, dt(ts), dt(paid_at),
            dt(paid_at or closed_at or ts), pk=pay_id)
        self.stats["purchases"] += 1

    def _order(self, number, pur_id, uid, ts, sid, prods, addr, state, paid_at, closed_at, pay):
        rnd, end, store = self.rnd, self.end, self.stores[sid]
        oid = self.t["order"].reserve()
        slow = sid == self.slow_store and paid_at is not None and paid_at >= self.slow_from
        region = addr[5]
        qtys = [self._qty(store.concept) for _ in prods]
        # -- the timeline the order would follow, then cut at "now" ------------------------------------------
        acc = ship = deliver = confirm = None
        claim = None  # (kind, requested, resolved, completed, reason)
        if paid_at is not None:
            acc = self._work(paid_at + timedelta(hours=rnd.uniform(0.3, 20)))
            k = round(max(p.dispatch_days for p in prods) * rnd.uniform(0.1, 0.8))
            ship = (acc + timedelta(days=k)).replace(hour=rnd.randint(15, 18), minute=rnd.randrange(60),
                                                     second=rnd.randrange(60))
            if ship <= acc:
                ship = acc + timedelta(hours=rnd.uniform(1, 4))
            # Store habits draw from their own stream, so every other random choice stays as it was.
            habit, hr = DISPATCH_HABIT.get(store.slug), self.habit_rnd
            if habit == "fast":  # 오늘출발: paid by 14:00 on a working day -> out the same afternoon
                ship = self._not_sunday(paid_at if paid_at.hour < 14 else (paid_at + timedelta(days=1)).replace(hour=9))
                ship = ship.replace(hour=hr.randint(15, 17), minute=hr.randrange(60), second=hr.randrange(60))
                acc = max(paid_at + timedelta(minutes=hr.randint(3, 30)), ship - timedelta(hours=hr.uniform(0.5, 3)))
                acc = min(acc, ship - timedelta(minutes=5))
            elif habit == "slow":  # packs twice a week: 1-2 days more than it declares
                ship += timedelta(days=hr.randint(1, 2))
            elif habit == "made_to_order":  # 사입 after the order: the declared days, give or take one
                ship += timedelta(days=max(0, max(p.dispatch_days for p in prods) + hr.randint(-1, 1) - k))
            if slow:
                ship += timedelta(days=rnd.uniform(1.5, 3.5))
            ship = self._not_sunday(ship)
            if any(p.cold_chain for p in prods):  # chilled goods never wait in a hub over a day off
                while sits_over_day_off(ship.date()):
                    ship += timedelta(days=1)
            transit = _pick(rnd, [(1, 0.8), (2, 0.17), (3, 0.03)]) + (region != "mainland") + (rnd.randint(1, 2) if slow else 0)
            deliver = self._not_sunday((ship + timedelta(days=transit)).replace(
                hour=rnd.randint(10, 20), minute=rnd.randrange(60), second=rnd.randrange(60)))
            r = rnd.random()
            p_cancel = CANCEL_SLOW if slow else CANCEL
            variantful = any(len(p.variants) > 1 for p in prods)
            if r < p_cancel:
                reason = _pick(rnd, [(ClaimReason.LATE, 0.5), (ClaimReason.CHANGE_OF_MIND, 0.5)]) if slow else _pick(
                    rnd, [(ClaimReason.CHANGE_OF_MIND, 0.8), (ClaimReason.OTHER, 0.15), (ClaimReason.LATE, 0.05)])
                claim = ["cancel", paid_at + (ship - paid_at) * rnd.uniform(0.05, 0.95), None, None, reason]
            elif r < p_cancel + PARTIAL_CANCEL and (len(prods) > 1 or qtys[0] > 1):
                claim = ["partial_cancel", paid_at + (ship - paid_at) * rnd.uniform(0.05, 0.95), None, None,
                         ClaimReason.CHANGE_OF_MIND]
            elif r < p_cancel + PARTIAL_CANCEL + RETURN:
                t_req = deliver + timedelta(days=rnd.uniform(0.3, 6))
                reason = _pick(rnd, [(ClaimReason.CHANGE_OF_MIND, 0.7), (ClaimReason.DEFECTIVE, 0.18),
                                     (ClaimReason.WRONG_ITEM, 0.12)])
                claim = ["return", t_req, t_req + timedelta(days=rnd.uniform(0.5, 3)), None, reason]
            elif r < p_cancel + PARTIAL_CANCEL + RETURN + EXCHANGE and variantful:
                t_req = deliver + timedelta(days=rnd.uniform(0.3, 6))
                t_ok = t_req + timedelta(days=rnd.uniform(0.5, 2))
                reason = _pick(rnd, [(ClaimReason.CHANGE_OF_MIND, 0.6), (ClaimReason.DEFECTIVE, 0.25),
                                     (ClaimReason.WRONG_ITEM, 0.15)])
                claim = ["exchange", t_req, t_ok, t_ok + timedelta(days=rnd.uniform(2, 4)), reason]
            if claim is not None and claim[1] > end:
                claim = None  # it has not happened yet
            if claim is not None and claim[0] in ("return", "exchange"):
                confirm = self._auto(max(deliver + timedelta(days=self.auto_days), claim[3] or claim[2]))
                confirm_role = "system"
            elif rnd.random() < SHOPPER_CONFIRMS:
                confirm, confirm_role = deliver + timedelta(hours=rnd.uniform(2, 144)), "shopper"
            else:
                confirm, confirm_role = self._auto(deliver + timedelta(days=self.auto_days)), "system"
        # -- lines, prices, coupon ---------------------------------------------------------------------------
        kind = claim[0] if claim else None
        whole_cancel = kind == "cancel"
        rejected = kind == "return" and rnd.random() < RETURN_REJECTED
        picks = self._return_pick(qtys) if kind == "return" else []
        whole_return = kind == "return" and not rejected and sum(q for _i, q in picks) == sum(qtys)
        status = self._status(state, acc, ship, deliver, confirm, claim, whole_return)
        lines = []
        for p, q in zip(prods, qtys, strict=True):
            v = self._variant(p, q, take=status in OPEN)
            lines.append(_Line(self.t["line"].reserve(), p, v, q))
        items_total = sum((ln.subtotal for ln in lines), ZERO)
        fee = shipping_fee(store.policy, [LineForShipping(ln.subtotal, ln.product.bundle, ln.product.own_fee)
                                          for ln in lines], addr[2])
        coupon = self._coupon(sid, uid, items_total, ts)
        discount = ZERO
        if coupon is not None:
            discount = coupon_discount(coupon.terms, items_total)
            for ln, d in zip(lines, allocate(discount, [ln.subtotal for ln in lines]), strict=True):
                ln.discount = d
            if state != "declined" and state != "expired":
                self.used_coupons.add((coupon.id, uid))
                coupon.used += 1
                self.t["redemption"].add(coupon.id, uid, oid, int(discount), self.dt(ts))
                self.stats["coupon_orders"] += 1
        total = items_total - discount + fee
        # -- audit trail and claims -------------------------------------------------------------------------
        ev = self.t["event"]
        dt, js = self.dt, self.js
        owner = store.owner_id
        ev.add(oid, "placed", "", S.PENDING_PAYMENT, uid, "shopper", "", js({"purchase": number[:-3]}), dt(ts))
        if state in ("declined", "expired"):
            reason = "잔액이 부족합니다." if state == "declined" else "입금 기한이 지나 주문이 취소되었습니다."
            ev.add(oid, "status", S.PENDING_PAYMENT, S.CANCELLED, None, "system", reason, js({}), dt(closed_at))
        cutoff = claim[1] if whole_cancel else end
        carrier = tracking = ""
        steps = [(paid_at, S.PENDING_PAYMENT, S.PAID, None, "system", "", {"payment": pay["label"]}),
                 (acc, S.PAID, S.PREPARING, owner, "seller", "발주확인", {})]
        if ship is not None and ship <= cutoff:
            carrier = "fresh" if store.concept == "food" and any(p.cold_chain for p in prods) else CARRIER_BY_CONCEPT[store.concept]
            if carrier != "fresh" and rnd.random() < 0.15:
                carrier = rnd.choice(["cj", "hanjin", "lotte", "epost", "logen"])
            tracking = validate_tracking(carrier, self._tracking(carrier))
            steps.append((ship, S.PREPARING, S.SHIPPING, owner, "seller", "", {"carrier": carrier,
                                                                              "tracking_number": tracking}))
            steps.append((deliver, S.SHIPPING, S.DELIVERED, None, "system", "", {}))
        reached = {}
        for at, frm, to, actor, role, why, data in steps:
            if at is not None and at <= cutoff:
                ev.add(oid, "status", frm, to, actor, role, why, js(data), dt(at))
                reached[to] = at
        refunds = kept = ZERO
        returned_at = None
        if claim is not None:
            refunds, returned_at, kept = self._claim(oid, uid, store, lines, fee, claim, rejected, whole_return,
                                                     [(lines[i], q) for i, q in picks], pay)
        shipping_refunded = whole_cancel
        if whole_cancel:
            ev.add(oid, "status", status_before(reached), S.CANCELLED, uid, "shopper", "전체 취소", js({}),
                   dt(claim[1]))
        confirmed_at = confirm if status == S.CONFIRMED else None
        if confirmed_at is not None:
            ev.add(oid, "status", S.DELIVERED, S.CONFIRMED, uid if confirm_role == "shopper" else None, confirm_role,
                   "자동 구매확정" if confirm_role == "system" else "", js({}), dt(confirmed_at))
        # -- rows --------------------------------------------------------------------------------------------
        for ln in lines:
            self.t["line"].add(oid, ln.product.id, ln.variant.id, ln.product.name[:100], ln.variant.label, ln.variant.sku,
                               int(ln.unit_price), int(ln.list_unit_price), ln.quantity, int(ln.subtotal),
                               int(ln.discount), ln.cancelled_qty, ln.returned_qty, pk=ln.id)
            if status in SOLD:
                self.sales[ln.product.id] += ln.active_qty
        cancelled_at = claim[1] if whole_cancel else (closed_at if state in ("declined", "expired") else None)
        self.t["order"].add(
            pur_id, sid, uid, number, status, int(items_total), int(discount), int(fee), shipping_refunded, int(total),
            carrier, tracking, dt(ts), dt(paid_at), dt(reached.get(S.PREPARING)), dt(reached.get(S.SHIPPING)),
            dt(reached.get(S.DELIVERED)), dt(confirmed_at), dt(cancelled_at),
            dt(max(t for t in (ts, paid_at, closed_at, confirmed_at, returned_at, *reached.values()) if t is not None)),
            pk=oid)
        if status == S.CONFIRMED:
            rate_pay = pay["provider"].fee_rate
            settle = settle_date_for(confirmed_at.astimezone(UTC))
            st = SettlementLine.Status.PAID if settle <= end.date() else SettlementLine.Status.SCHEDULED
            for ln, a in settlement_amounts(lines=lines, shipping=(ZERO if shipping_refunded else fee) + kept,
                                            rate=self.platform_rate, pay_rate=rate_pay):
                self.t["settlement"].add(sid, oid, ln.id, a["quantity"], int(a["sale_amount"]), int(a["discount"]),
                                         int(a["shipping_fee"]), int(a["platform_fee"]), int(a["payment_fee"]),
                                         int(a["net_amount"]), dt(confirmed_at), self.day(settle), st)
        if status != S.CANCELLED:
            self.bought_from.add((uid, sid))
        pay["refunded"] += refunds
        self.stats[f"status_{status}"] += 1
        self.stats["orders"] += 1
        return items_total, discount, fee

    def _status(self, state, acc, ship, deliver, confirm, claim, whole_return) -> str:
        end = self.end
        if state == "pending":
            return S.PENDING_PAYMENT
        if state in ("declined", "expired"):
            return S.CANCELLED
        kind = claim[0] if claim else None
        if kind == "cancel":
            return S.CANCELLED
        if deliver <= end:
            if whole_return and claim[2] <= end:
                return S.RETURNED
            return S.CONFIRMED if confirm <= end else S.DELIVERED
        if ship <= end:
            return S.SHIPPING
        return S.PREPARING if acc <= end else S.PAID

    # -- claims -------------------------------------------------------------------------------------------
    def _claim(self, oid, uid, store, lines, fee, claim, rejected, whole_return, return_picks, pay):
        """Write the claim, its lines, refund and audit rows; update the lines' cancelled/returned units.
        Returns (refunded, returned at, return shipping fee kept by the store)."""
        rnd, end, dt, js, ev = self.rnd, self.end, self.dt, self.js, self.t["event"]
        owner = store.owner_id
        kind, t_req, t_res, t_done, reason = claim
        detail = rnd.choice(DETAILS[reason])
        if kind in ("cancel", "partial_cancel"):
            if kind == "cancel":
                picked = [(ln, ln.quantity) for ln in lines]
            else:
                ln = lines[rnd.randrange(len(lines))]
                picked = [(ln, ln.quantity if len(lines) > 1 else rnd.randint(1, ln.quantity - 1))]
            refund = sum((ln.unit_price * q - discount_share(ln.discount, ln.quantity, 0, q) for ln, q in picked), ZERO)
            for ln, q in picked:
                ln.cancelled_qty += q
            if kind == "cancel":
                refund += fee
            cid = self._claim_rows(oid, ClaimKind.CANCEL, ClaimStatus.COMPLETED, reason, detail, uid, ZERO, refund, "",
                                   t_req, t_req, picked)
            ev.add(oid, "claim_cancel_requested", "", "", uid, "shopper", detail or reason,
                   js({"claim": cid, "lines": {str(ln.id): q for ln, q in picked}}), dt(t_req))
            self._refund(pay, cid, oid, refund, "주문 취소", t_req)
            if kind == "partial_cancel":
                ev.add(oid, "partial_cancel", "", "", uid, "shopper", "", js({"claim": cid, "refund": int(refund)}),
                       dt(t_req))
            self.stats[f"claim_{kind}"] += 1
            return refund, None, ZERO
        if kind == "return":
            picked = [(ln, q, None) for ln, q in return_picks]
            cid_status = ClaimStatus.REQUESTED if t_res > end else (ClaimStatus.REJECTED if rejected else ClaimStatus.COMPLETED)
        else:
            picked = self._exchange_pick(lines)
            cid_status = (ClaimStatus.REQUESTED if t_res > end else
                          ClaimStatus.APPROVED if t_done > end else ClaimStatus.COMPLETED)
        refund = ret_fee = ZERO
        if kind == "return" and cid_status == ClaimStatus.COMPLETED:
            gross = sum((ln.unit_price * q - discount_share(ln.discount, ln.quantity, 0, q) for ln, q, _e in picked), ZERO)
            ret_fee = return_shipping_fee(reason=reason, base_fee=store.policy.base_fee, order_shipping_fee=fee,
                                          refund=gross)
            refund = gross - ret_fee
            for ln, q, _e in picked:
                ln.returned_qty += q
        cid = self._claim_rows(oid, kind, cid_status, reason, detail, uid, ret_fee, refund,
                               rnd.choice(REJECT_REASONS) if cid_status == ClaimStatus.REJECTED else "",
                               t_req, t_res if cid_status != ClaimStatus.REQUESTED else None,
                               [(ln, q) for ln, q, _e in picked], [e for _ln, _q, e in picked])
        ev.add(oid, f"claim_{kind}_requested", "", "", uid, "shopper", detail or reason,
               js({"claim": cid, "lines": {str(ln.id): q for ln, q, _e in picked}}), dt(t_req))
        returned_at = None
        if cid_status == ClaimStatus.REJECTED:
            ev.add(oid, "claim_return_rejected", "", "", owner, "seller", REJECT_REASONS[0], js({}), dt(t_res))
        elif kind == "return" and cid_status == ClaimStatus.COMPLETED:
            self._refund(pay, cid, oid, refund, "반품", t_res)
            ev.add(oid, "claim_return_approved", "", "", owner, "seller", "",
                   js({"claim": cid, "refund": int(refund), "return_shipping_fee": int(ret_fee)}), dt(t_res))
            if whole_return:
                ev.add(oid, "status", S.DELIVERED, S.RETURNED, owner, "seller", "전체 반품", js({}), dt(t_res))
                returned_at = t_res
        elif kind == "exchange" and cid_status != ClaimStatus.REQUESTED:
            ev.add(oid, "claim_exchange_approved", "", "", owner, "seller", "", js({"claim": cid}), dt(t_res))
            if cid_status == ClaimStatus.COMPLETED:
                ev.add(oid, "claim_exchange_completed", "", "", owner, "seller", "", js({}), dt(t_done))
        self.stats[f"claim_{kind}"] += 1
        self.stats[f"claim_{kind}_{cid_status}"] += 1
        return refund, returned_at, ret_fee

    def _claim_rows(self, oid, kind, status, reason, detail, uid, ret_fee, refund, reject, created, resolved, picked,
                    exchange=None) -> int:
        cid = self.t["claim"].add(oid, kind, status, reason, detail, uid, int(ret_fee), int(refund), reject,
                                  self.dt(created), self.dt(resolved))
        for i, (ln, q) in enumerate(picked):
            self.t["claim_line"].add(cid, ln.id, q, exchange[i] if exchange else None)
        return cid

    def _refund(self, pay, cid, oid, amount, reason, at) -> None:
        if amount <= 0:
            return
        key = f"claim-{cid}"
        prefix = "vbr_" if pay["provider"].code == "bank_transfer" else "tcr_"
        self.t["refund"].add(pay["id"], cid, oid, int(amount), key,
                             prefix + hashlib.sha256(key.encode()).hexdigest()[:24], reason, self.dt(at))

    def _return_pick(self, qtys: list[int]) -> list[tuple[int, int]]:
        """Which units a return takes back, as (line index, units): everything (most), one line of several, or
        some units of a single line."""
        rnd = self.rnd
        if len(qtys) > 1 and rnd.random() < 0.35:
            i = rnd.randrange(len(qtys))
            return [(i, qtys[i])]
        if len(qtys) == 1 and qtys[0] > 1 and rnd.random() < 0.2:
            return [(0, rnd.randint(1, qtys[0] - 1))]
        return list(enumerate(qtys))

    def _exchange_pick(self, lines):
        rnd = self.rnd
        options = [ln for ln in lines if len(ln.product.variants) > 1]
        ln = options[rnd.randrange(len(options))]
        other = [v for v in ln.product.variants if v.id != ln.variant.id]
        return [(ln, ln.quantity, other[rnd.randrange(len(other))].id)]

    # -- small rules ------------------------------------------------------------------------------------
    def _qty(self, concept: str) -> int:
        r = self.rnd.random()
        if concept in ("food", "beauty"):
            return 2 if r < 0.2 else (3 if r < 0.26 else 1)
        return 2 if r < 0.08 else (3 if r < 0.1 else 1)

    def _variant(self, p: _Product, q: int, *, take: bool) -> _Variant:
        """Any option for history; an option with the units for an order still holding stock (taken from it)."""
        rnd = self.rnd
        if not take:
            return p.variants[rnd.randrange(len(p.variants))]
        able = [v for v in p.variants if v.stock >= q]
        if not able:
            self.stats["open_without_stock"] += 1
            return p.variants[rnd.randrange(len(p.variants))]
        v = able[rnd.randrange(len(able))]
        v.stock -= q
        self.changed_variants.add(v.id)
        return v

    def _coupon(self, sid: int, uid: int, items_total: Decimal, ts: datetime) -> _Coupon | None:
        best, best_d = None, ZERO
        for c in self.coupons.get(sid, ()):
            if not (c.starts <= ts < c.ends) or items_total < c.min_order or (c.id, uid) in self.used_coupons:
                continue
            if c.limit is not None and c.used >= c.limit:
                continue
            if c.audience == Coupon.Audience.REGULARS and sid not in self.follows.get(uid, ()):
                continue
            if c.audience == Coupon.Audience.FIRST_PURCHASE and (uid, sid) in self.bought_from:
                continue
            d = coupon_discount(c.terms, items_total)
            if d > best_d:
                best, best_d = c, d
        if best is not None and self.rnd.random() < COUPON_USE[best.audience]:
            return best
        return None

    def _address(self, uid: int, ts: datetime) -> tuple:
        a = self.addresses.get(uid)
        if a is not None:
            return a
        rnd = self.rnd
        r = rnd.random()
        if r < 0.02:
            postcode, addr1 = f"{rnd.randint(63000, 63644):05d}", f"제주특별자치도 제주시 연북로 {rnd.randint(1, 400)}"
        elif r < 0.027:
            lo, hi = ISLANDS[rnd.randrange(len(ISLANDS))]
            postcode, addr1 = f"{rnd.randint(lo, hi):05d}", f"경상북도 울릉군 울릉읍 도동길 {rnd.randint(1, 200)}"
        else:
            postcode = f"{rnd.randint(1000, 62999):05d}"
            while region_of(postcode) != "mainland":
                postcode = f"{rnd.randint(1000, 62999):05d}"
            addr1 = f"{rnd.choice(CITIES)} {rnd.randint(1, 500)}"
        a = (self.names.get(uid, "구매자")[:40], f"010-{rnd.randint(2000, 9999)}-{rnd.randint(1000, 9999)}", postcode,
             addr1, f"{rnd.randint(101, 120)}동 {rnd.randint(1, 25)}{rnd.randint(1, 4):02d}호")
        a = (*a, region_of(postcode))
        self.addresses[uid] = a
        self.t["address"].add(uid, "집", *a[:5], True, self.dt(ts))
        return a

    def _tracking(self, carrier: str) -> str:
        rnd = self.rnd
        if carrier == "fresh":
            return "".join(rnd.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)) + f"{rnd.randrange(10**10):010d}"
        digits = {"epost": 13, "logen": 11}.get(carrier, 12)
        return str(rnd.randint(10 ** (digits - 1), 10 ** digits - 1))

    def _work(self, t: datetime) -> datetime:
        """The next moment in a seller's working hours (09-19h, not on Sunday)."""
        if t.hour >= 19 or t.weekday() == 6:
            t = (t + timedelta(days=1)).replace(hour=9, minute=0, second=0) + timedelta(minutes=self.rnd.randint(0, 150))
        elif t.hour < 9:
            t = t.replace(hour=9, minute=0, second=0) + timedelta(minutes=self.rnd.randint(0, 150))
        return self._not_sunday(t)

    @staticmethod
    def _not_sunday(t: datetime) -> datetime:
        """The same time on the next day carriers and sellers work (not Sunday, not a public holiday)."""
        while is_day_off(t.date()):
            t += timedelta(days=1)
        return t

    def _auto(self, t: datetime) -> datetime:
        """When the hourly auto-confirm job (at minute 17) first runs at or after ``t``."""
        run = t.replace(minute=17, second=self.rnd.randint(0, 59), microsecond=0)
        return run if run >= t else run + timedelta(hours=1)


def status_before(reached: dict) -> str:
    return S.PREPARING if S.PREPARING in reached else S.PAID


def build_orders(rnd: random.Random, cat: DemoCatalog, shoppers: list[tuple[int, str, int]], *, days: int,
                 purchases: int, end: datetime, progress=None) -> dict:
    """Generate about ``purchases`` purchases over the last ``days`` days and write everything in bulk.

    ``rnd`` should not depend on the event simulation's stream (which varies with "now" on the last day), so
    that the old orders are the same for a seed."""
    from kkot.accounts.models import User
    from kkot.demo.catalog import SHOPPER_EMAIL

    tracked = [uid for uid, _g, _y in shoppers]
    private = list(User.objects.filter(email__startswith="shopper", email__endswith="@kkot.demo",
                                       tracking_opt_out=True).order_by("pk").values_list("pk", flat=True))
    follows: dict[int, set[int]] = {}
    for uid, sid in StoreFollow.objects.values_list("user_id", "store_id").order_by("pk"):
        follows.setdefault(uid, set()).add(sid)
    names = dict(User.objects.filter(email__startswith="shopper", email__endswith="@kkot.demo").values_list("pk", "name"))
    with transaction.atomic():
        plan_rnd, write_rnd = random.Random(rnd.getrandbits(64)), random.Random(rnd.getrandbits(64))
        writer = OrderWriter(write_rnd, cat, end=end, follows=follows, names=names)
        planner = Planner(plan_rnd, cat, visible=set(writer.products), tracked=tracked, private=private,
                          follows={u: min(s) for u, s in follows.items()}, end=end, days=days,
                          favourite=User.objects.filter(email=SHOPPER_EMAIL).values_list("pk", flat=True).first())
        out = PlanResult()
        planner.from_sessions(out)
        from_sessions = len(out.plans)
        planner.visits(out, max(0, purchases - from_sessions))
        sources = Counter(p.source for p in out.plans)
        out.plans.sort(key=lambda p: p.ts)
        if progress is not None:
            progress.reset(total=len(out.plans))
        for i, plan in enumerate(out.plans):
            writer.purchase(plan)
            if progress is not None and i % 500 == 0:
                progress.update(min(500, len(out.plans) - i))
        _write(writer, out.event_rows)
        _update_catalog(writer)
    stats = dict(writer.stats)
    stats.update({"session_events": len(out.event_rows), "slow_delivery_store": SLOW_STORE,
                  "plans": dict(sources), "order_events": len(writer.t["event"].rows),
                  "settlement_lines": len(writer.t["settlement"].rows)})
    return stats


def _write(writer: OrderWriter, event_rows: list[tuple]) -> None:
    order = ["address", "purchase", "payment", "order", "line", "redemption", "claim", "claim_line", "refund", "event",
             "settlement"]
    sql = event_insert_sql()
    with connection.cursor() as cur:
        for i in range(0, len(event_rows), 5000):
            cur.executemany(sql, event_rows[i:i + 5000])
        for name in order:
            writer.t[name].write(cur)
        for stmt in connection.ops.sequence_reset_sql(no_style(), [writer.t[n].model for n in order]):
            cur.execute(stmt)
    used = Counter()
    for row in writer.t["redemption"].rows:
        used[row[1]] += 1
    Coupon.objects.bulk_update([Coupon(pk=c, used_count=n) for c, n in used.items()], ["used_count"])


def _update_catalog(writer: OrderWriter) -> None:
    """Stock held by orders still waiting for dispatch, and each product's units sold."""
    variants = {v.id: v for p in writer.products.values() for v in p.variants}
    Variant.objects.bulk_update([Variant(pk=vid, stock=variants[vid].stock) for vid in writer.changed_variants],
                                ["stock"], batch_size=1000)
    touched = {p.id for p in writer.products.values() if any(v.id in writer.changed_variants for v in p.variants)}
    products = []
    for p in Product.objects.filter(pk__in=touched):
        p.stock_total = sum(v.stock for v in writer.products[p.pk].variants)
        if p.stock_total == 0 and p.status == Product.Status.ON_SALE:
            p.status = Product.Status.SOLD_OUT
        products.append(p)
    Product.objects.bulk_update(products, ["stock_total", "status"], batch_size=1000)
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {qn(Product._meta.db_table)} SET {qn('sales_count')} = %s WHERE {qn('id')} = %s",
                        [(n, pid) for pid, n in writer.sales.items()])


__all__ = ["SLOW_STORE", "build_orders", "create_coupons"]
