"""The demo's widget impressions and clicks: real numbers on the seller's recommendation page."""

import pytest

from kkot.demo import build
from kkot.events.models import Event, EventKind
from kkot.recommendations.stats import widget_stats
from kkot.stores.models import Store

pytestmark = pytest.mark.django_db


def test_small_demo_has_widget_impressions_clicks_and_attributed_sales(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    info = build.demo_build(seed=3, size=build.SMALL, quiet=True)
    assert info["recs_status"] == "succeeded"
    impressions = Event.objects.filter(kind=EventKind.IMPRESSION, section__startswith="widget:")
    clicks = Event.objects.filter(kind=EventKind.CLICK, section__startswith="widget:")
    assert impressions.count() > 1000
    assert clicks.filter(position__isnull=False).count() == info["recs_widget_clicks"] > 0
    assert Event.objects.count() == info["events"]
    # every labelled widget click of the period has an impression of that product in that widget, same visit
    shown = set(impressions.values_list("session", "section", "product_id"))
    for session, section, pid in clicks.filter(position__isnull=False).values_list(
        "session", "section", "product_id"
    ):
        assert (session, section, pid) in shown
    # impressions are of the page's store only (product pages) and cover every widget but the cart row
    assert set(impressions.values_list("section", flat=True).distinct()) == {
        "widget:viewed_together",
        "widget:bought_together",
        "widget:similar",
        "widget:for_you",
    }
    totals = {"impressions": 0, "clicks": 0, "add_to_carts": 0, "orders": 0}
    for store in Store.objects.all():
        for row in widget_stats(store=store, days=30):
            for key in totals:
                totals[key] += getattr(row, key)
    assert totals["impressions"] == impressions.count()
    assert totals["clicks"] > 0 and totals["add_to_carts"] > 0 and totals["orders"] > 0
    assert totals["clicks"] < totals["impressions"]
    # the store home's 맞춤 추천 row is clicked too (it was the advisor's top "dead section" when it never was)
    fy_clicks = clicks.filter(section="widget:for_you").count()
    fy_shown = impressions.filter(section="widget:for_you").count()
    assert fy_clicks >= 0.03 * fy_shown > 0  # without FOR_YOU_SHARE: 1.2% here and 0.02% on the full demo
