"""The demo's ads step at SMALL size: campaigns, spend, ad clicks from the ad visits, one campaign below target."""

import pytest
from django.db.models import Count

from kkot.advisor.models import AdSpend, Campaign
from kkot.advisor.queries import AdsQuery, run_query
from kkot.core.timeutil import seoul_today
from kkot.demo import build
from kkot.events.models import Event
from kkot.stores.models import Store

pytestmark = pytest.mark.django_db


def test_small_demo_has_campaigns_spend_and_consistent_ad_clicks(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    info = build.demo_build(seed=7, size=build.SMALL, quiet=True)
    ads = info["ads"]
    assert ads["campaigns"] == Campaign.objects.count() == 3 * Store.objects.count()
    assert ads["ad_clicks"] == Event.objects.filter(kind="ad_click").count() > 0
    assert Event.objects.count() == info["events"]
    # one landing click per ad visit, naming a campaign of the visit's own store
    camp_store = {
        f"{s.slug}-{k}": s.pk for s in Store.objects.all() for k in ("season-sale", "brand", "retarget")
    }
    ad_sessions = {
        (sess, sid)
        for sess, sid, camp in Event.objects.filter(channel="ad")
        .exclude(kind="ad_click")
        .values_list("session", "store_id", "utm_campaign")
        if camp_store.get(camp) == sid
    }
    assert len(ad_sessions) == ads["ad_clicks"]  # the landing store of every ad visit
    own = dict(Campaign.objects.values_list("pk", "store_id"))
    for cid, sid in Event.objects.filter(kind="ad_click").values_list("campaign_id", "store_id"):
        assert own[cid] == sid
    assert not Event.objects.filter(kind="ad_click", campaign_id__isnull=True).exists()
    assert AdSpend.objects.count() == ads["spend_rows"] and not AdSpend.objects.filter(amount__lte=0).exists()
    n_days = AdSpend.objects.values("day").distinct().count()
    assert n_days >= build.SMALL.days  # every campaign has one spend row a day, first event to today
    assert set(AdSpend.objects.values("campaign").annotate(n=Count("id")).values_list("n", flat=True)) == {
        n_days
    }
    # 데일리룩's retargeting campaign is below its target ROAS over the demo's whole period
    store = Store.objects.get(slug="dailylook")
    today = seoul_today()
    res = run_query(
        AdsQuery(store.pk, today - __import__("datetime").timedelta(days=build.SMALL.days), today)
    )
    below = [c for c in res.campaigns if c.label == ads["below_target"]]
    assert below and below[0].status == "below" and below[0].roas < 400 * 0.8
