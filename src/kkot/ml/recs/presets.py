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
from kkot.ml.recs.linear import SessionLinear
from kkot.ml.recs.mf import ImplicitMF
from kkot.ml.recs.neural import NeuralSession
from kkot.ml.recs.rerank import RerankRecommender
from kkot.ml.recs.simple import TransitionRecommender
from kkot.ml.recs.sknn import SessionKNN

NEURAL_EPOCHS = 5


def stan_tuned(
    lambda_time: float | None = 2e5, k: int = 200, sample: int = 1000, label: str = "stan"
) -> SessionKNN:
    """STAN with the validation-tuned weights (item-position decay 8 and IDF boost 1 helped most)."""
    return SessionKNN.stan(
        k=k, sample=sample, lambda_pos=2.0, lambda_time=lambda_time, lambda_item=8.0, idf=1.0, label=label
    )


def slist_tuned(session_weight: float | None = None, max_items: int = 20_000, neighbors: int = 100) -> SessionLinear:
    """SLIST (session-level + transition linear item model) with the local solver: every item is an input and an
    output, ``neighbors`` inputs per output, the Gram matrix dense over the ``max_items`` most frequent items.
    ``predict_weight`` was chosen on the validation split (P@20 46.3 / 48.7 / 49.5 / 49.3 / 48.9 for 0.5 / 1 / 2 /
    4 / 8 on 3,000 validation prefixes); the other values are the SLIST paper's usual ranges, not tuned here."""
    return SessionLinear(alpha=0.5, reg=10.0, session_weight=session_weight, train_weight=1.0, predict_weight=2.0,
                         min_count=1, max_items=max_items, neighbors=neighbors, keep=500, normalize="l2")


def session_blend(
    lambda_time: float | None = 2e5,
    k: int = 200,
    sample: int = 1000,
    with_mf: bool = False,
    refit: bool = True,
    with_linear: bool = True,
    session_weight: float | None = None,
    max_items: int = 20_000,
) -> BlendRecommender:
    """kkot's default for 함께 본 상품 / 맞춤 추천: STAN + SLIST + item transitions (+ ALS), weights learned."""
    members: list[BaseRecommender] = [
        stan_tuned(lambda_time=lambda_time, k=k, sample=sample),
        TransitionRecommender(window=5, backward=0.5),
    ]
    if with_linear:
        members.append(slist_tuned(session_weight=session_weight, max_items=max_items))
    if with_mf:
        members.append(ImplicitMF(factors=64, iterations=15))
    return BlendRecommender(members, valid_frac=0.1, max_valid=5000, refit=refit)


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def session_rerank(
    lambda_time: float | None = 2e5,
    k: int = 200,
    sample: int = 1000,
    with_mf: bool = False,
    max_items: int = 20_000,
    max_valid: int = 30_000,
    with_neural: bool | None = None,
    neural_epochs: int = NEURAL_EPOCHS,
) -> RerankRecommender:
    """kkot's most accurate session model: the members of :func:`session_blend`, their learned blend as the
    candidate generator (100 per member, best 100 of the union) and gradient-boosted trees re-ranking the
    pool. Tree settings were chosen on the validation split only: 12,000 sampled prefixes of the newest 10% of
    the training sessions, trees fitted on the older half of them and scored on the newer half (P@20 / MRR@20:
    blend 51.98 / 19.11; 100 trees of depth 4: 53.43 / 20.30; depth 6: 53.27 / 19.66; depth 6 with 60 or 200
    trees: 53.40 / 19.71, 53.05 / 19.38; 200 trees of depth 8: 52.68 / 19.16). Fitting the trees on 3,000
    instead of 6,000 prefixes lost 0.7 P@20, hence ``max_valid=30_000`` prefixes for the real fit.

    With torch installed (the ``train`` extra) a :class:`~kkot.ml.recs.neural.NeuralSession` joins the members
    (``with_neural``). Chosen on the validation protocol of ``bench/recs_tune.py`` (24,000 prefixes, trees on the
    older half, scored on the newer 12,000; P@20 / MRR@20): without it 52.84 / 19.71; with it after 3 epochs
    54.48 / 19.92, after 5 epochs 54.89 / 20.27. Also tried there and not adopted: ALS (``with_mf``) 52.92 / 19.68,
    V-SKNN as a fourth member 52.82 / 19.76, LightGBM trees (binary, lambdarank, xendcg) instead of
    scikit-learn's: within 0.3 P@20 of them, never better. The neural member trains ``neural_epochs`` on the older
    sessions and, when the re-ranker refits on all sessions, continues one epoch from those weights
    (``warm_start``) instead of starting over, which keeps its scores close to the ones the trees learned from."""
    blend = session_blend(lambda_time=lambda_time, k=k, sample=sample, with_mf=with_mf, max_items=max_items)
    members = list(blend.members)
    if with_neural is None:
        with_neural = torch_available()
    if with_neural:
        members.append(NeuralSession(epochs=neural_epochs, warm_start=True, refit_epochs=1, progress=True))
    return RerankRecommender(members, n_candidates=100, pool=100, valid_frac=0.1, max_valid=max_valid)
