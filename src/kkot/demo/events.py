"""Twelve months of storefront events with the structure the analytics and recommenders must find:
weekly and seasonal traffic, co-viewed looks/routines, a banner nobody clicks, a channel that converts
poorly, and per store one product viewed often and rarely put in a cart.

Rows go straight into the append-only log with ``executemany`` in the column order below (the demo is
the only writer that bypasses the capture endpoint, for speed)."""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect
from datetime import datetime, timedelta
from itertools import accumulate

from django.db import connection, transaction
from django.db.models import Count, Q

from kkot.catalog.models import Product
from kkot.core.timeutil import SEOUL
from kkot.demo import vocab
from kkot.demo.catalog import DemoCatalog
from kkot.events.models import Event

COLUMNS = ["ts", "kind", "visitor", "session", "user_id", "store_id", "product_id", "page_type", "section",
           "position", "query", "result_count", "channel", "utm_source", "utm_medium", "utm_campaign",
           "referrer_host", "device"]
STORE_WEIGHT = {"fashion": 3.0, "beauty": 2.0, "food": 1.4, "living": 1.2, "digital": 1.2, "kids": 1.0, "goods": 1.3,
                "sports": 0.8}
CHANNELS = [("direct", 0.28), ("search", 0.32), ("social", 0.16), ("ad", 0.14), ("referral", 0.10)]
CHANNEL_CART_MULT = {"direct": 1.3, "search": 1.1, "social": 0.35, "ad": 0.9, "referral": 0.8}


class _Picker:
    """Weighted choice in O(log n) with a cumulative table."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(accumulate(weights))

    def __call__(self, rnd: random.Random):
        return self.items[bisect(self.cum, rnd.random() * self.cum[-1])]


def _hex(rnd: random.Random) -> str:
    return f"{rnd.getrandbits(128):032x}"


def _season(day: datetime) -> float:
    doy = day.timetuple().tm_yday
    # peaks: spring (Apr), autumn/winter sale season (Nov), dip in late summer
    return 1.0 + 0.25 * math.sin(2 * math.pi * (doy - 80) / 365) + 0.35 * math.exp(-(((doy - 320) / 18) ** 2))


def build_events(rnd: random.Random, cat: DemoCatalog, shoppers: list[tuple[int, str, int]], *, days: int,
                 sessions_per_day: int, end: datetime, progress) -> int:
    adapt = connection.ops.adapt_datetimefield_value
    by_store: dict[int, list] = {}
    for p in cat.products:
        by_store.setdefault(p.store_id, []).append(p)
    visible = set(Product.objects.filter(status__in=["on_sale", "sold_out"]).values_list("pk", flat=True))
    pick_product = {s: _Picker([p for p in ps if p.id in visible], [p.weight for p in ps if p.id in visible])
                    for s, ps in by_store.items()}
    groups: dict[int, list] = {}
    for p in cat.products:
        if p.id in visible:
            groups.setdefault(p.group, []).append(p)
    new_products = {s: sorted(ps, key=lambda p: -p.id)[:8] for s, ps in by_store.items()}
    best_products = {s: sorted(ps, key=lambda p: -p.weight)[:8] for s, ps in by_store.items()}
    cats_in_store = {s: sorted({p.category_id for p in ps}) for s, ps in by_store.items()}
    stores = cat.stores
    pick_store = _Picker(stores, [STORE_WEIGHT[s._concept] for s in stores])  # noqa: SLF001
    pick_channel = _Picker([c for c, _ in CHANNELS], [w for _, w in CHANNELS])
    banners = {s.pk: list(s.banners.order_by("position").values_list("pk", flat=True)) for s in stores}
    names = dict(Product.objects.values_list("pk", "name"))
    hours = _Picker(list(range(24)), [1, .5, .3, .2, .2, .3, .6, 1.2, 1.6, 1.5, 1.4, 1.5, 2.2, 1.8, 1.6, 1.5, 1.5,
                                      1.7, 2, 2.4, 2.8, 3, 2.6, 1.8])
    sql = f"INSERT INTO {Event._meta.db_table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    total = 0
    start = end - timedelta(days=days)
    for d in range(days + 1):  # the whole days of the window, then today up to now
        day = (start + timedelta(days=d)).astimezone(SEOUL).replace(hour=0, minute=0, second=0, microsecond=0)
        weekly = [1.0, 0.97, 0.95, 0.98, 1.02, 1.15, 1.22][day.weekday()]
        n_sessions = int(sessions_per_day * weekly * _season(day) * (0.7 + 0.3 * d / days))
        rows = []
        for _ in range(n_sessions):
            store = pick_store(rnd)
            sid = store.pk
            ts = day + timedelta(hours=hours(rnd), seconds=rnd.randrange(3600))
            if ts >= end:
                continue
            if shoppers and rnd.random() < 0.6:
                uid, _g, _y = shoppers[rnd.randrange(len(shoppers))]
                visitor = hashlib.md5(f"u{uid}".encode()).hexdigest()
            else:
                uid, visitor = None, _hex(rnd)
            session = _hex(rnd)
            channel = pick_channel(rnd)
            src = med = camp = ref = ""
            if channel == "search":
                ref = rnd.choice(vocab.SEARCH_ENGINES)
            elif channel == "social":
                ref = rnd.choice(vocab.SOCIAL)
                src, med = ref.split(".")[1], "social"
            elif channel == "ad":
                src, med = rnd.choice([("naver", "cpc"), ("kakao", "display"), ("meta", "paid_social")])
                camp = f"{store.slug}-{rnd.choice(['season-sale', 'brand', 'retarget'])}"
            elif channel == "referral":
                ref = rnd.choice(vocab.REFERRALS)
            device = "m" if rnd.random() < 0.72 else ("d" if rnd.random() < 0.9 else "t")
            base = [visitor, session, uid, sid]
            inflow = [channel, src, med, camp, ref, device]

            def emit(kind, t, product=None, page="", section="", pos=None, query="", count=None,
                     _base=base, _inflow=inflow, _rows=rows):
                _rows.append((adapt(t), kind, *_base, product, page, section, pos, query, count, *_inflow))

            cart_mult = CHANNEL_CART_MULT[channel]
            current = None
            if channel in ("search", "ad") and rnd.random() < 0.6:
                current = pick_product[sid](rnd)
                emit("page_view", ts, current.id, "product")
                emit("product_view", ts, current.id, "product")
            elif rnd.random() < 0.14:
                p = pick_product[sid](rnd)
                words = names.get(p.id, "").split()
                query = " ".join(words[-2:]) if len(words) > 1 else (words[0] if words else "")
                emit("page_view", ts, None, "search")
                emit("search", ts, None, "search", query=query, count=rnd.randint(3, 120))
                ts += timedelta(seconds=rnd.randint(4, 40))
                if rnd.random() < 0.7:
                    current = p
                    pos = min(40, int(rnd.expovariate(0.5)) + 1)
                    emit("click", ts, p.id, "search", f"search:{pos}", pos)
                    emit("page_view", ts, p.id, "product")
                    emit("product_view", ts, p.id, "product")
            else:
                emit("page_view", ts, None, "store")
                ts += timedelta(seconds=rnd.randint(3, 30))
                r = rnd.random()
                b = banners[sid]
                if r < 0.14 and b:
                    emit("click", ts, None, "store", f"banner:{b[0]}", 1)
                    current = pick_product[sid](rnd)
                elif r < 0.20 and len(b) > 1:
                    emit("click", ts, None, "store", f"banner:{b[1]}", 2)
                    current = new_products[sid][rnd.randrange(len(new_products[sid]))]
                elif r < 0.2006 and len(b) > 2:  # the dead banner: about 0.06% of store-home visits
                    emit("click", ts, None, "store", f"banner:{b[2]}", 3)
                elif r < 0.55:
                    pos = rnd.randrange(len(best_products[sid]))
                    current = best_products[sid][pos]
                    emit("click", ts, current.id, "store", "best", pos + 1)
                elif r < 0.72:
                    pos = rnd.randrange(len(new_products[sid]))
                    current = new_products[sid][pos]
                    emit("click", ts, current.id, "store", "new", pos + 1)
                elif r < 0.88:
                    c = rnd.choice(cats_in_store[sid])
                    emit("click", ts, None, "store", f"category:{c}", None)
                    emit("page_view", ts, None, "category")
                    current = pick_product[sid](rnd)
                    emit("click", ts, current.id, "category", "list", rnd.randint(1, 20))
                if current is not None and current.id in visible:
                    ts += timedelta(seconds=rnd.randint(2, 20))
                    emit("page_view", ts, current.id, "product")
                    emit("product_view", ts, current.id, "product")
                else:
                    current = None
            steps = 0
            while current is not None:
                ts += timedelta(seconds=rnd.randint(15, 150))
                if rnd.random() < current.cart_rate * cart_mult:
                    emit("add_to_cart", ts, current.id, "product")
                if uid and rnd.random() < 0.004:
                    emit("follow", ts, None, "store")
                steps += 1
                if steps >= 8 or rnd.random() > 0.58:
                    break
                group = groups.get(current.group, [])
                nxt = group[rnd.randrange(len(group))] if (group and rnd.random() < 0.65) else pick_product[sid](rnd)
                if nxt.id == current.id:
                    continue
                section = "widget:viewed_together" if nxt.group == current.group else "list"
                emit("click", ts, nxt.id, "product", section, None)
                emit("page_view", ts, nxt.id, "product")
                emit("product_view", ts, nxt.id, "product")
                current = nxt
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, rows)
        total += len(rows)
        progress.update(1)
        progress.set_postfix(events=f"{total:,}")
    return total


def refresh_product_counters(*, end: datetime) -> None:
    """Product view counts and the popularity score (recent views and carts weigh more) from the log."""
    recent = end - timedelta(days=30)
    stats = (
        Event.objects.filter(kind__in=["product_view", "add_to_cart"], product_id__isnull=False)
        .values("product_id")
        .annotate(views=Count("id", filter=Q(kind="product_view")),
                  recent_views=Count("id", filter=Q(kind="product_view", ts__gte=recent)),
                  carts=Count("id", filter=Q(kind="add_to_cart")))
    )
    updates = []
    for s in stats.iterator(chunk_size=5000):
        updates.append(Product(pk=s["product_id"], view_count=s["views"],
                               popularity=float(s["recent_views"] * 3 + s["views"] * 0.2 + s["carts"] * 5)))
    Product.objects.bulk_update(updates, ["view_count", "popularity"], batch_size=1000)
