"""The weekly report e-mail: content with chart images, once per store and week, opt-out, the task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from kkot.advisor.charts import bar_chart_png
from kkot.advisor.models import WeeklyReport
from kkot.advisor.report import advisor_settings_set, last_week_start, weekly_report_send
from kkot.advisor.rollups import rollup_range
from kkot.advisor.tasks import advisor_weekly_reports_task
from kkot.advisor.tests.test_advisor import kst, order
from kkot.core.testing import make_store, make_user

MON = dt.date(2026, 3, 9)


@pytest.fixture
def shop(db):
    cache.clear()
    owner = make_user(email="owner@example.com")
    store = make_store(owner=owner)
    buyer = make_user()
    order(store, buyer, 30000, kst(MON, 10, 0))
    order(store, buyer, 12000, kst(MON + dt.timedelta(days=6), 23, 59))  # Sunday 23:59 KST: still this week
    order(store, buyer, 99000, kst(MON + dt.timedelta(days=7), 0, 1))  # next Monday: not in the report
    rollup_range(start=MON - dt.timedelta(days=7), end=MON + dt.timedelta(days=7))
    return store, owner


def test_last_week_start():
    assert last_week_start(dt.date(2026, 3, 16)) == MON  # a Monday
    assert last_week_start(dt.date(2026, 3, 22)) == MON  # the Sunday after
    assert last_week_start(dt.date(2026, 3, 23)) == dt.date(2026, 3, 16)


def test_weekly_report_is_html_with_inline_charts_and_sent_once(shop):
    store, owner = shop
    row = weekly_report_send(store=store, week_start=MON)
    assert row is not None and row.recipient == "owner@example.com"
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["owner@example.com"] and "주간 리포트 (03/09~03/15)" in msg.subject
    html, mime = msg.alternatives[0]
    assert (
        mime == "text/html"
        and "42,000원" in html
        and 'src="cid:sales"' in html
        and 'src="cid:funnel"' in html
    )
    images = [a for a in msg.attachments if not isinstance(a, tuple)]
    assert sorted(a["Content-ID"] for a in images) == ["<funnel>", "<sales>"]
    assert all(a.get_payload(decode=True).startswith(b"\x89PNG") for a in images)
    assert "42,000" in msg.body
    # idempotent: a second run for the same week sends nothing
    assert weekly_report_send(store=store, week_start=MON) is None
    assert len(mail.outbox) == 1 and WeeklyReport.objects.filter(store=store).count() == 1


def test_opt_out_and_the_task(shop, client):
    store, owner = shop
    client.force_login(owner)
    r = client.post(
        reverse("sellercenter:advisor_report_settings", args=[store.slug]), {"weekly_report": "0"}
    )
    assert r.status_code == 302
    assert advisor_weekly_reports_task.call(today="2026-03-16")["sent"] == 0 and mail.outbox == []
    advisor_settings_set(store=store, weekly_report=True)
    other = make_store(owner=make_user())
    result = advisor_weekly_reports_task.call(today="2026-03-18")
    assert result == {"week_start": "2026-03-09", "sent": 2, "skipped": 0}
    assert {m.to[0] for m in mail.outbox} == {"owner@example.com", other.memberships.get().user.email}
    assert advisor_weekly_reports_task.call(today="2026-03-19")["sent"] == 0  # same week again: nothing


def test_failed_send_releases_the_week(shop, monkeypatch):
    store, _owner = shop

    def boom(self, *a, **k):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    with pytest.raises(OSError):
        weekly_report_send(store=store, week_start=MON)
    assert not WeeklyReport.objects.exists()


def test_png_chart():
    png = bar_chart_png([1, 5, 3], compare=[2, 2, 2], labels=["a", "b", "c"])
    assert png.startswith(b"\x89PNG") and len(png) > 500
