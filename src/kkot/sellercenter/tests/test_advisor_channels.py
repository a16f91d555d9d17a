"""비즈 어드바이저 · 맞춤 유입 채널 page (issue 8): list/create/edit/deactivate, the link, errors, isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from kkot.advisor.models import ChannelDaily
from kkot.events.inflow import custom_channel_key, inflow_channel_create
from kkot.events.models import InflowChannel

pytestmark = pytest.mark.django_db


def _url(store):
    return reverse("sellercenter:advisor_channels", args=[store.slug])


def _row(store, code="insta", **kw):
    values = {
        "action": "create",
        "code": code,
        "channel": "인스타그램",
        "group": "SNS",
        "name": "11월 릴스",
        "detail": "@kkot_store 프로필 링크",
    } | kw
    return values


def test_create_list_link_and_numbers(client, world):
    cache.clear()
    client.force_login(world.owner)
    r = client.post(_url(world.store), _row(world.store, code="Insta"))
    assert r.status_code == 302
    c = InflowChannel.objects.get(store=world.store)
    assert (c.code, c.channel, c.group, c.name, c.detail, c.is_active) == (
        "insta",
        "인스타그램",
        "SNS",
        "11월 릴스",
        "@kkot_store 프로필 링크",
        True,
    )
    day = dt.date(2026, 3, 10)
    ChannelDaily.objects.create(
        store=world.store, channel=custom_channel_key(c.pk), day=day, visits=8, orders=2, revenue=70000
    )
    ChannelDaily.objects.create(
        store=world.other_store, channel=custom_channel_key(c.pk), day=day, visits=99, orders=9
    )  # never happens, but must not count for this store
    page = client.get(_url(world.store), {"from": "2026-03-01", "to": "2026-03-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"http://testserver/s/{world.store.slug}/?kin=insta" in html
    assert f'data-copy="#link-{c.pk}"' in html
    assert '<td class="visits">8</td><td class="orders">2</td><td class="rate">25.0%</td>' in html
    assert "@kkot_store 프로필 링크" in html and 'aria-current="page">맞춤 유입 채널' in html


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"channel": ""}, "채널을(를) 입력해 주세요."),
        ({"name": "가" * 61}, "이름은(는) 60자까지 쓸 수 있습니다."),
        ({"code": "a b"}, "코드는 영문 소문자·숫자·-·_ 로 2~20자이고, 영문이나 숫자로 시작해야 합니다."),
        ({"code": "dup"}, "이미 쓰고 있는 코드입니다. 다른 코드를 입력해 주세요."),
    ],
)
def test_bad_input_shows_korean_error_and_stores_nothing(client, world, fields, message):
    inflow_channel_create(store=world.store, code="dup", channel="카카오", group="메신저", name="글")
    client.force_login(world.owner)
    r = client.post(_url(world.store), _row(world.store, **({"code": "new"} | fields)))
    assert r.status_code == 400
    html = r.content.decode()
    assert message in html and 'id="channel-error"' in html
    assert list(InflowChannel.objects.values_list("code", flat=True)) == ["dup"]


def test_edit_and_deactivate_and_other_stores_channel(client, world):
    mine = inflow_channel_create(
        store=world.store, code="insta", channel="인스타그램", group="SNS", name="릴스"
    )
    theirs = inflow_channel_create(store=world.other_store, code="theirs", channel="x", group="y", name="z")
    client.force_login(world.owner)
    r = client.post(
        _url(world.store), _row(world.store, action="update", id=mine.pk, code="insta2", name="12월 릴스")
    )
    assert r.status_code == 302
    mine.refresh_from_db()
    assert (mine.code, mine.name) == ("insta2", "12월 릴스")
    assert client.post(_url(world.store), {"action": "deactivate", "id": mine.pk}).status_code == 302
    mine.refresh_from_db()
    assert mine.is_active is False
    assert "다시 켜기" in client.get(_url(world.store)).content.decode()
    # another store's channel id through this store's page: not found, unchanged
    r = client.post(_url(world.store), {"action": "deactivate", "id": theirs.pk})
    assert r.status_code == 400 and "유입 채널을 찾을 수 없습니다." in r.content.decode()
    r = client.post(_url(world.store), _row(world.store, action="update", id=theirs.pk, code="hijack"))
    assert r.status_code == 400
    theirs.refresh_from_db()
    assert (theirs.code, theirs.is_active) == ("theirs", True)
    assert "theirs" not in client.get(_url(world.store)).content.decode()


def test_viewer_cannot_create(client, world):
    client.force_login(world.viewer)
    r = client.post(_url(world.store), _row(world.store))
    assert r.status_code == 302
    assert not InflowChannel.objects.exists()
