"""Parquet export of the event log: Seoul-day partitions, idempotent (the DuckDB question on it: advisor tests)."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
import pytest
from django.core.cache import cache

from kkot.core.testing import make_store
from kkot.core.timeutil import SEOUL
from kkot.events.export import events_export_parquet, exported_days, parquet_root
from kkot.events.models import Event
from kkot.events.tasks import events_export_parquet_task

D = dt.date(2026, 3, 10)


def kst(day, h, m):
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=SEOUL)


def ev(store, kind, ts, session, query="", product=None):
    return Event.objects.create(
        ts=ts,
        kind=kind,
        visitor="v" + session,
        session=session,
        store_id=store.pk,
        query=query,
        product_id=product,
        page_type="search" if query else "product",
    )


@pytest.fixture
def log(db):
    cache.clear()
    a, b = make_store(), make_store()
    # s1 searches 린넨 at 23:50 KST on D, views and carts after midnight (D+1): converts
    ev(a, "search", kst(D, 23, 50), "s1", "린넨")
    ev(a, "product_view", kst(D + dt.timedelta(days=1), 0, 5), "s1")
    ev(a, "add_to_cart", kst(D + dt.timedelta(days=1), 0, 6), "s1")
    # s2 carts BEFORE searching 린넨: does not count as carted after the search; views after it
    ev(a, "add_to_cart", kst(D, 10, 0), "s2")
    ev(a, "search", kst(D, 10, 5), "s2", "린넨")
    ev(a, "product_view", kst(D, 10, 6), "s2")
    # s3 searches 니트 twice (one visit), nothing else
    ev(a, "search", kst(D, 11, 0), "s3", "니트")
    ev(a, "search", kst(D, 11, 1), "s3", "니트")
    ev(b, "search", kst(D, 12, 0), "sb", "린넨")  # another store
    return a, b


def test_export_partitions_by_seoul_day_and_is_idempotent(log):
    r = events_export_parquet(today=D + dt.timedelta(days=2))
    assert r["days"] == 2 and r["events"] == 9
    assert exported_days() == {D, D + dt.timedelta(days=1)}
    t = pq.read_table(parquet_root() / f"day={D.isoformat()}" / "events.parquet")
    assert t.num_rows == 7 and "ip" not in t.column_names and "visitor" in t.column_names
    assert pq.read_table(parquet_root() / f"day={D + dt.timedelta(days=1)}" / "events.parquet").num_rows == 2
    again = events_export_parquet(today=D + dt.timedelta(days=2))
    assert again["days"] == 1 and again["events"] == 2  # only yesterday is redone
    assert events_export_parquet_task.call(days=3)["days"] == 3  # the task; D+2 (today) never
