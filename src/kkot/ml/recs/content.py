"""Content similarity over Korean item text (title, tags, attributes): TF-IDF of character n-grams.

Character n-grams (``char_wb``, 1-3 by default) work for Korean without a tokenizer: "린넨셔츠" and
"린넨 셔츠" share most of their n-grams. Text is NFKC-normalised and lower-cased. The fitted model keeps
the (sparse, L2-normalised) item vectors, the vocabulary and IDF weights, so a brand-new product can be
matched by its text alone (:meth:`ContentSimilarity.similar_to_text`: cold start).

``fit(interactions)`` needs ``interactions.item_texts``; interactions themselves are only used for the
popularity fill.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from kkot.ml.recs.base import BaseRecommender, Interactions, Reason, csr_from_arrays, csr_to_arrays, register

_I = np.zeros(0, dtype=np.int64)
_F = np.zeros(0, dtype=np.float32)


def normalize_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


@register
class ContentSimilarity(BaseRecommender):
    name: ClassVar[str] = "content"
    params: ClassVar[tuple[str, ...]] = ("ngram_min", "ngram_max", "max_features", "history_decay", "n_last")

    def __init__(
        self,
        ngram_min: int = 1,
        ngram_max: int = 3,
        max_features: int = 200_000,
        history_decay: float = 2.0,
        n_last: int = 5,
        fill_popular: bool = True,
    ) -> None:
        super().__init__(fill_popular=fill_popular)
        self.ngram_min = int(ngram_min)
        self.ngram_max = int(ngram_max)
        self.max_features = int(max_features)
        self.history_decay = float(history_decay)
        self.n_last = int(n_last)

    def _counter(self, vocabulary: dict[str, int] | None = None) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(
            analyzer="char_wb",
            ngram_range=(self.ngram_min, self.ngram_max),
            max_features=None if vocabulary is not None else self.max_features,
            vocabulary=vocabulary,
            preprocessor=normalize_text,
            dtype=np.float32,
        )

    def _fit(self, interactions: Interactions) -> None:
        if interactions.item_texts is None:
            raise ValueError("ContentSimilarity needs interactions.item_texts (one text per item)")
        texts = [normalize_text(t) for t in interactions.item_texts]
        counter = self._counter()
        if any(texts):
            counts = counter.fit_transform(texts).tocsr()
            self.vocabulary = {k: int(v) for k, v in counter.vocabulary_.items()}
        else:
            counts = sp.csr_matrix((len(texts), 0), dtype=np.float32)
            self.vocabulary = {}
        df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
        self.idf = (np.log((1 + counts.shape[0]) / (1 + df)) + 1.0).astype(np.float32)
        self.vectors = self._weigh(counts)
        self._prepare()

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        m = counts.tocsr().astype(np.float32)
        m.data = np.log1p(m.data)  # sublinear tf
        m = m @ sp.diags(self.idf) if m.shape[1] else m
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        m = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ m
        return sp.csr_matrix(m, dtype=np.float32)

    def _prepare(self) -> None:
        self._vt = self.vectors.T.tocsr()

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Vectors of new texts in the fitted space (cold-start products)."""
        if not self.vocabulary:
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)
        counts = self._counter(self.vocabulary).transform([normalize_text(t) for t in texts])
        return self._weigh(counts)

    def _scores_for(self, q: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        if q.nnz == 0:
            return _I, _F
        s = (q @ self._vt).tocsr()
        return s.indices.astype(np.int64), s.data.astype(np.float32)

    def similar_to_text(self, texts: Sequence[str], k: int = 20) -> tuple[np.ndarray, np.ndarray]:
        """Catalog items closest to each text (for a product that has no interactions yet)."""
        from kkot.ml.recs.base import top_k

        self._check_fitted()
        q = self.transform(texts)
        ids = np.full((len(texts), k), -1, dtype=np.int64)
        sc = np.full((len(texts), k), -np.inf, dtype=np.float32)
        for r in range(len(texts)):
            c_ids, c_sc = self._scores_for(q.getrow(r))
            keep = c_sc > 0
            ids[r], sc[r] = top_k(c_ids[keep], c_sc[keep], k)
        return ids, sc

    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = h[-self.n_last :][::-1]
        w = np.exp(-np.arange(h.size) / self.history_decay).astype(np.float32)
        q = sp.csr_matrix(w[None, :]) @ self.vectors[h]
        ids, sc = self._scores_for(sp.csr_matrix(q))
        keep = sc > 1e-6
        return ids[keep], sc[keep]

    def _similar(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        ids, sc = self._scores_for(self.vectors[item])
        keep = sc > 1e-6
        return ids[keep], sc[keep]

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        if h.size == 0:
            return None
        sims = np.asarray((self.vectors[h] @ self.vectors[item].T).todense()).ravel()
        sims[h == item] = 0
        j = int(np.argmax(sims))
        if sims[j] <= 1e-6:
            return None
        return Reason(item=item, model=self.name, kind="similar", anchor=int(h[j]), score=float(sims[j]),
                      age=int(h.size - 1 - j))

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        vocab = np.asarray(json.dumps(self.vocabulary, ensure_ascii=False))
        return {}, {"idf": self.idf, "vocabulary_json": vocab, **csr_to_arrays("vec", self.vectors)}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.vocabulary = {str(k): int(v) for k, v in json.loads(str(arrays["vocabulary_json"])).items()}
        self.idf = arrays["idf"].astype(np.float32)
        self.vectors = csr_from_arrays("vec", arrays)
        if self.vectors.shape != (self.n_items, self.idf.size) or len(self.vocabulary) != self.idf.size:
            raise ValueError("content vectors do not match the vocabulary")
        self._prepare()
