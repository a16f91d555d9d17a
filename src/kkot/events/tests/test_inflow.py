"""Seller-defined inflow channels (issue 8): writes, the tracking link, and classification at capture."""

from __future__ import annotations

import json

import pytest

from kkot.core.errors import NotFound, ValidationError
from kkot.core.testing import make_product, make_store, make_user
from kkot.events import inflow
from kkot.events.models import Event, InflowChannel

pytestmark = pytest.mark.django_db

VID = "a" * 32
VISIT = "c" * 32


@pytest.fixture
def stores():
    a, b = make_store(slug="kin-a"), make_store(slug="kin-b")
    return a, b, make_product(store=a), make_product(store=b)


def make(store, code="insta", **kw):
    fields = {
        "channel": "인스타그램",
        "group": "SNS",
        "name": "11월 릴스",
        "detail": "@kkot_store 프로필 링크",
    } | kw
    return inflow.inflow_channel_create(store=store, code=code, **fields)


def post(client, store_ids, headers=None, **inflow_fields):
    payload = {
        "visit": VISIT,
        "inflow": {"referrer_host": "instagram.com", **inflow_fields},
        "events": [{"kind": "page_view", "page_type": "store", "store_id": s} for s in store_ids]
        + [{"kind": "page_view", "page_type": "home"}],
    }
    client.cookies["kk_vid"] = VID
    return client.post("/e/", data=json.dumps(payload), content_type="application/json", **(headers or {}))


def channels():
    return list(Event.objects.order_by("id").values_list("store_id", "channel"))


def test_create_validates_and_stores_nothing_on_bad_input(stores):
    a, b, _pa, _pb = stores
    c = make(a, code="Insta-Reels")
    assert (c.code, c.channel, c.group, c.name, c.detail, c.is_active) == (
        "insta-reels",
        "인스타그램",
        "SNS",
        "11월 릴스",
        "@kkot_store 프로필 링크",
        True,
    )
    with pytest.raises(ValidationError) as e:
        make(a, code="insta-reels", name="다른 이름")
    assert e.value.code == "duplicate_code" and "이미 쓰고 있는 코드" in e.value.message
    with pytest.raises(ValidationError) as e:
        make(a, code="x2", channel=" ", group="")
    assert e.value.code == "inflow_channel_invalid"
    assert (
        set(e.value.details) == {"channel", "group"}
        and e.value.details["channel"] == "채널을(를) 입력해 주세요."
    )
    with pytest.raises(ValidationError) as e:
        make(a, code="x3", name="가" * 61, detail="d" * 201)
    assert e.value.details == {
        "name": "이름은(는) 60자까지 쓸 수 있습니다.",
        "detail": "상세은(는) 200자까지 쓸 수 있습니다.",
    }
    for bad in ("", "a", "-ab", "a b", "ㄱㄴ", "a" * 21, "a/b"):
        with pytest.raises(ValidationError) as e:
            make(a, code=bad)
        assert set(e.value.details) == {"code"}, bad
    assert InflowChannel.objects.count() == 1
    make(b, code="insta-reels")  # codes are per store
    assert InflowChannel.objects.count() == 2


def test_update_deactivate_and_other_store(stores):
    a, b, _pa, _pb = stores
    c1, c2 = make(a, code="one"), make(a, code="two")
    with pytest.raises(ValidationError) as e:
        inflow.inflow_channel_update(store=a, channel_id=c2.pk, code="one", channel="x", group="y", name="z")
    assert e.value.code == "duplicate_code"
    c2.refresh_from_db()
    assert c2.code == "two" and c2.channel == "인스타그램"
    c2 = inflow.inflow_channel_update(
        store=a, channel_id=c2.pk, code="two-b", channel="카카오", group="메신저", name="채널 글", detail=""
    )
    assert (c2.code, c2.channel, c2.group, c2.name, c2.detail) == ("two-b", "카카오", "메신저", "채널 글", "")
    with pytest.raises(NotFound):
        inflow.inflow_channel_update(store=b, channel_id=c1.pk, code="zz", channel="x", group="y", name="z")
    with pytest.raises(NotFound):
        inflow.inflow_channel_set_active(store=b, channel_id=c1.pk, active=False)
    assert inflow.inflow_channel_set_active(store=a, channel_id=c1.pk, active=False).is_active is False
    assert [c.code for c in inflow.inflow_channels(store_id=a.pk)] == ["two-b", "one"]
    assert [c.code for c in inflow.inflow_channels(store_id=a.pk, active_only=True)] == ["two-b"]


def test_keys_and_link():
    assert inflow.custom_channel_key(12) == "kin:12"
    assert inflow.custom_channel_id("kin:12") == 12
    assert inflow.custom_channel_id("social") is None and inflow.custom_channel_id("kin:x") is None
    assert (
        inflow.tracking_link(store_url="https://kkot.kr/s/a/", code="insta")
        == "https://kkot.kr/s/a/?kin=insta"
    )
    assert (
        inflow.tracking_link(store_url="https://kkot.kr/s/a/?x=1", code="insta")
        == "https://kkot.kr/s/a/?x=1&kin=insta"
    )


def test_own_code_classifies_that_stores_events_only(client, stores):
    a, b, _pa, _pb = stores
    c = make(a, code="insta")
    assert post(client, [a.pk, b.pk], kin="INSTA").status_code == 204
    # a's events get the custom channel; b's events and the store-less home page keep the usual classification
    assert channels() == [(a.pk, f"kin:{c.pk}"), (b.pk, "social"), (None, "social")]


def test_another_stores_code_is_ignored(client, stores):
    a, b, _pa, _pb = stores
    make(b, code="bravo-only")
    assert post(client, [a.pk], kin="bravo-only").status_code == 204
    assert channels() == [(a.pk, "social"), (None, "social")]


@pytest.mark.parametrize("kin", ["nope", "x", "a" * 40, 123, None, "../etc"])
def test_unknown_or_malformed_code_is_ignored(client, stores, kin):
    a, _b, _pa, _pb = stores
    make(a, code="insta")
    assert post(client, [a.pk], kin=kin).status_code == 204
    assert channels() == [(a.pk, "social"), (None, "social")]


def test_inactive_code_is_ignored_and_ad_link_wins(client, stores):
    a, _b, _pa, _pb = stores
    c = make(a, code="insta")
    make(a, code="off")
    inflow.inflow_channel_set_active(
        store=a, channel_id=InflowChannel.objects.get(code="off").pk, active=False
    )
    assert post(client, [a.pk], kin="off").status_code == 204
    assert channels() == [(a.pk, "social"), (None, "social")]
    Event.objects.all().delete()
    assert post(client, [a.pk], kin="insta", kc="77").status_code == 204  # an ad link (?kc=) is channel ad
    assert channels() == [(a.pk, "ad"), (None, "ad")]
    Event.objects.all().delete()
    assert post(client, [a.pk], kin="insta", utm_source="naver", utm_medium="cpc").status_code == 204
    assert channels() == [(a.pk, f"kin:{c.pk}"), (None, "ad")]


@pytest.mark.parametrize("headers", [{"HTTP_DNT": "1"}, {"HTTP_SEC_GPC": "1"}, "opt_out"])
def test_opt_out_and_dnt_store_nothing_with_a_code(client, stores, headers):
    a, _b, _pa, _pb = stores
    make(a, code="insta")
    if headers == "opt_out":
        client.force_login(make_user(tracking_opt_out=True))
        headers = {}
    assert post(client, [a.pk], headers, kin="insta").status_code == 204
    assert Event.objects.count() == 0


def test_tracker_sends_the_code_with_the_visit_inflow():
    from pathlib import Path

    js = (Path(__file__).parents[2] / "storefront/static/storefront/tracker.js").read_text()
    assert 'kin: /^[A-Za-z0-9][A-Za-z0-9_-]{1,19}$/.test(params.get("kin") || "")' in js
