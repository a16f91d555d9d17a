"""A small neural session model: attention over the session's items, trained with a sampled softmax.

Every history keeps its last ``max_len`` known items. Each gets an item embedding plus an embedding of its
position counted from the end; an additive attention (in the spirit of STAMP, Liu et al. 2018) weighs them by
themselves, the last item and the session mean, and the session vector is a linear map of the attended sum
joined with the last item's embedding. An item's score is the dot product of the session vector with the
item's (tied) embedding, so the model also gives item-to-item similarity.

Training (torch CPU, the ``train`` extra, imported only in :meth:`NeuralSession.fit`) predicts the next item
of every prefix of every training session. The softmax runs over the batch's targets plus ``negatives``
items drawn by popularity^0.75, with the log sampling probability subtracted (a sampled softmax), so an
epoch costs seconds, not minutes, on a laptop. Serving is numpy only: one attention over at most
``max_len`` vectors and one matrix-vector product over the item table.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import numpy as np

from kkot.ml.recs.base import BaseRecommender, Interactions, Reason, register, taste_reason

_I = np.zeros(0, dtype=np.int64)
_F = np.zeros(0, dtype=np.float32)
_ARRAYS = ("emb", "pos", "w1", "w2", "w3", "b_att", "v_att", "w_out", "b_out")


def _prefix_batches(inter: Interactions, max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """``(inputs[n, max_len], targets[n])``: every prefix, right-aligned, ids shifted by one (0 pads)."""
    lengths = inter.lengths
    n = int(np.maximum(lengths - 1, 0).sum())
    x = np.zeros((n, max_len), dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    r = 0
    items = inter.items + 1
    for s in range(inter.n_sessions):
        seq = items[inter.indptr[s] : inter.indptr[s + 1]]
        for j in range(1, seq.size):
            h = seq[max(0, j - max_len) : j]
            x[r, max_len - h.size :] = h
            y[r] = seq[j] - 1
            r += 1
    return x, y


@register
class NeuralSession(BaseRecommender):
    """Attention session model (see the module docstring); numpy inference, torch only to train."""

    name: ClassVar[str] = "neural"
    params: ClassVar[tuple[str, ...]] = (
        "dim", "max_len", "epochs", "batch_size", "negatives", "lr", "weight_decay", "seed", "top",
        "threads", "warm_start", "refit_epochs",
    )

    def __init__(
        self,
        dim: int = 64,
        max_len: int = 20,
        epochs: int = 5,
        batch_size: int = 512,
        negatives: int = 2048,
        lr: float = 3e-3,
        weight_decay: float = 0.0,
        seed: int = 0,
        top: int = 200,
        threads: int = 0,
        warm_start: bool = False,
        refit_epochs: int = 1,
        progress: bool = False,
        fill_popular: bool = True,
    ) -> None:
        super().__init__(fill_popular=fill_popular)
        self.dim, self.max_len, self.epochs = int(dim), int(max_len), int(epochs)
        self.batch_size, self.negatives, self.lr = int(batch_size), int(negatives), float(lr)
        self.weight_decay, self.seed, self.top = float(weight_decay), int(seed), int(top)
        self.threads = int(threads)  # torch threads while training (0: torch's default)
        # like scikit-learn's warm_start: a second ``fit`` over the same items continues from the current
        # weights for ``refit_epochs`` epochs (the re-ranker's refit on all sessions) instead of starting over
        self.warm_start, self.refit_epochs = bool(warm_start), int(refit_epochs)
        self.progress = progress
        self.arrays: dict[str, np.ndarray] = {}
        self.train_report: dict[str, Any] = {}
        self._unit_cache: np.ndarray | None = None  # L2-normalised item table, derived from ``arrays``

    # -- training ---------------------------------------------------------------------------------
    def _fit(self, interactions: Interactions) -> None:
        try:
            import torch
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("NeuralSession.fit needs torch: pip install 'kkot[train]'") from exc
        threads = torch.get_num_threads()
        if self.threads > 0:
            torch.set_num_threads(self.threads)
        try:
            self._train(torch, interactions)
        finally:
            torch.set_num_threads(threads)

    def _train(self, torch: Any, interactions: Interactions) -> None:
        t0 = time.perf_counter()
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        n, d, L = self.n_items, self.dim, self.max_len
        x_np, y_np = _prefix_batches(interactions, L)
        net = _Net(torch, n, d, L)
        warm = bool(
            self.warm_start and self.train_report.get("prefixes") and self.arrays.get("emb") is not None
            and self.arrays["emb"].shape == (n + 1, d)
        )
        if warm:
            net.load(self.arrays)
        self._unit_cache = None
        if y_np.size == 0:
            self.arrays = net.export()
            self.train_report = {"prefixes": 0}
            return
        epochs = self.refit_epochs if warm else self.epochs
        q = np.maximum(self.item_counts, 1.0) ** 0.75
        q = q / q.sum()
        log_q = torch.from_numpy(np.log(q).astype(np.float32))
        # dense Adam on the item table too: on the validation protocol SparseAdam was faster (55 vs 75 s an
        # epoch) but lost 0.2 P@20 / 0.35 MRR@20 in the re-ranker (6 sparse epochs vs 5 dense)
        opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        steps = max(1, epochs * ((y_np.size + self.batch_size - 1) // self.batch_size))
        if warm:  # a gentle continuation on the new sessions: a third of the rate, decaying to zero
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 0.3 * max(0.0, 1.0 - i / steps))
        else:
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.lr, total_steps=steps, pct_start=0.1)
        x_all, y_all = torch.from_numpy(x_np), torch.from_numpy(y_np)
        n_neg = min(self.negatives, n)
        losses = []
        bar = range(epochs)
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(bar, desc="neural session model" + (" (refit)" if warm else ""), unit="epoch")
        for _ in bar:
            perm = torch.from_numpy(rng.permutation(y_np.size))
            total, batches = 0.0, 0
            for i in range(0, y_np.size, self.batch_size):
                idx = perm[i : i + self.batch_size]
                xb, yb = x_all[idx], y_all[idx]
                neg = torch.from_numpy(rng.choice(n, size=n_neg, p=q))
                cand, inv = torch.unique(torch.cat([yb, neg]), return_inverse=True)
                s = net.session(xb)
                logits = s @ net.emb.weight[cand + 1].T - log_q[cand]
                loss = torch.nn.functional.cross_entropy(logits, inv[: yb.numel()])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                total += loss.item()
                batches += 1
            losses.append(round(total / max(batches, 1), 4))
        self.arrays = net.export()
        self.train_report = {"prefixes": int(y_np.size), "loss_by_epoch": losses, "warm_start": warm,
                             "fit_s": round(time.perf_counter() - t0, 1)}

    # -- serving ----------------------------------------------------------------------------------
    def session_vector(self, h: np.ndarray) -> np.ndarray:
        a = self.arrays
        h = h[-self.max_len :] + 1
        e = a["emb"][h]
        x = e + a["pos"][self.max_len - h.size :]
        last, mean = e[-1], x.mean(axis=0)
        z = x @ a["w1"] + (last @ a["w2"] + mean @ a["w3"] + a["b_att"])
        att = (1.0 / (1.0 + np.exp(-z))) @ a["v_att"]
        pooled = att @ x
        return np.tanh(np.concatenate([pooled, last]) @ a["w_out"] + a["b_out"]).astype(np.float32)

    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``top`` items by score (only items seen in training), scores as ``exp(score - best)``."""
        if not self.train_report.get("prefixes"):
            return _I, _F  # nothing learned: no evidence, the popularity fill answers
        sc = self.arrays["emb"][1:] @ self.session_vector(h)
        sc[self.item_counts <= 0] = -np.inf
        k = min(self.top, int(np.isfinite(sc).sum()))
        if k <= 0:
            return _I, _F
        ids = np.argpartition(-sc, k - 1)[:k]
        s = sc[ids]
        return ids.astype(np.int64), np.exp(s - s.max()).astype(np.float32)

    def _unit(self) -> np.ndarray:
        u = self._unit_cache
        if u is None:
            e = self.arrays["emb"][1:]
            u = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
            self._unit_cache = u
        return u

    def _similar(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        if not self.train_report.get("prefixes") or self.item_counts[item] <= 0:
            return _I, _F
        sc = self._unit() @ self._unit()[item]
        sc[self.item_counts <= 0] = -np.inf
        k = min(self.top, sc.size)
        ids = np.argpartition(-sc, k - 1)[:k]
        keep = (sc[ids] > 0) & (ids != item)
        return ids[keep].astype(np.int64), sc[ids[keep]].astype(np.float32)

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        # "taste": the session vector as a whole ranks it; the anchor is the session item most like it
        return taste_reason(self._unit(), h, item, self.name)

    # -- persistence ------------------------------------------------------------------------------
    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"train_report": self.train_report}, {f"nn_{k}": v for k, v in self.arrays.items()}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        d, L, n = self.dim, self.max_len, self.n_items
        shapes = {"emb": (n + 1, d), "pos": (L, d), "w1": (d, d), "w2": (d, d), "w3": (d, d), "b_att": (d,),
                  "v_att": (d,), "w_out": (2 * d, d), "b_out": (d,)}
        self.arrays = {}
        for k in _ARRAYS:
            a = arrays[f"nn_{k}"].astype(np.float32)
            if a.shape != shapes[k]:
                raise ValueError(f"nn_{k} has shape {a.shape}, expected {shapes[k]}")
            self.arrays[k] = a
        self.train_report = dict(meta.get("train_report") or {})
        self._unit_cache = None


class _Net:
    """The torch twin of :meth:`NeuralSession.session_vector` (built lazily so torch stays optional)."""

    def __init__(self, torch: Any, n_items: int, dim: int, max_len: int) -> None:
        nn = torch.nn
        self.torch = torch
        self.emb = nn.Embedding(n_items + 1, dim, padding_idx=0)
        nn.init.normal_(self.emb.weight, std=dim**-0.5)
        with torch.no_grad():
            self.emb.weight[0].zero_()
        self.pos = nn.Embedding(max_len, dim)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.w1 = nn.Linear(dim, dim, bias=False)
        self.w2 = nn.Linear(dim, dim, bias=False)
        self.w3 = nn.Linear(dim, dim, bias=True)  # its bias is the attention bias
        self.v = nn.Linear(dim, 1, bias=False)
        self.out = nn.Linear(2 * dim, dim)
        self.modules = [self.emb, self.pos, self.w1, self.w2, self.w3, self.v, self.out]

    def parameters(self) -> list[Any]:
        return [p for m in self.modules for p in m.parameters()]

    def session(self, xb: Any) -> Any:
        torch = self.torch
        mask = (xb > 0).float().unsqueeze(-1)
        e = self.emb(xb)
        x = (e + self.pos.weight.unsqueeze(0)) * mask
        last = e[:, -1]
        mean = x.sum(1) / mask.sum(1).clamp(min=1.0)
        z = self.w1(x) + (self.w2(last) + self.w3(mean)).unsqueeze(1)
        att = self.v(torch.sigmoid(z)) * mask
        pooled = (att * x).sum(1)
        return torch.tanh(self.out(torch.cat([pooled, last], dim=1)))

    def load(self, a: dict[str, np.ndarray]) -> None:
        """Set the weights from :meth:`export`'s arrays (warm start)."""
        torch = self.torch
        pairs = [(self.emb.weight, a["emb"]), (self.pos.weight, a["pos"]), (self.w1.weight, a["w1"].T),
                 (self.w2.weight, a["w2"].T), (self.w3.weight, a["w3"].T), (self.w3.bias, a["b_att"]),
                 (self.v.weight, a["v_att"][None, :]), (self.out.weight, a["w_out"].T), (self.out.bias, a["b_out"])]
        with torch.no_grad():
            for p, v in pairs:
                p.copy_(torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)))

    def export(self) -> dict[str, np.ndarray]:
        def t(p: Any) -> np.ndarray:
            return p.detach().numpy().astype(np.float32).copy()

        return {
            "emb": t(self.emb.weight),
            "pos": t(self.pos.weight),
            "w1": t(self.w1.weight).T.copy(),
            "w2": t(self.w2.weight).T.copy(),
            "w3": t(self.w3.weight).T.copy(),
            "b_att": t(self.w3.bias),
            "v_att": t(self.v.weight).ravel(),
            "w_out": t(self.out.weight).T.copy(),
            "b_out": t(self.out.bias),
        }
