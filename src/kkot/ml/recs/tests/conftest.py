from __future__ import annotations

import numpy as np
import pytest

from kkot.ml.recs import Interactions

TEXTS = [
    "린넨 셔츠 화이트 여름",
    "린넨 셔츠 블루 여름",
    "데님 청바지 와이드",
    "데님 청바지 슬림",
    "면 티셔츠 화이트",
    "면 티셔츠 블랙",
    "가죽 스니커즈",
    "캔버스 스니커즈",
    "니트 가디건",
    "울 코트",
    "비타민 C 세럼",
    "수분 크림",
]


def synthetic_sessions(n_sessions: int = 300, seed: int = 0) -> Interactions:
    """Sessions over 12 items with strong structure: 0->1->2, 3->4, 5<->6, 10 with 11 (refills)."""
    rng = np.random.default_rng(seed)
    patterns = [[0, 1, 2], [3, 4], [5, 6], [10, 11], [2, 7], [8, 9]]
    seqs, times = [], []
    for s in range(n_sessions):
        p = list(patterns[s % len(patterns)])
        if rng.random() < 0.3:
            p.append(int(rng.integers(0, 12)))
        seqs.append(p)
        times.append([1_000.0 * s + j for j in range(len(p))])
    return Interactions.from_sequences(seqs, n_items=12, timestamps=times, item_texts=TEXTS)


@pytest.fixture
def sessions() -> Interactions:
    return synthetic_sessions()
