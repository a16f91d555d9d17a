"""The one interface every recommender in :mod:`kkot.ml.recs` implements.

Vocabulary
----------
* **item id**: a dense integer ``0 .. n_items-1``. Mapping product primary keys to dense ids is the
  caller's job (see :class:`ItemIndex`). Ids outside the range, or never seen in training, are *unknown*
  and silently ignored in histories (never an exception: a widget must not fail on a deleted product).
* **history**: the items of one session (or one shopper), oldest first, as an int array.
* **Interactions**: many sessions in CSR form (``indptr``/``items``) with optional per-event timestamps,
  weights and optional per-item text (for content models).

Every model is batch-first: ``recommend(histories, k)`` returns ``(ids[n, k], scores[n, k])``; a row that
has fewer than ``k`` candidates is padded with id ``-1`` and score ``-inf``. Items already in the history
are allowed (pass ``exclude`` to forbid them). Ties are broken by the smaller item id, so results are
deterministic. ``explain(history, item_ids)`` returns machine-readable :class:`Reason` records that the
platform renders in Korean. ``save(dir)`` writes ``meta.json`` + ``arrays.npz`` (never pickle) and
``load(dir)`` raises :class:`ModelFileError` with a clear message for a missing or corrupt model.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np
import scipy.sparse as sp

# the data types live in their own module; ``base`` re-exports them so it stays the one import for models
from kkot.ml.recs.interactions import Interactions, ItemIndex

__all__ = ["BaseRecommender", "Interactions", "ItemIndex", "ModelFileError", "Reason", "Recommender",
           "load_model", "register", "top_k"]

FORMAT = "kkot.recs"
FORMAT_VERSION = 1
META_FILE = "meta.json"
ARRAYS_FILE = "arrays.npz"

_REGISTRY: dict[str, type[BaseRecommender]] = {}


class ModelFileError(Exception):
    """A saved model directory is missing, incomplete, corrupt or of another format/version."""


@dataclass(frozen=True)
class Reason:
    """Why an item is recommended, machine-readable.

    ``kind``: ``co_view`` (sessions that viewed the anchor also viewed it), ``next`` (often viewed right
    after the anchor), ``co_buy`` (bought together: ``share`` = fraction of the anchor's baskets that hold
    the item, ``count`` = baskets with both), ``similar`` (content similarity to the anchor), ``taste``
    (matches the shopper's history overall), ``popular`` (popular lately).
    """

    item: int
    model: str
    kind: str
    anchor: int | None = None
    score: float = 0.0
    count: int | None = None
    share: float | None = None
    lift: float | None = None
    age: int | None = None  # position of the anchor from the end of the history (0 = the last item)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


# ------------------------------------------------------------------------------------ interface


@runtime_checkable
class Recommender(Protocol):
    """The contract every model satisfies (checked by the shared contract test)."""

    name: ClassVar[str]
    n_items: int

    def fit(self, interactions: Interactions) -> Self: ...

    def recommend(
        self,
        histories: Sequence[Sequence[int] | np.ndarray],
        k: int = 20,
        exclude: Sequence[Sequence[int] | np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def similar_items(self, item_ids: Sequence[int] | np.ndarray, k: int = 20) -> tuple[np.ndarray, np.ndarray]: ...

    def explain(self, history: Sequence[int] | np.ndarray, item_ids: Sequence[int]) -> list[Reason | None]: ...

    def save(self, path: str | Path) -> None: ...

    @classmethod
    def load(cls, path: str | Path) -> Self: ...


def register(cls: type[BaseRecommender]) -> type[BaseRecommender]:
    _REGISTRY[cls.name] = cls
    return cls


def top_k(ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best (score desc, id asc) of a candidate list, padded with -1/-inf."""
    out_ids = np.full(k, -1, dtype=np.int64)
    out_sc = np.full(k, -np.inf, dtype=np.float32)
    n = ids.size
    if n == 0 or k <= 0:
        return out_ids, out_sc
    if n > k:
        # a threshold by partition, then an exact, deterministic sort of the survivors
        kth = np.partition(scores, n - k)[n - k]
        keep = scores >= kth
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:k]
    out_ids[: order.size] = ids[order]
    out_sc[: order.size] = scores[order]
    return out_ids, out_sc


def clean_history(history: Sequence[int] | np.ndarray | None, n_items: int) -> np.ndarray:
    """An int64 array without unknown ids (negative, too large, or None)."""
    if history is None:
        return np.zeros(0, dtype=np.int64)
    h = np.asarray(history)
    if h.size == 0:
        return np.zeros(0, dtype=np.int64)
    h = h.astype(np.int64, copy=False).ravel()
    return h[(h >= 0) & (h < n_items)]


def taste_reason(unit: np.ndarray, h: np.ndarray, item: int, model: str) -> Reason | None:
    """``taste`` reason of an embedding model (rows of ``unit`` L2-normalised): the history item most like
    ``item`` is the anchor; ``None`` for an empty history or when nothing in it is alike (cosine <= 0)."""
    if h.size == 0:
        return None
    sims = unit[h] @ unit[item]
    j = int(np.argmax(sims))
    if sims[j] <= 0:
        return None
    return Reason(item=item, model=model, kind="taste", anchor=int(h[j]), score=float(sims[j]),
                  age=int(h.size - 1 - j))


def csr_to_arrays(prefix: str, m: sp.csr_matrix) -> dict[str, np.ndarray]:
    m = m.tocsr()
    return {
        f"{prefix}_indptr": m.indptr.astype(np.int64),
        f"{prefix}_indices": m.indices.astype(np.int32),
        f"{prefix}_data": m.data.astype(np.float32),
        f"{prefix}_shape": np.asarray(m.shape, dtype=np.int64),
    }


def csr_from_arrays(prefix: str, arrays: dict[str, np.ndarray]) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{prefix}_shape"])
    m = sp.csr_matrix(
        (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]), shape=shape
    )
    m.check_format(full_check=False)
    return m


class BaseRecommender:
    """Shared machinery: batching, exclusion, popularity fill, top-k, explain and safe save/load.

    Subclasses implement ``_fit``, ``_candidates(history) -> (ids, scores)`` (positive scores only),
    ``_get_state``/``_set_state`` and optionally ``_similar``/``_explain_one``.
    """

    name: ClassVar[str] = "base"
    #: constructor parameters saved to meta.json (subclasses list theirs)
    params: ClassVar[tuple[str, ...]] = ()

    def __init__(self, fill_popular: bool = True) -> None:
        self.fill_popular = fill_popular
        self.n_items = 0
        self.item_counts = np.zeros(0, dtype=np.float32)
        self._pop_order = np.zeros(0, dtype=np.int64)
        self._fitted = False

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, interactions: Interactions) -> Self:
        if not isinstance(interactions, Interactions):
            raise TypeError("fit() expects an Interactions object")
        self.n_items = int(interactions.n_items)
        self.item_counts = np.bincount(interactions.items, minlength=self.n_items).astype(np.float32)
        self._set_pop_order()
        self._fit(interactions)
        self._fitted = True
        return self

    def _set_pop_order(self) -> None:
        self._pop_order = np.lexsort((np.arange(self.n_items), -self.item_counts)).astype(np.int64)

    def _fit(self, interactions: Interactions) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit() or load() first")

    # -- serving --------------------------------------------------------------------------------
    def _candidates(self, history: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def recommend(
        self,
        histories: Sequence[Sequence[int] | np.ndarray],
        k: int = 20,
        exclude: Sequence[Sequence[int] | np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` items for every history: ``(ids[n, k] int64, scores[n, k] float32)``.

        ``exclude[i]`` (optional) lists items that must not appear in row ``i`` (for instance what the
        shopper just bought, or out-of-stock items). Padding: id -1 and score -inf.
        """
        self._check_fitted()
        if isinstance(histories, np.ndarray) and histories.ndim == 1 and histories.dtype != object:
            raise TypeError("histories must be a list of arrays (one per session), not one flat array")
        k = int(k)
        if k < 0:
            raise ValueError("k must be >= 0")
        n = len(histories)
        if exclude is not None and len(exclude) != n:
            raise ValueError("exclude must have one entry per history")
        ids = np.full((n, k), -1, dtype=np.int64)
        scores = np.full((n, k), -np.inf, dtype=np.float32)
        for row, hist in enumerate(histories):
            h = clean_history(hist, self.n_items)
            ex = None if exclude is None else clean_history(exclude[row], self.n_items)
            ids[row], scores[row] = self._recommend_one(h, k, ex)
        return ids, scores

    def _recommend_one(self, h: np.ndarray, k: int, ex: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        c_ids, c_sc = self._candidates(h) if (h.size or self._serves_empty) else (_EMPTY_I, _EMPTY_F)
        if ex is not None and ex.size and c_ids.size:
            keep = ~np.isin(c_ids, ex)
            c_ids, c_sc = c_ids[keep], c_sc[keep]
        r_ids, r_sc = top_k(c_ids, c_sc.astype(np.float32, copy=False), k)
        if self.fill_popular and k and r_ids[-1] < 0:
            self._fill(r_ids, r_sc, ex)
        return r_ids, r_sc

    #: whether _candidates is meaningful for an empty history (popularity-like models)
    _serves_empty: ClassVar[bool] = False

    def _fill(self, r_ids: np.ndarray, r_sc: np.ndarray, ex: np.ndarray | None) -> None:
        """Fill the padding with popular items (score 0, below every real candidate)."""
        start = int(np.argmax(r_ids < 0))
        need = r_ids.size - start
        taken = set(r_ids[:start].tolist())
        if ex is not None:
            taken.update(ex.tolist())
        pos = start
        for item in self._pop_order[: need + len(taken)]:
            if pos >= r_ids.size:
                break
            if int(item) in taken or self.item_counts[item] <= 0:
                continue
            r_ids[pos] = item
            r_sc[pos] = 0.0
            pos += 1

    def similar_items(self, item_ids: Sequence[int] | np.ndarray, k: int = 20) -> tuple[np.ndarray, np.ndarray]:
        """Items most related to each item (the item itself excluded); unknown ids give padded rows."""
        self._check_fitted()
        item_ids = np.asarray(item_ids, dtype=np.int64).ravel()
        ids = np.full((item_ids.size, k), -1, dtype=np.int64)
        scores = np.full((item_ids.size, k), -np.inf, dtype=np.float32)
        for row, item in enumerate(item_ids):
            if 0 <= item < self.n_items:
                c_ids, c_sc = self._similar(int(item))
                keep = c_ids != item
                ids[row], scores[row] = top_k(c_ids[keep], c_sc[keep].astype(np.float32), k)
        return ids, scores

    def _similar(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        return self._candidates(np.asarray([item], dtype=np.int64))

    def explain(self, history: Sequence[int] | np.ndarray, item_ids: Sequence[int]) -> list[Reason | None]:
        """One :class:`Reason` (or None when the model has no evidence) per recommended item."""
        self._check_fitted()
        h = clean_history(history, self.n_items)
        out: list[Reason | None] = []
        for item in item_ids:
            item = int(item)
            if not 0 <= item < self.n_items:
                out.append(None)
                continue
            r = self._explain_one(h, item)
            if r is None and self.fill_popular and self.item_counts[item] > 0:
                r = Reason(item=item, model=self.name, kind="popular", count=int(self.item_counts[item]))
            out.append(r)
        return out

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        return None

    # -- persistence ----------------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        return {p: getattr(self, p) for p in ("fill_popular", *self.params)}

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        pass

    def save(self, path: str | Path) -> None:
        """Write ``meta.json`` and ``arrays.npz`` into directory ``path`` (created if needed)."""
        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        extra_meta, arrays = self._get_state()
        meta = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "model": self.name,
            "params": self.get_params(),
            "n_items": self.n_items,
            "state": extra_meta,
        }
        arrays = {**arrays, "item_counts": self.item_counts}
        (path / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        with open(path / ARRAYS_FILE, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> Self:
        meta, arrays = read_model_files(path)
        if meta["model"] != cls.name and cls is not BaseRecommender:
            raise ModelFileError(f"{path}: holds a {meta['model']!r} model, not {cls.name!r}")
        target = _REGISTRY.get(meta["model"]) if cls is BaseRecommender else cls
        if target is None:
            raise ModelFileError(f"{path}: unknown model type {meta['model']!r}")
        try:
            obj = target(**meta["params"])
            obj.n_items = int(meta["n_items"])
            obj.item_counts = np.asarray(arrays["item_counts"], dtype=np.float32)
            if obj.item_counts.shape != (obj.n_items,):
                raise ValueError("item_counts has the wrong length")
            obj._set_pop_order()
            obj._path = str(path)  # composite models load their members from sub-directories
            obj._set_state(meta.get("state", {}), arrays)
        except ModelFileError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelFileError(f"{path}: corrupt {meta['model']!r} model ({exc})") from exc
        obj._fitted = True
        return obj  # type: ignore[return-value]


_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float32)


def read_model_files(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read and validate ``meta.json`` + ``arrays.npz``; :class:`ModelFileError` on any problem."""
    path = Path(path)
    meta_path, arr_path = path / META_FILE, path / ARRAYS_FILE
    if not path.is_dir():
        raise ModelFileError(f"model directory not found: {path}")
    if not meta_path.is_file() or not arr_path.is_file():
        raise ModelFileError(f"{path}: incomplete model, expected {META_FILE} and {ARRAYS_FILE}")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path}: {META_FILE} is not valid JSON ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a kkot recs model")
    if meta.get("version") != FORMAT_VERSION:
        raise ModelFileError(f"{path}: unsupported model version {meta.get('version')!r}")
    if not isinstance(meta.get("params"), dict) or "model" not in meta or "n_items" not in meta:
        raise ModelFileError(f"{path}: {META_FILE} lacks model/params/n_items")
    try:
        with np.load(arr_path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(f"{path}: {ARRAYS_FILE} is corrupt ({exc})") from exc
    return meta, arrays


def load_model(path: str | Path) -> BaseRecommender:
    """Load any saved kkot recommender (the type is read from ``meta.json``)."""
    # import every model module so that the registry is complete
    import kkot.ml.recs  # noqa: F401

    return BaseRecommender.load(path)
