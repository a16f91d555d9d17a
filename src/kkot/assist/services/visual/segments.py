"""The visual index on disk and in each process: a big *base* segment plus a small *delta* segment.

Layout under ``VAR_DIR/assist/visual/``::

    current.json          {"version": V, "base": B, "delta": "delta-V" | null}   (replaced atomically)
    vB/                   the base: a VectorIndex (faiss HNSW when large) + colours.json
    vB/head/              the catalog search head its vectors went through (absent: the stored vectors as they
                          are); queries and the delta go through the same head
    vB/delta-V.npz        products changed since the base: ids, vectors, and the ids whose base vector is void
    vB/delta-V.json       their colour names

A product change writes only a new delta (its size is bounded by compaction, see ``sync``), so a catalog of
100,000 products is not re-saved, and no process rebuilds its HNSW graph, for every edit: readers keep the base
they have (cached per ``B``) and load the few-kilobyte delta of the new ``V``. A query searches the base (asking
for extra candidates to cover voided ids) and the delta exactly, and merges the two by cosine score.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

logger = logging.getLogger("kkot.assist")

_EMPTY_I = np.zeros(0, np.int64)


def index_root() -> Path:
    return Path(settings.VAR_DIR) / "assist" / "visual"


def read_pointer(root: Path | None = None) -> dict | None:
    try:
        ptr = json.loads(((root or index_root()) / "current.json").read_text())
        ptr["version"], ptr["base"] = int(ptr["version"]), int(ptr.get("base", ptr["version"]))
        return ptr
    except (OSError, ValueError, KeyError, TypeError):
        return None


def current_version(root: Path | None = None) -> int | None:
    """Grows with every publish (a new base or a new delta)."""
    ptr = read_pointer(root)
    return None if ptr is None else ptr["version"]


@dataclass
class Delta:
    """Products changed since the base: their current vectors, and every changed id (its base row is void)."""

    vectors: dict[int, np.ndarray] = field(default_factory=dict)
    colours: dict[int, list[str]] = field(default_factory=dict)
    void: set[int] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.void)

    @classmethod
    def load(cls, base_dir: Path, name: str | None) -> Delta:
        if not name:
            return cls()
        with np.load(base_dir / f"{name}.npz", allow_pickle=False) as z:
            ids, vecs, void = z["ids"], z["vectors"], z["void"]
        colours = json.loads((base_dir / f"{name}.json").read_text(encoding="utf-8"))
        return cls(
            vectors={int(i): vecs[k] for k, i in enumerate(ids.tolist())},
            colours={int(k): v for k, v in colours.items()},
            void={int(i) for i in void.tolist()},
        )

    def save(self, base_dir: Path, name: str, dim: int) -> None:
        ids = np.array(sorted(self.vectors), np.int64)
        vecs = (
            np.stack([self.vectors[i] for i in ids.tolist()]).astype(np.float32)
            if len(ids)
            else np.zeros((0, dim), np.float32)
        )
        tmp = base_dir / f".{name}.tmp.npz"
        np.savez(tmp, ids=ids, vectors=vecs, void=np.array(sorted(self.void), np.int64))
        tmp_json = base_dir / f".{name}.tmp.json"
        tmp_json.write_text(
            json.dumps({str(k): v for k, v in self.colours.items()}, ensure_ascii=False), encoding="utf-8"
        )
        os.replace(tmp_json, base_dir / f"{name}.json")
        os.replace(tmp, base_dir / f"{name}.npz")


class VisualSegments:
    """What a query sees: the base index minus voided ids, plus the delta's vectors."""

    def __init__(self, base, base_colours: dict[int, list[str]], delta: Delta, head=None) -> None:
        self.base = base
        self.head = head  # CatalogSearchHead or None: a raw photo vector goes through it before searching
        self.dim = int(base.dim)
        self.base_colours = base_colours
        self.delta = delta
        ids = sorted(delta.vectors)
        self._d_ids = np.array(ids, np.int64) if ids else _EMPTY_I
        if ids:
            v = np.stack([delta.vectors[i] for i in ids]).astype(np.float32)
            self._d_vecs = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        else:
            self._d_vecs = np.zeros((0, self.dim), np.float32)
        self._void = np.array(sorted(delta.void), np.int64) if delta.void else _EMPTY_I
        self._voided_in_base = sum(1 for i in delta.void if i in base)

    def __len__(self) -> int:
        return len(self.base) - self._voided_in_base + len(self._d_ids)

    def __contains__(self, item_id: int) -> bool:
        i = int(item_id)
        return i in self.delta.vectors or (i not in self.delta.void and i in self.base)

    def colours(self, item_id: int) -> list[str]:
        i = int(item_id)
        if i in self.delta.void:
            return self.delta.colours.get(i, [])
        return self.base_colours.get(i, [])

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (ids, cosine scores) for one query vector, best first (1-D arrays)."""
        q = np.asarray(query, np.float32).reshape(-1)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        ids: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        if len(self.base):
            kk = min(len(self.base), k + self._voided_in_base)
            b_ids, b_sc = self.base.search(q[None], k=kk)
            keep = (b_ids[0] >= 0) & ~np.isin(b_ids[0], self._void)
            ids.append(b_ids[0][keep])
            scores.append(b_sc[0][keep])
        if len(self._d_ids):
            ids.append(self._d_ids)
            scores.append(self._d_vecs @ q)
        if not ids:
            return _EMPTY_I, np.zeros(0, np.float32)
        all_ids, all_sc = np.concatenate(ids), np.concatenate(scores)
        order = np.argsort(-all_sc, kind="stable")[:k]
        return all_ids[order], all_sc[order]


# ---------------------------------------------------------------- the process's copy
class _Cache:
    lock = threading.Lock()
    root: Path | None = None
    base_key: int | None = None
    base = None
    base_colours: dict[int, list[str]] = {}
    head = None
    version: int | None = None
    segments: VisualSegments | None = None


def load_base(root: Path, base: int):
    from kkot.ml.vision import VectorIndex

    idx = VectorIndex.load(root / f"v{base}")
    colours = json.loads((root / f"v{base}" / "colours.json").read_text(encoding="utf-8"))
    return idx, {int(k): c for k, c in colours.items()}, load_head(root / f"v{base}")


def load_head(base_dir: Path):
    """The catalog search head saved with a base (None when the base holds the stored vectors)."""
    if not (base_dir / "head" / "catalog_search.json").exists():
        return None
    from kkot.ml.vision import CatalogSearchHead

    return CatalogSearchHead.load(base_dir / "head")


def current_index() -> VisualSegments | None:
    """The process's view of the index, refreshed when another process published; None if there is none."""
    root = index_root()
    ptr = read_pointer(root)
    if ptr is None:
        return None
    if _Cache.version == ptr["version"] and _Cache.root == root and _Cache.segments is not None:
        return _Cache.segments
    with _Cache.lock:
        if _Cache.version == ptr["version"] and _Cache.root == root and _Cache.segments is not None:
            return _Cache.segments
        try:
            if _Cache.base_key != ptr["base"] or _Cache.root != root:
                _Cache.base, _Cache.base_colours, _Cache.head = load_base(root, ptr["base"])
                _Cache.base_key, _Cache.root = ptr["base"], root
            delta = Delta.load(root / f"v{ptr['base']}", ptr.get("delta"))
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("assist: visual index %s unreadable: %s", ptr, exc)
            return _Cache.segments
        _Cache.segments = VisualSegments(_Cache.base, _Cache.base_colours, delta, _Cache.head)
        _Cache.version = ptr["version"]
    return _Cache.segments


def reset_cache() -> None:
    _Cache.root = _Cache.base_key = _Cache.base = _Cache.version = _Cache.segments = _Cache.head = None
    _Cache.base_colours = {}


# ---------------------------------------------------------------- writing (callers hold the state row lock)
def write_pointer(root: Path, *, version: int, base: int, delta: str | None) -> None:
    tmp = root / ".current.json.tmp"
    tmp.write_text(json.dumps({"version": version, "base": base, "delta": delta}))
    os.replace(tmp, root / "current.json")


def publish_base(root: Path, idx, colours: dict[int, list[str]], version: int, head=None) -> None:
    """A whole new base ``v<version>`` with no delta (and the search head its vectors went through, if any);
    keeps the previous base for readers still loading it."""
    path = root / f"v{version}"
    tmp = root / f".tmp-v{version}"
    shutil.rmtree(tmp, ignore_errors=True)
    idx.save(tmp)
    if head is not None:
        head.save(tmp / "head")
    (tmp / "colours.json").write_text(
        json.dumps({str(k): v for k, v in colours.items()}, ensure_ascii=False), encoding="utf-8"
    )
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)
    write_pointer(root, version=version, base=version, delta=None)
    bases = sorted(
        int(d.name[1:]) for d in root.iterdir() if d.is_dir() and d.name[:1] == "v" and d.name[1:].isdigit()
    )
    for old in bases[:-2]:  # keep this base and the previous one (a reader may still be loading it)
        shutil.rmtree(root / f"v{old}", ignore_errors=True)


def publish_delta(root: Path, delta: Delta, *, base: int, version: int, dim: int) -> None:
    base_dir = root / f"v{base}"
    name = f"delta-{version}"
    delta.save(base_dir, name, dim)
    write_pointer(root, version=version, base=base, delta=name)
    for old in base_dir.glob("delta-*.npz"):  # keep this delta and the one before it
        n = old.stem.split("-", 1)[1]
        if n.isdigit() and int(n) < version - 1:
            old.unlink(missing_ok=True)
            (base_dir / f"{old.stem}.json").unlink(missing_ok=True)
