"""The process-wide engine: the current main segment plus a delta, kept in sync with the DB."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from django.conf import settings
from django.db.models import Max

from kkot.catalog.models import Product
from kkot.search.index.docs import (
    MARGIN_US,
    Doc,
    _us,
    load_docs,
    search_dir,
)
from kkot.search.index.segment import (
    Segment,
    build_delta,
    build_main,
    current_version,
    load_segment,
    save_segment,
)
from kkot.stores.models import Store

log = logging.getLogger("kkot.search")

# ---------------------------------------------------------------- the process-wide engine


@dataclass
class Snapshot:
    main: Segment
    main_alive: np.ndarray
    delta: Segment | None
    delta_alive: np.ndarray | None
    entries: dict[
        int, tuple[int, Doc | None]
    ]  # products changed since the main build: pid -> (updated_us, doc)
    signature: tuple | None
    closed: frozenset[int]
    deleted: frozenset[int]

    def parts(self) -> list[tuple[Segment, np.ndarray]]:
        out = [(self.main, self.main_alive)]
        if self.delta is not None and self.delta_alive is not None:
            out.append((self.delta, self.delta_alive))
        return out


class Engine:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._snap: Snapshot | None = None
        self._last_check = 0.0
        self._rebuild_requested_for: str | None = None

    # -- configuration
    @staticmethod
    def sync_seconds() -> float:
        return float(getattr(settings, "KKOT_SEARCH_SYNC_SECONDS", 2.0))

    def delta_max(self, main: Segment) -> int:
        configured = getattr(settings, "KKOT_SEARCH_DELTA_MAX", None)
        return int(configured) if configured is not None else max(500, main.n // 20)

    # -- lifecycle
    def reset(self) -> None:
        with self._lock:
            self._snap = None
            self._last_check = 0.0
            self._rebuild_requested_for = None

    def snapshot(self) -> Snapshot:
        if self._snap is None:
            with self._lock:
                if self._snap is None:
                    self._install(self._load_or_build())
                    self._sync()
                    self._last_check = time.monotonic()
                    return self._snap
        if time.monotonic() - self._last_check >= self.sync_seconds() and self._lock.acquire(blocking=False):
            try:
                self._sync()
                self._last_check = time.monotonic()
            finally:
                self._lock.release()
        return self._snap

    def _load_or_build(self) -> Segment:
        root = search_dir()
        version = current_version(root)
        if version:
            seg = load_segment(root, version)
            if seg is not None:
                return seg
        return self.rebuild(install=False)

    def rebuild(self, *, install: bool = True) -> Segment:
        """Full build from the DB, saved to disk (the task ``search_index_rebuild`` calls this)."""
        t0 = time.perf_counter()
        watermark = Product.objects.aggregate(m=Max("updated_at"))["m"]
        docs = load_docs()
        seg = build_main(docs, watermark_us=_us(watermark))
        try:
            save_segment(seg, search_dir())
        except OSError as exc:  # a read-only disk must not stop search
            log.warning("search index not saved: %s", exc)
        log.info("search index built: %d products in %.1fs", seg.n, time.perf_counter() - t0)
        if install:
            with self._lock:
                self._install(seg)
        return seg

    def _install(self, main: Segment) -> None:
        self._snap = Snapshot(
            main=main,
            main_alive=np.ones(main.n, dtype=bool),
            delta=None,
            delta_alive=None,
            entries={},
            signature=None,
            closed=frozenset(),
            deleted=frozenset(),
        )
        self._rebuild_requested_for = None
        self._last_check = 0.0

    # -- incremental updates
    def _sync(self) -> None:
        snap = self._snap
        root = search_dir()
        version = current_version(root)
        if version and version != snap.main.version:
            seg = load_segment(root, version)
            if seg is not None:
                self._install(seg)
                snap = self._snap
        since_us = snap.main.meta["watermark_us"] - MARGIN_US
        since = datetime.fromtimestamp(since_us / 1_000_000, tz=UTC)
        # three index-only queries (one aggregate with a filtered count would scan the table on SQLite)
        signature = (
            Product.objects.count(),
            _us(Product.objects.aggregate(m=Max("updated_at"))["m"]),
            Product.objects.filter(updated_at__gt=since).count(),
        )
        closed = frozenset(Store.objects.exclude(status=Store.Status.OPEN).values_list("pk", flat=True))
        if signature == snap.signature and closed == snap.closed:
            return
        entries, deleted = snap.entries, snap.deleted
        if signature != snap.signature:
            entries = dict(entries)
            main = snap.main
            changed: dict[int, int] = {}
            for pid, updated in Product.objects.filter(updated_at__gt=since).values_list("pk", "updated_at"):
                us = _us(updated)
                row = main.row_of(pid)
                if row is not None and int(main.cols["updated_us"][row]) == us:
                    continue
                if pid in entries and entries[pid][0] == us:
                    continue
                changed[pid] = us
            if snap.signature is None or signature[0] != snap.signature[0]:
                existing = np.fromiter(Product.objects.values_list("pk", flat=True), dtype=np.int64)
                gone = main.cols["pid"][~np.isin(main.cols["pid"], existing)]
                gone_delta = [p for p in entries if p not in set(existing.tolist())]
                deleted = frozenset(int(p) for p in gone) | frozenset(gone_delta)
                for p in gone_delta:
                    entries.pop(p, None)
            if changed:
                docs = {d.pid: d for d in load_docs(list(changed))}
                for pid, us in changed.items():
                    entries[pid] = (us, docs.get(pid))
        self._snap = self._make_snapshot(
            snap.main,
            entries,
            signature,
            closed,
            deleted,
            rebuild_delta=entries is not snap.entries,
            old=snap,
        )
        if len(entries) > self.delta_max(snap.main) and self._rebuild_requested_for != snap.main.version:
            self._rebuild_requested_for = snap.main.version
            self._request_rebuild()

    def _make_snapshot(self, main, entries, signature, closed, deleted, *, rebuild_delta, old) -> Snapshot:
        closed_arr = np.fromiter(closed, dtype=np.int64)
        stale = np.fromiter([*entries, *deleted], dtype=np.int64)
        main_alive = ~np.isin(main.cols["store"], closed_arr) & ~np.isin(main.cols["pid"], stale)
        delta = old.delta
        if rebuild_delta:
            docs = sorted((d for _us2, d in entries.values() if d is not None), key=lambda d: d.pid)
            delta = build_delta(docs, main) if docs else None
        delta_alive = ~np.isin(delta.cols["store"], closed_arr) if delta is not None else None
        return Snapshot(
            main=main,
            main_alive=main_alive,
            delta=delta,
            delta_alive=delta_alive,
            entries=entries,
            signature=signature,
            closed=closed,
            deleted=deleted,
        )

    def _request_rebuild(self) -> None:
        try:
            from kkot.search.tasks import search_index_rebuild

            search_index_rebuild.enqueue()
        except Exception as exc:  # noqa: BLE001 - a missing queue must not break search
            log.warning("could not enqueue search_index_rebuild: %s", exc)


ENGINE = Engine()
