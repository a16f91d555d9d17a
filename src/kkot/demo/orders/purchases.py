"""One purchase at a time: the shopper's address, the payment and how it went, one order per store."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from django.conf import settings

from kkot.core.timeutil import SEOUL
from kkot.demo.catalog import DemoCatalog
from kkot.demo.order_plans import Plan
from kkot.demo.orders.rows import ProductInfo
from kkot.demo.orders.rules import BANK_NEVER_PAID, BANK_SHARE, CARD_DECLINED, CITIES, NOTES
from kkot.demo.orders.writer import OrderWriter
from kkot.orders.models import PaymentStatus
from kkot.orders.payments import get_provider
from kkot.orders.pricing import ISLANDS, ZERO, region_of


class PurchaseWriter:
    def __init__(
        self,
        rnd: random.Random,
        cat: DemoCatalog,
        *,
        end: datetime,
        follows: dict[int, set[int]],
        names: dict[int, str],
    ):
        self.rnd, self.end = rnd, end.astimezone(SEOUL)
        self.orders = OrderWriter(rnd, cat, end=end, follows=follows)
        self.t, self.db, self.stats = self.orders.t, self.orders.db, self.orders.stats
        self.names = names
        self.addresses: dict[int, tuple] = {}

    def purchase(self, plan: Plan) -> None:
        rnd = self.rnd
        groups: dict[int, list[ProductInfo]] = {}
        for pid in plan.products:
            p = self.orders.products.get(pid)
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
        deadline, paid_at, closed_at, state = self._payment_outcome(ts, bank)
        ref_hash = hashlib.sha256(f"demo-{pur_id}".encode()).hexdigest()
        if bank:
            label = f"{['국민은행', '신한은행', '우리은행', '하나은행', '농협은행'][pur_id % 5]} 가상계좌"
        else:
            label = f"카드 ****{rnd.randint(1000, 9999)}"
        pay = {"id": pay_id, "provider": provider, "label": label, "refunded": ZERO}
        totals = [ZERO, ZERO, ZERO]
        for i, (sid, prods) in enumerate(groups.items(), start=1):
            o = self.orders.write(
                f"{number}-{i:02d}", pur_id, uid, ts, sid, prods, addr, state, paid_at, closed_at, pay
            )
            totals[0] += o[0]
            totals[1] += o[1]
            totals[2] += o[2]
        grand = totals[0] - totals[1] + totals[2]
        dt = self.db.dt
        self.t["purchase"].add(
            number,
            uid,
            *addr[:5],
            rnd.choice(NOTES),
            int(totals[0]),
            int(totals[1]),
            int(totals[2]),
            int(grand),
            dt(ts),
            pk=pur_id,
        )
        pstatus = {
            "pending": PaymentStatus.PENDING,
            "declined": PaymentStatus.FAILED,
            "expired": PaymentStatus.CANCELLED,
        }.get(state, PaymentStatus.PAID)
        if state == "paid" and pay["refunded"] > 0:
            pstatus = PaymentStatus.REFUNDED if pay["refunded"] == grand else PaymentStatus.PARTIALLY_REFUNDED
        fail_code, fail_msg = {
            "declined": ("insufficient_funds", "잔액이 부족합니다."),
            "expired": ("deadline", "입금 기한이 지나 주문이 취소되었습니다."),
        }.get(state, ("", ""))
        self.t["payment"].add(
            pur_id,
            provider.code,
            label,
            pstatus,
            int(grand),
            int(pay["refunded"]),
            int(provider.fee(grand)) if state == "paid" else 0,
            f"demo-purchase-{pur_id:010d}",
            ("vb_" if bank else "tc_") + ref_hash[:24],
            label.split()[0] if bank else "",
            f"{int(ref_hash[2:8], 16) % 900 + 100}-{int(ref_hash[8:14], 16) % 900000 + 100000}"
            if bank
            else "",
            "kkot(꽃)" if bank else "",
            dt(deadline),
            fail_code,
            fail_msg,
            dt(ts),
            dt(paid_at),
            dt(paid_at or closed_at or ts),
            pk=pay_id,
        )
        self.stats["purchases"] += 1

    def _payment_outcome(
        self, ts: datetime, bank: bool
    ) -> tuple[datetime, datetime | None, datetime | None, str]:
        """(deadline, paid at, closed at, state) of the purchase's payment as it stands at "now";
        state: pending | paid | declined | expired."""
        rnd, end = self.rnd, self.end
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
        return deadline, paid_at, closed_at, state

    def _address(self, uid: int, ts: datetime) -> tuple:
        a = self.addresses.get(uid)
        if a is not None:
            return a
        rnd = self.rnd
        r = rnd.random()
        if r < 0.02:
            postcode, addr1 = (
                f"{rnd.randint(63000, 63644):05d}",
                f"제주특별자치도 제주시 연북로 {rnd.randint(1, 400)}",
            )
        elif r < 0.027:
            lo, hi = ISLANDS[rnd.randrange(len(ISLANDS))]
            postcode, addr1 = (
                f"{rnd.randint(lo, hi):05d}",
                f"경상북도 울릉군 울릉읍 도동길 {rnd.randint(1, 200)}",
            )
        else:
            postcode = f"{rnd.randint(1000, 62999):05d}"
            while region_of(postcode) != "mainland":
                postcode = f"{rnd.randint(1000, 62999):05d}"
            addr1 = f"{rnd.choice(CITIES)} {rnd.randint(1, 500)}"
        a = (
            self.names.get(uid, "구매자")[:40],
            f"010-{rnd.randint(2000, 9999)}-{rnd.randint(1000, 9999)}",
            postcode,
            addr1,
            f"{rnd.randint(101, 120)}동 {rnd.randint(1, 25)}{rnd.randint(1, 4):02d}호",
        )
        a = (*a, region_of(postcode))
        self.addresses[uid] = a
        self.t["address"].add(uid, "집", *a[:5], True, self.db.dt(ts))
        return a
