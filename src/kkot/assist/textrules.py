"""Attributes read from a product's text and tag suggestions (Django-free; candidates for kkot.ml.text).

* :func:`extract_attributes` maps Korean/English words in the title, description and option values onto the
  catalog's attribute choices (소재, 계절, 핏, 패턴) with a confidence by where the word was found.
* :class:`TagSuggester` learns from the platform's products which tags go with which title words, category
  and attribute values (co-occurrence, smoothed), and adds key phrases of the title; tags that say nothing
  (무료배송, 특가, numbers ...) are never suggested.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# attribute code -> catalog choice -> words that mean it (lower-case; Korean and English)
LEXICON: dict[str, dict[str, tuple[str, ...]]] = {
    "material": {
        "면": ("면", "코튼", "cotton", "순면", "면100", "면 100"),
        "폴리에스터": ("폴리", "polyester", "poly"),
        "린넨": ("린넨", "리넨", "linen", "마혼방"),
        "울": ("울", "wool", "모직", "메리노"),
        "캐시미어": ("캐시미어", "cashmere"),
        "데님": ("데님", "denim", "청바지", "청자켓"),
        "가죽": ("가죽", "레더", "leather", "소가죽", "양가죽"),
        "합성가죽": ("합성가죽", "인조가죽", "pu", "비건레더"),
        "나일론": ("나일론", "nylon"),
        "레이온": ("레이온", "rayon", "비스코스"),
        "스판": ("스판", "spandex", "폴리우레탄"),
        "니트": ("니트", "knit"),
        "실크": ("실크", "silk", "새틴"),
        "플리스": ("플리스", "후리스", "fleece"),
    },
    "season": {
        "여름": ("여름", "썸머", "summer", "반팔", "쿨링", "냉감", "시어서커"),
        "겨울": ("겨울", "윈터", "winter", "패딩", "기모", "방한", "털안감"),
        "봄": ("봄", "spring", "간절기", "봄가을"),
        "가을": ("가을", "fall", "autumn", "간절기", "봄가을"),
        "사계절": ("사계절", "4계절", "올시즌"),
    },
    "fit": {
        "슬림": ("슬림", "slim", "스키니", "skinny"),
        "레귤러": ("레귤러", "regular", "기본핏", "스탠다드핏"),
        "세미오버": ("세미오버", "semi-over", "세미 오버"),
        "오버사이즈": ("오버핏", "오버사이즈", "oversize", "루즈핏", "박시"),
        "와이드": ("와이드", "wide", "통바지"),
    },
    "pattern": {
        "무지": ("무지", "솔리드", "solid", "민무늬"),
        "스트라이프": ("스트라이프", "stripe", "줄무늬", "단가라"),
        "체크": ("체크", "check", "깅엄", "타탄", "글렌"),
        "도트": ("도트", "dot", "땡땡이", "물방울"),
        "플라워": ("플라워", "flower", "꽃무늬", "플로럴", "floral"),
        "레터링": ("레터링", "lettering", "로고"),
        "그래픽": ("그래픽", "graphic", "프린팅", "프린트"),
        "카모": ("카모", "camo", "밀리터리", "카모플라쥬"),
    },
}
# Words that are in a longer word of another meaning: "울" in "울산", "면" in "면세" ... need a boundary
_NEEDS_BOUNDARY = {"면", "울", "봄", "pu", "dot", "poly", "니트"}
SOURCE_SCORE = {"title": 0.9, "options": 0.75, "description": 0.6}

STOP_TAGS = frozenset(
    {
        "무료배송",
        "당일발송",
        "당일배송",
        "특가",
        "할인",
        "세일",
        "sale",
        "최저가",
        "인기",
        "추천",
        "베스트",
        "best",
        "신상",
        "신상품",
        "new",
        "정품",
        "국내배송",
        "빠른배송",
        "이벤트",
        "사은품",
        "1+1",
        "2+1",
        "단독",
        "한정",
        "핫딜",
        "무배",
        "mdpick",
        "상품",
        "제품",
        "여성",
        "남성",
        "공용",
        "데일리",
        "세트",
        "기본",
    }
)
_TAG_OK = re.compile(r"^[0-9A-Za-z가-힣][0-9A-Za-z가-힣 ]{0,19}$")
_WORD = re.compile(r"[0-9A-Za-z가-힣]+")


def plain_text(description_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", description_html or ""))


def _found(word: str, text: str) -> bool:
    if word in _NEEDS_BOUNDARY or len(word) <= 1:
        return re.search(rf"(?<![0-9A-Za-z가-힣]){re.escape(word)}(?![0-9A-Za-z가-힣])", text) is not None
    return word in text


@dataclass(frozen=True)
class AttributeGuess:
    code: str
    value: str
    score: float
    source: str  # title / options / description
    word: str


def extract_attributes(
    *, title: str, description: str = "", options: Iterable[str] = (), codes: Iterable[str] | None = None
) -> list[AttributeGuess]:
    """Attribute values named in the product's text, best source first, one guess per (code, value)."""
    texts = [
        ("title", (title or "").lower()),
        ("options", " ".join(options).lower()),
        ("description", plain_text(description).lower()),
    ]
    wanted = set(codes) if codes is not None else set(LEXICON)
    best: dict[tuple[str, str], AttributeGuess] = {}
    for code, values in LEXICON.items():
        if code not in wanted:
            continue
        for value, words in values.items():
            for source, text in texts:
                if not text:
                    continue
                w = next((w for w in words if _found(w, text)), None)
                if w is None:
                    continue
                g = AttributeGuess(code, value, SOURCE_SCORE[source], source, w)
                if (code, value) not in best or g.score > best[(code, value)].score:
                    best[(code, value)] = g
                break
    # 합성가죽 contains 가죽: keep only the more specific one
    if ("material", "합성가죽") in best:
        best.pop(("material", "가죽"), None)
    return sorted(best.values(), key=lambda g: (-g.score, g.code, g.value))


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")]


def tag_ok(tag: str) -> bool:
    t = tag.strip().lower()
    return bool(_TAG_OK.match(tag.strip())) and t not in STOP_TAGS and not t.isdigit() and len(t) >= 2


@dataclass(frozen=True)
class TagGuess:
    tag: str
    score: float
    source: str  # co-occurrence / title


class TagSuggester:
    """``fit(docs)`` with (features, tags) per product; ``suggest(features, title, k)``.

    Features are strings such as ``w:셔츠`` (title word), ``c:12`` (category), ``a:material=린넨``.
    Score of a tag = 1 - prod(1 - P(tag | feature)) over the product's features, where P is the smoothed
    share of products with that feature that carry the tag (features seen fewer than ``min_df`` times are
    ignored).
    """

    def __init__(self, *, min_df: int = 2, alpha: float = 1.0, min_tag_count: int = 2) -> None:
        self.min_df, self.alpha, self.min_tag_count = min_df, alpha, min_tag_count
        self.feature_df: dict[str, int] = {}
        self.pairs: dict[str, dict[str, int]] = {}
        self.n_docs = 0

    def fit(self, docs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> TagSuggester:
        df: Counter[str] = Counter()
        tag_count: Counter[str] = Counter()
        pairs: dict[str, Counter[str]] = defaultdict(Counter)
        for feats, tags in docs:
            fs, ts = set(feats), {t for t in tags if tag_ok(t)}
            df.update(fs)
            tag_count.update(ts)
            for f in fs:
                pairs[f].update(ts)
        keep_tags = {t for t, c in tag_count.items() if c >= self.min_tag_count}
        self.feature_df = {f: c for f, c in df.items() if c >= self.min_df}
        self.pairs = {f: {t: c for t, c in pairs[f].items() if t in keep_tags} for f in self.feature_df}
        self.n_docs = len(docs)
        return self

    def suggest(
        self,
        features: Sequence[str],
        *,
        title: str = "",
        k: int = 10,
        exclude: Iterable[str] = (),
        min_score: float = 0.15,
    ) -> list[TagGuess]:
        excl = {e.lower() for e in exclude}
        miss: dict[str, float] = defaultdict(lambda: 1.0)
        for f in set(features):
            n = self.feature_df.get(f)
            if not n:
                continue
            for t, c in self.pairs.get(f, {}).items():
                miss[t] *= 1.0 - c / (n + self.alpha)
        out = {
            t: TagGuess(t, round(1.0 - m, 4), "co-occurrence")
            for t, m in miss.items()
            if 1.0 - m >= min_score and t.lower() not in excl
        }
        for phrase, score in key_phrases(title):
            if phrase.lower() not in excl and phrase not in out and tag_ok(phrase):
                out[phrase] = TagGuess(phrase, score, "title")
        return sorted(out.values(), key=lambda g: (-g.score, g.tag))[:k]

    def to_dict(self) -> dict:
        return {
            "format": "kkot-tags-v1",
            "min_df": self.min_df,
            "alpha": self.alpha,
            "min_tag_count": self.min_tag_count,
            "n_docs": self.n_docs,
            "feature_df": self.feature_df,
            "pairs": self.pairs,
        }

    @classmethod
    def from_dict(cls, d: dict) -> TagSuggester:
        if d.get("format") != "kkot-tags-v1":
            raise ValueError("not a kkot tag model")
        m = cls(min_df=d["min_df"], alpha=d["alpha"], min_tag_count=d["min_tag_count"])
        m.feature_df, m.pairs, m.n_docs = (
            dict(d["feature_df"]),
            {f: dict(p) for f, p in d["pairs"].items()},
            d["n_docs"],
        )
        return m


def key_phrases(title: str, *, brand: str = "") -> list[tuple[str, float]]:
    """Meaningful words of a title (2+ characters, not a stop word, not the brand), with a modest score."""
    seen, out = set(), []
    b = brand.strip().lower()
    for i, w in enumerate(_WORD.findall(title or "")):
        lw = w.lower()
        if lw in seen or lw == b or not tag_ok(w):
            continue
        seen.add(lw)
        out.append((w, round(max(0.2, 0.45 - 0.05 * i), 3)))
    return out


def product_features(*, title: str, category_ids: Iterable[int], attributes: dict) -> list[str]:
    feats = [f"w:{w}" for w in words(title) if len(w) >= 2]
    feats += [f"c:{c}" for c in category_ids]
    for code, v in (attributes or {}).items():
        for x in v if isinstance(v, list) else [v]:
            if x not in (None, ""):
                feats.append(f"a:{code}={x}")
    return feats


def title_problems(title: str, brand: str = "") -> list[str]:
    """Korean descriptions of what makes a title look stuffed (empty list = fine)."""
    probs = []
    ws = words(title)
    if not ws:
        return ["상품명이 비어 있습니다."]
    counts = Counter(w for w in ws if len(w) >= 2)
    rep = [w for w, c in counts.items() if c >= 2]
    if rep:
        probs.append(f"같은 단어를 되풀이했습니다({', '.join(rep[:3])}).")
    if brand and (title or "").lower().count(brand.lower()) >= 2:
        probs.append(f"브랜드명({brand})을 여러 번 넣었습니다.")
    promo = [w for w in ws if w in STOP_TAGS and w not in ("여성", "남성", "공용", "데일리", "기본", "세트")]
    if promo:
        probs.append(f"검색과 관계없는 홍보 문구가 있습니다({', '.join(promo[:3])}).")
    if len(title) > 50 or len(ws) > 12:
        probs.append(f"상품명이 너무 깁니다({len(title)}자, 단어 {len(ws)}개). 50자 안쪽이 좋습니다.")
    if re.search(r"[\[\]【】★☆♥◆■!]{2,}|[★☆♥◆■]", title or ""):
        probs.append("특수문자 장식이 많습니다.")
    return probs
