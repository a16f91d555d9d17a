"""``ReviewAnalyzer``: the batch API the platform calls to analyse Korean product reviews.

>>> analyzer = ReviewAnalyzer.load()            # shipped model; load(path) for a store model
>>> [r] = analyzer.analyze(["사이즈는 딱 맞는데 물빠짐이 심해요"], category="fashion")
>>> [(c.text, c.sentiment) for c in r.clauses]   # doctest: +SKIP
[('사이즈는 딱 맞는데', 'positive'), ('물빠짐이 심해요', 'negative')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from kkot.ml.reviews.aspects import AspectExtractor, AspectMention, aspects_for_category
from kkot.ml.reviews.sentiment import SentimentModel
from kkot.ml.text.normalize import clean_text, has_meaningful_text, repair_spacing, split_clauses

__all__ = ["ReviewAnalyzer", "ReviewAnalysis", "ClauseSentiment", "AspectMention"]

MAX_CHARS = 10_000
_MESSAGES = {
    "empty": "리뷰 내용이 비어 있어 중립으로 처리했습니다.",
    "no_text": "분석할 글자가 없어(이모지·자음만 있음) 중립으로 처리했습니다.",
    "truncated": f"리뷰가 너무 길어 앞부분 {MAX_CHARS:,}자만 분석했습니다.",
}


@dataclass(slots=True)
class ClauseSentiment:
    """One clause: ``span`` is ``(start, end)`` in :attr:`ReviewAnalysis.text`."""

    text: str
    span: tuple[int, int]
    sentiment: str
    prob: float


@dataclass(slots=True)
class ReviewAnalysis:
    """Analysis of one review.

    ``text`` is the cleaned text all spans refer to; ``prob`` is P(positive); ``status`` is ``"ok"``,
    ``"empty"``, ``"no_text"`` or ``"truncated"`` with a Korean ``message`` for the non-ok cases.
    """

    text: str
    sentiment: str
    prob: float
    clauses: list[ClauseSentiment] = field(default_factory=list)
    aspects: list[AspectMention] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    status: str = "ok"
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (for storing analysis results)."""
        return asdict(self)

    @property
    def aspect_polarities(self) -> dict[str, str]:
        """Aspect -> overall polarity in this review (mixed mentions give ``"mixed"``)."""
        out: dict[str, str] = {}
        for m in self.aspects:
            prev = out.get(m.aspect)
            out[m.aspect] = m.polarity if prev in (None, m.polarity) else "mixed"
        return out


class ReviewAnalyzer:
    """Sentiment (review and clause level), aspects with polarity and size direction, keywords.

    Thread-safe for reading; load once per process (``ReviewAnalyzer.load()`` caches the default).
    """

    _default: ReviewAnalyzer | None = None

    def __init__(
        self,
        model: SentimentModel,
        spacing: Literal["auto", "always", "never"] = "auto",
        extractor: AspectExtractor | None = None,
    ) -> None:
        self.model = model
        self.spacing = spacing
        self.extractor = extractor or AspectExtractor(neutral_band=model.neutral_band)

    @classmethod
    def load(
        cls, path: str | Path | None = None, spacing: Literal["auto", "always", "never"] = "auto"
    ) -> ReviewAnalyzer:
        """Load the model in directory ``path`` (``None``: the shipped default model, cached)."""
        if path is None and spacing == "auto":
            if cls._default is None:
                cls._default = cls(SentimentModel.load(None), spacing)
            return cls._default
        return cls(SentimentModel.load(path), spacing)

    def analyze(
        self, texts: Sequence[Any], category: str | None = None, batch_size: int = 2048
    ) -> list[ReviewAnalysis]:
        """Analyse a batch of raw review texts (any value: ``None``/NaN/HTML are handled, never raise)."""
        out: list[ReviewAnalysis] = []
        for i in range(0, len(texts), batch_size):
            out.extend(self._analyze_batch(texts[i : i + batch_size], category))
        return out

    def analyze_one(self, text: Any, category: str | None = None) -> ReviewAnalysis:
        """Convenience: :meth:`analyze` for one text."""
        return self.analyze([text], category)[0]

    def _analyze_batch(self, texts: Sequence[Any], category: str | None) -> list[ReviewAnalysis]:
        aspects = aspects_for_category(category)
        results: list[ReviewAnalysis | None] = [None] * len(texts)
        work: list[tuple[int, str, list[tuple[int, int, str]], str]] = []
        for i, raw in enumerate(texts):
            raw_len = len(raw) if isinstance(raw, str) else 0
            text = clean_text(raw, max_chars=MAX_CHARS)
            status = "truncated" if raw_len > MAX_CHARS and len(text) >= MAX_CHARS // 2 else "ok"
            if not text:
                results[i] = ReviewAnalysis("", "neutral", 0.5, status="empty", message=_MESSAGES["empty"])
                continue
            if not has_meaningful_text(text):
                results[i] = ReviewAnalysis(text, "neutral", 0.5, status="no_text", message=_MESSAGES["no_text"])
                continue
            text = repair_spacing(text, self.spacing)
            clauses = [(c.start, c.end, c.text) for c in split_clauses(text)] or [(0, len(text), text)]
            work.append((i, text, clauses, status))
        if not work:
            return [r for r in results if r is not None]
        flat: list[str] = []
        for _, text, clauses, _ in work:
            flat.append(text)
            flat.extend(c[2] for c in clauses)
        probs = self.model.predict_proba(flat)
        k = 0
        label = self.model.label_of
        for i, text, clauses, status in work:
            p_review = float(probs[k])
            cps = probs[k + 1 : k + 1 + len(clauses)]
            k += 1 + len(clauses)
            cres = [ClauseSentiment(t, (s, e), label(float(p)), round(float(p), 4))
                    for (s, e, t), p in zip(clauses, cps, strict=True)]
            mentions: list[AspectMention] = []
            for j, ((s, _e, t), p) in enumerate(zip(clauses, cps, strict=True)):
                nxt = None
                if j + 1 < len(clauses) and _same_sentence(text, _e, clauses[j + 1][0]):
                    cand = clauses[j + 1][2]
                    if not self.extractor.mentions_any(cand, aspects):
                        nxt = cand
                mentions.extend(self.extractor.extract(t, float(p), s, aspects, next_clause=nxt))
            keywords = _keywords_of(text, mentions)
            results[i] = ReviewAnalysis(
                text, label(p_review), round(p_review, 4), cres, mentions, keywords, status,
                _MESSAGES.get(status),
            )
        return [r for r in results if r is not None]

    def sentiment_proba(self, texts: Sequence[Any]) -> np.ndarray:
        """Review-level P(positive) only (fast path, e.g. for benchmarks); empty text gives 0.5."""
        cleaned = [clean_text(t, max_chars=MAX_CHARS) for t in texts]
        p = self.model.predict_proba(cleaned)
        p[[not has_meaningful_text(t) for t in cleaned]] = 0.5
        return p


def _same_sentence(text: str, end: int, next_start: int) -> bool:
    """No sentence punctuation or newline between two clauses."""
    gap = text[end:next_start]
    return not any(ch in gap for ch in ".!?\n~") and text[max(0, end - 1) : end] not in (".", "!", "?")


def _keywords_of(text: str, mentions: list[AspectMention]) -> list[str]:
    """Surface words of the aspect mentions (whole word around each match), in order, unique."""
    seen: list[str] = []
    for m in mentions:
        s, e = m.span
        while s > 0 and not text[s - 1].isspace():
            s -= 1
        while e < len(text) and not text[e].isspace():
            e += 1
        w = text[s:e].strip(".,!?~^ ")
        w = _strip_particle(w)
        if w and w not in seen:
            seen.append(w)
    return seen


_PARTICLES = ("이에요", "에서", "으로", "이랑", "까지", "부터", "은", "는", "이", "가", "을", "를", "도", "만",
              "로", "랑", "과", "와", "에", "의")


def _strip_particle(word: str) -> str:
    for p in _PARTICLES:
        if word.endswith(p) and len(word) > len(p) + 1:
            return word[: -len(p)]
    return word
