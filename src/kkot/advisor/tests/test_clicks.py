"""The page heatmap picture (boxes in place, click density) and the layout advice with its numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from kkot.advisor.layout import page_boxes
from kkot.advisor.models import SectionDaily, StoreDaily
from kkot.advisor.queries import SectionClicksQuery, run_query
from kkot.advisor.tests.test_advisor import kst
from kkot.core.testing import make_store, make_user
from kkot.events.models import Event
from kkot.stores.models import StoreBanner

D = dt.date(2026, 3, 10)


@pytest.fixture
def clicks_world(db):
    cache.clear()
    owner = make_user()
    store = make_store(owner=owner)
    b2 = StoreBanner.objects.create(store=store, title="둘째", position=2)
    b1 = StoreBanner.objects.create(store=store, title="첫째", position=1)
    StoreDaily.objects.create(store=store, day=D, home_views=1000)
    for sec, clicks in (
        ("category", 10),
        ("best", 80),
        ("new", 50),
        (f"banner:{b1.pk}", 30),
        (f"banner:{b2.pk}", 3),
    ):
        SectionDaily.objects.create(
            store=store, page_type="store", section=sec, day=D, impressions=1000, clicks=clicks
        )
    rows = []
    for pos in range(1, 13):  # best grid of 12: positions 1..8 get 290 clicks, 9..12 get 10
        n = (37 if pos <= 2 else 36) if pos <= 8 else (3 if pos <= 10 else 2)
        rows += [
            Event(
                ts=kst(D, 12, 0),
                kind="click",
                visitor="v",
                session="s",
                store_id=store.pk,
                page_type="store",
                section="best",
                position=pos,
                click_x=950 if pos == 1 else 120,
                click_y=1000 if pos == 1 else 55,
            )
            for _ in range(n)
        ]
    Event.objects.bulk_create(rows)
    return store, owner, b1, b2


def test_layout_advice_with_numbers_and_density(clicks_world):
    store, _o, b1, b2 = clicks_world
    res = run_query(SectionClicksQuery(store.pk, D, D))
    assert sum(res.positions["best"].values()) == 300 and max(res.positions["best"]) == 12
    assert any(
        "클릭의 97%가 1~8번째" in a and "12개에서 8개로" in a and "클릭의 3%뿐" in a for a in res.advice
    )
    assert any(
        a.startswith("베스트 상품(클릭률 8.0%)가 바로 위의 카테고리 메뉴(1.0%)보다 8.0배") for a in res.advice
    )
    grid = res.density[("store", "best")]
    assert grid[9][9] == 37 and grid[0][1] == 300 - 37 and sum(map(sum, grid)) == 300
    assert res.banner_order == [f"banner:{b1.pk}", f"banner:{b2.pk}"]


def test_page_boxes_follow_the_template_order():
    class R:
        def __init__(self, section, ctr, imp=100):
            self.section, self.label, self.ctr, self.impressions, self.clicks = section, section, ctr, imp, 0

    boxes, height = page_boxes(
        "store",
        [R("new", 0.05), R("banner:9", 0.01), R("best", 0.08), R("banner:4", 0.02), R("odd", 0.0, 0)],
        ["banner:4", "banner:9"],
    )
    assert [(b.section, b.x0, b.y0, b.x1) for b in boxes] == [
        ("", 0, 0, 100),
        ("banner:4", 0, 10, 50),
        ("banner:9", 50, 10, 100),
        ("best", 0, 24, 100),
        ("new", 0, 54, 100),
        ("odd", 0, 84, 100),
    ]
    assert height == 100 and boxes[-1].ctr is None  # no impressions: drawn grey


def test_clicks_page_draws_the_picture(client, clicks_world):
    store, owner, _b1, _b2 = clicks_world
    client.force_login(owner)
    html = client.get(
        reverse("sellercenter:advisor_clicks", args=[store.slug]), {"from": "2026-03-10", "to": "2026-03-10"}
    ).content.decode()
    assert html.count("heatmap-picture") == 1 and '"type":"rect"' in html and "12개에서 8개로" in html
    assert "배너 &#x27;첫째&#x27;" in html or "배너 '첫째'" in html
