from __future__ import annotations

import datetime as dt

import pytest

from kkot.core.timeutil import SEOUL
from kkot.reviews import services as svc
from kkot.reviews.analysis import reviews_analyze
from kkot.reviews.models import Review
from kkot.reviews.selectors import aspect_complaint_trends
from kkot.reviews.tests.factories import delivered_line

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def _at(days_ago: int) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12), tzinfo=SEOUL)


def test_delivery_complaints_tripled_in_the_recent_window():
    first = delivered_line(at=_at(80))
    store, product = first.order.store, first.product
    plan = (
        [(d, "배송이 너무 늦어요 일주일 걸렸어요", 2) for d in (1, 3, 5, 8, 12, 13)]  # 6 recent complaints
        + [(d, "배송이 늦게 왔어요 실망", 2) for d in (20, 40, 60, 69)]  # 4 in the 56-day baseline
        + [(d, "색감이 예뻐요 만족합니다", 5) for d in (2, 30)]
        + [(75, "배송이 느려요", 1)]
    )  # before the baseline window: ignored
    ids = []
    for i, (days, text, stars) in enumerate(plan):
        line = first if i == 0 else delivered_line(product=product, at=_at(80))
        ids.append(
            svc.review_create(
                user=line.order.user, order_line_id=line.pk, stars=stars, text=text, at=_at(days)
            ).pk
        )
    reviews_analyze(review_ids=ids)
    trends = aspect_complaint_trends(store_id=store.pk, today=TODAY)
    by = {t["aspect"]: t for t in trends}
    d = by["배송"]
    assert d["recent_negative"] == 6
    assert d["baseline_negative"] == 1.0  # 4 reviews in 56 days -> 1 per 14 days
    assert d["ratio"] == 6.0
    assert d["product_ids"] == [product.pk]
    newest = list(Review.objects.filter(pk__in=ids[:6]).order_by("-created_at").values_list("pk", flat=True))
    assert d["review_ids"] == newest
    assert d["recent_reviews"] == 7 and d["baseline_reviews"] == 1.25
    assert trends[0]["aspect"] == "배송"
    # another store sees nothing of it
    other = delivered_line()
    assert aspect_complaint_trends(store_id=other.order.store_id, today=TODAY) == []
