"""Ads: last-click attribution (7-day window, Seoul midnight, refunds), ROAS, budget advice, spend imports."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kkot.advisor.ads import ad_touches
from kkot.advisor.ads import services as ads
from kkot.advisor.insights import insights_feed
from kkot.advisor.models import AdSpend, Campaign
from kkot.advisor.queries import AdsQuery, run_query
from kkot.advisor.tests.test_advisor import kst, order, refund
from kkot.core.errors import ValidationError
from kkot.core.testing import make_product, make_store, make_user
from kkot.events.models import Event

D = dt.date(2026, 3, 10)
D1 = D + dt.timedelta(days=1)
W = dt.timedelta(days=7)


def click(store, user, campaign_id, ts, kw=""):
    return Event.objects.create(
        ts=ts,
        kind="ad_click",
        visitor=f"v{user.pk}",
        session=f"s{user.pk}{ts:%H%M}",
        user_id=user.pk,
        store_id=store.pk,
        campaign_id=campaign_id,
        channel="ad",
        query=kw,
    )


@pytest.fixture
def ad_world(db):
    cache.clear()
    owner = make_user()
    a = make_store(owner=owner)
    b = make_store(owner=make_user())
    p = make_product(store=a, actor=owner)
    c1 = ads.campaign_create(store=a, name="린넨 검색광고", start_date=D, target_roas=300, product_id=p.pk)
    c2 = ads.campaign_create(
        store=a,
        name="인스타 광고",
        start_date=D,
        channel="meta",
        target_roas=400,
        daily_budget=Decimal(10000),
    )
    cb = ads.campaign_create(store=b, name="남의 광고", start_date=D)
    u1, u2, u3, u4 = (make_user() for _ in range(4))
    # 1. click at 23:59 KST, order 2 minutes later on the next Seoul day; refunded 10,000 of 30,000
    click(a, u1, c1.pk, kst(D, 23, 59), kw="린넨 셔츠")
    click(a, u1, cb.pk, kst(D1, 0, 0))  # another store's campaign id on this store: ignored
    o1 = order(a, u1, 30000, kst(D1, 0, 1), product=p)
    refund(o1, 10000, kst(D1, 9, 0))
    # 2. exactly 7 days between click and order: counts
    t0 = kst(D, 10, 0)
    click(a, u2, c1.pk, t0)
    o2 = order(a, u2, 50000, t0 + W, product=p)
    click(a, u2, c2.pk, t0 + W + dt.timedelta(hours=1))  # after the order: no effect
    # 3. 7 days and 1 minute: does not count
    click(a, u3, c2.pk, t0)
    o3 = order(a, u3, 60000, t0 + W + dt.timedelta(minutes=1))
    # 4. two clicks: the last one wins
    click(a, u4, c1.pk, kst(D, 9, 0))
    click(a, u4, c2.pk, kst(D, 12, 0))
    o4 = order(a, u4, 40000, kst(D, 13, 0))
    ads.adspend_record(
        store=a,
        rows=[
            ads.SpendInput(campaign=str(c1.pk), day=D, amount=10000),
            ads.SpendInput(campaign=str(c1.pk), day=D1, amount="10,000", keyword="린넨 셔츠"),
            ads.SpendInput(campaign="인스타 광고", day=D, amount=20000),
        ],
    )
    return locals() | {"store": a, "other": b}


def test_last_click_attribution_window_edges_midnight_and_refunds(ad_world):
    w = ad_world
    touches = {t.order_id: t for t in ad_touches(store_id=w["store"].pk, start=D, end=D + W)}
    assert set(touches) == {w["o1"].pk, w["o2"].pk, w["o4"].pk}  # o3: 7 days + 1 minute after the click
    t1 = touches[w["o1"].pk]
    assert (t1.campaign_id, t1.keyword, t1.day, t1.revenue) == (w["c1"].pk, "린넨 셔츠", D1, Decimal(20000))
    assert touches[w["o2"].pk].campaign_id == w["c1"].pk and touches[w["o2"].pk].revenue == Decimal(50000)
    assert touches[w["o4"].pk].campaign_id == w["c2"].pk
    # the window is on order days: D1 alone holds only o1
    assert [t.order_id for t in ad_touches(store_id=w["store"].pk, start=D1, end=D1)] == [w["o1"].pk]
    assert ad_touches(store_id=w["other"].pk, start=D, end=D + W) == []


def test_roas_per_campaign_keyword_product_and_budget_advice(ad_world):
    w = ad_world
    res = run_query(AdsQuery(w["store"].pk, D, D + W))
    by = {c.campaign_id: c for c in res.campaigns}
    c1, c2 = by[w["c1"].pk], by[w["c2"].pk]
    assert (c1.spend, c1.orders, c1.revenue, c1.roas, c1.status) == (
        Decimal(20000),
        2,
        Decimal(70000),
        350.0,
        "above",
    )
    assert (c2.spend, c2.orders, c2.revenue, c2.roas, c2.status) == (
        Decimal(20000),
        1,
        Decimal(40000),
        200.0,
        "below",
    )
    assert (
        c1.clicks == 3 and c2.clicks == 3
    )  # own-campaign clicks in the range (the foreign id is not counted)
    assert [(k.label, k.spend, k.revenue, k.roas) for k in res.keywords] == [
        ("린넨 검색광고 · 린넨 셔츠", Decimal(10000), Decimal(20000), 200.0)
    ]
    assert [(p.spend, p.revenue) for p in res.products] == [(Decimal(20000), Decimal(70000))]
    assert (res.total.spend, res.total.revenue) == (Decimal(40000), Decimal(110000))
    # c2 is at half its target: move half its spend (10,000) to c1; effect 10,000 x (350% - 200%) = 15,000
    [move] = res.advice
    assert (move.from_id, move.to_id, move.amount, move.expected_revenue_change) == (
        w["c2"].pk,
        w["c1"].pk,
        Decimal(10000),
        Decimal(15000),
    )
    assert "15,000원" in move.text
    assert sum(d[1] for d in res.days) == Decimal(40000) and len(res.days) == 8


def test_feed_campaign_below_target_and_budget_limited(ad_world, monkeypatch):
    from kkot.advisor.insights import ads as ad_insights

    w = ad_world
    monkeypatch.setattr(ad_insights, "AD_MIN_SPEND", Decimal(1000))
    monkeypatch.setattr(ad_insights, "AD_MIN_CLICKS", 1)
    feed = insights_feed(store_id=w["store"].pk, today=D + W)
    below = [i for i in feed.items if i.kind == "ad_below_target"]
    assert len(below) == 1 and "인스타 광고" in below[0].title and below[0].chart == "ads"
    assert below[0].anchor == f"campaign-{w['c2'].pk}" and "15,000원" in below[0].advice
    # c1 above target and at its daily budget on 7 of 7 spend days -> budget limited
    Campaign.objects.filter(pk=w["c1"].pk).update(daily_budget=Decimal(5000))
    monkeypatch.setattr(ad_insights, "AD_MIN_ORDERS_ABOVE", 1)
    ads.adspend_record(
        store=w["store"],
        rows=[
            ads.SpendInput(campaign=str(w["c1"].pk), day=D + dt.timedelta(days=i), amount=5000, keyword="k")
            for i in range(7)
        ],
    )
    # spend is now 55,000 for 70,000 revenue: below target, no longer above it
    assert not [
        i for i in insights_feed(store_id=w["store"].pk, today=D + W).items if i.kind == "ad_budget_limited"
    ]
    AdSpend.objects.filter(campaign_id=w["c1"].pk).exclude(keyword="k").delete()
    AdSpend.objects.filter(campaign_id=w["c1"].pk, keyword="k").update(amount=Decimal(5000))
    Campaign.objects.filter(pk=w["c1"].pk).update(target_roas=150)
    kinds = [i.kind for i in insights_feed(store_id=w["store"].pk, today=D + W).items]
    assert "ad_budget_limited" in kinds  # 35,000 spend -> ROAS 200% >= 1.2 x 150%


def _csv(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_spend_import_is_strict_and_all_or_nothing(ad_world):
    w = ad_world
    a, c1, cb = w["store"], w["c1"], w["cb"]
    before = AdSpend.objects.count()
    bad = _csv(
        "날짜,캠페인,광고비,키워드",
        f"2026-03-12,{c1.pk},15000,",
        f"2026-03-12,{cb.pk},15000,",  # another store's campaign
        f"2026-13-01,{c1.pk},1000,",  # bad date
        f"2026-03-13,{c1.pk},-5,",  # negative
        f"2026-03-13,{c1.pk},12.5,x",  # not an integer
        "2099-01-01,린넨 검색광고,100,",
    )  # future
    with pytest.raises(ValidationError) as exc:
        ads.adspend_import(store=a, data=bad, filename="spend.csv")
    assert exc.value.code == "spend_invalid"
    assert [(e["row"], e["column"]) for e in exc.value.details] == [
        (3, "캠페인"),
        (4, "날짜"),
        (5, "광고비"),
        (6, "광고비"),
        (7, "날짜"),
    ]
    assert "이 스토어의 캠페인이 아닙니다" in exc.value.details[0]["message"]
    assert AdSpend.objects.count() == before  # nothing stored
    with pytest.raises(ValidationError) as exc:
        ads.adspend_import(store=a, data=_csv("날짜,광고비,색상", "2026-03-12,1"), filename="x.csv")
    assert {(e["column"], e["message"]) for e in exc.value.details} == {
        ("색상", "알 수 없는 열입니다. 양식의 머리글을 사용해 주세요."),
        ("캠페인", "필수 열이 없습니다."),
    }
    ok = _csv("날짜,캠페인,광고비,클릭수", f"2026-03-12,{c1.pk},15000,30", f'2026-03-10,{c1.pk},"12,000",')
    r = ads.adspend_import(store=a, data=ok, filename="spend.csv")
    assert (r["created"], r["updated"], r["format"]) == (1, 1, "csv")  # 03-10 replaced the stored row
    assert AdSpend.objects.get(campaign=c1, day=D, keyword="").amount == Decimal(12000)
    with pytest.raises(ValidationError):
        ads.adspend_import(
            store=a, data=_csv("날짜,캠페인,광고비", f"2026-03-12,{c1.pk},1", f"2026-03-12,{c1.pk},2")
        )


def test_spend_excel_upload(ad_world):
    from kkot.orders.selectors.seller import sheet_bytes

    w = ad_world
    data = sheet_bytes(ads.TEMPLATE_HEADER, [["2026-03-14", w["c2"].pk, 7000, "", "", 100, 5]], fmt="xlsx")
    r = ads.adspend_import(store=w["store"], data=data, filename="spend.xlsx")
    assert (r["rows"], r["format"]) == (1, "xlsx")
    assert AdSpend.objects.get(campaign=w["c2"], day=dt.date(2026, 3, 14)).clicks == 5


def test_campaign_create_validation(ad_world):
    a = ad_world["store"]
    with pytest.raises(ValidationError) as exc:
        ads.campaign_create(
            store=a,
            name="린넨 검색광고",
            start_date=D,
            target_roas=0,
            product_id=ad_world["other"].pk * 1000 + 999,
            end_date=D - dt.timedelta(days=1),
        )
    assert set(exc.value.details) == {"name", "target_roas", "product_id", "end_date"}


def test_capture_records_ad_clicks_with_campaign(client, ad_world):
    a, c1 = ad_world["store"], ad_world["c1"]
    body = {
        "visit": "V" * 20,
        "inflow": {"kc": str(c1.pk)},
        "events": [
            {"kind": "ad_click", "store_id": a.pk, "campaign_id": c1.pk, "query": "린넨"},
            {"kind": "click", "store_id": a.pk, "section": "best", "x": 250, "y": 1000},
        ],
    }
    r = client.post("/e/", json.dumps(body), content_type="application/json")
    assert r.status_code == 204
    ad, cl = Event.objects.filter(session__isnull=False).order_by("-id")[:2][::-1]
    assert (ad.kind, ad.campaign_id, ad.channel, ad.query) == ("ad_click", c1.pk, "ad", "린넨")
    assert (cl.click_x, cl.click_y, cl.campaign_id) == (250, 1000, None)
    n = Event.objects.count()
    for bad in (
        {"kind": "ad_click", "store_id": a.pk},
        {"kind": "click", "store_id": a.pk, "x": 1001, "y": 3},
    ):
        r = client.post("/e/", json.dumps({"events": [bad]}), content_type="application/json")
        assert r.status_code == 400
    assert Event.objects.count() == n


def test_ads_page_forms_upload_and_isolation(client, ad_world):
    w = ad_world
    a = w["store"]
    client.force_login(w["owner"])
    url = reverse("sellercenter:advisor_ads", args=[a.slug])
    rng = f"?from={D.isoformat()}&to={(D + W).isoformat()}"
    html = client.get(url + rng).content.decode()
    assert "Plotly.newPlot" in html and "7일(168시간)" in html and f'id="campaign-{w["c2"].pk}"' in html
    assert "15,000원" in html  # the budget advice
    r = client.post(
        url + rng,
        {
            "action": "upload",
            "file": SimpleUploadedFile("s.csv", _csv("날짜,캠페인,광고비", f"2026-03-12,{w['cb'].pk},100")),
        },
    )
    assert r.status_code == 400 and "이 스토어의 캠페인이 아닙니다" in r.content.decode()
    r = client.post(
        url + rng, {"action": "spend", "campaign": w["c2"].pk, "day": "2026-03-15", "amount": "3000"}
    )
    assert r.status_code == 302 and AdSpend.objects.filter(campaign=w["c2"], day="2026-03-15").exists()
    r = client.post(
        url,
        {
            "action": "campaign",
            "name": "새 캠페인",
            "channel": "kakao",
            "target_roas": "250",
            "start_date": "2026-03-01",
        },
    )
    assert (
        r.status_code == 302 and Campaign.objects.filter(store=a, name="새 캠페인", target_roas=250).exists()
    )
    t = client.get(reverse("sellercenter:advisor_ads_template", args=[a.slug, "csv"]))
    assert t.status_code == 200 and "날짜,캠페인,광고비" in t.content.decode("utf-8-sig")
    client.force_login(w["other"].memberships.first().user)
    assert client.get(url).status_code == 404
