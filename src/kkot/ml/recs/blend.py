"""A learned blend of several recommenders (the model kkot serves by default).

Each member proposes its ``n_candidates`` best items with scores divided by the row maximum (so every
member speaks on a 0..1 scale); the blend score is ``sum_m w_m * s_m(item)``. The weights are *learned*:
``fit`` carves a validation split off the training sessions (the newest ``valid_frac`` sessions, whose
every prefix predicts the next item, like the benchmark's test prefixes), fits the members on the older
sessions, and runs coordinate ascent over the weights to maximise ``HR@20 + mrr_weight * MRR@20`` on
that split. With ``refit=True`` the members are then refitted on all sessions.

The reason for an item is the reason of the member that contributed most to its score.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from kkot.ml.recs.base import BaseRecommender, Interactions, Reason, load_model, register

_I = np.zeros(0, dtype=np.int64)
_F = np.zeros(0, dtype=np.float32)

GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.65, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0)


def validation_split(
    interactions: Interactions, valid_frac: float, max_prefixes: int, seed: int = 0
) -> tuple[Interactions, list[np.ndarray], np.ndarray]:
    """Older sessions for training; (prefix, next item) pairs from the newest ``valid_frac`` sessions."""
    n = interactions.n_sessions
    order = np.argsort(interactions.session_times(), kind="stable")
    cut = int(round(n * (1.0 - valid_frac)))
    train = interactions.subset(order[:cut])
    seen = np.bincount(train.items, minlength=interactions.n_items) > 0
    prefixes, targets = [], []
    for s in order[cut:]:
        seq = interactions.session(int(s))
        for j in range(1, seq.size):
            if seen[seq[j]]:
                prefixes.append(seq[:j])
                targets.append(seq[j])
    if len(prefixes) > max_prefixes:
        idx = np.sort(np.random.default_rng(seed).choice(len(prefixes), max_prefixes, replace=False))
        prefixes = [prefixes[i] for i in idx]
        targets = [targets[i] for i in idx]
    return train, prefixes, np.asarray(targets, dtype=np.int64)


@register
class BlendRecommender(BaseRecommender):
    name: ClassVar[str] = "blend"
    params: ClassVar[tuple[str, ...]] = (
        "weights", "n_candidates", "valid_frac", "max_valid", "refit", "mrr_weight", "rounds", "seed"
    )

    def __init__(
        self,
        members: list[BaseRecommender] | None = None,
        weights: list[float] | None = None,
        n_candidates: int = 100,
        valid_frac: float = 0.1,
        max_valid: int = 5000,
        refit: bool = True,
        mrr_weight: float = 1.0,
        rounds: int = 3,
        seed: int = 0,
        fill_popular: bool = True,
    ) -> None:
        super().__init__(fill_popular=fill_popular)
        self.members = list(members or [])
        self.weights = None if weights is None else [float(w) for w in weights]
        self.n_candidates = int(n_candidates)
        self.valid_frac = float(valid_frac)
        self.max_valid = int(max_valid)
        self.refit = bool(refit)
        self.mrr_weight = float(mrr_weight)
        self.rounds = int(rounds)
        self.seed = int(seed)
        self.valid_report: dict[str, Any] = {}

    # -- fitting ----------------------------------------------------------------------------------
    def _fit(self, interactions: Interactions) -> None:
        if not self.members:
            raise ValueError("BlendRecommender needs at least one member")
        learn = self.weights is None
        if learn:
            train, prefixes, targets = validation_split(
                interactions, self.valid_frac, self.max_valid, self.seed
            )
            if len(prefixes) >= 10 and train.n_sessions:
                for m in self.members:
                    m.fit(train)
                self.weights = self.learn_weights(prefixes, targets)
            else:
                self.weights = [1.0] * len(self.members)
                self.valid_report = {"note": "too little data for a validation split: equal weights"}
        if (not learn) or self.refit or not all(m._fitted for m in self.members):
            for m in self.members:
                m.fit(interactions)

    def member_candidates(self, h: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for m in self.members:
            ids, sc = m._candidates(h) if (h.size or m._serves_empty) else (_I, _F)
            if ids.size > self.n_candidates:
                top = np.argpartition(-sc, self.n_candidates - 1)[: self.n_candidates]
                ids, sc = ids[top], sc[top]
            if ids.size:
                sc = sc / max(float(sc.max()), 1e-12)
            out.append((ids, sc.astype(np.float32)))
        return out

    def learn_weights(self, prefixes: list[np.ndarray], targets: np.ndarray, k: int = 20) -> list[float]:
        """Coordinate ascent on HR@k + mrr_weight * MRR@k of the validation prefixes."""
        n_m = len(self.members)
        rows, ids, feats = [], [], []
        for r, h in enumerate(prefixes):
            cands = self.member_candidates(h)
            allids = np.concatenate([c[0] for c in cands])
            if allids.size == 0:
                continue
            u, inv = np.unique(allids, return_inverse=True)
            f = np.zeros((u.size, n_m), dtype=np.float32)
            start = 0
            for j, (ci, cs) in enumerate(cands):
                f[inv[start : start + ci.size], j] = cs
                start += ci.size
            rows.append(np.full(u.size, r))
            ids.append(u)
            feats.append(f)
        n = len(prefixes)
        row = np.concatenate(rows)
        item = np.concatenate(ids)
        feat = np.concatenate(feats)
        is_t = item == targets[row]
        t_row = row[is_t]

        def objective(w: np.ndarray) -> tuple[float, float, float]:
            s = feat @ w
            t_score = np.full(n, np.nan)
            t_score[t_row] = s[is_t]
            ok = ~np.isnan(t_score) & (t_score > 0)
            ts = t_score[row]
            better = (s > ts) | ((s == ts) & (item < targets[row]))
            rank = np.bincount(row, weights=better & ok[row], minlength=n)
            hit = ok & (rank < k)
            hr = hit.mean()
            mrr = float(np.where(hit, 1.0 / (rank + 1), 0.0).sum() / n)
            return hr + self.mrr_weight * mrr, hr, mrr

        w = np.ones(n_m)
        best = objective(w)
        for _ in range(self.rounds):
            improved = False
            for j in range(n_m):
                for g in GRID:
                    if g == w[j]:
                        continue
                    trial = w.copy()
                    trial[j] = g
                    if not trial.any():
                        continue
                    val = objective(trial)
                    if val[0] > best[0] + 1e-9:
                        best, w, improved = val, trial, True
            if not improved:
                break
        self.valid_report = {"n_valid": n, "hr": best[1], "mrr": best[2], "weights": w.tolist()}
        return [float(x) for x in w]

    # -- serving ----------------------------------------------------------------------------------
    def _candidates(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cands = self.member_candidates(h)
        allids = np.concatenate([c[0] for c in cands]) if cands else _I
        if allids.size == 0:
            return _I, _F
        w = self.weights or [1.0] * len(cands)
        allsc = np.concatenate([c[1] * np.float32(wj) for c, wj in zip(cands, w, strict=True)])
        u, inv = np.unique(allids, return_inverse=True)
        sc = np.bincount(inv, weights=allsc).astype(np.float32)
        keep = sc > 0
        return u[keep], sc[keep]

    @property
    def _serves_empty(self) -> bool:  # type: ignore[override]
        return any(m._serves_empty for m in self.members)

    def _similar(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        return self._candidates(np.asarray([item], dtype=np.int64))

    def _explain_one(self, h: np.ndarray, item: int) -> Reason | None:
        best, best_c = None, 0.0
        cands = self.member_candidates(h)
        for m, wj, (ci, cs) in zip(self.members, self.weights or [], cands, strict=False):
            hit = np.flatnonzero(ci == item)
            if hit.size and wj * cs[hit[0]] > best_c:
                r = m._explain_one(h, item)
                if r is not None:
                    best, best_c = r, wj * float(cs[hit[0]])
        return best

    # -- persistence ------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        super().save(path)
        for j, m in enumerate(self.members):
            m.save(Path(path) / f"member_{j}")

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"n_members": len(self.members), "valid_report": self.valid_report}, {}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        base = Path(self._path)
        self.members = [load_model(base / f"member_{j}") for j in range(int(meta["n_members"]))]
        self.valid_report = dict(meta.get("valid_report", {}))
        if self.weights is None or len(self.weights) != len(self.members):
            raise ValueError("weights do not match the members")
        for m in self.members:
            if m.n_items != self.n_items:
                raise ValueError("a member has another catalog size")
