"""A bm25s segment over products with its filter/sort columns; building, saving and loading segments."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import bm25s
import numpy as np
from bm25s import scoring as bm25s_scoring

from kkot.search.index.docs import (
    _COLUMNS,
    ATTR_SEP,
    SCHEMA,
    Doc,
    db_fingerprint,
)

log = logging.getLogger("kkot.search")

# ---------------------------------------------------------------- bm25s with borrowed corpus statistics


class _BorrowedStatsBM25(bm25s.BM25):
    """bm25s index whose idf and average length come from a larger corpus (the main index + this delta).

    Only the statistics are replaced; the scoring is bm25s' own (its idf, tf and matrix functions).
    """

    def __init__(self, *, base_df, base_docs: int, base_total_len: int, **kwargs):
        super().__init__(**kwargs)
        self._base_df, self._base_docs, self._base_total_len = base_df, base_docs, base_total_len
        self._vocab_for_build: dict[str, int] = {}

    def build_index_from_ids(
        self, unique_token_ids, corpus_token_ids, show_progress=True, leave_progress=False
    ):
        delta_df = bm25s_scoring._calculate_doc_freqs(
            corpus_tokens=corpus_token_ids, unique_tokens=unique_token_ids, show_progress=False
        )
        combined = dict(delta_df)
        for token, tid in self._vocab_for_build.items():
            combined[tid] = combined.get(tid, 0) + self._base_df(token)
        n_docs = self._base_docs + len(corpus_token_ids)
        avg_len = (self._base_total_len + sum(len(d) for d in corpus_token_ids)) / max(n_docs, 1)
        self.nonoccurrence_array = None
        idf = bm25s_scoring._build_idf_array(
            doc_frequencies=combined,
            n_docs=n_docs,
            compute_idf_fn=bm25s_scoring._select_idf_scorer(self.idf_method),
            dtype=self.dtype,
        )
        scores_flat, doc_idx, vocab_idx = bm25s_scoring._build_scores_and_indices_for_matrix(
            corpus_token_ids=corpus_token_ids,
            idf_array=idf,
            avg_doc_len=avg_len,
            doc_frequencies=delta_df,
            k1=self.k1,
            b=self.b,
            delta=self.delta,
            nonoccurrence_array=None,
            method=self.method,
            dtype=self.dtype,
            int_dtype=self.int_dtype,
            show_progress=False,
        )
        data, indices, indptr = self._np_csc(
            data=scores_flat,
            rows=doc_idx,
            cols=vocab_idx,
            shape=(len(corpus_token_ids), len(unique_token_ids)),
        )
        return {
            "data": data.astype(self.dtype),
            "indices": indices,
            "indptr": indptr,
            "num_docs": len(corpus_token_ids),
        }

    def index_tokens(self, corpus_tokens: list[list[str]]) -> None:
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus_tokens]
        vocab.setdefault("", len(vocab))
        self._vocab_for_build = vocab
        self.index((ids, vocab), show_progress=False)


# ---------------------------------------------------------------- segments


@dataclass
class Segment:
    bm25: bm25s.BM25
    cols: dict[str, np.ndarray]
    attr_rows: np.ndarray  # row of each (product, attribute value) pair, ascending
    attr_ids: np.ndarray  # index into attr_vocab
    attr_vocab: list[str]
    meta: dict
    _attr_by_code: dict[str, dict[str, int]] = field(default_factory=dict)
    _df: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.cols["pid"])

    @property
    def version(self) -> str:
        return self.meta["version"]

    def attr_ids_for(self, code: str, values: list[str]) -> np.ndarray:
        if not self._attr_by_code:
            for i, key in enumerate(self.attr_vocab):
                c, v = key.split(ATTR_SEP, 1)
                self._attr_by_code.setdefault(c, {})[v] = i
        by_value = self._attr_by_code.get(code, {})
        return np.array([by_value[v] for v in values if v in by_value], dtype=np.int64)

    def token_scores(self, token: str) -> np.ndarray | None:
        tid = self.bm25.vocab_dict.get(token)
        if tid is None:
            return None
        return self.bm25.get_scores_from_ids([tid])

    def doc_frequency(self, token: str) -> int:
        """How many documents of this segment contain ``token`` (from the bm25s CSC column sizes)."""
        if self._df is None:
            self._df = np.diff(np.asarray(self.bm25.scores["indptr"]))
        i = self.bm25.vocab_dict.get(token)
        return int(self._df[i]) if i is not None and i < len(self._df) else 0

    def row_of(self, pid: int) -> int | None:
        pids = self.cols["pid"]
        i = int(np.searchsorted(pids, pid))
        return i if i < len(pids) and pids[i] == pid else None


def _columns(docs: list[Doc]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, list[str]]:
    cols = {
        k: np.array([d.cols[k] for d in docs], dtype=t) if docs else np.zeros(0, dtype=t)
        for k, t in _COLUMNS.items()
    }
    vocab: dict[str, int] = {}
    rows, ids = [], []
    for r, d in enumerate(docs):
        for a in d.attrs:
            rows.append(r)
            ids.append(vocab.setdefault(a, len(vocab)))
    return cols, np.array(rows, dtype=np.int64), np.array(ids, dtype=np.int64), list(vocab)


def build_main(docs: list[Doc], *, watermark_us: int) -> Segment:
    bm = bm25s.BM25()
    corpus = [d.tokens for d in docs] or [[""]]
    bm.index(corpus, show_progress=False)
    cols, attr_rows, attr_ids, attr_vocab = _columns(docs)
    prior_scale = float(cols["prior_raw"].max()) if len(docs) else 1.0
    meta = {
        "schema": SCHEMA,
        "version": datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f"),
        "db": db_fingerprint(),
        "n": len(docs),
        "total_len": int(sum(len(t) for t in corpus)),
        "watermark_us": watermark_us,
        "prior_scale": prior_scale or 1.0,
        "built_at": time.time(),
    }
    return Segment(
        bm25=bm, cols=cols, attr_rows=attr_rows, attr_ids=attr_ids, attr_vocab=attr_vocab, meta=meta
    )


def build_delta(docs: list[Doc], main: Segment) -> Segment:
    bm = _BorrowedStatsBM25(
        base_df=main.doc_frequency, base_docs=main.meta["n"], base_total_len=main.meta["total_len"]
    )
    bm.index_tokens([d.tokens for d in docs])
    cols, attr_rows, attr_ids, attr_vocab = _columns(docs)
    meta = {"version": f"{main.version}+delta", "prior_scale": main.meta["prior_scale"], "n": len(docs)}
    return Segment(
        bm25=bm, cols=cols, attr_rows=attr_rows, attr_ids=attr_ids, attr_vocab=attr_vocab, meta=meta
    )


def save_segment(seg: Segment, root: Path) -> Path:
    path = root / seg.version
    tmp = root / f".tmp-{seg.version}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    seg.bm25.save(str(tmp / "bm25"), show_progress=False)
    np.savez(tmp / "columns.npz", attr_rows=seg.attr_rows, attr_ids=seg.attr_ids, **seg.cols)
    (tmp / "meta.json").write_text(json.dumps({**seg.meta, "attr_vocab": seg.attr_vocab}, ensure_ascii=False))
    os.replace(tmp, path)
    pointer = root / "current.json"
    pointer_tmp = root / ".current.json.tmp"
    pointer_tmp.write_text(json.dumps({"version": seg.version}))
    os.replace(pointer_tmp, pointer)
    for old in root.iterdir():  # keep the new one and the previous one (a process may still be loading it)
        if old.is_dir() and old.name not in (seg.version,) and not old.name.startswith(".tmp"):
            versions = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".tmp"))
            if old.name not in versions[-2:]:
                shutil.rmtree(old, ignore_errors=True)
    return path


def current_version(root: Path) -> str | None:
    try:
        return json.loads((root / "current.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def load_segment(root: Path, version: str) -> Segment | None:
    path = root / version
    try:
        meta = json.loads((path / "meta.json").read_text())
        if meta.get("schema") != SCHEMA or meta.get("db") != db_fingerprint():
            return None
        bm = bm25s.BM25.load(str(path / "bm25"), load_corpus=False, mmap=False, show_progress=False)
        with np.load(path / "columns.npz", allow_pickle=False) as z:
            cols = {k: z[k] for k in _COLUMNS}
            attr_rows, attr_ids = z["attr_rows"], z["attr_ids"]
    except (OSError, ValueError, KeyError) as exc:
        log.warning("search index %s unreadable (%s); rebuilding", path, exc)
        return None
    attr_vocab = meta.pop("attr_vocab")
    return Segment(
        bm25=bm, cols=cols, attr_rows=attr_rows, attr_ids=attr_ids, attr_vocab=attr_vocab, meta=meta
    )


# ---------------------------------------------------------------- queries over segments
