"""The advisor API: same numbers as the pages, k-anonymity, bad input -> JSON errors and nothing stored."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from kkot.accounts.services import api_token_create
from kkot.advisor.models import AdSpend, Campaign
from kkot.advisor.rollups import rollup_day
from kkot.advisor.tests.test_advisor import D1, D, world  # noqa: F401 - the hand-built fixture

BASE = "/api/v1/seller/stores/{slug}/advisor/"


def api(client, token, method, path, data=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", **extra}
    if method == "GET":
        return client.get(path, data or {}, **headers)
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(path, body, content_type="application/json", **headers)


@pytest.fixture
def seller(world):  # noqa: F811 - the imported fixture
    cache.clear()
    rollup_day(day=D)
    rollup_day(day=D1)
    _t, raw = api_token_create(user=world["owner"], store=world["store"], name="t")
    return world, raw, BASE.format(slug=world["store"].slug)


def test_reads_match_the_hand_computed_answers(seller):
    w, token, base = seller
    c = Client()
    rng = {"start": D.isoformat(), "end": D1.isoformat()}
    r = api(c, token, "GET", base + "sales", {**rng, "compare": "none"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["totals"] == {
        "revenue": 50000,
        "refunds": 5000,
        "net": 45000,
        "orders": 2,
        "refund_count": 1,
        "aov": 25000,
    }
    assert [p["totals"]["net"] for p in body["points"]] == [30000, 15000] and body["compare_totals"] is None
    f = api(c, token, "GET", base + "funnel", rng).json()
    assert [s["count"] for s in f["steps"]][-1] == 2
    cu = api(c, token, "GET", base + "customers", rng).json()
    assert cu["customers"] is None and cu["new"]["customers"] is None and cu["k_min"] == 20  # 2 buyers < 20
    ins = api(c, token, "GET", base + "insights", rng).json()
    assert isinstance(ins["items"], list) and ins["notes"]
    ads = api(c, token, "GET", base + "campaigns", rng).json()
    assert ads["campaigns"] == [] and "7일" in ads["attribution"]


def test_bad_ranges_are_json_errors(seller):
    _w, token, base = seller
    c = Client()
    for params, code in (
        ({"start": "2026-03-10", "end": "2026-03-01"}, "date_range_reversed"),
        ({"start": "1999-01-01", "end": "2000-01-01"}, "date_range_absurd"),
        ({"start": "2020-01-01", "end": "2026-03-01"}, "date_range_too_long"),
        ({"start": "2026-02-30"}, "date_invalid"),
    ):
        r = api(c, token, "GET", base + "sales", params)
        assert (r.status_code, r.json()["code"]) == (400, code), params
    r = api(c, token, "GET", base + "sales", {"interval": "year"})
    assert r.status_code == 422


def test_campaign_and_spend_writes(seller):
    w, token, base = seller
    c = Client()
    r = api(
        c,
        token,
        "POST",
        base + "campaigns",
        {"name": "API 광고", "start_date": "2026-03-01", "target_roas": 250},
    )
    assert r.status_code == 201 and r.json()["landing_param"] == f"?kc={r.json()['id']}"
    cid = r.json()["id"]
    assert (
        api(
            c, token, "POST", base + "campaigns", {"name": "API 광고", "start_date": "2026-03-01"}
        ).status_code
        == 400
    )
    ok = {
        "rows": [
            {"campaign_id": cid, "day": "2026-03-10", "amount": 12000, "keyword": "린넨"},
            {"campaign_id": cid, "day": "2026-03-11", "amount": 8000},
        ]
    }
    r = api(c, token, "POST", base + "spend", ok)
    assert r.status_code == 200 and r.json() == {"rows": 2, "created": 2, "updated": 0}
    before = AdSpend.objects.count()
    other = Campaign.objects.create(store=w["other"], name="남의 것", start_date=D)
    r = api(
        c,
        token,
        "POST",
        base + "spend",
        {"rows": [*ok["rows"], {"campaign_id": other.pk, "day": "2026-03-10", "amount": 1}]},
    )
    assert (r.status_code, r.json()["code"], r.json()["details"]) == (404, "not_found", {"rows": [3]})
    r = api(
        c,
        token,
        "POST",
        base + "spend",
        {
            "rows": [
                {"campaign_id": cid, "day": "2099-01-01", "amount": 1},
                {"campaign_id": cid, "day": "2026-03-10", "amount": 5},
            ]
        },
    )
    assert (r.status_code, r.json()["code"]) == (400, "spend_invalid") and r.json()["details"][0]["row"] == 1
    r = api(
        c, token, "POST", base + "spend", {"rows": [{"campaign_id": cid, "day": "2026-03-10", "amount": -1}]}
    )
    assert r.status_code == 422
    many = {"rows": [{"campaign_id": cid, "day": "2026-03-10", "amount": 1}] * 5001}
    assert api(c, token, "POST", base + "spend", many).status_code == 422
    big = json.dumps(
        {"rows": [{"campaign_id": cid, "day": "2026-03-10", "amount": 1, "keyword": "가" * 100}] * 4000}
    )
    r = api(c, token, "POST", base + "spend", big)
    assert (r.status_code, r.json()["code"]) == (413, "payload_too_large")
    assert api(c, token, "POST", base + "spend", "{not json").status_code in (400, 422)
    assert AdSpend.objects.count() == before  # nothing stored by any bad request
