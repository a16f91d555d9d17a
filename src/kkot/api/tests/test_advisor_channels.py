"""Custom inflow channels API (issue 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from kkot.advisor.models import ChannelDaily
from kkot.api.tests.conftest import call
from kkot.events.inflow import custom_channel_key
from kkot.events.models import InflowChannel

pytestmark = pytest.mark.django_db
BODY = {
    "code": "insta",
    "channel": "인스타그램",
    "group": "SNS",
    "name": "11월 릴스",
    "detail": "@kkot_store 프로필 링크",
}


def _url(s):
    return f"/api/v1/seller/stores/{s.store.slug}/advisor/channels"


def test_create_and_list(seller, other):
    r = call(seller.client, "POST", _url(seller), BODY, token=seller.token)
    assert r.status_code == 201, r.content
    c = InflowChannel.objects.get()
    assert r.json() == {
        "id": c.pk,
        "key": f"kin:{c.pk}",
        "code": "insta",
        "channel": "인스타그램",
        "group": "SNS",
        "name": "11월 릴스",
        "detail": "@kkot_store 프로필 링크",
        "is_active": True,
        "tracking_link": f"http://testserver/s/{seller.store.slug}/?kin=insta",
    }
    ChannelDaily.objects.create(
        store=seller.store,
        channel=custom_channel_key(c.pk),
        day=dt.date(2026, 3, 10),
        visits=4,
        orders=1,
        revenue=50000,
    )
    r = call(seller.client, "GET", _url(seller) + "?start=2026-03-01&end=2026-03-31", token=seller.token)
    assert r.status_code == 200
    assert r.json()["start"] == "2026-03-01"
    [row] = r.json()["channels"]
    assert (row["code"], row["visits"], row["orders"], row["conversion"], row["revenue"]) == (
        "insta",
        4,
        1,
        0.25,
        50000,
    )
    # the other seller's list is empty, and the same code is free in their store
    assert call(other.client, "GET", _url(other), token=other.token).json()["channels"] == []
    assert call(other.client, "POST", _url(other), BODY, token=other.token).status_code == 201


@pytest.mark.parametrize(
    "patch,code,fields",
    [
        ({"code": "insta"}, "duplicate_code", {"code"}),
        ({"code": "x y", "name": ""}, "inflow_channel_invalid", {"code", "name"}),
        ({"code": "new", "group": "g" * 41}, "inflow_channel_invalid", {"group"}),
    ],
)
def test_bad_input_is_400_and_stores_nothing(seller, patch, code, fields):
    assert call(seller.client, "POST", _url(seller), BODY, token=seller.token).status_code == 201
    r = call(seller.client, "POST", _url(seller), BODY | patch, token=seller.token)
    assert r.status_code == 400
    assert r.json()["code"] == code and set(r.json()["details"]) == fields
    assert InflowChannel.objects.count() == 1
