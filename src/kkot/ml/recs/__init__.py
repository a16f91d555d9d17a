"""kkot.ml.recs: recommendation models behind one interface (see :mod:`kkot.ml.recs.base`).

>>> from kkot.ml.recs import Interactions, SessionKNN
>>> model = SessionKNN.stan().fit(Interactions.from_sequences([[0, 1, 2], [1, 2, 3]]))
>>> ids, scores = model.recommend([[1]], k=3)
"""

from kkot.ml.recs.base import (
    BaseRecommender,
    Interactions,
    ItemIndex,
    ModelFileError,
    Reason,
    Recommender,
    load_model,
)
from kkot.ml.recs.blend import BlendRecommender
from kkot.ml.recs.content import ContentSimilarity
from kkot.ml.recs.linear import SessionLinear
from kkot.ml.recs.mf import ImplicitMF
from kkot.ml.recs.rerank import RerankRecommender
from kkot.ml.recs.rules import AssociationRules
from kkot.ml.recs.simple import PopularityRecommender, TransitionRecommender
from kkot.ml.recs.sknn import SessionKNN

__all__ = [
    "AssociationRules",
    "BaseRecommender",
    "BlendRecommender",
    "ContentSimilarity",
    "ImplicitMF",
    "Interactions",
    "ItemIndex",
    "ModelFileError",
    "PopularityRecommender",
    "Reason",
    "Recommender",
    "RerankRecommender",
    "SessionKNN",
    "SessionLinear",
    "TransitionRecommender",
    "load_model",
]
