"""Widget and review findings, and the 리뷰·추천 page (the charts behind them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from kkot.advisor.insights import insights_feed, signals
from kkot.advisor.models import StoreDaily
from kkot.advisor.tests.test_advisor import kst
from kkot.core.testing import make_product, make_store, make_user
from kkot.events.models import Event
from kkot.recommendations.stats import WidgetStats

D = dt.date(2026, 3, 10)


@pytest.fixture
def shop(db):
    cache.clear()
    owner = make_user()
    store = make_store(owner=owner)
    return store, owner, make_product(store=store, actor=owner)


def _widget_events(store, product, name, impressions, clicks):
    rows = [
        Event(
            ts=kst(D, 12, 0),
            kind="impression",
            visitor="v",
            session=f"{name}{i}",
            store_id=store.pk,
            page_type="product",
            section=f"widget:{name}",
        )
        for i in range(impressions)
    ]
    rows += [
        Event(
            ts=kst(D, 12, 1),
            kind="click",
            visitor="v",
            session=f"{name}{i}",
            store_id=store.pk,
            product_id=product.pk,
            page_type="product",
            section=f"widget:{name}",
        )
        for i in range(clicks)
    ]
    Event.objects.bulk_create(rows, batch_size=1000)


def test_widget_with_click_through_far_below_the_others(shop):
    store, _o, p = shop
    _widget_events(store, p, "viewed_together", 2000, 10)  # 0.5%
    _widget_events(store, p, "similar", 2000, 100)  # 5%
    _widget_events(store, p, "bought_together", 2000, 100)
    found = signals.widget_findings(store.pk, D)
    assert [(f.kind, f.chart, f.anchor) for f in found] == [("widget_low_ctr", "reviews", "widgets")]
    assert "함께 본 상품" in found[0].title and "클릭률 0.50%" in found[0].evidence


def test_widgets_alike_raise_nothing(shop):
    store, _o, p = shop
    _widget_events(store, p, "viewed_together", 2000, 90)
    _widget_events(store, p, "similar", 2000, 100)
    assert signals.widget_findings(store.pk, D) == []


def test_widget_driving_sales(shop, monkeypatch):
    store, _o, _p = shop
    StoreDaily.objects.create(store=store, day=D, revenue=Decimal(1_000_000), orders=50)
    rows = [
        WidgetStats("bought_together", "함께 구매한 상품", 5000, 300, 60, 12, Decimal(80_000)),
        WidgetStats("similar", "비슷한 상품", 5000, 300, 60, 9, Decimal(300_000)),
    ]  # too few orders
    monkeypatch.setattr("kkot.recommendations.stats.widget_stats", lambda **kw: rows)
    found = [f for f in signals.widget_findings(store.pk, D) if f.kind == "widget_drives_sales"]
    assert len(found) == 1 and "매출의 8%" in found[0].title


def _trend(aspect, recent, base, recent_reviews=40, baseline_reviews=40.0):
    return {
        "aspect": aspect,
        "recent_negative": recent,
        "baseline_negative": base,
        "ratio": round(recent / (base if base > 0 else 0.125), 2),
        "product_ids": [],
        "review_ids": [],
        "recent_reviews": recent_reviews,
        "baseline_reviews": baseline_reviews,
    }


def test_rising_complaint_needs_a_significant_rise(shop, monkeypatch):
    store, _o, _p = shop
    trends = [
        _trend("사이즈", 12, 2.0),
        _trend("배송", 4, 0.25),
        _trend("색상", 6, 3.0),
        _trend("포장", 9, 2.0, recent_reviews=120, baseline_reviews=30.0),
    ]  # 4x the reviews: expected 8
    monkeypatch.setattr("kkot.reviews.selectors.aspect_complaint_trends", lambda **kw: trends)
    found = signals.complaint_findings(store.pk, D)
    # 사이즈: P(X >= 12 | 2) ~ 1e-6 < 0.001/4; 배송: under 5 complaints; 색상: 2x but P ~ 0.08; 포장: explained by volume
    assert [(f.kind, f.chart, f.anchor) for f in found] == [("complaint_rising", "reviews", "complaints")]
    assert "'사이즈' 불만" in found[0].title and "6.0배" in found[0].evidence
    assert signals._poisson_sf(12, 2.0) == pytest.approx(
        1.0 - sum(2.0**k * 2.718281828459045**-2.0 / __import__("math").factorial(k) for k in range(12)),
        rel=1e-9,
    )


def test_real_review_selector_on_an_empty_store_and_the_page(client, shop):
    store, owner, _p = shop
    assert signals.complaint_findings(store.pk, D) == []
    assert not [i for i in insights_feed(store_id=store.pk, today=D).items]
    client.force_login(owner)
    r = client.get(
        reverse("sellercenter:advisor_reviews", args=[store.slug]), {"from": "2026-03-01", "to": "2026-03-10"}
    )
    assert (
        r.status_code == 200
        and 'id="widgets"' in r.content.decode()
        and 'id="complaints"' in r.content.decode()
    )
    client.force_login(make_user())
    assert client.get(reverse("sellercenter:advisor_reviews", args=[store.slug])).status_code == 404
