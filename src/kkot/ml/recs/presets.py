"""Ready-made configurations, tuned on a validation split of Diginetica training sessions.

Tuning protocol (never the test prefixes): the newest 10% of ``all_train_seq.txt`` sessions were held
out, every prefix predicting its next item; models were fitted on the older 90% and compared on 8,000
sampled validation prefixes (one-at-a-time changes around the STAN paper's defaults).
``lambda_time`` is in the time unit of the interactions: sessions (their order) when there are no
timestamps, otherwise seconds.
"""

from __future__ import annotations

from kkot.ml.recs.base import BaseRecommender
from kkot.ml.recs.blend import BlendRecommender
from kkot.ml.recs.mf import ImplicitMF
from kkot.ml.recs.simple import TransitionRecommender
from kkot.ml.recs.sknn import SessionKNN


def stan_tuned(
    lambda_time: float | None = 2e5, k: int = 200, sample: int = 1000, label: str = "stan"
) -> SessionKNN:
    """STAN with the validation-tuned weights (item-position decay 8 and IDF boost 1 helped most)."""
    return SessionKNN.stan(
        k=k, sample=sample, lambda_pos=2.0, lambda_time=lambda_time, lambda_item=8.0, idf=1.0, label=label
    )


def session_blend(
    lambda_time: float | None = 2e5,
    k: int = 200,
    sample: int = 1000,
    with_mf: bool = False,
    refit: bool = True,
) -> BlendRecommender:
    """kkot's default for 함께 본 상품 / 맞춤 추천: STAN + item transitions (+ ALS), weights learned."""
    members: list[BaseRecommender] = [
        stan_tuned(lambda_time=lambda_time, k=k, sample=sample),
        TransitionRecommender(window=5, backward=0.5),
    ]
    if with_mf:
        members.append(ImplicitMF(factors=64, iterations=15))
    return BlendRecommender(members, valid_frac=0.1, max_valid=5000, refit=refit)
