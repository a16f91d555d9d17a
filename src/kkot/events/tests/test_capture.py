from __future__ import annotations

import json

import pytest

from kkot.core.testing import make_product, make_store, make_user
from kkot.events.models import Event
from kkot.events.services import classify_channel, device_class, keyed_hash

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
IPAD = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
VID = "a" * 32
VISIT = "b" * 32


@pytest.fixture
def shop():
    store = make_store(slug="ev-shop")
    return store, make_product(store=store)


def post(client, payload, **headers):
    body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
    client.cookies["kk_vid"] = VID
    return client.post("/e/", data=body, content_type="application/json", HTTP_USER_AGENT=IPHONE, **headers)


def batch(store, product, **inflow):
    return {
        "visit": VISIT,
        "inflow": {"utm_source": "", "utm_medium": "", "utm_campaign": "", "referrer_host": "", **inflow},
        "events": [
            {"kind": "page_view", "page_type": "product", "store_id": store.pk, "ts": None},
            {"kind": "product_view", "page_type": "product", "store_id": store.pk, "product_id": product.pk},
            {"kind": "click", "page_type": "store", "store_id": store.pk, "product_id": product.pk,
             "section": "banner:3", "position": 3},
            {"kind": "add_to_cart", "page_type": "product", "store_id": store.pk, "product_id": product.pk,
             "section": "buy"},
            {"kind": "click", "page_type": "home", "section": "category:12", "position": 2},
        ],
    }


def test_batch_is_appended_with_hashed_ids_and_no_ip_or_ua(client, shop, django_assert_max_num_queries):
    store, product = shop
    with django_assert_max_num_queries(4):  # session lookup-free anonymous: products check, stores check, insert
        r = post(client, batch(store, product, utm_source="instagram", utm_medium="social", utm_campaign="summer"),
                 REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 204
    rows = list(Event.objects.order_by("id").values())
    assert [r["kind"] for r in rows] == ["page_view", "product_view", "click", "add_to_cart", "click"]
    first = rows[0]
    assert first["visitor"] == keyed_hash("visitor:" + VID) and len(first["visitor"]) == 32
    assert first["session"] == keyed_hash("visit:" + VISIT)
    assert VID not in first["visitor"] and VISIT not in first["session"]
    assert {r["device"] for r in rows} == {"m"}
    assert {r["channel"] for r in rows} == {"social"}
    assert (first["utm_source"], first["utm_medium"], first["utm_campaign"]) == ("instagram", "social", "summer")
    assert rows[2]["section"] == "banner:3" and rows[2]["position"] == 3
    assert rows[4]["section"] == "category:12" and rows[4]["store_id"] is None
    # nothing of the request's address or agent string anywhere
    flat = json.dumps(rows, default=str)
    assert "203.0.113.9" not in flat and "iPhone" not in flat and "Mozilla" not in flat
    assert {f.name for f in Event._meta.get_fields()}.isdisjoint({"ip", "ip_address", "user_agent", "ua"})


def test_logged_in_user_id_recorded(client, shop):
    store, product = shop
    user = make_user()
    client.force_login(user)
    assert post(client, batch(store, product)).status_code == 204
    assert set(Event.objects.values_list("user_id", flat=True)) == {user.pk}


def test_opted_out_user_stores_nothing(client, shop):
    store, product = shop
    client.force_login(make_user(tracking_opt_out=True))
    assert post(client, batch(store, product)).status_code == 204
    assert Event.objects.count() == 0


@pytest.mark.parametrize("header", [{"HTTP_DNT": "1"}, {"HTTP_SEC_GPC": "1"}])
def test_dnt_and_gpc_store_nothing(client, shop, header):
    store, product = shop
    assert post(client, batch(store, product), **header).status_code == 204
    assert Event.objects.count() == 0


def test_tracker_not_emitted_for_opt_out_or_dnt(client, shop):
    store, product = shop
    url = f"/s/{store.slug}/p/{product.pk}/"
    assert "storefront/tracker.js" in client.get(url).content.decode()
    assert "storefront/tracker.js" not in client.get(url, HTTP_DNT="1").content.decode()
    assert "storefront/tracker.js" not in client.get(url, HTTP_SEC_GPC="1").content.decode()
    client.force_login(make_user(tracking_opt_out=True))
    assert "storefront/tracker.js" not in client.get(url).content.decode()


def _bad_payloads(store, product, other_product):
    ok = {"kind": "page_view", "page_type": "home"}
    return [
        ("malformed", b"{not json"),
        ("malformed", b"\xff\xfe"),
        ("malformed", json.dumps([ok])),
        ("malformed", json.dumps({"events": "x"})),
        ("malformed", json.dumps({"events": [ok, "x"]})),
        ("malformed", json.dumps({"inflow": "x", "events": [ok]})),
        ("empty_batch", json.dumps({"events": []})),
        ("too_many_events", json.dumps({"events": [ok] * 51})),
        ("payload_too_large", json.dumps({"events": [{**ok, "query": "가" * 20000}]})),
        ("unknown_kind", json.dumps({"events": [ok, {"kind": "purchase"}]})),
        ("invalid_field", json.dumps({"events": [{**ok, "page_type": "admin"}]})),
        ("invalid_field", json.dumps({"events": [{**ok, "section": "<script>"}]})),
        ("invalid_field", json.dumps({"events": [{**ok, "position": -1}]})),
        ("invalid_field", json.dumps({"events": [{**ok, "position": "3"}]})),
        ("invalid_field", json.dumps({"events": [{**ok, "store_id": 2**70}]})),
        ("invalid_field", json.dumps({"events": [{**ok, "store_id": True}]})),
        ("invalid_field", json.dumps({"events": [{**ok, "query": "q" * 101}]})),
        ("invalid_field", json.dumps({"events": [{**ok, "ts": "yesterday"}]})),
        ("invalid_field", json.dumps({"inflow": {"referrer_host": "evil.com/path?x"}, "events": [ok]})),
        ("missing_product", json.dumps({"events": [{"kind": "product_view", "store_id": store.pk}]})),
        ("missing_store", json.dumps({"events": [{"kind": "click", "product_id": product.pk}]})),
        ("product_store_mismatch", json.dumps(
            {"events": [{"kind": "product_view", "store_id": store.pk, "product_id": other_product.pk}]})),
        ("product_store_mismatch", json.dumps(
            {"events": [{"kind": "product_view", "store_id": store.pk, "product_id": 987654}]})),
        ("unknown_store", json.dumps({"events": [{"kind": "page_view", "store_id": 987654}]})),
    ]


def test_bad_payloads_400_with_code_and_nothing_stored(client, shop):
    store, product = shop
    other_product = make_product(store=make_store(slug="ev-other"))
    for code, body in _bad_payloads(store, product, other_product):
        r = post(client, body)
        assert r.status_code == 400, code
        assert r.json()["code"] == code, (code, r.json())
        assert r.json()["message"]
    assert Event.objects.count() == 0


def test_one_bad_event_rejects_whole_batch(client, shop):
    store, product = shop
    payload = batch(store, product)
    payload["events"].append({"kind": "nope"})
    assert post(client, payload).status_code == 400
    assert Event.objects.count() == 0


def test_get_not_allowed_and_cross_origin_refused(client, shop):
    store, product = shop
    assert client.get("/e/").status_code == 405
    r = post(client, batch(store, product), HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 400 and r.json()["code"] == "bad_origin"
    assert post(client, batch(store, product), HTTP_ORIGIN="http://testserver").status_code == 204


def test_missing_cookie_gets_unlinkable_ids(client, shop):
    store, product = shop
    payload = {"events": [{"kind": "page_view", "page_type": "home"}]}
    client.post("/e/", data=json.dumps(payload), content_type="application/json")
    client.post("/e/", data=json.dumps(payload), content_type="application/json")
    a, b = Event.objects.order_by("id").values_list("visitor", flat=True)
    assert a != b and len(a) == 32


def test_max_batch_accepted(client, shop):
    payload = {"events": [{"kind": "page_view", "page_type": "home"}] * 50}
    assert post(client, payload).status_code == 204
    assert Event.objects.count() == 50


@pytest.mark.parametrize("ua,expected", [(IPHONE, "m"), (IPAD, "t"), (DESKTOP, "d"), ("", ""),
                                         ("Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit", "t"),
                                         ("Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari", "m")])
def test_device_class(ua, expected):
    assert device_class(ua) == expected


@pytest.mark.parametrize("kw,expected", [
    ({}, "direct"),
    ({"referrer_host": "shop.kkot.test"}, "internal"),
    ({"referrer_host": "search.naver.com"}, "search"),
    ({"referrer_host": "www.google.co.kr"}, "search"),
    ({"referrer_host": "blog.naver.com"}, "social"),
    ({"referrer_host": "l.instagram.com"}, "social"),
    ({"referrer_host": "example.org"}, "referral"),
    ({"utm_source": "naver", "utm_medium": "cpc"}, "ad"),
    ({"utm_source": "kakao"}, "social"),
    ({"utm_source": "google", "utm_medium": "organic"}, "search"),
    ({"utm_source": "newsletter", "utm_medium": "email"}, "referral"),
])
def test_channel_classification(kw, expected):
    assert classify_channel(own_host="shop.kkot.test:8000", **kw) == expected
