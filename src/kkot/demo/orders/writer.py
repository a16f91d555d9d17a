"""One store's order of a purchase, priced and lived through the state machine up to "now", with the coupon
redemption, audit trail, claims and settlement lines the order services would have written."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings

from kkot.core.timeutil import SEOUL
from kkot.demo.catalog import DemoCatalog
from kkot.demo.orders.claims import ClaimWriter, return_pick
from kkot.demo.orders.coupons import CouponBook
from kkot.demo.orders.rows import DbValues, LineDraft, ProductInfo, VariantInfo, load_catalog, order_tables
from kkot.demo.orders.rules import CARRIER_BY_CONCEPT, OPEN, RETURN_REJECTED, SLOW_DAYS, SLOW_STORE, SOLD, S
from kkot.demo.orders.timeline import TimelineDraw, order_status, status_before
from kkot.orders.models import SettlementLine
from kkot.orders.pricing import ZERO, LineForShipping, allocate, coupon_discount, shipping_fee
from kkot.orders.services.lifecycle import validate_tracking
from kkot.orders.services.settlement import settle_date_for, settlement_amounts


class OrderWriter:
    """Holds what every order of the run shares: the catalog snapshot (stock taken as orders hold it), coupons,
    the tables being filled, counters and statistics."""

    def __init__(self, rnd: random.Random, cat: DemoCatalog, *, end: datetime, follows: dict[int, set[int]]):
        self.rnd, self.end = rnd, end.astimezone(SEOUL)
        self.slow_from = self.end - timedelta(days=SLOW_DAYS)
        habit_rnd = random.Random(
            str(rnd.getstate()[1][:8])
        )  # seeded from the main stream, not drawn from it
        self.sales: Counter = Counter()
        self.db = DbValues()
        self.platform_rate = Decimal(str(settings.KKOT_PLATFORM_FEE_RATE))
        self.timelines = TimelineDraw(rnd, habit_rnd, end=self.end, auto_days=settings.KKOT_AUTO_CONFIRM_DAYS)
        self.stores, self.products = load_catalog(cat, self.end)
        slow = [s for s in cat.stores if s.slug == SLOW_STORE] or cat.stores[:1]
        self.slow_store = slow[0].pk if slow else None
        self.coupon_book = CouponBook([s for s in cat.stores if s.pk in self.stores], end, follows=follows)
        self.bought_from: set[tuple[int, int]] = set()
        self.stats: Counter = Counter()
        self.changed_variants: set[int] = set()
        self.t = order_tables()
        self.claims = ClaimWriter(rnd, end=self.end, tables=self.t, db=self.db, stats=self.stats)

    # -- one store's order -------------------------------------------------------------------------------
    def write(self, number, pur_id, uid, ts, sid, prods, addr, state, paid_at, closed_at, pay):
        """The order of one store in a purchase, with everything that happened to it up to "now".
        Returns (items total, discount, shipping fee)."""
        rnd, end, store = self.rnd, self.end, self.stores[sid]
        oid = self.t["order"].reserve()
        slow = sid == self.slow_store and paid_at is not None and paid_at >= self.slow_from
        qtys = [self._qty(store.concept) for _ in prods]
        # the timeline the order would follow, then cut at "now"
        tl = self.timelines.draw(
            store_slug=store.slug, prods=prods, qtys=qtys, paid_at=paid_at, region=addr[5], slow=slow
        )
        claim = tl.claim
        kind = claim[0] if claim else None
        whole_cancel = kind == "cancel"
        rejected = kind == "return" and rnd.random() < RETURN_REJECTED
        picks = return_pick(rnd, qtys) if kind == "return" else []
        whole_return = kind == "return" and not rejected and sum(q for _i, q in picks) == sum(qtys)
        status = order_status(state, tl, whole_return=whole_return, end=end)
        lines, items_total, fee, discount = self._price(oid, uid, ts, sid, prods, qtys, addr, state, status)
        total = items_total - discount + fee
        # -- audit trail and claims -------------------------------------------------------------------------
        ev = self.t["event"]
        dt, js = self.db.dt, self.db.js
        ev.add(
            oid, "placed", "", S.PENDING_PAYMENT, uid, "shopper", "", js({"purchase": number[:-3]}), dt(ts)
        )
        if state in ("declined", "expired"):
            reason = (
                "잔액이 부족합니다." if state == "declined" else "입금 기한이 지나 주문이 취소되었습니다."
            )
            ev.add(
                oid, "status", S.PENDING_PAYMENT, S.CANCELLED, None, "system", reason, js({}), dt(closed_at)
            )
        carrier, tracking, reached = self._progress(
            oid, store, prods, tl, paid_at, pay, claim[1] if whole_cancel else end
        )
        refunds = kept = ZERO
        returned_at = None
        if claim is not None:
            refunds, returned_at, kept = self.claims.write(
                oid,
                uid,
                store,
                lines,
                fee,
                claim,
                rejected,
                whole_return,
                [(lines[i], q) for i, q in picks],
                pay,
            )
        shipping_refunded = whole_cancel
        if whole_cancel:
            ev.add(
                oid,
                "status",
                status_before(reached),
                S.CANCELLED,
                uid,
                "shopper",
                "전체 취소",
                js({}),
                dt(claim[1]),
            )
        confirmed_at = tl.confirmed if status == S.CONFIRMED else None
        if confirmed_at is not None:
            role = tl.confirm_role
            ev.add(
                oid,
                "status",
                S.DELIVERED,
                S.CONFIRMED,
                uid if role == "shopper" else None,
                role,
                "자동 구매확정" if role == "system" else "",
                js({}),
                dt(confirmed_at),
            )
        # -- rows --------------------------------------------------------------------------------------------
        for ln in lines:
            self.t["line"].add(
                oid,
                ln.product.id,
                ln.variant.id,
                ln.product.name[:100],
                ln.variant.label,
                ln.variant.sku,
                int(ln.unit_price),
                int(ln.list_unit_price),
                ln.quantity,
                int(ln.subtotal),
                int(ln.discount),
                ln.cancelled_qty,
                ln.returned_qty,
                pk=ln.id,
            )
            if status in SOLD:
                self.sales[ln.product.id] += ln.active_qty
        cancelled_at = claim[1] if whole_cancel else (closed_at if state in ("declined", "expired") else None)
        self.t["order"].add(
            pur_id,
            sid,
            uid,
            number,
            status,
            int(items_total),
            int(discount),
            int(fee),
            shipping_refunded,
            int(total),
            carrier,
            tracking,
            dt(ts),
            dt(paid_at),
            dt(reached.get(S.PREPARING)),
            dt(reached.get(S.SHIPPING)),
            dt(reached.get(S.DELIVERED)),
            dt(confirmed_at),
            dt(cancelled_at),
            dt(
                max(
                    t
                    for t in (ts, paid_at, closed_at, confirmed_at, returned_at, *reached.values())
                    if t is not None
                )
            ),
            pk=oid,
        )
        if status == S.CONFIRMED:
            self._settle(sid, oid, lines, (ZERO if shipping_refunded else fee) + kept, confirmed_at, pay)
        if status != S.CANCELLED:
            self.bought_from.add((uid, sid))
        pay["refunded"] += refunds
        self.stats[f"status_{status}"] += 1
        self.stats["orders"] += 1
        return items_total, discount, fee

    def _price(self, oid, uid, ts, sid, prods, qtys, addr, state, status):
        """The order's lines (holding stock while it waits for dispatch), shipping fee and coupon discount.
        Returns (lines, items total, shipping fee, discount)."""
        store = self.stores[sid]
        lines = []
        for p, q in zip(prods, qtys, strict=True):
            v = self._variant(p, q, take=status in OPEN)
            lines.append(LineDraft(self.t["line"].reserve(), p, v, q))
        items_total = sum((ln.subtotal for ln in lines), ZERO)
        fee = shipping_fee(
            store.policy,
            [LineForShipping(ln.subtotal, ln.product.bundle, ln.product.own_fee) for ln in lines],
            addr[2],
        )
        coupon = self.coupon_book.choose(
            self.rnd, sid=sid, uid=uid, items_total=items_total, ts=ts, bought_from=self.bought_from
        )
        discount = ZERO
        if coupon is not None:
            discount = coupon_discount(coupon.terms, items_total)
            for ln, d in zip(lines, allocate(discount, [ln.subtotal for ln in lines]), strict=True):
                ln.discount = d
            if state != "declined" and state != "expired":
                self.coupon_book.redeem(coupon, uid)
                self.t["redemption"].add(coupon.id, uid, oid, int(discount), self.db.dt(ts))
                self.stats["coupon_orders"] += 1
        return lines, items_total, fee, discount

    def _progress(self, oid, store, prods, tl, paid_at, pay, cutoff) -> tuple[str, str, dict]:
        """The status events up to ``cutoff`` (now, or the whole cancellation). Returns (carrier, tracking
        number, {status reached: when})."""
        rnd, ev, dt, js = self.rnd, self.t["event"], self.db.dt, self.db.js
        owner = store.owner_id
        carrier = tracking = ""
        steps = [
            (paid_at, S.PENDING_PAYMENT, S.PAID, None, "system", "", {"payment": pay["label"]}),
            (tl.accepted, S.PAID, S.PREPARING, owner, "seller", "발주확인", {}),
        ]
        if tl.shipped is not None and tl.shipped <= cutoff:
            carrier = (
                "fresh"
                if store.concept == "food" and any(p.cold_chain for p in prods)
                else CARRIER_BY_CONCEPT[store.concept]
            )
            if carrier != "fresh" and rnd.random() < 0.15:
                carrier = rnd.choice(["cj", "hanjin", "lotte", "epost", "logen"])
            tracking = validate_tracking(carrier, self._tracking(carrier))
            steps.append(
                (
                    tl.shipped,
                    S.PREPARING,
                    S.SHIPPING,
                    owner,
                    "seller",
                    "",
                    {"carrier": carrier, "tracking_number": tracking},
                )
            )
            steps.append((tl.delivered, S.SHIPPING, S.DELIVERED, None, "system", "", {}))
        reached = {}
        for at, frm, to, actor, role, why, data in steps:
            if at is not None and at <= cutoff:
                ev.add(oid, "status", frm, to, actor, role, why, js(data), dt(at))
                reached[to] = at
        return carrier, tracking, reached

    def _settle(self, sid, oid, lines, shipping, confirmed_at, pay) -> None:
        """Settlement lines of a confirmed order (paid once their settlement date has passed)."""
        settle = settle_date_for(confirmed_at.astimezone(UTC))
        st = SettlementLine.Status.PAID if settle <= self.end.date() else SettlementLine.Status.SCHEDULED
        for ln, a in settlement_amounts(
            lines=lines, shipping=shipping, rate=self.platform_rate, pay_rate=pay["provider"].fee_rate
        ):
            self.t["settlement"].add(
                sid,
                oid,
                ln.id,
                a["quantity"],
                int(a["sale_amount"]),
                int(a["discount"]),
                int(a["shipping_fee"]),
                int(a["platform_fee"]),
                int(a["payment_fee"]),
                int(a["net_amount"]),
                self.db.dt(confirmed_at),
                self.db.day(settle),
                st,
            )

    # -- small rules ------------------------------------------------------------------------------------
    def _qty(self, concept: str) -> int:
        r = self.rnd.random()
        if concept in ("food", "beauty"):
            return 2 if r < 0.2 else (3 if r < 0.26 else 1)
        return 2 if r < 0.08 else (3 if r < 0.1 else 1)

    def _variant(self, p: ProductInfo, q: int, *, take: bool) -> VariantInfo:
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

    def _tracking(self, carrier: str) -> str:
        rnd = self.rnd
        if carrier == "fresh":
            return (
                "".join(rnd.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
                + f"{rnd.randrange(10**10):010d}"
            )
        digits = {"epost": 13, "logen": 11}.get(carrier, 12)
        return str(rnd.randint(10 ** (digits - 1), 10**digits - 1))
