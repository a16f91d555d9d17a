"""Vector index for visual search: faiss HNSW (inner product on L2-normalised vectors) with exact fallback.

Items are identified by integer ids (product or image ids). ``add`` replaces an id that is already present,
``remove`` deletes ids. faiss HNSW cannot delete, so removed/replaced vectors are masked and the graph is
rebuilt when more than ``rebuild_ratio`` of it is stale. Without faiss (or below ``hnsw_min_items`` items)
an exact numpy search is used. ``save``/``load`` write ``vectors.npy`` + ``ids.npy`` + ``index.json``
(no pickle) and, when the graph has no masked rows, the HNSW graph itself as ``hnsw.faiss`` (faiss's own binary
format), so a process opening a 100,000-item index reads it instead of rebuilding it (minutes on a busy core);
a missing, stale or unreadable graph file is rebuilt from the vectors (deterministic).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["VectorIndex", "faiss_available"]


def faiss_available() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


class VectorIndex:
    def __init__(
        self,
        dim: int,
        *,
        backend: str = "auto",
        m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 64,
        hnsw_min_items: int = 5000,
        rebuild_ratio: float = 0.2,
    ) -> None:
        if backend not in ("auto", "hnsw", "exact"):
            raise ValueError("backend must be auto, hnsw or exact")
        self.dim = int(dim)
        self.backend = backend
        self.m, self.ef_construction, self.ef_search = m, ef_construction, ef_search
        self.hnsw_min_items = hnsw_min_items
        self.rebuild_ratio = rebuild_ratio
        self._vecs = np.zeros((0, self.dim), np.float32)
        self._ids = np.zeros(0, np.int64)
        self._alive = np.zeros(0, bool)
        self._pos: dict[int, int] = {}
        self._hnsw = None  # faiss index over rows [0, _hnsw_rows)
        self._hnsw_rows = 0

    # ------------------------------------------------------------------ updates
    def __len__(self) -> int:
        return len(self._pos)

    def __contains__(self, item_id: int) -> bool:
        return int(item_id) in self._pos

    def add(self, ids: np.ndarray | list[int], vectors: np.ndarray) -> None:
        """Add or replace items. ``vectors`` (N, dim) are L2-normalised here."""
        ids = np.asarray(ids, np.int64).ravel()
        v = np.asarray(vectors, np.float32).reshape(len(ids), self.dim)
        if len(np.unique(ids)) != len(ids):
            raise ValueError("duplicate ids in one add() call")
        v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        self.remove([i for i in ids.tolist() if i in self._pos])
        start = len(self._ids)
        self._vecs = np.concatenate([self._vecs, v])
        self._ids = np.concatenate([self._ids, ids])
        self._alive = np.concatenate([self._alive, np.ones(len(ids), bool)])
        for k, i in enumerate(ids.tolist()):
            self._pos[i] = start + k
        if self._hnsw is not None:
            self._hnsw.add(v)
            self._hnsw_rows = len(self._ids)
        self._maybe_rebuild()

    def remove(self, ids: list[int] | np.ndarray) -> int:
        """Remove items by id; unknown ids are ignored. Returns how many were removed."""
        n = 0
        for i in np.asarray(ids, np.int64).ravel().tolist():
            row = self._pos.pop(int(i), None)
            if row is not None:
                self._alive[row] = False
                n += 1
        self._maybe_rebuild()
        return n

    def _use_hnsw(self) -> bool:
        return self._use_hnsw_for(len(self._pos))

    def _maybe_rebuild(self) -> None:
        stale = len(self._ids) - len(self._pos)
        if stale and stale > self.rebuild_ratio * max(len(self._ids), 1):
            keep = np.flatnonzero(self._alive)
            self._vecs, self._ids = self._vecs[keep], self._ids[keep]
            self._alive = np.ones(len(keep), bool)
            self._pos = {int(i): r for r, i in enumerate(self._ids.tolist())}
            self._hnsw = None
        if self._use_hnsw() and self._hnsw is None:
            self._build_hnsw()
        elif not self._use_hnsw():
            self._hnsw = None

    def _build_hnsw(self) -> None:
        import faiss

        index = faiss.IndexHNSWFlat(self.dim, self.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.ef_construction
        index.hnsw.efSearch = self.ef_search
        if len(self._vecs):
            index.add(self._vecs)
        self._hnsw = index
        self._hnsw_rows = len(self._vecs)

    # ------------------------------------------------------------------ search
    def search(self, queries: np.ndarray, k: int = 10, *, exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (ids, cosine scores) per query, best first; missing slots are id -1, score -inf."""
        q = np.asarray(queries, np.float32).reshape(-1, self.dim)
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        out_ids = np.full((len(q), k), -1, np.int64)
        out_sc = np.full((len(q), k), -np.inf, np.float32)
        if not self._pos:
            return out_ids, out_sc
        stale = len(self._ids) - len(self._pos)
        if self._hnsw is not None and not exact:
            kk = min(k + stale, len(self._ids))
            self._hnsw.hnsw.efSearch = max(self.ef_search, kk)
            sc, rows = self._hnsw.search(q, kk)
            for qi in range(len(q)):
                ok = (rows[qi] >= 0)
                r = rows[qi][ok]
                s = sc[qi][ok]
                alive = self._alive[r]
                r, s = r[alive][:k], s[alive][:k]
                out_ids[qi, : len(r)] = self._ids[r]
                out_sc[qi, : len(r)] = s
            return out_ids, out_sc
        rows = np.flatnonzero(self._alive)
        vecs = self._vecs[rows]
        kk = min(k, len(rows))
        for start in range(0, len(q), 256):
            sims = q[start : start + 256] @ vecs.T
            part = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
            ps = np.take_along_axis(sims, part, 1)
            order = np.argsort(-ps, axis=1, kind="stable")
            top = np.take_along_axis(part, order, 1)
            out_ids[start : start + len(sims), :kk] = self._ids[rows[top]]
            out_sc[start : start + len(sims), :kk] = np.take_along_axis(ps, order, 1)
        return out_ids, out_sc

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        keep = np.flatnonzero(self._alive)
        np.save(path / "vectors.npy", self._vecs[keep])
        np.save(path / "ids.npy", self._ids[keep])
        cfg = {"format": "kkot-vector-index-v1", "dim": self.dim, "backend": self.backend, "m": self.m,
               "ef_construction": self.ef_construction, "ef_search": self.ef_search,
               "hnsw_min_items": self.hnsw_min_items, "rebuild_ratio": self.rebuild_ratio}
        graph = path / "hnsw.faiss"
        graph.unlink(missing_ok=True)
        if self._hnsw is not None and len(keep) == len(self._ids) == self._hnsw_rows:
            import faiss

            faiss.write_index(self._hnsw, str(graph))
            cfg["graph_rows"] = int(len(keep))
        (path / "index.json").write_text(json.dumps(cfg), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> VectorIndex:
        path = Path(path)
        cfg = json.loads((path / "index.json").read_text(encoding="utf-8"))
        if cfg.pop("format", None) != "kkot-vector-index-v1":
            raise ValueError(f"not a kkot vector index: {path}")
        dim = cfg.pop("dim")
        graph_rows = cfg.pop("graph_rows", None)
        idx = cls(dim, **cfg)
        ids = np.load(path / "ids.npy", allow_pickle=False)
        vecs = np.load(path / "vectors.npy", allow_pickle=False)
        if not len(ids):
            return idx
        if graph_rows == len(ids) and idx._use_hnsw_for(len(ids)) and idx._read_graph(path / "hnsw.faiss", vecs):
            idx._ids = ids.astype(np.int64)
            idx._vecs = vecs.astype(np.float32)  # saved normalised
            idx._alive = np.ones(len(ids), bool)
            idx._pos = {int(i): r for r, i in enumerate(idx._ids.tolist())}
            return idx
        idx.add(ids, vecs)
        return idx

    def _use_hnsw_for(self, n: int) -> bool:
        if self.backend == "exact" or not faiss_available():
            return False
        return self.backend == "hnsw" or n >= self.hnsw_min_items

    def _read_graph(self, file: Path, vecs: np.ndarray) -> bool:
        """Adopt a saved graph when it matches the vectors; False (rebuild) when missing or unreadable."""
        import faiss

        try:
            index = faiss.read_index(str(file))
        except (RuntimeError, OSError):
            return False
        if index.ntotal != len(vecs) or index.d != self.dim or not hasattr(index, "hnsw"):
            return False
        index.hnsw.efSearch = self.ef_search
        self._hnsw, self._hnsw_rows = index, len(vecs)
        return True
