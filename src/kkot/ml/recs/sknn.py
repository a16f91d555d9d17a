"""Session-based k-nearest-neighbours: SKNN, V-SKNN and STAN (one vectorised implementation).

A query session is compared with past sessions that share an item with it; the ``k`` most similar
past sessions vote for their items.

* **SKNN** (Jannach & Ludewig 2017): binary cosine similarity, every item of a neighbour gets its similarity.
* **V-SKNN** (Ludewig & Jannach 2018): the query's items are weighted by recency (linear decay), neighbour
  items get an IDF boost.
* **STAN** (Garg et al. 2019, SIGIR): exponential position weights in the query (``lambda_pos``),
  neighbour-session recency (``lambda_time``) and, inside a neighbour, items close to the most recent
  shared item count more (``lambda_item``).

Each item keeps at most ``sample`` most recent sessions in its posting list, which bounds serving cost
(catalogue size does not matter): a request touches ``len(history) * sample`` sessions at most.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from kkot.ml.recs.base import BaseRecommender, Interactions, Reason, register

_I = np.zeros(0, dtype=np.int64)
_F = np.zeros(0, dtype=np.float32)


def gather_rows(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat element indices of CSR ``rows`` and the start offset of each row in the flat array."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    offsets = np.zeros(rows.size, dtype=np.int64)
    if rows.size > 1:
        np.cumsum(lengths[:-1], out=offsets[1:])
    total = int(lengths.sum())
    flat = np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lengths)
    return flat, offsets


@register
class SessionKNN(BaseRecommender):
    name: ClassVar[str] = "sknn"
    params: ClassVar[tuple[str, ...]] = (
        "k",
        "sample",
        "query_decay",
        "lambda_pos",
        "lambda_time",
        "lambda_item",
        "idf",
        "sim_pow",
        "label",
    )

    def __init__(
        self,
        k: int = 100,
        sample: int = 500,
        query_decay: str = "none",
        lambda_pos: float = 1.0,
        lambda_time: float | None = None,
        lambda_item: float | None = None,
        idf: float = 0.0,
        sim_pow: float = 1.0,
        label: str = "sknn",
        fill_popular: bool = True,
    ) -> None:
        super().__init__(fill_popular=fill_popular)
        if query_decay not in {"none", "linear", "exp"}:
            raise ValueError("query_decay must be 'none', 'linear' or 'exp'")
        self.k = int(k)
        self.sample = int(sample)
        self.query_decay = query_decay
        self.lambda_pos = float(lambda_pos)
        self.lambda_time = None if lambda_time is None else float(lambda_time)
        self.lambda_item = None if lambda_item is None else float(lambda_item)
        self.idf = float(idf)
        self.sim_pow = float(sim_pow)
        self.label = label

    # presets ------------------------------------------------------------------------------------
    @classmethod
    def sknn(cls, k: int = 100, sample: int = 500, **kw: Any) -> SessionKNN:
        return cls(k=k, sample=sample, query_decay="none", label="sknn", **kw)

    @classmethod
    def vsknn(cls, k: int = 100, sample: int = 500, idf: float = 1.0, **kw: Any) -> SessionKNN:
        return cls(k=k, sample=sample, query_decay="linear", idf=idf, label="vsknn", **kw)

    @classmethod
    def stan(
        cls,
        k: int = 200,
        sample: int = 1000,
        lambda_pos: float = 2.0,
        lambda_time: float | None = 2e5,
        lambda_item: float | None = 2.0,
        **kw: Any,
    ) -> SessionKNN:
        return cls(
            k=k,
            sample=sample,
            query_decay="exp",
            lambda_pos=lambda_pos,
            lambda_time=lambda_time,
            lambda_item=lambda_item,
            label=kw.pop("label", "stan"),
            **kw,
        )

    # fitting --------------------------------------------------------------------------------------
    def _fit(self, interactions: Interactions) -> None:
        self.sess_indptr = interactions.indptr.copy()
        self.sess_items = interactions.items.astype(np.int32)
        n_s = interactions.n_sessions
        sidx = interactions.session_index()
        # unique item count per session (for cosine normalisation)
        pairs = np.unique(sidx * max(self.n_items, 1) + interactions.items) if sidx.size else _I
        uniq_sess = pairs // max(self.n_items, 1)
        uniq_item = pairs % max(self.n_items, 1)
        self.sess_len = np.maximum(np.bincount(uniq_sess, minlength=n_s), 1).astype(np.float32)
        times = interactions.session_times()
        self.t_max = float(times.max()) if times.size else 0.0
        self.sess_time = times.astype(np.float64)
        # posting lists: item -> its `sample` most recent sessions
        order = np.lexsort((-uniq_sess, -times[uniq_sess] if uniq_sess.size else _F, uniq_item))
        it, ss = uniq_item[order], uniq_sess[order]
        counts = np.bincount(it, minlength=self.n_items)
        first = np.zeros(self.n_items + 1, dtype=np.int64)
        np.cumsum(counts, out=first[1:])
        rank = np.arange(it.size, dtype=np.int64) - first[it]
        keep = rank < self.sample
        it, ss = it[keep], ss[keep]
        kept = np.bincount(it, minlength=self.n_items)
        self.post_indptr = np.zeros(self.n_items + 1, dtype=np.int64)
        np.cumsum(kept, out=self.post_indptr[1:])
        self.post_sess = ss.astype(np.int32)
        n_sess_with = np.bincount(uniq_item, minlength=self.n_items).astype(np.float64)
        self.item_idf = np.log((n_s + 1) / (n_sess_with + 1)).astype(np.float32)
        self._prepare()

    def _prepare(self) -> None:
        if self.lambda_time is not None and self.sess_time.size:
            self.sess_recency = np.exp(-(self.t_max - self.sess_time) / self.lambda_time).astype(np.float32)
        else:
            self.sess_recency = np.ones(self.sess_time.size, dtype=np.float32)
        self._max_len = int(np.diff(self.sess_indptr).max()) + 1 if self.sess_indptr.size > 1 else 1

    def _query_weights(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unique query items, their weights and their last position (0 = oldest)."""
        n = h.size
        pos = np.arange(n)
        rev_u, rev_first = np.unique(h[::-1], return_index=True)
        last_pos = n - 1 - rev_first  # last occurrence of each unique item
        if self.query_decay == "exp":
            w = np.exp((last_pos - (n - 1)) / self.lambda_pos)
        elif self.query_decay == "linear":
            w = (last_pos + 1) / n
        else:
            w = np.ones(rev_u.size)
        del pos
        return rev_u, w.astype(np.float32), last_pos

    def _neighbours(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        u, w, last_pos = self._query_weights(h)
        flat, _ = gather_rows(self.post_indptr, u)
        if flat.size == 0:
            return _I, _F, u, last_pos
        cand = self.post_sess[flat]
        cw = np.repeat(w, np.diff(self.post_indptr)[u])
        sess, inv = np.unique(cand, return_inverse=True)
        sim = np.bincount(inv, weights=cw).astype(np.float32)
        sim /= np.sqrt(self.sess_len[sess] * np.float32(u.size))
        sim *= self.sess_recency[sess]
        if sess.size > self.k:
            top = np.argpartition(-sim, self.k - 1)[: self.k]
            sess, sim = sess[top], sim[top]
        if self.sim_pow != 1.0:
            sim = sim**self.sim_pow
        return sess.astype(np.int64), sim, u, last_pos

    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sess, sim, u, last_pos = self._neighbours(h)
        if sess.size == 0:
            return _I, _F
        flat, offsets = gather_rows(self.sess_indptr, sess)
        items = self.sess_items[flat].astype(np.int64)
        lengths = self.sess_indptr[sess + 1] - self.sess_indptr[sess]
        wt = np.repeat(sim, lengths)
        if self.lambda_item is not None:
            # position of every element inside its neighbour, and of the neighbour's most recent shared item
            pos_in = np.arange(flat.size, dtype=np.int64) - np.repeat(offsets, lengths)
            qrank = np.full(flat.size, -1, dtype=np.int64)
            j = np.searchsorted(u, items)
            j[j >= u.size] = 0
            hit = u[j] == items
            qrank[hit] = last_pos[j[hit]]
            key = (qrank + 1) * self._max_len + pos_in
            best = np.maximum.reduceat(key, offsets)
            anchor_pos = np.repeat(best % self._max_len, lengths)
            wt = wt * np.exp(-np.abs(pos_in - anchor_pos) / self.lambda_item).astype(np.float32)
        if self.idf:
            wt = wt * (1.0 + self.idf * self.item_idf[items])
        cand, inv = np.unique(items, return_inverse=True)
        scores = np.bincount(inv, weights=wt).astype(np.float32)
        pos = scores > 0
        return cand[pos], scores[pos]

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        """Anchor = the history item that co-occurs with ``item`` in the most neighbour sessions."""
        sess, sim, u, last_pos = self._neighbours(h)
        if sess.size == 0:
            return None
        flat, offsets = gather_rows(self.sess_indptr, sess)
        items = self.sess_items[flat]
        lengths = self.sess_indptr[sess + 1] - self.sess_indptr[sess]
        owner = np.repeat(np.arange(sess.size), lengths)
        with_item = np.unique(owner[items == item])
        if with_item.size == 0:
            return None
        best_anchor, best_count = None, 0
        for j in np.argsort(-last_pos, kind="stable"):  # most recent history item first
            anchor = int(u[j])
            if anchor == item:
                continue
            c = int(np.unique(owner[(items == anchor) & np.isin(owner, with_item)]).size)
            if c > best_count:
                best_anchor, best_count = anchor, c
        age = None if best_anchor is None else int(h.size - 1 - last_pos[np.searchsorted(u, best_anchor)])
        return Reason(
            item=item,
            model=self.label,
            kind="co_view",
            anchor=best_anchor,
            score=float(sim[with_item].sum()),
            count=int(with_item.size),
            share=float(with_item.size / sess.size),
            age=age,
        )

    # persistence --------------------------------------------------------------------------------
    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"t_max": self.t_max}, {
            "sess_indptr": self.sess_indptr,
            "sess_items": self.sess_items,
            "sess_len": self.sess_len,
            "sess_time": self.sess_time,
            "post_indptr": self.post_indptr,
            "post_sess": self.post_sess,
            "item_idf": self.item_idf,
        }

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.t_max = float(meta["t_max"])
        self.sess_indptr = arrays["sess_indptr"].astype(np.int64)
        self.sess_items = arrays["sess_items"].astype(np.int32)
        self.sess_len = arrays["sess_len"].astype(np.float32)
        self.sess_time = arrays["sess_time"].astype(np.float64)
        self.post_indptr = arrays["post_indptr"].astype(np.int64)
        self.post_sess = arrays["post_sess"].astype(np.int32)
        self.item_idf = arrays["item_idf"].astype(np.float32)
        n_s = self.sess_len.size
        if (
            self.post_indptr.size != self.n_items + 1
            or self.sess_indptr.size != n_s + 1
            or self.sess_time.size != n_s
            or self.sess_indptr[-1] != self.sess_items.size
            or self.post_indptr[-1] != self.post_sess.size
        ):
            raise ValueError("inconsistent session arrays")
        if self.post_sess.size and (self.post_sess.min() < 0 or self.post_sess.max() >= n_s):
            raise ValueError("posting list refers to unknown sessions")
        if self.sess_items.size and (self.sess_items.min() < 0 or self.sess_items.max() >= self.n_items):
            raise ValueError("session refers to unknown items")
        self._prepare()
