"""The trained model set on disk and its in-memory copy, loaded once per process, lazily and thread-safely.

Layout (no pickle anywhere; every file is JSON or ``.npz`` read with ``allow_pickle=False``)::

    VAR_DIR/recs/LATEST                  the current version name (written last, atomically)
    VAR_DIR/recs/<version>/items.json    item id <-> product id, per-item store/category/created, repurchase cycles
    VAR_DIR/recs/<version>/session/      STAN, or its learned blend with SLIST: 함께 본 상품, 맞춤 추천
    VAR_DIR/recs/<version>/coview/       AssociationRules over view sessions: exact co-view counts for reasons
    VAR_DIR/recs/<version>/rules/        AssociationRules over purchases: 함께 구매한 상품 (absent without orders)
    VAR_DIR/recs/<version>/content/      ContentSimilarity over Korean product text: 비슷한 상품, cold start
    VAR_DIR/recs/<version>/neighbors.npz precomputed content neighbours (per leaf category above 20,000 items)
    VAR_DIR/recs/<version>/history.npz   recent views of returning shoppers (user and visitor keys)

A member that is missing or corrupt is logged and left out (its widgets fall back); a corrupt ``items.json``
makes the whole version unusable (the previous in-memory version keeps serving, if any).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from django.conf import settings

from kkot.ml.recs import ModelFileError, load_model

logger = logging.getLogger("kkot.recommendations")

SET_FORMAT = "kkot.recs.set"
SET_FORMAT_VERSION = 1
MEMBERS = ("session", "coview", "rules", "content")
CHECK_SECONDS = 5.0  # how often a process looks for a newer version on disk


def recs_root() -> Path:
    return Path(settings.VAR_DIR) / "recs"


@dataclass
class ModelSet:
    version: str
    path: Path
    product_ids: np.ndarray
    store_of: np.ndarray
    category_of: np.ndarray
    created_ts: np.ndarray
    repurchase_days: dict[int, float]
    trained_at: float
    members: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # per-process serving caches of this version (visibility bitset)
    neighbors: sp.csr_matrix | None = None
    history_rows: dict[str, int] = field(default_factory=dict)
    history_indptr: np.ndarray | None = None
    history_items: np.ndarray | None = None
    history_ts: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.index = {int(p): i for i, p in enumerate(self.product_ids.tolist())}

    @property
    def n_items(self) -> int:
        return int(self.product_ids.size)

    def item(self, product_id: int) -> int:
        return self.index.get(int(product_id), -1)

    def items(self, product_ids) -> np.ndarray:
        get = self.index.get
        return np.fromiter((get(int(p), -1) for p in product_ids), dtype=np.int64)

    def model(self, name: str):
        return self.members.get(name)

    def history(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(item ids oldest first, epoch seconds) of a returning shopper's recent views."""
        row = self.history_rows.get(key)
        if row is None or self.history_indptr is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        a, b = int(self.history_indptr[row]), int(self.history_indptr[row + 1])
        return self.history_items[a:b].astype(np.int64), self.history_ts[a:b]


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(f"{path}: corrupt ({exc})") from exc


def load_set(path: Path) -> ModelSet:
    """Read one version directory; ModelFileError when ``items.json`` is missing or corrupt."""
    meta_path = path / "items.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelFileError(f"{meta_path}: missing") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{meta_path}: not valid JSON ({exc})") from exc
    try:
        if meta.get("format") != SET_FORMAT or meta.get("format_version") != SET_FORMAT_VERSION:
            raise ValueError("not a kkot recs model set")
        pids = np.asarray(meta["product_ids"], dtype=np.int64)
        n = pids.size
        store_of = np.asarray(meta["store_ids"], dtype=np.int64)
        cat_of = np.asarray(meta["category_ids"], dtype=np.int64)
        created = np.asarray(meta["created_ts"], dtype=np.float64)
        if not (store_of.size == cat_of.size == created.size == n) or np.unique(pids).size != n:
            raise ValueError("item arrays do not match")
        ms = ModelSet(
            version=str(meta["version"]), path=path, product_ids=pids, store_of=store_of, category_of=cat_of,
            created_ts=created, trained_at=float(meta.get("trained_at", 0)),
            repurchase_days={int(k): float(v) for k, v in (meta.get("repurchase_days") or {}).items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelFileError(f"{meta_path}: corrupt ({exc})") from exc
    for name in MEMBERS:
        sub = path / name
        if not sub.exists():
            ms.errors[name] = "missing"
            continue
        try:
            model = load_model(sub)
            if model.n_items != n:
                raise ModelFileError(f"{sub}: {model.n_items} items, the set has {n}")
            ms.members[name] = model
        except ModelFileError as exc:
            ms.errors[name] = str(exc)
            logger.warning("recs: model %s of version %s not usable: %s", name, ms.version, exc)
    if (path / "neighbors.npz").exists():
        try:
            arr = _read_npz(path / "neighbors.npz")
            m = sp.csr_matrix((arr["data"], arr["indices"], arr["indptr"]), shape=(n, n))
            m.check_format(full_check=True)
            ms.neighbors = m
        except (ModelFileError, KeyError, ValueError) as exc:
            ms.errors["neighbors"] = str(exc)
            logger.warning("recs: neighbours of version %s not usable: %s", ms.version, exc)
    if (path / "history.npz").exists():
        try:
            arr = _read_npz(path / "history.npz")
            keys = arr["keys"].tolist()
            indptr = arr["indptr"].astype(np.int64)
            items = arr["items"].astype(np.int32)
            if indptr.size != len(keys) + 1 or indptr[-1] != items.size or arr["ts"].size != items.size:
                raise ValueError("history arrays do not match")
            if items.size and (items.min() < 0 or items.max() >= n):
                raise ValueError("history refers to unknown items")
            ms.history_rows = {k: i for i, k in enumerate(keys)}
            ms.history_indptr, ms.history_items, ms.history_ts = indptr, items, arr["ts"].astype(np.float64)
        except (ModelFileError, KeyError, ValueError) as exc:
            ms.errors["history"] = str(exc)
            logger.warning("recs: shopper history of version %s not usable: %s", ms.version, exc)
    return ms


# ---------------------------------------------------------------- the per-process copy


class _State:
    lock = threading.Lock()
    current: ModelSet | None = None
    key: tuple[str, str] | None = None  # (root, version) last attempted
    checked_at: float = -1e18
    root: str = ""


def latest_version(root: Path | None = None) -> str | None:
    """The version named by ``LATEST``, else the newest complete directory, else None."""
    root = root or recs_root()
    try:
        name = (root / "LATEST").read_text(encoding="utf-8").strip()
        if name and "/" not in name and name not in {".", ".."}:
            return name
    except (FileNotFoundError, UnicodeDecodeError, OSError):
        pass
    try:
        names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return None
    return names[-1] if names else None


def current_set() -> ModelSet | None:
    """The latest model set of this process (None when there is none usable). Looks for a newer version on
    disk at most every :data:`CHECK_SECONDS`; loading happens under a lock, outside requests' hot path."""
    root = str(recs_root())
    now = time.monotonic()
    if _State.root == root and now - _State.checked_at < CHECK_SECONDS:
        return _State.current
    with _State.lock:
        if _State.root == root and now - _State.checked_at < CHECK_SECONDS:
            return _State.current
        if _State.root != root:
            _State.current, _State.key, _State.root = None, None, root
        version = latest_version(Path(root))
        key = (root, version or "")
        if version and key != _State.key:
            _State.key = key
            try:
                t0 = time.perf_counter()
                _State.current = load_set(Path(root) / version)
                logger.info("recs: loaded model set %s in %.2fs", version, time.perf_counter() - t0)
            except ModelFileError as exc:
                logger.warning("recs: model set %s not usable (%s); %s", version, exc,
                               "keeping the previous one" if _State.current else "widgets fall back")
        elif not version and _State.current is not None:
            _State.current, _State.key = None, None
        _State.checked_at = time.monotonic()
        return _State.current


def reset() -> None:
    """Forget the in-memory set (tests; after deleting model files)."""
    with _State.lock:
        _State.current, _State.key, _State.checked_at, _State.root = None, None, -1e18, ""


def write_latest(root: Path, version: str) -> None:
    tmp = root / f".LATEST.{os.getpid()}"
    tmp.write_text(version, encoding="utf-8")
    os.replace(tmp, root / "LATEST")
