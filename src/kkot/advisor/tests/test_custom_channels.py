"""Custom inflow channels in the advisor: numbers on a tiny hand-built event set (issue 8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from kkot.advisor.custom_channels import custom_channel_labels, custom_channel_stats
from kkot.advisor.models import ChannelDaily
from kkot.advisor.queries import FunnelQuery, run_query
from kkot.advisor.rollups import rollup_day, rollup_range
from kkot.advisor.tests.test_advisor import D, ev, kst, order
from kkot.core.testing import make_store, make_user
from kkot.events.inflow import custom_channel_key, inflow_channel_create, inflow_channel_set_active

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    cache.clear()
    a, b = make_store(owner=make_user()), make_store(owner=make_user())
    insta = inflow_channel_create(
        store=a,
        code="insta",
        channel="인스타그램",
        group="SNS",
        name="11월 릴스",
        detail="@kkot_store 프로필 링크",
    )
    kakao = inflow_channel_create(store=a, code="kakao", channel="카카오", group="메신저", name="채널 글")
    flyer = inflow_channel_create(store=a, code="flyer", channel="오프라인", group="전단", name="12월 전단")
    inflow_channel_set_active(store=a, channel_id=flyer.pk, active=False)
    other = inflow_channel_create(store=b, code="insta", channel="인스타그램", group="SNS", name="b 스토어")
    ki, kk, ko = custom_channel_key(insta.pk), custom_channel_key(kakao.pk), custom_channel_key(other.pk)
    u1, u2, u3, u4 = make_user(), make_user(), make_user(), make_user()
    # insta: 4 visits (s1..s4); u1 buys in s1 (50,000); u3's s4 is followed by a direct visit s5 before the
    # order, so that order is direct (last touch); s2 (u2) and s3 (anonymous) do not buy
    ev(a, "page_view", kst(D, 10, 0), "s1", user=u1, channel=ki, page="store")
    ev(a, "product_view", kst(D, 10, 5), "s1", user=u1, channel=ki, page="product")
    order(a, u1, 50000, kst(D, 10, 30))
    ev(a, "page_view", kst(D, 11, 0), "s2", user=u2, channel=ki, page="store")
    ev(a, "page_view", kst(D, 12, 0), "s3", channel=ki, page="store")
    ev(a, "page_view", kst(D, 13, 0), "s4", user=u3, channel=ki, page="store")
    ev(a, "page_view", kst(D, 14, 0), "s5", user=u3, channel="direct", page="store")
    order(a, u3, 20000, kst(D, 15, 0))
    # kakao: 1 visit, 1 order (30,000)
    ev(a, "page_view", kst(D, 9, 0), "s6", user=u4, channel=kk, page="store")
    order(a, u4, 30000, kst(D, 9, 30))
    # store b: its own "insta" channel, a visit and an order that must not show in a's numbers
    ev(b, "page_view", kst(D, 9, 0), "s7", user=u1, channel=ko, page="store")
    order(b, u1, 99000, kst(D, 9, 10))
    return {"a": a, "b": b, "insta": insta, "kakao": kakao, "flyer": flyer, "other": other}


def _numbers(store):
    return [
        (r.channel.code, r.visits, r.pv_sessions, r.orders, r.revenue, r.conversion, r.conversion_pct)
        for r in custom_channel_stats(store_id=store.pk, start=D, end=D)
    ]


EXPECTED_A = [
    ("insta", 4, 1, 1, Decimal(50000), 0.25, "25.0%"),  # active ones by channel name
    ("kakao", 1, 0, 1, Decimal(30000), 1.0, "100.0%"),
    ("flyer", 0, 0, 0, Decimal(0), None, "-"),
]  # inactive last


def test_custom_channel_numbers_by_hand_day_and_range_rollups_agree(world):
    rollup_day(day=D)
    assert _numbers(world["a"]) == EXPECTED_A
    assert _numbers(world["b"]) == [("insta", 1, 0, 1, Decimal(99000), 1.0, "100.0%")]
    day_rows = sorted(ChannelDaily.objects.values_list("store_id", "channel", "visits", "orders", "revenue"))
    rollup_range(start=D, end=D)
    assert (
        sorted(ChannelDaily.objects.values_list("store_id", "channel", "visits", "orders", "revenue"))
        == day_rows
    )
    assert _numbers(world["a"]) == EXPECTED_A
    # outside the period: zeros
    assert [
        r.visits
        for r in custom_channel_stats(
            store_id=world["a"].pk, start=D + dt.timedelta(days=1), end=D + dt.timedelta(days=1)
        )
    ] == [0, 0, 0]


def test_funnel_by_channel_shows_custom_labels(world):
    rollup_day(day=D)
    r = run_query(FunnelQuery(world["a"].pk, D, D))
    chans = {c.key: (c.label, c.visits, c.orders) for c in r.channels}
    ki, kk = custom_channel_key(world["insta"].pk), custom_channel_key(world["kakao"].pk)
    assert chans == {
        ki: ("인스타그램 · SNS · 11월 릴스", 4, 1),
        kk: ("카카오 · 메신저 · 채널 글", 1, 1),
        "direct": ("직접 유입", 1, 1),
    }
    assert set(custom_channel_labels(store_id=world["b"].pk)) == {custom_channel_key(world["other"].pk)}
