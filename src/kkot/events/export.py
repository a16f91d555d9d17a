"""Export of the event log to date-partitioned Parquet (``VAR_DIR/parquet/events/day=YYYY-MM-DD/events.parquet``,
Hive style, one file per Seoul day), for heavy questions answered by DuckDB (see :mod:`kkot.advisor.queries.duck`) and,
at scale, by a cluster engine reading the same files.

A day is written to a temporary file and renamed into place, so readers never see half a file and running the
export again replaces the day. The same privacy as the table: hashed visitor/visit ids, no IP, no user agent.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from django.conf import settings
from django.db.models import Min

from kkot.core.timeutil import day_bounds, seoul, seoul_today
from kkot.events.models import Event

COLUMNS = [
    "id",
    "ts",
    "kind",
    "visitor",
    "session",
    "user_id",
    "store_id",
    "product_id",
    "page_type",
    "section",
    "position",
    "query",
    "channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer_host",
    "device",
    "campaign_id",
    "click_x",
    "click_y",
]
MAX_EXPORT_DAYS = 3 * 366
CHUNK = 50_000


def parquet_root() -> Path:
    return Path(settings.VAR_DIR) / "parquet" / "events"


def _schema():
    import pyarrow as pa

    s, i64, i32 = pa.string(), pa.int64(), pa.int32()
    types = {
        "id": i64,
        "ts": pa.timestamp("us", tz="UTC"),
        "user_id": i64,
        "store_id": i64,
        "product_id": i64,
        "position": i32,
        "campaign_id": i64,
        "click_x": i32,
        "click_y": i32,
    }
    return pa.schema([(c, types.get(c, s)) for c in COLUMNS])


def export_day(*, day: dt.date, root: Path | None = None) -> int:
    """Write one Seoul day's events; returns the row count (an empty day writes an empty file)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = root or parquet_root()
    start, end = day_bounds(day)
    folder = root / f"day={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".events.parquet.{os.getpid()}.tmp"
    schema = _schema()
    n = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        qs = Event.objects.filter(ts__gte=start, ts__lt=end).order_by("ts", "id").values_list(*COLUMNS)
        batch: list[tuple] = []
        for row in qs.iterator(chunk_size=CHUNK):
            batch.append(row)
            if len(batch) >= CHUNK:
                writer.write_table(
                    pa.Table.from_arrays(
                        [
                            pa.array(c, type=t.type)
                            for c, t in zip(zip(*batch, strict=True), schema, strict=True)
                        ],
                        schema=schema,
                    )
                )
                n += len(batch)
                batch = []
        if batch:
            writer.write_table(
                pa.Table.from_arrays(
                    [pa.array(c, type=t.type) for c, t in zip(zip(*batch, strict=True), schema, strict=True)],
                    schema=schema,
                )
            )
            n += len(batch)
        if n == 0:
            writer.write_table(schema.empty_table())
    os.replace(tmp, folder / "events.parquet")
    return n


def exported_days(root: Path | None = None) -> set[dt.date]:
    root = root or parquet_root()
    if not root.exists():
        return set()
    out = set()
    for p in root.glob("day=*/events.parquet"):
        try:
            out.add(dt.date.fromisoformat(p.parent.name[4:]))
        except ValueError:
            continue
    return out


def events_export_parquet(*, days: int | None = None, today: dt.date | None = None, progress=None) -> dict:
    """Export every finished day not exported yet (back to the first event, at most 3 years), and always
    yesterday (late events); ``days=N`` re-exports the last N finished days. Today is never exported (it is not
    finished). Idempotent."""
    t0 = time.perf_counter()
    today = today or seoul_today()
    last = today - dt.timedelta(days=1)
    if days is not None:
        todo = [last - dt.timedelta(days=i) for i in range(days - 1, -1, -1)]
    else:
        first = Event.objects.aggregate(m=Min("ts"))["m"]
        if first is None:
            return {"days": 0, "events": 0, "seconds": 0.0}
        start = max(seoul(first).date(), today - dt.timedelta(days=MAX_EXPORT_DAYS))
        done = exported_days()
        todo = [start + dt.timedelta(days=i) for i in range((last - start).days + 1)]
        todo = [d for d in todo if d not in done or d == last]
    n = 0
    for d in todo:
        n += export_day(day=d)
        if progress is not None:
            progress.update(1)
    return {"days": len(todo), "events": n, "seconds": round(time.perf_counter() - t0, 2)}
