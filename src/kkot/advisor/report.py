"""The weekly report: an HTML e-mail to the store owner with last week's numbers, two chart images (Pillow PNGs
attached inline by Content-ID) and the top findings of the insights feed.

Idempotent per store and week: the ``WeeklyReport`` row (unique on store + week) is claimed before sending and
released if sending fails, so a retried or doubled task sends one e-mail. Stores that turned the report off in
the advisor settings (``AdvisorSettings.weekly_report``) get nothing.
"""

from __future__ import annotations

import datetime as dt
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.advisor.charts import bar_chart_png
from kkot.advisor.insights import insights_feed
from kkot.advisor.models import AdvisorSettings, WeeklyReport
from kkot.advisor.queries import FunnelQuery, SalesQuery, run_query
from kkot.core.timeutil import seoul_today

TOP_FINDINGS = 5


def last_week_start(today: dt.date | None = None) -> dt.date:
    """Monday of the last complete Monday-Sunday week before ``today`` (Seoul)."""
    today = today or seoul_today()
    return today - dt.timedelta(days=today.weekday() + 7)


def weekly_report_enabled(*, store_id: int) -> bool:
    s = AdvisorSettings.objects.filter(store_id=store_id).first()
    return s is None or s.weekly_report


def advisor_settings_set(*, store, weekly_report: bool) -> AdvisorSettings:
    obj, _created = AdvisorSettings.objects.update_or_create(
        store=store, defaults={"weekly_report": weekly_report}
    )
    return obj


def _owner_email(store) -> str | None:
    m = store.memberships.filter(role="owner").select_related("user").order_by("pk").first()
    return m.user.email if m and m.user.email else None


def weekly_report_build(*, store, week_start: dt.date) -> tuple[str, str, str, dict[str, bytes]]:
    """(subject, text body, html body, {content id: png}) of one store's report for the week."""
    end = week_start + dt.timedelta(days=6)
    sales = run_query(SalesQuery(store.pk, week_start, end, interval="day", compare="previous"))
    funnel = run_query(FunnelQuery(store.pk, week_start, end, keywords=5))
    feed = insights_feed(store_id=store.pk, today=end, limit=TOP_FINDINGS)
    images = {
        "sales": bar_chart_png(
            [float(p.totals.net) for p in sales.points],
            compare=[float(p.totals.net) for p in sales.compare_points],
            labels=[f"{p.period:%m/%d}" for p in sales.points],
        ),
        "funnel": bar_chart_png([s.count for s in funnel.steps], labels=["1", "2", "3", "4"], height=180),
    }
    base = getattr(settings, "KKOT_SITE_URL", "").rstrip("/")
    ctx = {
        "store": store,
        "start": week_start,
        "end": end,
        "sales": sales,
        "funnel": funnel,
        "feed": feed,
        "change": sales.change("net"),
        "advisor_url": f"{base}/seller/{store.slug}/advisor/",
    }
    subject = _("[kkot] {name} 주간 리포트 ({s:%m/%d}~{e:%m/%d})").format(
        name=store.name, s=week_start, e=end
    )
    html = render_to_string("advisor/email/weekly_report.html", ctx)
    text = render_to_string("advisor/email/weekly_report.txt", ctx)
    return subject, text, html, images


def weekly_report_send(*, store, week_start: dt.date) -> WeeklyReport | None:
    """Send the week's report to the store owner once; None when opted out, without an owner e-mail, or already
    sent."""
    if not weekly_report_enabled(store_id=store.pk):
        return None
    to = _owner_email(store)
    if not to:
        return None
    subject, text, html, images = weekly_report_build(store=store, week_start=week_start)
    try:
        with transaction.atomic():
            row = WeeklyReport.objects.create(
                store=store, week_start=week_start, sent_at=timezone.now(), recipient=to, findings=0
            )
    except IntegrityError:
        return None  # already sent (or being sent) for this week
    try:
        msg = EmailMultiAlternatives(subject, text, None, [to])
        msg.attach_alternative(html, "text/html")
        msg.mixed_subtype = "related"
        for cid, png in images.items():
            part = MIMEImage(png, "png")
            part.add_header("Content-ID", f"<{cid}>")
            part.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
            msg.attach(part)
        msg.send()
    except Exception:
        WeeklyReport.objects.filter(pk=row.pk).delete()  # let the next run try again
        raise
    n = html.count('class="finding"')
    WeeklyReport.objects.filter(pk=row.pk).update(findings=n)
    row.findings = n
    return row


def weekly_reports_send_all(*, today: dt.date | None = None) -> dict:
    """Every open store's report for last week (the periodic task)."""
    from kkot.stores.models import Store

    week = last_week_start(today)
    sent = skipped = 0
    for store in Store.objects.filter(status="open").order_by("pk"):
        if weekly_report_send(store=store, week_start=week) is None:
            skipped += 1
        else:
            sent += 1
    return {"week_start": week.isoformat(), "sent": sent, "skipped": skipped}
