"""Build the daily rollup tables from the event log and the order/refund rows.

Two paths give the same rows (a test compares them on events around Seoul midnight):

- :func:`rollup_range` (backfills, the demo): one grouped SQL statement per table over the whole date range,
  bucketing timestamps by Seoul day inside the database (SQLite ``date(ts, '+9 hours')``, PostgreSQL
  ``(ts AT TIME ZONE 'Asia/Seoul')::date``) and inserting with ``INSERT ... SELECT``; last-touch attribution is
  a window-function query into a temporary table.
- :func:`rollup_day` (the scheduled task: yesterday and today): grouped ORM queries over one day's rows, Python
  over the groups and the day's paid orders.

A day (or range) is replaced as a whole in one transaction, so running it again gives the same rows.

Definitions (documented in the dashboards too):

- visits: distinct sessions (30-minute idle visits) with any event for the store that day.
- revenue: ``Order.total`` of orders whose payment completed (``paid_at``) that day; refunds are subtracted on the
  day the refund was made (``Refund.created_at``), whichever day the order was paid.
- channel / keyword of an order: the store visit of the same shopper that started last at or before the order and
  at most 7 days before it (last touch), and the last search of that visit up to the order. Orders of shoppers without a tracked visit (opt-out, guests) count under channel ''.
- section impressions: explicit ``impression`` events; store-home sections are also shown on every store-home
  page view (``StoreDaily.home_views``), which the queries use when a section has no explicit impressions.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from kkot.advisor.models import ChannelDaily, KeywordDaily, ProductDaily, RollupDay, SectionDaily, StoreDaily
from kkot.core.timeutil import day_bounds, seoul_today
from kkot.events.models import Event
from kkot.orders.models import Order, OrderLine, Refund

ATTRIBUTION_DAYS = 7
MAX_BACKFILL_DAYS = 3 * 366


def section_key(section: str) -> str:
    """Collapse per-item sections: ``category:12`` -> ``category``, ``search:3`` -> ``search``."""
    head = section.split(":", 1)[0]
    return head if head in ("category", "search") else section


def _event_aggregates(start, end):
    base = Event.objects.filter(ts__gte=start, ts__lt=end, store_id__isnull=False)
    stores = base.values("store_id").annotate(
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
    ).order_by()
    products = (base.filter(kind__in=["product_view", "add_to_cart"], product_id__isnull=False)
                .values("store_id", "product_id")
                .annotate(views=Count("id", filter=Q(kind="product_view")),
                          carts=Count("id", filter=Q(kind="add_to_cart"))).order_by())
    channels = base.values("store_id", "channel").annotate(
        visits=Count("session", distinct=True),
        pv_sessions=Count("session", distinct=True, filter=Q(kind="product_view")),
        cart_sessions=Count("session", distinct=True, filter=Q(kind="add_to_cart")),
    ).order_by()
    sections = (base.filter(kind__in=["click", "impression"]).exclude(section="")
                .values("store_id", "page_type", "section")
                .annotate(clicks=Count("id", filter=Q(kind="click")),
                          impressions=Count("id", filter=Q(kind="impression"))).order_by())
    keywords = (base.filter(kind="search").exclude(query="").values("store_id", "query")
                .annotate(searches=Count("id"), sessions=Count("session", distinct=True)).order_by())
    # sessions that searched a keyword and carted something (same store, same day)
    cart_sessions = set(base.filter(kind="add_to_cart").values_list("store_id", "session").distinct())
    search_sessions = base.filter(kind="search").exclude(query="").values_list("store_id", "query", "session").distinct()
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
    visits = (Event.objects.filter(ts__gte=lo, ts__lt=end, user_id__in=users, store_id__isnull=False)
              .values("store_id", "user_id", "session", "channel")
              .annotate(first=Min("ts")).order_by("session", "channel"))
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
    for sess, q, ts, pk in (Event.objects.filter(kind="search", ts__gte=lo, ts__lt=end,
                                                 session__in={v["session"] for v in chosen.values()})
                            .exclude(query="").values_list("session", "query", "ts", "id")):
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
    paid = list(Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
                .values("id", "store_id", "user_id", "created_at", "total"))
    lines = (OrderLine.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end)
             .values("order__store_id", "product_id")
             .annotate(orders=Count("order_id", distinct=True), units=Sum("quantity"),
                       revenue=Sum(F("subtotal") - F("discount"))).order_by())
    refunds = (Refund.objects.filter(created_at__gte=start, created_at__lt=end).values("order__store_id")
               .annotate(amount=Sum("amount"), n=Count("id")).order_by())
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
        pd[(r["order__store_id"], r["product_id"])].update(orders=r["orders"], units=r["units"], revenue=r["revenue"])

    cd: dict[tuple, dict] = defaultdict(dict)
    for r in channels:
        cd[(r["store_id"], r["channel"])].update(visits=r["visits"], pv_sessions=r["pv_sessions"],
                                                 cart_sessions=r["cart_sessions"])
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
        kd[key].update(searches=kd[key].get("searches", 0) + r["searches"],
                       sessions=kd[key].get("sessions", 0) + r["sessions"])
    for key, n in kw_carts.items():
        kd[(key[0], key[1][:100])]["cart_sessions"] = n
    for key, n in kw_orders.items():
        kd[(key[0], key[1][:100])]["orders"] = n

    n_events = Event.objects.filter(ts__gte=start, ts__lt=end).count()
    with transaction.atomic():
        for model in (StoreDaily, ProductDaily, ChannelDaily, SectionDaily, KeywordDaily):
            model.objects.filter(day=day).delete()
        StoreDaily.objects.bulk_create([StoreDaily(store_id=s, day=day, **v) for s, v in sd.items()], batch_size=500)
        ProductDaily.objects.bulk_create([ProductDaily(store_id=s, product_id=p, day=day, **v)
                                          for (s, p), v in pd.items()], batch_size=1000)
        ChannelDaily.objects.bulk_create([ChannelDaily(store_id=s, channel=c, day=day, **v)
                                          for (s, c), v in cd.items()], batch_size=500)
        SectionDaily.objects.bulk_create([SectionDaily(store_id=s, page_type=pt, section=sec, day=day,
                                                       impressions=i, clicks=c)
                                          for (s, pt, sec), (i, c) in secd.items()], batch_size=500)
        KeywordDaily.objects.bulk_create([KeywordDaily(store_id=s, query=q, day=day, **v)
                                          for (s, q), v in kd.items()], batch_size=500)
        seconds = time.perf_counter() - t0
        RollupDay.objects.update_or_create(day=day, defaults={
            "built_at": timezone.now(), "events": n_events, "orders": len(paid), "seconds": round(seconds, 3)})
    return {"day": day.isoformat(), "events": n_events, "orders": len(paid), "seconds": seconds}


# -- bulk path: grouped SQL over a whole date range at once -----------------------------------------------------
def _day_sql(col: str) -> str:
    """The Seoul calendar day of a timestamp column, computed by the database."""
    if connection.vendor == "postgresql":
        return f"(({col}) AT TIME ZONE 'Asia/Seoul')::date"
    if connection.vendor == "sqlite":  # stored as naive UTC text; Korea has had no DST since 1988
        return f"date({col}, '+9 hours')"
    raise NotImplementedError(f"advisor rollups: unsupported database {connection.vendor}")


def _minus_days_sql(col: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({col} - INTERVAL '{int(days)} days')"
    return f"julianday({col}) - {int(days)}"


def _as_date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


SECTION_KEY_SQL = ("CASE WHEN section = 'category' OR SUBSTR(section, 1, 9) = 'category:' THEN 'category' "
                   "WHEN section = 'search' OR SUBSTR(section, 1, 7) = 'search:' THEN 'search' ELSE section END")


def _range_sql() -> dict[str, str]:
    ev, od, ol, rf = (Event._meta.db_table, Order._meta.db_table, OrderLine._meta.db_table, Refund._meta.db_table)
    day, pday = "day", _day_sql("paid_at")
    raw_ev, ev = ev, "advisor_ev"
    e_ge = ("julianday(e.ts) >= " + _minus_days_sql("a.created_at", ATTRIBUTION_DAYS + 1)
            if connection.vendor == "sqlite" else "e.ts >= " + _minus_days_sql("a.created_at", ATTRIBUTION_DAYS + 1))
    f_ge = ("julianday(v.f) >= " + _minus_days_sql("po.created_at", ATTRIBUTION_DAYS) if connection.vendor == "sqlite"
            else "v.f >= " + _minus_days_sql("po.created_at", ATTRIBUTION_DAYS))

    def pv(kind):
        return f"SUM(CASE WHEN kind = '{kind}' THEN 1 ELSE 0 END)"

    def ds(kind):
        return f"COUNT(DISTINCT CASE WHEN kind = '{kind}' THEN session END)"

    return {
        # the range's store events, read once, with their Seoul day computed once
        "events": f"""
CREATE TEMP TABLE advisor_ev AS
SELECT id, ts, {_day_sql("ts")} AS day, kind, visitor, session, user_id, store_id, product_id, page_type, section,
       query, channel
FROM {raw_ev} WHERE ts >= %(lo)s AND ts < %(hi)s AND store_id IS NOT NULL""",
        "store": f"""
INSERT INTO {StoreDaily._meta.db_table} (store_id, day, page_views, visits, visitors, pv_sessions, cart_sessions,
    product_views, carts, searches, home_views, orders, customers, revenue, refunds, refund_count)
SELECT store_id, day, SUM(pvw), SUM(vis), SUM(vtr), SUM(pvs), SUM(cs), SUM(pv), SUM(c), SUM(s), SUM(h), SUM(o),
       SUM(cu), SUM(rev), SUM(ref), SUM(rn)
FROM (
  SELECT store_id, day, {pv('page_view')} AS pvw, COUNT(DISTINCT session) AS vis,
         COUNT(DISTINCT visitor) AS vtr, {ds('product_view')} AS pvs, {ds('add_to_cart')} AS cs,
         {pv('product_view')} AS pv, {pv('add_to_cart')} AS c, {pv('search')} AS s,
         SUM(CASE WHEN kind = 'page_view' AND page_type = 'store' THEN 1 ELSE 0 END) AS h,
         0 AS o, 0 AS cu, 0 AS rev, 0 AS ref, 0 AS rn
  FROM {ev} GROUP BY 1, 2
  UNION ALL
  SELECT store_id, {pday}, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), COUNT(DISTINCT user_id), SUM(total), 0, 0
  FROM {od} WHERE paid_at >= %(lo)s AND paid_at < %(hi)s GROUP BY 1, 2
  UNION ALL
  SELECT o.store_id, {_day_sql("r.created_at")}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, SUM(r.amount), COUNT(*)
  FROM {rf} r JOIN {od} o ON o.id = r.order_id
  WHERE r.created_at >= %(lo)s AND r.created_at < %(hi)s GROUP BY 1, 2
) x GROUP BY store_id, day""",
        "product": f"""
INSERT INTO {ProductDaily._meta.db_table} (store_id, product_id, day, views, carts, orders, units, revenue)
SELECT store_id, product_id, day, SUM(v), SUM(c), SUM(o), SUM(u), SUM(rev)
FROM (
  SELECT store_id, product_id, day, {pv('product_view')} AS v, {pv('add_to_cart')} AS c,
         0 AS o, 0 AS u, 0 AS rev
  FROM {ev} WHERE product_id IS NOT NULL AND kind IN ('product_view', 'add_to_cart')
  GROUP BY 1, 2, 3
  UNION ALL
  SELECT o.store_id, l.product_id, {_day_sql("o.paid_at")}, 0, 0, COUNT(DISTINCT l.order_id), SUM(l.quantity),
         SUM(l.subtotal - l.discount)
  FROM {ol} l JOIN {od} o ON o.id = l.order_id
  WHERE o.paid_at >= %(lo)s AND o.paid_at < %(hi)s AND l.product_id IS NOT NULL GROUP BY 1, 2, 3
) x GROUP BY store_id, product_id, day""",
        "section": f"""
INSERT INTO {SectionDaily._meta.db_table} (store_id, page_type, section, day, impressions, clicks)
SELECT store_id, page_type, {SECTION_KEY_SQL}, {day}, {pv('impression')}, {pv('click')}
FROM {ev} WHERE kind IN ('click', 'impression') AND section <> '' GROUP BY 1, 2, 3, 4""",
        # last touch of every order paid in the range (see _attribute for the definition)
        "attribution": f"""
CREATE TEMP TABLE advisor_att AS
WITH po AS (
  SELECT id, store_id, user_id, created_at, total, {pday} AS day FROM {od}
  WHERE paid_at >= %(lo)s AND paid_at < %(hi)s),
v AS (
  SELECT store_id, user_id, session, channel, MIN(ts) AS f FROM {raw_ev}
  WHERE ts >= %(att_lo)s AND ts < %(hi)s AND store_id IS NOT NULL AND user_id IN (SELECT user_id FROM po)
  GROUP BY store_id, user_id, session, channel),
m AS (
  SELECT po.id AS oid, v.session, v.channel,
         ROW_NUMBER() OVER (PARTITION BY po.id ORDER BY v.f DESC, v.session, v.channel) AS rn
  FROM po JOIN v ON v.store_id = po.store_id AND v.user_id = po.user_id AND v.f <= po.created_at AND {f_ge}),
a AS (
  SELECT po.id, po.store_id, po.day, po.created_at, po.total, COALESCE(m.channel, '') AS channel, m.session
  FROM po LEFT JOIN m ON m.oid = po.id AND m.rn = 1),
k AS (
  SELECT a.id, e.query, ROW_NUMBER() OVER (PARTITION BY a.id ORDER BY e.ts DESC, e.id DESC) AS rn
  FROM a JOIN {raw_ev} e ON e.session = a.session AND e.kind = 'search' AND e.query <> ''
    AND e.ts <= a.created_at AND {e_ge})
SELECT a.id, a.store_id, a.day, a.total, a.channel, COALESCE(k.query, '') AS query
FROM a LEFT JOIN k ON k.id = a.id AND k.rn = 1""",
        "channel": f"""
INSERT INTO {ChannelDaily._meta.db_table} (store_id, channel, day, visits, pv_sessions, cart_sessions, orders,
    revenue)
SELECT store_id, channel, day, SUM(v), SUM(pvs), SUM(cs), SUM(o), SUM(rev)
FROM (
  SELECT store_id, channel, day, COUNT(DISTINCT session) AS v, {ds('product_view')} AS pvs,
         {ds('add_to_cart')} AS cs, 0 AS o, 0 AS rev
  FROM {ev} GROUP BY 1, 2, 3
  UNION ALL
  SELECT store_id, channel, day, 0, 0, 0, COUNT(*), SUM(total) FROM advisor_att GROUP BY 1, 2, 3
) x GROUP BY store_id, channel, day""",
        "keyword": f"""
INSERT INTO {KeywordDaily._meta.db_table} (store_id, query, day, searches, sessions, cart_sessions, orders)
WITH s AS (SELECT DISTINCT store_id, day, query, session FROM {ev}
           WHERE kind = 'search' AND query <> ''),
c AS (SELECT DISTINCT store_id, day, session FROM {ev} WHERE kind = 'add_to_cart')
SELECT store_id, query, day, SUM(n), SUM(ss), SUM(cs), SUM(o)
FROM (
  SELECT store_id, query, day, COUNT(*) AS n, COUNT(DISTINCT session) AS ss, 0 AS cs, 0 AS o FROM (
    SELECT store_id, query, day, session FROM {ev} WHERE kind = 'search' AND query <> ''
  ) q GROUP BY 1, 2, 3
  UNION ALL
  SELECT s.store_id, s.query, s.day, 0, 0, COUNT(*), 0
  FROM s JOIN c ON c.store_id = s.store_id AND c.day = s.day AND c.session = s.session GROUP BY 1, 2, 3
  UNION ALL
  SELECT store_id, query, day, 0, 0, 0, COUNT(*) FROM advisor_att WHERE query <> '' GROUP BY 1, 2, 3
) x GROUP BY store_id, query, day""",
        "days_events": f"SELECT {_day_sql('ts')}, COUNT(*) FROM {raw_ev} WHERE ts >= %(lo)s AND ts < %(hi)s GROUP BY 1",
        "days_orders": f"SELECT {pday}, COUNT(*) FROM {od} WHERE paid_at >= %(lo)s AND paid_at < %(hi)s GROUP BY 1",
    }


def rollup_range(*, start: dt.date, end: dt.date) -> dict:
    """Rebuild every rollup row of the Seoul days ``start..end`` (inclusive) with one grouped SQL statement per
    table over the whole range, bucketing by Seoul day in the database. Gives exactly the rows of
    :func:`rollup_day` run day by day (tested), much faster for a backfill. Idempotent."""
    t0 = time.perf_counter()
    if end < start:
        from kkot.core.errors import ValidationError

        raise ValidationError("집계 종료일이 시작일보다 빠릅니다.", code="rollup_range_reversed")
    lo, hi = day_bounds(start)[0], day_bounds(end)[1]
    adapt = connection.ops.adapt_datetimefield_value
    params = {"lo": adapt(lo), "hi": adapt(hi), "att_lo": adapt(lo - dt.timedelta(days=ATTRIBUTION_DAYS + 1))}
    sql = _range_sql()
    with transaction.atomic(), connection.cursor() as cur:
        for model in (StoreDaily, ProductDaily, ChannelDaily, SectionDaily, KeywordDaily):
            model.objects.filter(day__gte=start, day__lte=end).delete()
        cur.execute("DROP TABLE IF EXISTS advisor_ev")
        cur.execute("DROP TABLE IF EXISTS advisor_att")
        for name in ("events", "store", "product", "section", "attribution", "channel", "keyword"):
            cur.execute(sql[name], params)
        cur.execute("DROP TABLE advisor_att")
        cur.execute("DROP TABLE advisor_ev")
        cur.execute(sql["days_events"], params)
        events = {_as_date(d): n for d, n in cur.fetchall()}
        cur.execute(sql["days_orders"], params)
        orders = {_as_date(d): n for d, n in cur.fetchall()}
        seconds = time.perf_counter() - t0
        n_days = (end - start).days + 1
        now = timezone.now()
        RollupDay.objects.filter(day__gte=start, day__lte=end).delete()
        RollupDay.objects.bulk_create([
            RollupDay(day=d, built_at=now, events=events.get(d, 0), orders=orders.get(d, 0),
                      seconds=round(seconds / n_days, 3))
            for d in (start + dt.timedelta(days=i) for i in range(n_days))], batch_size=500)
    return {"start": start.isoformat(), "end": end.isoformat(), "days": n_days, "events": sum(events.values()),
            "orders": sum(orders.values()), "seconds": time.perf_counter() - t0}


def _first_day() -> dt.date | None:
    from kkot.core.timeutil import seoul

    firsts = [v for v in (Event.objects.aggregate(m=Min("ts"))["m"], Order.objects.aggregate(m=Min("paid_at"))["m"],
                          Refund.objects.aggregate(m=Min("created_at"))["m"]) if v is not None]
    return seoul(min(firsts)).date() if firsts else None


RANGE_MIN_DAYS = 3


def _runs(days: list[dt.date]) -> list[list[dt.date]]:
    """Sorted days cut into runs of consecutive days."""
    out: list[list[dt.date]] = []
    for d in sorted(days):
        if out and d - out[-1][-1] == dt.timedelta(days=1):
            out[-1].append(d)
        else:
            out.append([d])
    return out


def advisor_rollup(*, days: int | None = None, today: dt.date | None = None) -> dict:
    """Incremental build. ``days=N`` rebuilds the last N days (today included); without it, every day not built yet
    (back to the first event or order, at most 3 years) plus yesterday and today, whose data may still change."""
    t0 = time.perf_counter()
    today = today or seoul_today()
    if days is not None:
        if days < 1 or days > MAX_BACKFILL_DAYS:
            from kkot.core.errors import ValidationError

            raise ValidationError(f"days는 1~{MAX_BACKFILL_DAYS} 사이여야 합니다.", code="rollup_days_range")
        todo = [today - dt.timedelta(days=i) for i in range(days - 1, -1, -1)]
    else:
        first = _first_day()
        if first is None:
            return {"days": 0, "events": 0, "orders": 0, "seconds": 0.0, "events_per_s": 0.0}
        first = max(first, today - dt.timedelta(days=MAX_BACKFILL_DAYS))
        built = set(RollupDay.objects.filter(day__gte=first).values_list("day", flat=True))
        todo = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
        todo = [d for d in todo if d not in built or d >= today - dt.timedelta(days=1)]
    events = orders = 0
    for run in _runs(todo):
        if len(run) >= RANGE_MIN_DAYS:  # a backfill: grouped SQL over the whole run at once
            r = rollup_range(start=run[0], end=run[-1])
        else:  # the scheduled case (yesterday + today): day by day
            r = {"events": 0, "orders": 0}
            for d in run:
                one = rollup_day(day=d)
                r["events"] += one["events"]
                r["orders"] += one["orders"]
        events += r["events"]
        orders += r["orders"]
    seconds = time.perf_counter() - t0
    return {"days": len(todo), "events": events, "orders": orders, "seconds": round(seconds, 2),
            "events_per_s": round(events / seconds, 1) if seconds > 0 else 0.0}
