"""Rollup-backed answers equal the raw-row answers (ads, customers, widgets), and rollup reruns are idempotent."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from kkot.accounts.models import User
from kkot.advisor.models import AdDaily, CustomerDaily, CustomerSummary, RollupDay
from kkot.advisor.queries import AdsQuery, CustomersQuery, run_query
from kkot.advisor.queries.ads import ad_cells
from kkot.advisor.queries.customers import run_customers
from kkot.advisor.rollups import rollup_day, rollup_range
from kkot.advisor.rollups.ads import ROLLUP_SCHEMA
from kkot.advisor.rollups.customers import refresh_summaries
from kkot.advisor.tests import test_ads
from kkot.advisor.tests.test_ads import D1, D, W
from kkot.advisor.tests.test_advisor import ev, kst, order, refund
from kkot.core.testing import make_product, make_store, make_user
from kkot.core.timeutil import day_bounds
from kkot.orders.models import OrderLine
from kkot.recommendations.models import WidgetDaily, WidgetRollupDay
from kkot.recommendations.stats import widget_stats

ad_world = test_ads.ad_world  # the hand-built ads scenario (fixture)


def _ads_answer(store_id, start, end):
    res = run_query(AdsQuery(store_id, start, end), use_cache=False)
    rows = lambda xs: [dataclasses.astuple(x) for x in xs]  # noqa: E731
    return (
        rows(res.campaigns),
        rows(res.keywords),
        rows(res.products),
        res.days,
        dataclasses.astuple(res.total),
    )


def _ad_table():
    return sorted(
        AdDaily.objects.values_list(
            "store_id", "day", "grain", "campaign_id", "keyword", "product_id", "clicks", "orders", "revenue"
        )
    )


def test_ads_rollup_equals_raw_incl_seoul_midnight_and_is_idempotent(ad_world):
    w = ad_world
    sid = w["store"].pk
    lo, hi = D - dt.timedelta(days=1), D + W + dt.timedelta(days=1)
    raw = _ads_answer(sid, D, D + W)  # nothing built: every day from the raw rows
    raw_d1 = _ads_answer(sid, D1, D1)
    assert ad_cells(store_id=sid, start=D, end=D + W) == ad_cells(
        store_id=sid, start=D, end=D + W, use_rollup=False
    )
    rollup_range(start=lo, end=hi)
    assert set(RollupDay.objects.values_list("schema", flat=True)) == {ROLLUP_SCHEMA}
    table = _ad_table()
    # o1 (click 23:59, order 00:01 KST, refunded 10,000) counts on D1, its click on D
    c1 = w["c1"].pk
    cells = {(d, g, c, k, p): (n, o, r) for _s, d, g, c, k, p, n, o, r in table if _s == sid}
    assert cells[(D1, "c", c1, "", 0)] == (0, 1, Decimal(20000))
    assert cells[(D, "k", c1, "린넨 셔츠", 0)] == (1, 0, Decimal(0))
    assert cells[(D1, "k", c1, "린넨 셔츠", 0)] == (0, 1, Decimal(20000))
    assert not any(s == w["other"].pk for s, *_r in table)
    assert _ads_answer(sid, D, D + W) == raw
    assert _ads_answer(sid, D1, D1) == raw_d1
    # the day path gives the same rows; a rerun gives the same rows
    for i in range((hi - lo).days + 1):
        rollup_day(day=lo + dt.timedelta(days=i))
    assert _ad_table() == table
    rollup_range(start=lo, end=hi)
    assert _ad_table() == table
    # half built, half raw: the same answer
    AdDaily.objects.filter(day__gt=D1).delete()
    RollupDay.objects.filter(day__gt=D1).update(schema=1)
    assert _ads_answer(sid, D, D + W) == raw


def test_ads_refund_after_build_rebuilds_the_pay_day(ad_world):
    w = ad_world
    sid = w["store"].pk
    rollup_range(start=D - dt.timedelta(days=1), end=D + W + dt.timedelta(days=1))
    later = D + W + dt.timedelta(days=3)
    refund(w["o2"], 5000, kst(later, 0, 30))  # o2 was paid on D + 7 days
    rollup_day(day=later)
    assert _ads_answer(sid, D, D + W) == _ads_answer_raw(sid, D, D + W)
    c1 = [
        c
        for c in run_query(AdsQuery(sid, D, D + W), use_cache=False).campaigns
        if c.campaign_id == w["c1"].pk
    ][0]
    assert c1.revenue == Decimal(65000)


def _ads_answer_raw(store_id, start, end):
    saved = list(RollupDay.objects.values_list("pk", "schema"))
    RollupDay.objects.update(schema=1)
    try:
        return _ads_answer(store_id, start, end)
    finally:
        for pk, schema in saved:
            RollupDay.objects.filter(pk=pk).update(schema=schema)


# -- recommendation widgets ------------------------------------------------------------------------------------
def _widgets(store, days, end, **kw):
    rows = widget_stats(store=store, days=days, now=day_bounds(end)[1], **kw)
    return [(r.name, r.impressions, r.clicks, r.add_to_carts, r.orders, r.revenue) for r in rows]


def _widget_table():
    return sorted(
        WidgetDaily.objects.values_list(
            "store_id",
            "widget",
            "day",
            "click_day",
            "impressions",
            "clicks",
            "add_to_carts",
            "orders",
            "revenue",
        )
    )


def test_widget_rollup_equals_raw_incl_seoul_midnight_and_window_edges(db):
    owner = make_user()
    a, b = make_store(owner=owner), make_store(owner=make_user())
    p, q = make_product(store=a, actor=owner), make_product(store=a, actor=owner)
    u1, u2, u3, u4, u5 = (make_user() for _ in range(5))
    vt, sim = "widget:viewed_together", "widget:similar"
    ev(a, "impression", kst(D, 23, 59), "s1", section=vt, product=p)
    ev(a, "impression", kst(D1, 0, 0), "s1", section=vt, product=p)
    ev(a, "impression", kst(D1, 0, 0), "s1", section=sim, product=q)
    # 1. click 23:58, cart 00:02 next Seoul day (same visit), order 10:00: all credited to viewed_together
    ev(a, "click", kst(D, 23, 58), "s1", section=vt, product=p, user=u1)
    ev(a, "add_to_cart", kst(D1, 0, 2), "s1", product=p, user=u1)
    order(a, u1, 30000, kst(D1, 10, 0), product=p)
    # 2. a click the day before the window, then one inside it on another widget: the later one wins
    ev(a, "click", kst(D - dt.timedelta(days=1), 12, 0), "s2", section=sim, product=p, user=u2)
    ev(a, "click", kst(D, 10, 0), "s3", section=vt, product=p, user=u2)
    order(a, u2, 20000, kst(D + dt.timedelta(days=1), 9, 0), product=p)
    # 3. only a click before the window: its order in the window is not credited in windows starting at D
    ev(a, "click", kst(D - dt.timedelta(days=1), 23, 0), "s4", section=sim, product=q, user=u3)
    order(a, u3, 15000, kst(D + dt.timedelta(days=2), 9, 0), product=q)
    # 4. an order 7 days and 1 minute after the click, and a cancelled (never paid) one: not credited
    t4 = kst(D + dt.timedelta(days=1), 8, 0)
    ev(a, "click", t4, "s5", section=sim, product=q, user=u5)
    order(a, u5, 11000, t4 + dt.timedelta(days=7, minutes=1), product=q)
    order(a, u5, 12000, t4 + dt.timedelta(hours=1), product=q, paid=False)
    # 5. one order with two lines credited to the same widget by clicks on two days: one order
    ev(a, "click", kst(D + dt.timedelta(days=2), 8, 0), "s6", section=vt, product=p, user=u4)
    ev(a, "click", kst(D + dt.timedelta(days=3), 8, 0), "s7", section=vt, product=q, user=u4)
    o5 = order(a, u4, 10000, kst(D + dt.timedelta(days=3), 9, 0), product=p)
    OrderLine.objects.create(
        order=o5,
        product=q,
        variant=q.variants.first(),
        product_name=q.name,
        sku="s",
        unit_price=5000,
        list_unit_price=5000,
        quantity=1,
        subtotal=5000,
    )
    ev(b, "click", kst(D, 10, 0), "s8", section=vt, product=p, user=u1)  # another store's event
    end = D + dt.timedelta(days=9)
    windows = [(10, end), (9, end), (3, D + dt.timedelta(days=2)), (1, D1), (12, end)]
    raw = {w: _widgets(a, *w) for w in windows}
    assert WidgetRollupDay.objects.count() == 0
    rollup_range(start=D - dt.timedelta(days=3), end=end)
    table = _widget_table()
    assert all(_widgets(a, *w) == raw[w] for w in windows)
    assert all(_widgets(a, *w, use_rollup=False) == raw[w] for w in windows)
    by = {r[0]: r[1:] for r in raw[(10, end)]}
    # orders: u1, u2 and the two-line order o5 on viewed_together; nothing on similar (u3's click is outside)
    assert by["viewed_together"] == (2, 4, 1, 3, Decimal(30000 + 20000 + 10000 + 5000))
    assert by["similar"] == (1, 1, 0, 0, Decimal(0))
    assert {r[0]: r[1:] for r in raw[(12, end)]}["similar"] == (1, 3, 0, 1, Decimal(15000))
    # the day path gives the same rows; reruns give the same rows
    for i in range((end - D).days + 4):
        rollup_day(day=D - dt.timedelta(days=3) + dt.timedelta(days=i))
    assert _widget_table() == table
    rollup_range(start=D - dt.timedelta(days=3), end=end)
    assert _widget_table() == table
    assert all(_widgets(a, *w) == raw[w] for w in windows)
    # a window that does not end at a Seoul midnight reads the raw events
    now = day_bounds(end)[1] - dt.timedelta(hours=1)
    assert {r.name: r.clicks for r in widget_stats(store=a, days=10, now=now)}["viewed_together"] == 4


# -- customers -------------------------------------------------------------------------------------------------
def _customers(store_id, start, end, **kw):
    r = run_customers(CustomersQuery(store_id, start, end), **kw)
    cell = lambda c: (c.label, c.customers, c.share, c.note)  # noqa: E731
    return (
        r.customers,
        r.hidden_cells,
        cell(r.new),
        cell(r.returning),
        cell(r.regulars),
        [cell(c) for c in r.rfm],
        [cell(c) for c in r.gender],
        [cell(c) for c in r.age],
        [cell(c) for c in r.life_stage],
    )


def test_customers_rollup_equals_raw_incl_seoul_midnight_and_k_anonymity(db):
    from kkot.catalog.models import Category

    owner = make_user()
    a = make_store(owner=owner)
    kids, pet = make_product(store=a, actor=owner), make_product(store=a, actor=owner)
    for product, slug in ((kids, "kids"), (pet, "pet")):  # seeded categories (life stages by slug)
        product.category = Category.objects.get(slug=slug)
        product.save(update_fields=["category"])
    start, end = D, D + dt.timedelta(days=6)
    users = [make_user(gender="F" if i % 3 else "M", birth_year=1985 + i % 2 * 10) for i in range(30)]
    for i, u in enumerate(users):
        # everyone buys in the range; the first day's first minute and the last day's last second included
        order(
            a,
            u,
            10000 + i,
            kst(start, 0, 0)
            if i == 0
            else kst(end, 23, 59, 59)
            if i == 1
            else kst(start + dt.timedelta(days=i % 7), 12, i),
            product=kids if i % 2 else pet,
        )
        if i < 22:  # bought before: returning (one a second before the range starts)
            when = (
                kst(start - dt.timedelta(days=1), 23, 59, 59)
                if i == 2
                else kst(start - dt.timedelta(days=40 + i), 9, 0)
            )
            order(a, u, 5000, when, product=kids)
        if i < 21:  # a third order last year: 단골
            order(a, u, 7000, kst(start - dt.timedelta(days=200 + i), 9, 0), product=pet)
    order(a, users[3], 9999, kst(end + dt.timedelta(days=1), 0, 0))  # the next Seoul day: outside
    order(a, users[4], 9999, kst(start - dt.timedelta(days=400), 9, 0))  # more than a year before
    windows = [(start, end), (start, start), (end, end), (start - dt.timedelta(days=1), end)]
    raw = {w: _customers(a.pk, *w, use_rollup=False) for w in windows}
    assert all(_customers(a.pk, *w) == raw[w] for w in windows)  # nothing built: the raw path
    r = raw[(start, end)]
    assert r[0] == 30 and r[2][1] is None and r[3][1] == 22 and r[4][1] == 21  # 8 new: hidden (k = 20)
    rollup_range(start=start - dt.timedelta(days=3), end=end)  # history not built yet: still the raw path
    assert CustomerDaily.objects.exists() and all(_customers(a.pk, *w) == raw[w] for w in windows)
    rollup_range(start=start - dt.timedelta(days=420), end=end + dt.timedelta(days=1))
    table = sorted(
        CustomerDaily.objects.values_list(
            "store_id", "user_id", "day", "orders", "revenue", "last_paid_at", "categories"
        )
    )
    assert [_customers(a.pk, *w) for w in windows] == [raw[w] for w in windows]
    # the rollup is read: changing a row changes the answer
    CustomerDaily.objects.filter(user_id=users[25].pk).delete()
    assert _customers(a.pk, start, end)[0] == 29
    rollup_range(start=start - dt.timedelta(days=3), end=end)  # rerun: the same rows
    rollup_day(day=start)
    assert (
        sorted(
            CustomerDaily.objects.values_list(
                "store_id", "user_id", "day", "orders", "revenue", "last_paid_at", "categories"
            )
        )
        == table
    )
    assert _customers(a.pk, start, end) == raw[(start, end)]


def _summary_table():
    return sorted(
        CustomerSummary.objects.values_list(
            "store_id", "user_id", "first_day", "last_day", "orders", "revenue", "refunds", "categories"
        )
    )


def test_customer_summary_by_hand_incl_seoul_midnight_refunds_and_both_paths(db):
    from kkot.catalog.models import Category

    owner = make_user()
    a, b = make_store(owner=owner), make_store(owner=make_user())
    kids, pet = make_product(store=a, actor=owner), make_product(store=a, actor=owner)
    other = make_product(store=b, actor=b.memberships.get().user)
    for product, slug in ((kids, "kids"), (pet, "pet")):
        product.category = Category.objects.get(slug=slug)
        product.save(update_fields=["category"])
    u1, u2 = make_user(), make_user()
    order(a, u1, 20000, kst(D - dt.timedelta(days=10), 12, 0), product=kids)
    o2 = order(a, u1, 30000, kst(D, 0, 0), product=pet)  # the first second of D (Seoul)
    order(a, u2, 10000, kst(D - dt.timedelta(days=1), 23, 59, 59), product=kids)  # the last second of D - 1
    order(a, u2, 99000, kst(D, 9, 0), product=kids, paid=False)  # never paid: not counted
    order(b, u1, 7000, kst(D1, 9, 0), product=other)  # another store: its own row
    lo, hi = D - dt.timedelta(days=12), D + dt.timedelta(days=2)
    rollup_range(start=lo, end=hi)
    k, p = str(kids.category_id), str(pet.category_id)
    o = str(other.category_id)
    assert _summary_table() == sorted(
        [
            (a.pk, u1.pk, D - dt.timedelta(days=10), D, 2, Decimal(50000), Decimal(0), {k: 1, p: 1}),
            (
                a.pk,
                u2.pk,
                D - dt.timedelta(days=1),
                D - dt.timedelta(days=1),
                1,
                Decimal(10000),
                Decimal(0),
                {k: 1},
            ),
            (b.pk, u1.pk, D1, D1, 1, Decimal(7000), Decimal(0), {o: 1}),
        ]
    )
    # life stage: u1's tie (one kids line, one pet line) goes by name, the same rule as the order-table path
    stages = CustomerSummary.objects.filter(store=a).order_by("user_id")
    assert list(stages.values_list("life_stage", "life_stage_lines")) == [("영유아 자녀 가구", 1)] * 2
    # a refund two days later: the rollup of the refund's day nets it out of the shopper's revenue
    refund(o2, 5000, kst(hi, 0, 30))
    rollup_day(day=hi)
    row = CustomerSummary.objects.get(store=a, user_id=u1.pk)
    assert (row.orders, row.revenue, row.refunds, row.last_paid_at) == (
        2,
        Decimal(45000),
        Decimal(5000),
        o2.paid_at,
    )
    table = _summary_table()
    # the day path, a full refresh and a rerun give the same rows
    for i in range((hi - lo).days + 1):
        rollup_day(day=lo + dt.timedelta(days=i))
    assert _summary_table() == table
    refresh_summaries(pairs=None)
    assert _summary_table() == table
    rollup_range(start=lo, end=hi)
    assert _summary_table() == table


def test_customers_summary_path_equals_raw_at_the_k_threshold(db):
    owner = make_user()
    a = make_store(owner=owner)
    p = make_product(store=a, actor=owner)
    start, end = D, D + dt.timedelta(days=6)
    new = [make_user(gender="F", birth_year=1990) for _ in range(20)]  # 20 new buyers: shown
    back = [make_user(gender="M", birth_year=1980) for _ in range(19)]  # 19 returning: hidden
    for i, u in enumerate(new):
        order(a, u, 10000, kst(start + dt.timedelta(days=i % 7), 10, i), product=p)
    for i, u in enumerate(back):
        order(a, u, 8000, kst(start - dt.timedelta(days=30 + i), 10, 0), product=p)
        order(a, u, 8000, kst(end, 11, i), product=p)
    # one returning buyer with history older than a year: its figures come from the daily rows
    order(a, back[0], 8000, kst(start - dt.timedelta(days=500), 10, 0), product=p)
    order(a, new[0], 5000, kst(end + dt.timedelta(days=2), 10, 0), product=p)  # after the range
    windows = [(start, end), (end, end), (start - dt.timedelta(days=40), end)]
    raw = {w: _customers(a.pk, *w, use_rollup=False) for w in windows}
    r = raw[(start, end)]
    assert (r[0], r[2][1], r[3][1]) == (39, 20, None)  # returning 19 < k: hidden
    rollup_range(start=start - dt.timedelta(days=520), end=end + dt.timedelta(days=2))
    assert [_customers(a.pk, *w) for w in windows] == [raw[w] for w in windows]
    # declared profiles are read at query time: an edit after the build shows on both paths
    User.objects.filter(pk=new[1].pk).update(gender="M")
    assert _customers(a.pk, start, end) == _customers(a.pk, start, end, use_rollup=False)
    # the summary is read: one more "bought before" makes 20 returning, shown
    CustomerSummary.objects.filter(user_id=new[2].pk).update(first_day=start - dt.timedelta(days=3))
    assert _customers(a.pk, start, end)[3][1] == 20
