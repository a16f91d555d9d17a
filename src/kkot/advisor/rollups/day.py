"""The scheduled path: one Seoul day from grouped ORM queries (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from kkot.advisor.models import ChannelDaily, KeywordDaily, ProductDaily, RollupDay, SectionDaily, StoreDaily
from kkot.advisor.rollups.ads import ROLLUP_SCHEMA, rollup_ads
from kkot.advisor.rollups.common import ATTRIBUTION_DAYS, section_key
from kkot.advisor.rollups.customers import rollup_customers
from kkot.advisor.rollups.widgets import rollup_widgets
from kkot.core.timeutil import day_bounds
from kkot.events.models import Event
from kkot.orders.models import Order, OrderLine, Refund


def _event_aggregates(start, end):
    base = Event.objects.filter(ts__gte=start, ts__lt=end, store_id__isnull=False)
    stores = (
        base.values("store_id")
        .annotate(
            events=Count("id"),
            page_views=Count("id", filter=Q(kind="page_view")),
            visits=Count("session", distinct=True),
            visitors=Count("visitor", distinct=True),
            pv_sessions=Count("session", distinct=True, filter=Q(kind="product_view")),
            cart_sessions=Count("session", distinct=True, filter=Q(kind="add_to_cart")),
            product_views=Count("id", filter=Q(kind="product_view")),
            carts=Count("id", filter=Q(kind="add_to_cart")),
            searches=Count("id", filter=Q(kind="search")),
            home_views=Count("id", filter=Q(kind="page_view", page_type="store")),
        )
        .order_by()
    )
    products = (
        base.filter(kind__in=["product_view", "add_to_cart"], product_id__isnull=False)
        .values("store_id", "product_id")
        .annotate(
            views=Count("id", filter=Q(kind="product_view")), carts=Count("id", filter=Q(kind="add_to_cart"))
        )
        .order_by()
    )
    channels = (
        base.values("store_id", "channel")
        .annotate(
            visits=Count("session", distinct=True),
            pv_sessions=Count("session", distinct=True, filter=Q(kind="product_view")),
            cart_sessions=Count("session", distinct=True, filter=Q(kind="add_to_cart")),
        )
        .order_by()
    )
    sections = (
        base.filter(kind__in=["click", "impression"])
        .exclude(section="")
        .values("store_id", "page_type", "section")
        .annotate(
            clicks=Count("id", filter=Q(kind="click")), impressions=Count("id", filter=Q(kind="impression"))
        )
        .order_by()
    )
    keywords = (
        base.filter(kind="search")
        .exclude(query="")
        .values("store_id", "query")
        .annotate(searches=Count("id"), sessions=Count("session", distinct=True))
        .order_by()
    )
    # sessions that searched a keyword and carted something (same store, same day)
    cart_sessions = set(base.filter(kind="add_to_cart").values_list("store_id", "session").distinct())
    search_sessions = (
        base.filter(kind="search").exclude(query="").values_list("store_id", "query", "session").distinct()
    )
    kw_carts: dict[tuple, int] = defaultdict(int)
    for sid, q, sess in search_sessions:
        if (sid, sess) in cart_sessions:
            kw_carts[(sid, q)] += 1
    return list(stores), list(products), list(channels), list(sections), list(keywords), kw_carts


def _attribute(orders: list[dict], start, end) -> dict[int, tuple[str, str]]:
    """order id -> (channel, search keyword or '') by last touch: the shopper's visit to the order's store that
    started last at or before the order and at most ATTRIBUTION_DAYS before it (ties: session, channel), and the
    last search of that visit up to the order. Same definition as the grouped SQL in :func:`rollup_range`."""
    users = {o["user_id"] for o in orders}
    if not users:
        return {}
    lo = start - dt.timedelta(days=ATTRIBUTION_DAYS + 1)
    visits = (
        Event.objects.filter(ts__gte=lo, ts__lt=end, user_id__in=users, store_id__isnull=False)
        .values("store_id", "user_id", "session", "channel")
        .annotate(first=Min("ts"))
        .order_by("session", "channel")
    )
    by_key: dict[tuple, list] = defaultdict(list)
    for v in visits:
        by_key[(v["store_id"], v["user_id"])].append(v)
    chosen: dict[int, dict] = {}
    for o in orders:
        best = None
        for v in by_key.get((o["store_id"], o["user_id"]), ()):
            if o["created_at"] - dt.timedelta(days=ATTRIBUTION_DAYS) <= v["first"] <= o["created_at"]:
                if best is None or v["first"] > best["first"]:
                    best = v
        if best is not None:
            chosen[o["id"]] = best
    searches: dict[str, list] = defaultdict(list)
    for sess, q, ts, pk in (
        Event.objects.filter(
            kind="search", ts__gte=lo, ts__lt=end, session__in={v["session"] for v in chosen.values()}
        )
        .exclude(query="")
        .values_list("session", "query", "ts", "id")
    ):
        searches[sess].append((ts, pk, q))
    created = {o["id"]: o["created_at"] for o in orders}
    out = {}
    for oid, v in chosen.items():
        lo_o = created[oid] - dt.timedelta(days=ATTRIBUTION_DAYS + 1)
        before = [s for s in searches.get(v["session"], ()) if lo_o <= s[0] <= created[oid]]
        out[oid] = (v["channel"], max(before)[2] if before else "")
    return out


def rollup_day(*, day: dt.date) -> dict:
    """Rebuild every rollup row of one Seoul day. Idempotent."""
    t0 = time.perf_counter()
    start, end = day_bounds(day)
    stores, products, channels, sections, keywords, kw_carts = _event_aggregates(start, end)
    paid = list(
        Order.objects.filter(paid_at__gte=start, paid_at__lt=end).values(
            "id", "store_id", "user_id", "created_at", "total"
        )
    )
    lines = (
        OrderLine.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end)
        .values("order__store_id", "product_id")
        .annotate(
            orders=Count("order_id", distinct=True),
            units=Sum("quantity"),
            revenue=Sum(F("subtotal") - F("discount")),
        )
        .order_by()
    )
    refunds = (
        Refund.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("order__store_id")
        .annotate(amount=Sum("amount"), n=Count("id"))
        .order_by()
    )
    touch = _attribute(paid, start, end)

    sd: dict[int, dict] = defaultdict(dict)
    for r in stores:
        sid = r.pop("store_id")
        r.pop("events")
        sd[sid].update(r)
    customers: dict[int, set] = defaultdict(set)
    ch_orders: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    kw_orders: dict[tuple, int] = defaultdict(int)
    for o in paid:
        s = sd[o["store_id"]]
        s["orders"] = s.get("orders", 0) + 1
        s["revenue"] = s.get("revenue", Decimal(0)) + o["total"]
        customers[o["store_id"]].add(o["user_id"])
        channel, query = touch.get(o["id"], ("", ""))
        acc = ch_orders[(o["store_id"], channel)]
        acc[0] += 1
        acc[1] += o["total"]
        if query:
            kw_orders[(o["store_id"], query)] += 1
    for sid, users in customers.items():
        sd[sid]["customers"] = len(users)
    for r in refunds:
        sd[r["order__store_id"]].update(refunds=r["amount"], refund_count=r["n"])

    pd: dict[tuple, dict] = defaultdict(dict)
    for r in products:
        pd[(r["store_id"], r["product_id"])].update(views=r["views"], carts=r["carts"])
    for r in lines:
        pd[(r["order__store_id"], r["product_id"])].update(
            orders=r["orders"], units=r["units"], revenue=r["revenue"]
        )

    cd: dict[tuple, dict] = defaultdict(dict)
    for r in channels:
        cd[(r["store_id"], r["channel"])].update(
            visits=r["visits"], pv_sessions=r["pv_sessions"], cart_sessions=r["cart_sessions"]
        )
    for key, (n, rev) in ch_orders.items():
        cd[key].update(orders=n, revenue=rev)

    secd: dict[tuple, list] = defaultdict(lambda: [0, 0])
    for r in sections:
        acc = secd[(r["store_id"], r["page_type"], section_key(r["section"]))]
        acc[0] += r["impressions"]
        acc[1] += r["clicks"]

    kd: dict[tuple, dict] = defaultdict(dict)
    for r in keywords:
        key = (r["store_id"], r["query"][:100])
        kd[key].update(
            searches=kd[key].get("searches", 0) + r["searches"],
            sessions=kd[key].get("sessions", 0) + r["sessions"],
        )
    for key, n in kw_carts.items():
        kd[(key[0], key[1][:100])]["cart_sessions"] = n
    for key, n in kw_orders.items():
        kd[(key[0], key[1][:100])]["orders"] = n

    n_events = Event.objects.filter(ts__gte=start, ts__lt=end).count()
    with transaction.atomic():
        for model in (StoreDaily, ProductDaily, ChannelDaily, SectionDaily, KeywordDaily):
            model.objects.filter(day=day).delete()
        StoreDaily.objects.bulk_create(
            [StoreDaily(store_id=s, day=day, **v) for s, v in sd.items()], batch_size=500
        )
        ProductDaily.objects.bulk_create(
            [ProductDaily(store_id=s, product_id=p, day=day, **v) for (s, p), v in pd.items()],
            batch_size=1000,
        )
        ChannelDaily.objects.bulk_create(
            [ChannelDaily(store_id=s, channel=c, day=day, **v) for (s, c), v in cd.items()], batch_size=500
        )
        SectionDaily.objects.bulk_create(
            [
                SectionDaily(store_id=s, page_type=pt, section=sec, day=day, impressions=i, clicks=c)
                for (s, pt, sec), (i, c) in secd.items()
            ],
            batch_size=500,
        )
        KeywordDaily.objects.bulk_create(
            [KeywordDaily(store_id=s, query=q, day=day, **v) for (s, q), v in kd.items()], batch_size=500
        )
        rollup_ads(start=day, end=day)
        rollup_customers(start=day, end=day)
        rollup_widgets(start=day, end=day)
        seconds = time.perf_counter() - t0
        RollupDay.objects.update_or_create(
            day=day,
            defaults={
                "built_at": timezone.now(),
                "events": n_events,
                "orders": len(paid),
                "seconds": round(seconds, 3),
                "schema": ROLLUP_SCHEMA,
            },
        )
    return {"day": day.isoformat(), "events": n_events, "orders": len(paid), "seconds": seconds}
