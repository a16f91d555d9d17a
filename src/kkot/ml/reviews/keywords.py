"""Pure functions over analysed reviews: distinctive keywords, good/bad points, extractive summary,
trend alerts and reply suggestions. No model loading, no I/O; inputs are :class:`ReviewAnalysis` lists.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from kkot.ml.reviews.analyzer import ReviewAnalysis
from kkot.ml.reviews.aspects import DIRECTION_LABELS
from kkot.ml.reviews.features import HashFeaturizer

__all__ = [
    "Keyword",
    "AspectPoint",
    "ReviewSummary",
    "TrendAlert",
    "TREND_TERMS",
    "distinctive_keywords",
    "good_bad_points",
    "summarize",
    "detect_trends",
    "suggest_reply",
    "MIN_REVIEWS_FOR_SUMMARY",
]

MIN_REVIEWS_FOR_SUMMARY = 20

_TOKEN_RE = re.compile(r"[가-힣A-Za-z0-9]+")
_PARTICLES = ("에서는", "이에요", "에서", "으로", "이랑", "까지", "부터", "처럼", "보다", "은", "는", "이", "가", "을",
              "를", "도", "만", "로", "랑", "과", "와", "에", "의", "요")
_STOP = frozenset({
    "너무", "진짜", "정말", "완전", "그냥", "좀", "조금", "약간", "많이", "잘", "더", "또", "다", "그", "이", "저",
    "제가", "저는", "전", "것", "거", "수", "같아요", "있어요", "있습니다", "입니다", "합니다", "했어요", "하고",
    "해서", "있고", "그리고", "근데", "하지만", "바지", "제품", "상품", "구매", "구매했어요", "샀어요", "했는데",
    "입고", "입어요", "입을", "입으면", "생각보다", "아주", "엄청", "살짝", "정도", "때", "후", "한", "할", "하는",
})


def _tokens(text: str) -> list[str]:
    out = []
    for w in _TOKEN_RE.findall(text.lower()):
        stripped = False
        for p in _PARTICLES:
            if w.endswith(p) and len(w) > len(p):
                w = w[: -len(p)]
                stripped = True
                break
        # one-syllable words are kept only as nouns seen with a particle ("핏은" -> "핏")
        if (len(w) >= 2 or (stripped and "가" <= w <= "힣")) and w not in _STOP and not w.isdigit():
            out.append(w)
    return out


def _grams(text: str, max_n: int = 2) -> set[str]:
    toks = _tokens(text)
    grams = set(toks)
    if max_n >= 2:
        grams.update(f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False))
    return grams


@dataclass
class Keyword:
    """A phrase characterising the target reviews versus the background (e.g. the category)."""

    phrase: str
    z: float
    count: int
    positive_share: float
    negative_share: float
    examples: list[str] = field(default_factory=list)


def distinctive_keywords(
    target: Sequence[ReviewAnalysis],
    background: Sequence[ReviewAnalysis | str],
    top_k: int = 15,
    min_count: int = 3,
    prior_strength: float | None = None,
    examples: int = 2,
) -> list[Keyword]:
    """Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    Counts are document frequencies of word uni/bi-grams (particles stripped); the prior is the
    pooled target+background distribution scaled to ``prior_strength`` (default: 10% of all counts,
    at most 500). Each keyword gets the
    share of positive/negative clauses it occurs in and example sentences from the target.
    """
    t_docs = [_grams(a.text) for a in target]
    b_docs = [_grams(b.text if isinstance(b, ReviewAnalysis) else str(b)) for b in background]
    ct: Counter[str] = Counter(g for d in t_docs for g in d)
    cb: Counter[str] = Counter(g for d in b_docs for g in d)
    nt, nb = sum(ct.values()), sum(cb.values())
    if nt == 0:
        return []
    pooled = ct + cb
    total = sum(pooled.values())
    if prior_strength is None:
        prior_strength = min(500.0, 0.1 * total)
    scored: list[tuple[float, str]] = []
    for g, y_t in ct.items():
        if y_t < min_count:
            continue
        a_w = prior_strength * pooled[g] / total
        y_b = cb.get(g, 0)
        a0 = prior_strength
        d = math.log((y_t + a_w) / (nt + a0 - y_t - a_w)) - math.log((y_b + a_w) / (nb + a0 - y_b - a_w))
        var = 1.0 / (y_t + a_w) + 1.0 / (y_b + a_w)
        scored.append((d / math.sqrt(var), g))
    scored.sort(key=lambda t: (round(t[0], 6), len(t[1])), reverse=True)
    out: list[Keyword] = []
    chosen: list[str] = []
    for z, g in scored:
        if z <= 1.96 or len(out) >= top_k:
            break
        if any(g in c.split(" ") or c in g.split(" ") for c in chosen):
            continue  # skip a bigram whose word is already a keyword (and vice versa)
        chosen.append(g)
        pos = neg = n = 0
        ex: list[str] = []
        parts = g.split(" ")
        for a in target:
            for c in a.clauses:
                ctoks = _tokens(c.text)
                if all(p in ctoks for p in parts):
                    n += 1
                    pos += c.sentiment == "positive"
                    neg += c.sentiment == "negative"
                    if len(ex) < examples and 8 <= len(c.text) <= 120 and c.text not in ex:
                        ex.append(c.text)
        out.append(Keyword(g, round(z, 2), ct[g], round(pos / n, 3) if n else 0.0,
                           round(neg / n, 3) if n else 0.0, ex))
    return out


@dataclass
class AspectPoint:
    """Aspect with its positive/negative mention counts and representative sentences."""

    aspect: str
    positive: int
    negative: int
    neutral: int
    directions: dict[str, int]
    positive_examples: list[str]
    negative_examples: list[str]

    @property
    def total(self) -> int:
        return self.positive + self.negative + self.neutral


@dataclass
class ReviewSummary:
    """Good and bad points of a product or store, plus a one-paragraph extractive summary."""

    n_reviews: int
    positive_share: float
    good_points: list[AspectPoint]
    bad_points: list[AspectPoint]
    aspects: list[AspectPoint]
    paragraph: str | None
    message: str | None = None


def _clause_of(a: ReviewAnalysis, span: tuple[int, int]) -> str:
    for c in a.clauses:
        if c.span[0] <= span[0] < c.span[1]:
            return c.text
    return a.text[max(0, span[0] - 30) : span[1] + 30]


def _representative(sentences: list[str], k: int, featurizer: HashFeaturizer,
                    used: set[str] | None = None) -> list[str]:
    """The ``k`` sentences closest to the centroid of ``sentences`` (diverse: near-duplicates and
    sentences in ``used`` skipped; chosen ones are added to ``used``)."""
    used = used if used is not None else set()
    uniq = list(dict.fromkeys(s.strip() for s in sentences if 6 <= len(s.strip()) <= 100))
    uniq = [s for s in uniq if s not in used] or uniq
    if len(uniq) <= k:
        used.update(uniq)
        return uniq
    if len(uniq) > 3000:  # centroid of a deterministic sample is enough
        uniq = uniq[:: len(uniq) // 3000 + 1]
    X = featurizer.transform(uniq)
    centroid = np.asarray(X.mean(axis=0)).ravel()
    sims = X @ centroid
    out: list[int] = []
    for i in np.argsort(-sims):
        if all(float((X[i] @ X[j].T).toarray()[0, 0]) < 0.6 for j in out):
            out.append(int(i))
        if len(out) >= k:
            break
    chosen = [uniq[i] for i in out]
    used.update(chosen)
    return chosen


def good_bad_points(
    analyses: Sequence[ReviewAnalysis], top_k: int = 3, examples: int = 2,
) -> tuple[list[AspectPoint], list[AspectPoint], list[AspectPoint]]:
    """Per-aspect counts; good points rank aspects by positive mentions (where they outnumber negative
    ones), bad points by negative mentions (at least 10% of the aspect's mentions or 3 in all)."""
    feat = HashFeaturizer(n_bits=16, char_max=3)
    by: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    dirs: dict[str, Counter[str]] = defaultdict(Counter)
    for a in analyses:
        for m in a.aspects:
            by[m.aspect][m.polarity].append(_clause_of(a, m.span))
            if m.direction:
                dirs[m.aspect][m.direction] += 1
    points = []
    used: set[str] = set()
    for asp, d in sorted(by.items(), key=lambda t: -sum(len(v) for v in t[1].values())):
        points.append(AspectPoint(
            asp, len(d["positive"]), len(d["negative"]), len(d["neutral"]), dict(dirs[asp]),
            _representative(d["positive"], examples, feat, used),
            _representative(d["negative"], examples, feat, used)))
    points.sort(key=lambda p: -p.total)
    good = sorted([p for p in points if p.positive > p.negative], key=lambda p: -p.positive)[:top_k]
    bad = sorted([p for p in points if p.negative >= 3 or (p.total and p.negative / p.total >= 0.1 and
                                                            p.negative >= 1)],
                 key=lambda p: -p.negative)[:top_k]
    return good, bad, points


def summarize(analyses: Sequence[ReviewAnalysis], min_reviews: int = MIN_REVIEWS_FOR_SUMMARY) -> ReviewSummary:
    """Good/bad points and an extractive one-paragraph summary (only with ``min_reviews`` or more)."""
    ok = [a for a in analyses if a.status in ("ok", "truncated")]
    n = len(ok)
    pos_share = float(np.mean([a.sentiment == "positive" for a in ok])) if ok else 0.0
    good, bad, allp = good_bad_points(ok)
    if n < min_reviews:
        return ReviewSummary(n, round(pos_share, 3), good, bad, allp, None,
                             f"요약은 리뷰가 {min_reviews}개 이상일 때 제공됩니다 (현재 {n}개).")
    parts = [f"리뷰 {n:,}개 중 {pos_share * 100:.0f}%가 긍정적입니다."]
    for p in good[:2]:
        if p.positive_examples:
            parts.append(f"{p.aspect}: \u201c{p.positive_examples[0]}\u201d")
    for p in bad[:2]:
        if p.negative_examples:
            extra = ""
            if p.directions:
                d, c = max(p.directions.items(), key=lambda t: t[1])
                if d != DIRECTION_LABELS["fit"]:
                    extra = f" ({d} {c}건)"
            parts.append(f"아쉬운 점 {p.aspect}{extra}: \u201c{p.negative_examples[0]}\u201d")
    return ReviewSummary(n, round(pos_share, 3), good, bad, allp, " ".join(parts))


# Canonical complaint/praise terms for trend alerts: (term, pattern matched in the mention's clause).
TREND_TERMS: tuple[tuple[str, str], ...] = (
    ("물빠짐", r"물\s?빠|이염|색\s?빠|바래|바램"), ("보풀", r"보풀"), ("사이즈 작음", r"작아|작게\s?나|작네|껴요|끼어|타이트"),
    ("사이즈 큼", r"커요|커서|크네|크게\s?나|헐렁|남아"), ("기장", r"기장|길이"), ("배송 지연", r"늦|느리|느려|지연|오래\s?걸"),
    ("냄새", r"냄새|악취|쉰내"), ("마감 불량", r"실밥|마감|박음질|바느질"), ("찢어짐", r"찢|터졌|터짐|뜯어"),
    ("얇음", r"얇|비침|비쳐"), ("파손", r"파손|깨져|찌그러"), ("불량", r"불량|하자|오염|얼룩"),
    ("교환/반품", r"교환|반품|환불"), ("맛", r"맛"), ("양", r"양이|양도|양\s?적"), ("자극", r"자극|트러블|따가"),
)
_TREND_RES = tuple((t, re.compile(p)) for t, p in TREND_TERMS)


@dataclass
class TrendAlert:
    """A complaint (or praise) that grew: ``message`` is ready to show in the insights feed."""

    key: str
    kind: str  # "aspect" or "keyword"
    polarity: str
    recent_count: int
    previous_count: int
    ratio: float
    message: str
    review_indices: list[int]


def detect_trends(
    items: Sequence[tuple[datetime, ReviewAnalysis]],
    now: datetime | None = None,
    window_days: int = 14,
    history_windows: int = 4,
    min_recent: int = 3,
    min_ratio: float = 2.0,
    polarity: str = "negative",
) -> list[TrendAlert]:
    """Aspects and complaint words whose rate (mentions per review) in the last ``window_days`` is at
    least ``min_ratio`` times the rate over the ``history_windows`` windows before.

    Example message: ``"최근 2주 '물빠짐' 불만이 이전 대비 3배"``. Rates use the number of reviews per
    period, so a sales spike alone does not raise alerts.
    """
    if not items:
        return []
    now = now or max(t for t, _ in items)
    recent_start = now - timedelta(days=window_days)
    hist_start = recent_start - timedelta(days=window_days * history_windows)
    recent_n = hist_n = 0
    rc: Counter[tuple[str, str]] = Counter()
    hc: Counter[tuple[str, str]] = Counter()
    idx: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (t, a) in enumerate(items):
        if t > now or t < hist_start:
            continue
        is_recent = t >= recent_start
        if is_recent:
            recent_n += 1
        else:
            hist_n += 1
        keys: set[tuple[str, str]] = set()
        for m in a.aspects:
            if m.polarity == polarity:
                keys.add(("aspect", m.aspect))
                clause = _clause_of(a, m.span)
                for term, rx in _TREND_RES:
                    if rx.search(clause):
                        keys.add(("keyword", term))
        for k in keys:
            (rc if is_recent else hc)[k] += 1
            if is_recent:
                idx[k].append(i)
    if recent_n == 0:
        return []
    days = f"{window_days // 7}주" if window_days % 7 == 0 else f"{window_days}일"
    word = {"negative": "불만", "positive": "칭찬"}.get(polarity, "언급")
    alerts = []
    for k, r in rc.items():
        if r < min_recent:
            continue
        h = hc.get(k, 0)
        r_rate = r / recent_n
        h_rate = (h + 0.5) / max(hist_n, 1) if hist_n else 0.0
        ratio = r_rate / h_rate if h_rate > 0 else float("inf")
        if ratio >= min_ratio:
            if h == 0:
                msg = f"최근 {days} '{k[1]}' {word} {r}건 (이전 {window_days * history_windows // 7}주 0건)"
            else:
                msg = f"최근 {days} '{k[1]}' {word}이 이전 대비 {ratio:.1f}배".replace(".0배", "배") + f" ({r}건)"
            alerts.append(TrendAlert(k[1], k[0], polarity, r, h, round(ratio, 2) if h_rate else ratio, msg, idx[k]))
    alerts.sort(key=lambda a: (-(a.ratio if math.isfinite(a.ratio) else 1e9), -a.recent_count))
    return alerts


_ASPECT_REPLY = {
    "사이즈": ("사이즈가 잘 맞으셨다니 다행입니다", "사이즈가 맞지 않아 불편을 드려 죄송합니다. 상세페이지 사이즈표를 "
                                         "보완하겠습니다"),
    "핏/착용감": ("핏과 착용감을 마음에 들어 하셔서 기쁩니다", "착용감이 만족스럽지 못해 아쉽습니다"),
    "길이/기장": ("기장이 잘 맞으셨다니 다행입니다", "기장이 맞지 않아 죄송합니다. 기장 정보를 더 자세히 안내하겠습니다"),
    "색상": ("색감을 좋게 봐주셔서 감사합니다", "색상 관련해 불편을 드려 죄송합니다. 세탁 시 주의사항을 함께 안내드리겠습니다"),
    "소재/재질": ("소재를 만족스러워하셔서 기쁩니다", "소재가 기대에 못 미쳐 죄송합니다"),
    "품질/마감": ("품질을 인정해 주셔서 감사합니다", "품질 문제로 불편을 드려 정말 죄송합니다. 검수를 강화하겠습니다"),
    "내구성": ("튼튼하다고 해주셔서 감사합니다", "내구성 문제로 불편을 드려 죄송합니다"),
    "디자인": ("디자인을 마음에 들어 하셔서 기쁩니다", "디자인이 기대와 달라 아쉬우셨군요"),
    "가격/가성비": ("가성비를 좋게 봐주셔서 감사합니다", "가격 대비 만족을 드리지 못해 죄송합니다"),
    "배송": ("빠른 배송에 만족하셨다니 다행입니다", "배송이 늦어져 정말 죄송합니다. 출고 일정을 점검하겠습니다"),
    "포장": ("포장까지 신경 쓴 부분을 알아봐 주셔서 감사합니다", "포장 상태로 불편을 드려 죄송합니다. 포장을 보강하겠습니다"),
    "냄새": ("냄새 걱정 없이 쓰신다니 다행입니다", "냄새로 불편을 드려 죄송합니다"),
    "사용감/편의성": ("편하게 사용하신다니 기쁩니다", "사용하시기 불편하셨다니 죄송합니다"),
    "응대/서비스": ("응대에 만족하셨다니 감사합니다", "응대가 부족했던 점 사과드립니다"),
    "맛": ("맛있게 드셨다니 기쁩니다", "맛이 입에 맞지 않으셨다니 죄송합니다"),
    "신선도": ("신선하다고 해주셔서 감사합니다", "신선도 문제로 불편을 드려 정말 죄송합니다"),
    "양": ("양에 만족하셨다니 다행입니다", "양이 부족하셨다니 죄송합니다"),
    "발림성": ("발림성을 좋아해 주셔서 감사합니다", "발림성이 만족스럽지 않으셨다니 아쉽습니다"),
    "향": ("향을 마음에 들어 하셔서 기쁩니다", "향이 맞지 않으셨다니 아쉽습니다"),
    "피부자극": ("순하게 사용하신다니 다행입니다", "피부에 불편을 드려 정말 죄송합니다. 사용을 멈추시고 고객센터로 연락 "
                                       "주세요"),
}


def suggest_reply(analysis: ReviewAnalysis, customer: str = "고객님") -> str:
    """A draft seller reply built from the review's sentiment and aspects (the seller edits it)."""
    if analysis.status in ("empty", "no_text"):
        return f"{customer}, 소중한 리뷰 감사합니다. 다음에도 만족하실 수 있도록 노력하겠습니다."
    pol = analysis.aspect_polarities
    good = [a for a, p in pol.items() if p == "positive" and a in _ASPECT_REPLY][:2]
    bad = [a for a, p in pol.items() if p in ("negative", "mixed") and a in _ASPECT_REPLY][:2]
    lines = [f"{customer}, 소중한 리뷰 남겨주셔서 감사합니다."]
    for a in good:
        lines.append(_ASPECT_REPLY[a][0] + ".")
    for a in bad:
        lines.append(_ASPECT_REPLY[a][1] + ".")
    if bad or analysis.sentiment == "negative":
        lines.append("불편하신 점은 고객센터로 문의 주시면 빠르게 도와드리겠습니다.")
    else:
        lines.append("앞으로도 만족하실 수 있는 상품으로 보답하겠습니다.")
    return " ".join(lines)
