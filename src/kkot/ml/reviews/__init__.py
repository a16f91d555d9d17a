"""Korean review analysis: sentiment (review and clause), aspects with polarity and size direction,
distinctive keywords, good/bad points, extractive summaries, trend alerts and reply suggestions.

Public API (what the platform calls)::

    from kkot.ml.reviews import ReviewAnalyzer
    analyzer = ReviewAnalyzer.load()                 # shipped model; ReviewAnalyzer.load(path) for a store model
    results = analyzer.analyze(texts, category="fashion")   # list[ReviewAnalysis]

    from kkot.ml.reviews import summarize, distinctive_keywords, detect_trends, suggest_reply
    from kkot.ml.reviews import SentimentModel, adapt_from_stars   # (re)training a store/category model

Submodules are imported lazily so ``import kkot.ml.reviews`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kkot.ml.reviews.analyzer import ClauseSentiment, ReviewAnalysis, ReviewAnalyzer
    from kkot.ml.reviews.aspects import AspectMention, AspectPolarityModel, aspects_for_category
    from kkot.ml.reviews.domain import adapt_from_stars
    from kkot.ml.reviews.keywords import (
        detect_trends,
        distinctive_keywords,
        good_bad_points,
        suggest_reply,
        summarize,
    )
    from kkot.ml.reviews.sentiment import SentimentModel

_EXPORTS = {
    "ReviewAnalyzer": "analyzer", "ReviewAnalysis": "analyzer", "ClauseSentiment": "analyzer",
    "AspectMention": "aspects", "AspectPolarityModel": "aspects", "aspects_for_category": "aspects",
    "SentimentModel": "sentiment", "adapt_from_stars": "domain",
    "distinctive_keywords": "keywords", "good_bad_points": "keywords", "summarize": "keywords",
    "detect_trends": "keywords", "suggest_reply": "keywords",
}
__all__ = [
    "AspectMention", "AspectPolarityModel", "ClauseSentiment", "ReviewAnalysis", "ReviewAnalyzer",
    "SentimentModel", "adapt_from_stars", "aspects_for_category", "detect_trends", "distinctive_keywords",
    "good_bad_points", "suggest_reply", "summarize",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"kkot.ml.reviews.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
