"""Implicit-feedback matrix factorisation (ALS, Hu, Koren & Volinsky 2008) trained with ``implicit``.

Training uses the ``implicit`` library (MIT licence, imported only in :meth:`ImplicitMF.fit`); serving
is pure numpy: a session or shopper history is *folded in* by solving the ALS user equation
``(Y^T C Y + reg I) u = Y^T C p`` against the saved item factors, so new sessions need no retraining.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, ClassVar

import numpy as np

from kkot.ml.recs.base import BaseRecommender, Interactions, Reason, register, taste_reason

_I = np.zeros(0, dtype=np.int64)
_F = np.zeros(0, dtype=np.float32)


@register
class ImplicitMF(BaseRecommender):
    name: ClassVar[str] = "mf"
    params: ClassVar[tuple[str, ...]] = ("factors", "regularization", "alpha", "iterations", "seed")

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.05,
        alpha: float = 10.0,
        iterations: int = 15,
        seed: int = 0,
        fill_popular: bool = True,
    ) -> None:
        super().__init__(fill_popular=fill_popular)
        self.factors = int(factors)
        self.regularization = float(regularization)
        self.alpha = float(alpha)
        self.iterations = int(iterations)
        self.seed = int(seed)

    def _fit(self, interactions: Interactions) -> None:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        try:
            from implicit.cpu.als import AlternatingLeastSquares
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("ImplicitMF.fit needs the 'implicit' package: pip install implicit") from exc
        from threadpoolctl import threadpool_limits

        x = interactions.to_csr(binary=False)
        x.data = np.log1p(x.data).astype(np.float32)  # damp repeated views
        with threadpool_limits(1, "blas"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # implicit's BLAS-threads advice; limited here
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                random_state=self.seed,
                calculate_training_loss=False,
            )
            model.fit(x, show_progress=False)
        self.item_factors = np.ascontiguousarray(model.item_factors, dtype=np.float32)
        self._prepare()

    def _prepare(self) -> None:
        y = self.item_factors.astype(np.float64)
        self._yty = y.T @ y
        norms = np.linalg.norm(self.item_factors, axis=1, keepdims=True)
        self._unit = self.item_factors / np.maximum(norms, 1e-12)

    def user_vector(self, h: np.ndarray) -> np.ndarray:
        items, counts = np.unique(h, return_counts=True)
        c = self.alpha * np.log1p(counts.astype(np.float64))
        yi = self.item_factors[items].astype(np.float64)
        a = self._yty + (yi.T * c) @ yi + self.regularization * np.eye(self.factors)
        b = ((1.0 + c)[:, None] * yi).sum(axis=0)
        return np.linalg.solve(a, b).astype(np.float32)

    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = self.user_vector(h)
        sc = self.item_factors @ u
        ids = np.flatnonzero(sc > 0)
        return ids.astype(np.int64), sc[ids]

    def _similar(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        sc = self._unit @ self._unit[item]
        ids = np.flatnonzero(sc > 0)
        return ids.astype(np.int64), sc[ids]

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        return taste_reason(self._unit, h, item, self.name)

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"item_factors": self.item_factors}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.item_factors = arrays["item_factors"].astype(np.float32)
        if self.item_factors.shape != (self.n_items, self.factors):
            raise ValueError("item_factors has the wrong shape")
        self._prepare()
