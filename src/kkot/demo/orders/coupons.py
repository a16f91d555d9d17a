"""The demo stores' coupons: created once, then chosen at checkout the way a shopper would."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from kkot.core.timeutil import SEOUL
from kkot.demo.orders.rows import CouponInfo
from kkot.demo.orders.rules import COUPON_USE
from kkot.orders.models import Coupon
from kkot.orders.pricing import ZERO, CouponTerms, coupon_discount


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
        (
            "WELCOME3000",
            "첫 구매 3,000원 할인",
            "fixed",
            3000,
            None,
            None,
            20000,
            always,
            A.FIRST_PURCHASE,
            None,
        ),
        ("REGULAR10", "단골 고객 10% 할인", "percent", None, 10, 10000, 30000, always, A.REGULARS, None),
        ("SPRING15", "봄맞이 15% 할인", "percent", None, 15, 15000, 30000, spring, A.ALL, None),
        ("SUMMER5", "여름 특가 5% 할인", "percent", None, 5, 5000, 20000, summer, A.ALL, None),
        ("SALE5000", "블랙프라이데이 5,000원 할인", "fixed", 5000, None, None, 50000, autumn, A.ALL, 600),
    ]
    rows = [
        Coupon(
            store=s,
            code=code,
            name=name,
            kind=kind,
            amount=amount,
            percent=pct,
            max_discount=mx,
            min_order=mo,
            starts_at=w[0],
            ends_at=w[1],
            audience=aud,
            usage_limit=limit,
        )
        for s in stores
        for code, name, kind, amount, pct, mx, mo, w, aud, limit in specs
    ]
    Coupon.objects.bulk_create(rows)
    return list(Coupon.objects.filter(store__in=stores).order_by("pk"))


class CouponBook:
    """Every store's coupons with their use so far: who used which, how often each was used."""

    def __init__(self, stores: list, end: datetime, *, follows: dict[int, set[int]]):
        self.follows = follows
        self.by_store: dict[int, list[CouponInfo]] = {}
        for c in create_coupons(stores, end):
            self.by_store.setdefault(c.store_id, []).append(
                CouponInfo(
                    c.pk,
                    c.store_id,
                    c.audience,
                    CouponTerms(c.kind, c.amount, c.percent, c.max_discount),
                    c.min_order,
                    c.starts_at,
                    c.ends_at,
                    c.usage_limit,
                )
            )
        self.used: set[tuple[int, int]] = set()

    def choose(
        self,
        rnd: random.Random,
        *,
        sid: int,
        uid: int,
        items_total: Decimal,
        ts: datetime,
        bought_from: set[tuple[int, int]],
    ) -> CouponInfo | None:
        """The best coupon this shopper may use on this store's order, if the shopper uses it at all."""
        best, best_d = None, ZERO
        for c in self.by_store.get(sid, ()):
            if not (c.starts <= ts < c.ends) or items_total < c.min_order or (c.id, uid) in self.used:
                continue
            if c.limit is not None and c.used >= c.limit:
                continue
            if c.audience == Coupon.Audience.REGULARS and sid not in self.follows.get(uid, ()):
                continue
            if c.audience == Coupon.Audience.FIRST_PURCHASE and (uid, sid) in bought_from:
                continue
            d = coupon_discount(c.terms, items_total)
            if d > best_d:
                best, best_d = c, d
        if best is not None and rnd.random() < COUPON_USE[best.audience]:
            return best
        return None

    def redeem(self, coupon: CouponInfo, uid: int) -> None:
        self.used.add((coupon.id, uid))
        coupon.used += 1
