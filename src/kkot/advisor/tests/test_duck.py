"""DuckDB over the Parquet export: conversion by search keyword, known by hand."""

from __future__ import annotations

import datetime as dt

from kkot.advisor.queries import LongKeywordQuery, run_query
from kkot.events.export import events_export_parquet
from kkot.events.tests.test_export import D, log  # noqa: F401 - the hand-built event log fixture


def test_duckdb_keyword_conversion_over_the_export(log):  # noqa: F811 - the imported fixture
    a, b = log
    events_export_parquet(today=D + dt.timedelta(days=2))
    res = run_query(LongKeywordQuery(a.pk, D - dt.timedelta(days=300), D + dt.timedelta(days=1)))
    assert res.days_read == 2
    assert [(k.query, k.sessions, k.viewed, k.carted) for k in res.rows] == [
        ("린넨", 2, 2, 1),
        ("니트", 1, 0, 0),
    ]
    assert res.rows[0].cart_rate_pct == "50.0%"
    # the partition filter: D alone misses the after-midnight cart of s1
    only_d = run_query(LongKeywordQuery(a.pk, D, D))
    assert [(k.query, k.viewed, k.carted) for k in only_d.rows][0] == ("린넨", 1, 0)
    assert [(k.query, k.sessions) for k in run_query(LongKeywordQuery(b.pk, D, D)).rows] == [("린넨", 1)]
    assert run_query(LongKeywordQuery(a.pk, D - dt.timedelta(days=30), D - dt.timedelta(days=1))).rows == []
