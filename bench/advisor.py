"""Biz Advisor benchmark: rollup throughput, dashboard latency, and whether the insights feed finds planted problems.

Self-contained: builds synthetic stores in a throw-away SQLite database (KKOT_VAR_DIR = a temp dir, deleted at the
end unless --keep), straight into the raw tables (events, purchases, orders, order lines):

- one *scale* store: ``--events`` events (default 10 million, the issue's store: about 500,000 orders) over
  ``--scale-days`` days and ``--scale-customers`` shoppers; ``--events 1000000`` for a quick run. Drawn with numpy
  a week at a time (bench/advisor_gen_scale.py) and written with the raw connection's ``executemany`` in one
  transaction (a 400 MB SQLite page cache while loading, the default 2 MB for the measurements);
- one *control* store with nothing planted and one small store per planted finding (60 days x 200 visits a
  day, about 50k events and 750 orders each): a sales drop, a dead banner, a product viewed a lot but rarely
  carted, a channel converting poorly, a small channel converting well, a leaky checkout step (cart -> order), a
  product running out of stock while demand rises, an ad campaign below its target ROAS, an ad campaign above
  target held back by its daily budget, a recommendation widget nobody clicks, and a complaint aspect rising in
  the reviews. Every store (control included) has two ad campaigns with daily spend, ad clicks, recommendation
  widgets and reviews, so each detector runs everywhere and the control store tests them all for false alarms.

Measured in the same run:
1. rollup throughput: ``rollup_range`` over the whole period (the bulk path), and ``rollup_day`` on the last two
   days (the scheduled path), in events/s;
2. the whole dashboard of the scale store (sales, traffic/funnel, customers, clicks, insights feed) cold (cache
   cleared) and warm, beside the same questions answered by straightforward ORM queries on the raw tables;
3. per planted store: is the planted kind in the top 10 of its feed; on the control store: every finding is a
   false alarm.

    nice -n 10 .venv/bin/python bench/advisor.py [--events 10000000] [--scale-days 365] [--keep]

Last line: ``RESULT dashboard_cold_ms=... dashboard_warm_ms=... orm_cold_ms=... rollup_events_per_s=...
planted_found=... planted_total=... false_alarms=...``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from advisor_gen import EVENT_COLS, EVENTS_PER_SESSION_SCALE, PLANTS, Shop, _users, generate  # noqa: E402
from advisor_gen_scale import generate_scale, scale_users  # noqa: E402


def setup_django(var_dir: str) -> None:
    os.environ["KKOT_VAR_DIR"] = var_dir
    os.environ.pop("KKOT_DATABASE_URL", None)  # always the throw-away SQLite file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kkot.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def orm_baseline(store_id: int, start: dt.date, end: dt.date) -> None:
    """The same questions as the dashboard, answered by straightforward ORM queries on the raw tables."""
    from django.db.models import Count, F, Q, Sum
    from django.db.models.functions import TruncDate

    from kkot.core.timeutil import SEOUL, day_bounds
    from kkot.events.models import Event
    from kkot.orders.models import Order, OrderLine, Refund

    a, b = day_bounds(start)[0], day_bounds(end)[1]
    paid = Order.objects.filter(store_id=store_id, paid_at__gte=a, paid_at__lt=b)
    # sales: totals, per Seoul day, refunds, top products, the previous period
    paid.aggregate(Sum("total"), Count("id"))
    list(paid.annotate(d=TruncDate("paid_at", tzinfo=SEOUL)).values("d").annotate(r=Sum("total"), n=Count("id")))
    Refund.objects.filter(order__store_id=store_id, created_at__gte=a, created_at__lt=b).aggregate(Sum("amount"))
    list(OrderLine.objects.filter(order__in=paid).values("product_id")
         .annotate(u=Sum("quantity"), r=Sum(F("subtotal") - F("discount"))).order_by("-r")[:20])
    span = b - a
    Order.objects.filter(store_id=store_id, paid_at__gte=a - span, paid_at__lt=a).aggregate(Sum("total"), Count("id"))
    # traffic: funnel sessions, visits per channel, keywords
    ev = Event.objects.filter(store_id=store_id, ts__gte=a, ts__lt=b)
    ev.aggregate(v=Count("session", distinct=True), pv=Count("session", distinct=True, filter=Q(kind="product_view")),
                 c=Count("session", distinct=True, filter=Q(kind="add_to_cart")))
    list(ev.values("channel").annotate(v=Count("session", distinct=True)))
    list(ev.filter(kind="search").values("query").annotate(n=Count("session", distinct=True)).order_by("-n")[:20])
    # clicks: per section, home views
    list(ev.filter(kind="click").values("section").annotate(n=Count("id")))
    ev.filter(kind="page_view", page_type="store").count()
    # ads: clicks per campaign, spend, orders of clicking shoppers
    from kkot.advisor.models import AdSpend

    list(Event.objects.filter(store_id=store_id, kind="ad_click", ts__gte=a, ts__lt=b).values("campaign_id")
         .annotate(n=Count("id")))
    list(AdSpend.objects.filter(store_id=store_id, day__gte=start, day__lte=end).values("campaign_id")
         .annotate(s=Sum("amount")))
    clickers = set(Event.objects.filter(store_id=store_id, kind="ad_click", ts__gte=a - dt.timedelta(days=7),
                                        ts__lt=b).values_list("user_id", flat=True))
    paid.filter(user_id__in=clickers).aggregate(Sum("total"), Count("id"))
    # customers: buyers, returning
    buyers = set(paid.values_list("user_id", flat=True))
    Order.objects.filter(store_id=store_id, paid_at__lt=a, user_id__in=buyers).values("user_id").distinct().count()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000_000, help="events of the scale store (about 1 order per 20)")
    ap.add_argument("--scale-days", type=int, default=365)
    ap.add_argument("--scale-customers", type=int, default=150_000, help="shoppers of the scale store")
    ap.add_argument("--small-days", type=int, default=60)
    ap.add_argument("--small-sessions", type=int, default=200)
    ap.add_argument("--controls", type=int, default=1, help="control stores (different random seeds)")
    ap.add_argument("--keep", action="store_true", help="keep the temp var dir")
    args = ap.parse_args()
    var_dir = tempfile.mkdtemp(prefix="kkot-bench-advisor-")
    t_all = time.perf_counter()
    try:
        setup_django(var_dir)
        run(args)
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
        else:
            print(f"kept {var_dir}")
    print(f"(whole run {time.perf_counter() - t_all:.0f} s)", file=sys.stderr)


def run(args) -> None:
    from django.core.cache import cache
    from django.db import connection, transaction

    from kkot.advisor.insights import insights_feed
    from kkot.advisor.queries import (
        AdsQuery,
        CustomersQuery,
        FunnelQuery,
        SalesQuery,
        SectionClicksQuery,
        run_query,
    )
    from kkot.advisor.rollups import rollup_day, rollup_range
    from kkot.core.timeutil import seoul_today
    from kkot.events.models import Event

    end_day = seoul_today() - dt.timedelta(days=1)  # whole days only; the feed is asked "as of" that day
    t0 = time.perf_counter()
    users = _users(4000)
    scale_shop = Shop("scale", 60, None)
    scale_shop.cart_p, scale_shop.order_p = 0.6, 0.65  # about one order per 20 events, as the store
    scale_sessions = max(1, round(args.events / (args.scale_days * EVENTS_PER_SESSION_SCALE)))
    shops = [("scale", scale_shop, args.scale_days, scale_sessions),
             *[("control" if c == 0 else f"control{c + 1}", Shop("control" if c == 0 else f"control{c + 1}", 30, None),
                args.small_days, args.small_sessions) for c in range(args.controls)]]
    shops += [(p, Shop(p.replace("_", "-"), 30, p), args.small_days, args.small_sessions) for p in PLANTS]
    insert_sql = (f"INSERT INTO {Event._meta.db_table} ({', '.join(EVENT_COLS)}) "
                  f"VALUES ({', '.join(['%s'] * len(EVENT_COLS))})")
    adapt = connection.ops.adapt_datetimefield_value
    counts = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("PRAGMA cache_size=-400000")  # 400 MB page cache while loading (the app's default: 2 MB)
        for n, (name, shop, days, sessions) in enumerate(shops[1:], start=1):
            counts[name] = generate(shop, users, days=days, sessions=sessions, end_day=end_day, seed=100 + n,
                                    cur=cur, insert_sql=insert_sql, adapt=adapt)
        small_s = time.perf_counter() - t0
        counts["scale"] = generate_scale(scale_shop, scale_users(args.scale_customers), days=args.scale_days,
                                         sessions=scale_sessions, end_day=end_day, seed=100)
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size=-2000")  # back to the default for the measurements
    n_events = sum(e for e, _o in counts.values())
    n_orders = sum(o for _e, o in counts.values())
    gen_s = time.perf_counter() - t0
    first = end_day - dt.timedelta(days=max(args.scale_days, args.small_days) - 1)

    # 1. rollups
    t0 = time.perf_counter()
    r = rollup_range(start=first, end=end_day)
    bulk_s = time.perf_counter() - t0
    bulk_eps = r["events"] / bulk_s
    t0 = time.perf_counter()
    day_events = sum(rollup_day(day=end_day - dt.timedelta(days=i))["events"] for i in range(2))
    day_s = time.perf_counter() - t0

    # 2. dashboards of the scale store, last 30 days
    scale = shops[0][1].store.pk
    start = end_day - dt.timedelta(days=29)
    parts = {
        "sales": lambda: run_query(SalesQuery(scale, start, end_day)),
        "traffic": lambda: run_query(FunnelQuery(scale, start, end_day)),
        "customers": lambda: run_query(CustomersQuery(scale, start, end_day)),
        "clicks": lambda: run_query(SectionClicksQuery(scale, start, end_day)),
        "ads": lambda: run_query(AdsQuery(scale, start, end_day)),
        "insights": lambda: insights_feed(store_id=scale, today=end_day),
    }
    run_query(SalesQuery(scale, start, end_day), use_cache=False)  # imports, connection
    cache.clear()
    cold, warm = {}, {}
    for name, fn in parts.items():
        t0 = time.perf_counter()
        fn()
        cold[name] = (time.perf_counter() - t0) * 1000
    for name, fn in parts.items():
        t0 = time.perf_counter()
        fn()
        warm[name] = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    orm_baseline(scale, start, end_day)
    orm = (time.perf_counter() - t0) * 1000

    # 3. planted findings
    found, rows, false_alarms, control_titles, other = 0, [], 0, [], 0
    for name, shop, _d, _s in shops[1:]:
        feed = insights_feed(store_id=shop.store.pk, today=end_day)
        kinds = [i.kind for i in feed.items[:10]]
        if name.startswith("control"):
            false_alarms += len(feed.items)
            control_titles += [f"{name} {i.kind}: {i.title}" for i in feed.items]
            rows.append((name, "-", "-", ", ".join(kinds) or "(none)"))
            continue
        hit = name in kinds
        found += hit
        other += sum(1 for k in kinds if k != name)
        rows.append((name, "yes" if hit else "NO", str(kinds.index(name) + 1) if hit else "-", ", ".join(kinds)))

    print(f"scale: {n_events:,} events and {n_orders:,} paid orders in {len(shops)} stores, generated in {gen_s:.0f} s "
          f"(SQLite, throw-away var dir; small stores {small_s:.0f} s)")
    print(f"  scale store: {counts['scale'][0]:,} events, {counts['scale'][1]:,} orders over {args.scale_days} days, "
          f"{args.scale_customers:,} shoppers; "
          f"small stores: {args.small_days} days x {args.small_sessions} visits/day")
    print("\nrollups")
    print(f"  bulk  rollup_range {r['days']} days   {r['events']:>10,} events {bulk_s:8.1f} s {bulk_eps:12,.0f} events/s")
    print(f"  daily rollup_day last 2 days {day_events:>10,} events {day_s:8.2f} s "
          f"{day_events / day_s if day_s else 0:12,.0f} events/s")
    print("\ndashboards of the scale store, last 30 days (ms)")
    print(f"  {'':12}{'cold':>10}{'warm':>10}")
    for name in parts:
        print(f"  {name:12}{cold[name]:10.0f}{warm[name]:10.1f}")
    print(f"  {'total':12}{sum(cold.values()):10.0f}{sum(warm.values()):10.1f}")
    print(f"  ORM on the raw tables (same questions): {orm:.0f} ms")
    print("  aim (issue): every dashboard < 1,000 ms cold and < 100 ms warm on 2 cores")
    print("\nplanted findings (top 10 of each store's feed)")
    print(f"  {'store':20}{'found':>6}{'rank':>6}  feed kinds")
    for name, hit, rank, kinds in rows:
        print(f"  {name:20}{hit:>6}{rank:>6}  {kinds}")
    print(f"  other findings in the planted stores: {other}")
    if control_titles:
        print("  control store alarms: " + " | ".join(control_titles))
    print(f"RESULT dashboard_cold_ms={sum(cold.values()):.0f} dashboard_warm_ms={sum(warm.values()):.1f} "
          f"orm_cold_ms={orm:.0f} rollup_events_per_s={bulk_eps:.0f} planted_found={found} "
          f"planted_total={len(PLANTS)} false_alarms={false_alarms}")


if __name__ == "__main__":
    main()
