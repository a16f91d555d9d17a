"""Catalog-trained search heads: turn generic image features into vectors where products of the same
category (and colour) are close.

kkot's shipped CNN knows 10 clothing classes only. A platform has its own catalog with categories and
seller-entered colours; :class:`MetricHead` learns a projection from any image features (the CNN embedding,
HOG, colour descriptors) to a compact embedding with a cosine-softmax (normalised-softmax / CosFace-style
margin) loss on those categories, so nearest neighbours share the category. :func:`search_vectors` joins it
with a colour part (for example the probabilities of a
:class:`~kkot.ml.vision.colour.ColourClassifier`) with a tuned weight.

Training uses torch when installed (``kkot[train]``) and falls back to scikit-learn's MLP (softmax, hidden
layer = embedding) otherwise; inference is numpy. Saved as json + npz (no pickle).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["MetricHead", "search_vectors"]


def _l2(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


class MetricHead:
    """features -> standardise -> linear(hidden) -> ReLU -> linear(dim) -> L2 = search embedding.

    ``fit(features, labels)`` trains with a cosine softmax over the labels (scale ``s``, margin ``m``);
    ``transform(features)`` gives (N, dim) L2-normalised vectors; ``predict_proba`` the label probabilities.
    """

    def __init__(
        self,
        *,
        hidden: int = 256,
        dim: int = 64,
        epochs: int = 60,
        s: float = 16.0,
        m: float = 0.2,
        weight_decay: float = 1e-3,
        dropout: float = 0.2,
        seed: int = 0,
        backend: str = "auto",
    ) -> None:
        self.hidden, self.dim, self.epochs = hidden, dim, epochs
        self.s, self.m, self.weight_decay, self.dropout, self.seed = s, m, weight_decay, dropout, seed
        self.backend = backend
        self.classes_: list[str] = []
        self.w_: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ fit
    def fit(self, features: np.ndarray, labels: Sequence[str]) -> MetricHead:
        x = np.asarray(features, np.float32)
        self.classes_ = sorted(set(map(str, labels)))
        y = np.array([self.classes_.index(str(v)) for v in labels])
        mu, sd = x.mean(0), x.std(0) + 1e-6
        xs = (x - mu) / sd
        backend = self.backend
        if backend == "auto":
            try:
                import torch  # noqa: F401

                backend = "torch"
            except ImportError:
                backend = "sklearn"
        w = self._fit_torch(xs, y) if backend == "torch" else self._fit_sklearn(xs, y)
        self.w_ = {"mu": mu, "sd": sd, **{k: v.astype(np.float32) for k, v in w.items()}}
        return self

    def _fit_torch(self, xs: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        import torch
        import torch.nn.functional as F
        from torch import nn

        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        n_cls = len(self.classes_)
        net = nn.Sequential(
            nn.Dropout(self.dropout),
            nn.Linear(xs.shape[1], self.hidden),
            nn.ReLU(),
            nn.Dropout(self.dropout),
            nn.Linear(self.hidden, self.dim),
        )
        proxies = nn.Parameter(torch.randn(n_cls, self.dim) * 0.1)
        opt = torch.optim.AdamW([*net.parameters(), proxies], lr=3e-3, weight_decay=self.weight_decay)
        xt, yt = torch.from_numpy(xs), torch.from_numpy(y)
        bs = 128
        steps = self.epochs * int(np.ceil(len(xs) / bs))
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.1)
        for _ in range(self.epochs):
            net.train()
            perm = torch.from_numpy(rng.permutation(len(xs)))
            for i in range(0, len(perm), bs):
                idx = perm[i : i + bs]
                e = F.normalize(net(xt[idx]), dim=1)
                cos = e @ F.normalize(proxies, dim=1).T
                logits = self.s * (cos - self.m * F.one_hot(yt[idx], n_cls))
                loss = F.cross_entropy(logits, yt[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        net.eval()
        lin1, lin2 = net[1], net[4]
        return {
            "w1": lin1.weight.detach().numpy().T.copy(),
            "b1": lin1.bias.detach().numpy().copy(),
            "w2": lin2.weight.detach().numpy().T.copy(),
            "b2": lin2.bias.detach().numpy().copy(),
            "proxies": F.normalize(proxies, dim=1).detach().numpy().copy(),
        }

    def _fit_sklearn(self, xs: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed budget of epochs is intended
            mlp = MLPClassifier(
                hidden_layer_sizes=(self.hidden,),
                alpha=self.weight_decay,
                max_iter=self.epochs * 3,
                random_state=self.seed,
            ).fit(xs, y)
        w1, w2 = mlp.coefs_
        b1, b2 = mlp.intercepts_
        # the hidden layer (ReLU) is the embedding; the softmax layer gives the probabilities
        w_out = np.zeros((self.hidden, len(self.classes_)), np.float32)
        b_out = np.full(len(self.classes_), -30.0, np.float32)
        if w2.shape[1] == 1:  # two classes: sklearn keeps one logistic output
            w2, b2 = np.hstack([-w2, w2]) / 2, np.hstack([-b2, b2]) / 2
        w_out[:, mlp.classes_], b_out[mlp.classes_] = w2, b2
        self.dim = self.hidden
        return {"w1": w1, "b1": b1, "w_out": w_out, "b_out": b_out}

    # ------------------------------------------------------------------ inference
    def _hidden(self, features: np.ndarray) -> np.ndarray:
        w = self.w_
        x = (np.asarray(features, np.float32) - w["mu"]) / w["sd"]
        return np.maximum(x @ w["w1"] + w["b1"], 0.0)

    def transform(self, features: np.ndarray) -> np.ndarray:
        h = self._hidden(features)
        return _l2(h @ self.w_["w2"] + self.w_["b2"] if "w2" in self.w_ else h)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        if "w2" in self.w_:  # cosine softmax over the class proxies
            z = self.s * (self.transform(features) @ _l2(self.w_["proxies"]).T)
        else:
            z = self._hidden(features) @ self.w_["w_out"] + self.w_["b_out"]
        z = z - z.max(1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(1, keepdims=True)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(d / "metric_head.npz", **self.w_)
        (d / "metric_head.json").write_text(
            json.dumps(
                {
                    "format": "kkot-metric-head-v1",
                    "classes": self.classes_,
                    "s": self.s,
                    "m": self.m,
                    "hidden": self.hidden,
                    "dim": self.dim,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: str | Path) -> MetricHead:
        d = Path(path)
        cfg = json.loads((d / "metric_head.json").read_text(encoding="utf-8"))
        if cfg.get("format") != "kkot-metric-head-v1":
            raise ValueError(f"not a kkot metric head: {d}")
        m = cls(hidden=cfg["hidden"], dim=cfg["dim"], s=cfg["s"], m=cfg["m"])
        m.classes_ = list(cfg["classes"])
        with np.load(d / "metric_head.npz", allow_pickle=False) as z:
            m.w_ = {k: z[k] for k in z.files}
        return m


def search_vectors(parts: Sequence[tuple[np.ndarray, float]]) -> np.ndarray:
    """L2-normalised concatenation of (N, d_i) parts, part i counting ``weight_i`` of the cosine similarity."""
    total = sum(w for _, w in parts if w > 0)
    out = [_l2(a) * np.sqrt(w / total) for a, w in parts if w > 0]
    return _l2(np.concatenate(out, axis=1))
