"""Who buys what, and when: the purchase plans behind the demo orders, consistent with the event log.

Three sources, merged in time order:

- **sessions**: simulated sessions (members, and guests who log in at checkout) that put products in the
  cart check out minutes later; the ordered products are the ones carted, so co-viewed looks/routines are
  also bought together.
- **visits**: shoppers coming back to buy (the bulk of the year's orders). Each writes its own short session
  (product views and add-to-cart events before the order) into the event log. Items of one "group" (an outfit,
  a skincare routine, a gift set) are bought together; beauty/food/kids buyers come back for refills; leaky
  products (viewed a lot, rarely carted) are weighted by their cart rate, so they are rarely bought.
- **private**: shoppers who opted out of tracking buy too, but leave no events; they only buy products that
  somebody already viewed and carted before.

Daily volumes follow the same weekly, seasonal and growth curves as :mod:`kkot.demo.events`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection

from kkot.core.timeutil import SEOUL
from kkot.demo import vocab
from kkot.demo.catalog import DemoCatalog, DemoProduct
from kkot.demo.events import CHANNEL_CART_MULT, CHANNELS, COLUMNS, STORE_WEIGHT, _hex, _Picker, _season
from kkot.events.models import Event

# The same day curves as events.py (weekday factor Mon..Sun, hour-of-day weights).
WEEKLY = [1.0, 0.97, 0.95, 0.98, 1.02, 1.15, 1.22]
HOUR_WEIGHTS = [1, .5, .3, .2, .2, .3, .6, 1.2, 1.6, 1.5, 1.4, 1.5, 2.2, 1.8, 1.6, 1.5, 1.5, 1.7, 2, 2.4, 2.8, 3, 2.6, 1.8]
REFILL_CONCEPTS = {"beauty", "food", "kids"}
MEMBER_CONVERSION = 0.5  # carted member sessions that check out
GUEST_CONVERSION = 0.3  # carted guest sessions that log in and check out
MULTI_STORE = 0.06  # purchases that also take something from a second store
LEAKY_BUY = 0.05  # on top of its low cart rate: the leaky product is the store's most viewed item


@dataclass
class Plan:
    ts: datetime
    user_id: int
    products: list[int]  # product ids in the order they were carted (may span stores)
    source: str  # session | visit | private


@dataclass
class PlanResult:
    plans: list[Plan] = field(default_factory=list)
    event_rows: list[tuple] = field(default_factory=list)  # rows in events.COLUMNS order


def day_factor(day: datetime, d: int, days: int) -> float:
    return WEEKLY[day.weekday()] * _season(day) * (0.7 + 0.3 * d / days)


class Planner:
    def __init__(self, rnd: random.Random, cat: DemoCatalog, *, visible: set[int], tracked: list[int],
                 private: list[int], follows: dict[int, int], end: datetime, days: int, favourite: int | None = None):
        self.rnd, self.cat, self.end, self.days = rnd, cat, end, days
        self.start = end - timedelta(days=days)
        self.by_id: dict[int, DemoProduct] = {p.id: p for p in cat.products if p.id in visible}
        self.concept = {s.pk: s._concept for s in cat.stores}  # noqa: SLF001
        self.slug = {s.pk: s.slug for s in cat.stores}
        by_store: dict[int, list[DemoProduct]] = {}
        self.groups: dict[int, list[DemoProduct]] = {}
        for p in self.by_id.values():
            by_store.setdefault(p.store_id, []).append(p)
            self.groups.setdefault(p.group, []).append(p)
        # Buying weight: popularity x cart rate; a leaky product (viewed a lot, rarely carted) is rarely bought.
        leaky = set(cat.leaky_products)
        self.pick_buy = {s: _Picker(ps, [p.weight * p.cart_rate * (LEAKY_BUY if p.id in leaky else 1) for p in ps])
                         for s, ps in by_store.items()}
        stores = [s for s in cat.stores if s.pk in by_store]
        self.pick_store = _Picker([s.pk for s in stores], [STORE_WEIGHT[self.concept[s.pk]] for s in stores])
        self.pick_channel = _Picker([c for c, _ in CHANNELS], [w * CHANNEL_CART_MULT[c] for c, w in CHANNELS])
        self.hours = _Picker(list(range(24)), HOUR_WEIGHTS)
        # Shoppers buy with a heavy-tailed frequency (some are regulars); ``favourite`` (the demo login) buys often.
        everyone = tracked + private
        weights = [max(rnd.paretovariate(1.6), 12.0) if uid == favourite else rnd.paretovariate(1.6) for uid in everyone]
        self.pick_buyer = _Picker(everyone, weights)
        self.pick_tracked = _Picker(tracked, weights[:len(tracked)]) if tracked else None
        self.private = set(private)
        self.follows = follows
        self.history: dict[int, list[int]] = {}  # user -> refillable products bought
        self.first_cart: dict[int, datetime] = {}
        self.adapt = connection.ops.adapt_datetimefield_value

    # -- sources -----------------------------------------------------------------------------------------
    def from_sessions(self, out: PlanResult) -> None:
        rows = (Event.objects.filter(kind="add_to_cart", product_id__isnull=False).order_by("id")
                .values_list("session", "user_id", "product_id", "ts"))
        sessions: dict[str, list] = {}
        for session, uid, pid, ts in rows.iterator(chunk_size=5000):
            first = self.first_cart.get(pid)
            if first is None or ts < first:
                self.first_cart[pid] = ts
            sessions.setdefault(session, []).append((uid, pid, ts))
        for carts in sessions.values():
            uid = carts[0][0]
            rate = MEMBER_CONVERSION if uid else GUEST_CONVERSION
            if self.rnd.random() >= rate:
                continue
            if uid is None:
                if self.pick_tracked is None:
                    continue
                uid = self.pick_tracked(self.rnd)
            ts = max(c[2] for c in carts) + timedelta(seconds=self.rnd.randint(120, 1800))
            if ts >= self.end:
                continue
            products = list(dict.fromkeys(c[1] for c in carts if c[1] in self.by_id))
            if products:
                out.plans.append(Plan(ts.astimezone(SEOUL), uid, products, "session"))

    def visits(self, out: PlanResult, total: int) -> None:
        """``total`` purchases spread over the days like the traffic; returns nothing, appends to ``out``."""
        rnd = self.rnd
        # every whole day of the window and today up to now, so a seller opening the demo at any hour finds
        # orders placed today still waiting for 발주확인
        days = [(self.start + timedelta(days=d)).astimezone(SEOUL).replace(hour=0, minute=0, second=0, microsecond=0)
                for d in range(self.days + 1)]
        factors = [day_factor(day, d, self.days) * min(1.0, (self.end - day) / timedelta(days=1))
                   for d, day in enumerate(days)]
        scale = total / sum(factors) if factors else 0
        deferred = []
        for day, f in zip(days, factors, strict=True):
            x = f * scale
            n = int(x) + (rnd.random() < x - int(x))
            for _ in range(n):
                ts = day + timedelta(hours=self.hours(rnd), seconds=rnd.randrange(3600))
                if ts >= self.end:  # today: an hour that has not come yet -> somewhere in the hours so far
                    ts = day + (self.end - day) * rnd.random()
                uid = self.pick_buyer(rnd)
                if uid in self.private:
                    deferred.append((ts, uid))  # chosen once every carted product is known
                    continue
                products = self._basket(uid)
                self._session_events(out, uid, ts, products)
                out.plans.append(Plan(ts, uid, [p.id for p in products], "visit"))
        for ts, uid in deferred:
            for _try in range(20):
                products = [p for p in self._basket(uid) if self.first_cart.get(p.id, self.end) < ts]
                if products:
                    out.plans.append(Plan(ts, uid, [p.id for p in products], "private"))
                    break

    # -- helpers -----------------------------------------------------------------------------------------
    def _basket(self, uid: int) -> list[DemoProduct]:
        rnd = self.rnd
        past = self.history.get(uid)
        if past and rnd.random() < 0.25:
            first = self.by_id[past[rnd.randrange(len(past))]]  # a refill of something bought before
        else:
            followed = self.follows.get(uid)
            sid = followed if followed in self.pick_buy and rnd.random() < 0.5 else self.pick_store(rnd)
            first = self.pick_buy[sid](rnd)
        basket = [first]
        last = first
        while len(basket) < 4 and rnd.random() < 0.42:
            group = self.groups.get(last.group, [])
            nxt = group[rnd.randrange(len(group))] if group and rnd.random() < 0.75 else self.pick_buy[last.store_id](rnd)
            if nxt not in basket:
                basket.append(nxt)
                last = nxt
        if rnd.random() < MULTI_STORE and len(self.pick_buy) > 1:
            other = self.pick_store(rnd)
            if other != first.store_id:
                basket.append(self.pick_buy[other](rnd))
        refill = [p.id for p in basket if self.concept[p.store_id] in REFILL_CONCEPTS]
        if refill:
            self.history.setdefault(uid, []).extend(refill)
        return basket

    def _session_events(self, out: PlanResult, uid: int, ts: datetime, products: list[DemoProduct]) -> None:
        """A short session that views and carts each product, ending a minute or more before the order."""
        rnd = self.rnd
        gaps = [rnd.randint(40, 240) for _ in products]
        t = ts - timedelta(seconds=sum(gaps) + rnd.randint(60, 600))
        visitor = hashlib.md5(f"u{uid}".encode()).hexdigest()
        session = _hex(rnd)
        channel = self.pick_channel(rnd)
        src = med = camp = ref = ""
        if channel == "search":
            ref = rnd.choice(vocab.SEARCH_ENGINES)
        elif channel == "social":
            ref = rnd.choice(vocab.SOCIAL)
            src, med = ref.split(".")[1], "social"
        elif channel == "ad":
            src, med = rnd.choice([("naver", "cpc"), ("kakao", "display"), ("meta", "paid_social")])
            camp = f"{self.slug[products[0].store_id]}-{rnd.choice(['season-sale', 'brand', 'retarget'])}"
        elif channel == "referral":
            ref = rnd.choice(vocab.REFERRALS)
        device = "m" if rnd.random() < 0.72 else ("d" if rnd.random() < 0.9 else "t")
        rows = out.event_rows
        adapt = self.adapt

        def emit(kind, at, sid, pid=None, page="product", section="", pos=None):
            rows.append((adapt(at), kind, visitor, session, uid, sid, pid, page, section, pos, "", None,
                         channel, src, med, camp, ref, device))

        prev = None
        for p, gap in zip(products, gaps, strict=True):
            sid = p.store_id
            if prev is None and channel not in ("search", "ad"):
                emit("page_view", t, sid, None, "store")
                t += timedelta(seconds=rnd.randint(3, 30))
                emit("click", t, sid, p.id, "store", "best", rnd.randint(1, 8))
            elif prev is not None:
                emit("click", t, sid, p.id, "product",
                     "widget:viewed_together" if p.group == prev.group else "list")
            emit("page_view", t, sid, p.id)
            emit("product_view", t, sid, p.id)
            t += timedelta(seconds=gap)
            emit("add_to_cart", t, sid, p.id)
            first = self.first_cart.get(p.id)
            if first is None or t < first:
                self.first_cart[p.id] = t
            prev = p


def event_insert_sql() -> str:
    return (f"INSERT INTO {Event._meta.db_table} ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})")
