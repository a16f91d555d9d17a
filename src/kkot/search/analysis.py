"""Korean text analysis for product search (no Django imports).

Terms come from Kiwi (kiwipiepy), run one *eojeol* (space-separated word) at a time with a per-process
cache: product text reuses a small vocabulary of eojeols, so 100k products need only a few tens of
thousands of Kiwi calls. Kept per eojeol:

* nouns (NNG, NNP, NR), roots (XR), verb/adjective stems (VV, VA), foreign words (SL, lower-cased),
  numbers (SN), Hanja (SH), and the whole eojeol when it is an ASCII/number code such as ``100ml``;
* folded character bigrams of every Hangul run ("린넨셔츠" -> 린넨, 넨셔, 셔츠). They make spacing
  differences and unknown compounds match, and the folding (ㅔ->ㅐ, ㅖ->ㅒ, ㅙ/ㅞ->ㅚ) absorbs the most
  common vowel typos (멘투멘 ~ 맨투맨).

Queries additionally go through a small typo map and synonym groups (query side only, so the index
never has to be rebuilt when the lists change).
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

MAX_QUERY_CHARS = 500
MAX_QUERY_UNITS = 12
KEEP_TAGS = {"NNG", "NNP", "NR", "XR", "SL", "SN", "SH", "VV", "VA"}

# Commerce nouns Kiwi's general dictionary splits badly (린넨 -> 린/NNP + 네/XSN ...).
USER_NOUNS = (
    "린넨", "리넨", "오버핏", "맨투맨", "후드티", "후디", "크롭", "슬랙스", "와이드", "롱슬리브", "반팔티", "긴팔티",
    "셔켓", "가디건", "카디건", "조거", "트레이닝", "스웨트셔츠", "데님", "청바지", "원피스", "블라우스", "스니커즈",
    "로퍼", "슬링백", "크로스백", "토트백", "에코백", "버킷햇", "볼캡", "선크림", "선블록", "쿠션팩트", "립틴트",
    "에센스", "앰플", "토너패드", "무선이어폰", "보조배터리", "고속충전", "물티슈", "기저귀", "밀키트", "샤인머스캣",
    "애플망고", "한우", "무항생제", "유기농", "캠핑의자", "텀블러", "디퓨저", "암막커튼", "차렵이불", "극세사",
)

# Query-side typo map, applied to whole eojeols (substring replacement, longest first).
TYPOS = {
    "멘투멘": "맨투맨", "맨투멘": "맨투맨", "멘투맨": "맨투맨", "티샤쓰": "티셔츠", "티셔쓰": "티셔츠", "샤쓰": "셔츠",
    "가디간": "가디건", "브라우스": "블라우스", "원피쓰": "원피스", "악세사리": "액세서리", "악세서리": "액세서리",
    "쥬얼리": "주얼리", "스니커스": "스니커즈", "런닝화": "러닝화", "썬크림": "선크림", "바디로션": "보디로션",
    "렌지": "레인지", "쇼파": "소파", "이어펀": "이어폰",
}

# Synonym groups (each member also searches for the others, at SYNONYM_WEIGHT).
SYNONYM_GROUPS = (
    ("티셔츠", "티", "반팔티"),
    ("맨투맨", "스웨트셔츠"),
    ("청바지", "데님"),
    ("가디건", "카디건"),
    ("후드", "후디", "후드티"),
    ("운동화", "스니커즈"),
    ("러닝화", "런닝화"),
    ("린넨", "리넨"),
    ("선크림", "선블록", "자외선차단제"),
    ("핸드폰", "휴대폰", "스마트폰"),
    ("노트북", "랩탑"),
    ("이어폰", "이어버드"),
    ("블랙", "검정", "검은색", "검정색"),
    ("화이트", "흰색", "하얀색"),
    ("네이비", "남색"),
    ("그레이", "회색"),
    ("베이지", "베이지색"),
    ("레드", "빨강", "빨간색"),
    ("블루", "파랑", "파란색"),
    ("핑크", "분홍", "분홍색"),
    ("액세서리", "악세사리"),
    ("보디로션", "바디로션"),
    ("소파", "쇼파"),
)
SYNONYMS: dict[str, tuple[str, ...]] = {}
for _group in SYNONYM_GROUPS:
    for _w in _group:
        SYNONYMS[_w] = tuple(x for x in _group if x != _w)

_FOLD_MEDIAL = {5: 1, 7: 3, 10: 11, 15: 11}  # ㅔ->ㅐ, ㅖ->ㅒ, ㅙ->ㅚ, ㅞ->ㅚ (medial indices)
_HANGUL_RUN = re.compile(r"[가-힣]+")
_WORD = re.compile(r"[0-9A-Za-z가-힣\u4e00-\u9fff]+(?:[._-][0-9A-Za-z]+)*")
_CODE = re.compile(r"^[0-9a-z][0-9a-z._-]*$")

_kiwi = None
_kiwi_lock = threading.Lock()
_cache_lock = threading.Lock()
_EOJEOL_CACHE: dict[str, tuple[tuple[str, int, int], ...]] = {}
_EOJEOL_CACHE_MAX = 400_000


def kiwi():
    """The process-wide Kiwi instance, loaded lazily once (thread-safe)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                k = Kiwi(num_workers=1)  # >= 1: batch tokenize() needs a worker thread
                for w in USER_NOUNS:
                    k.add_user_word(w, "NNG", 0)
                k.tokenize("")  # finish Kiwi's own lazy initialisation now
                _kiwi = k
    return _kiwi


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def fold(s: str) -> str:
    """Fold confusable vowels so that common typos share bigrams (멘 -> 맨, 췌 -> 최)."""
    out = []
    for ch in s:
        o = ord(ch) - 0xAC00
        if 0 <= o < 11172:
            medial = (o % 588) // 28
            if medial in _FOLD_MEDIAL:
                o += (_FOLD_MEDIAL[medial] - medial) * 28
                ch = chr(0xAC00 + o)
        out.append(ch)
    return "".join(out)


@lru_cache(maxsize=200_000)
def bigrams(word: str) -> tuple[tuple[str, int], ...]:
    """Folded Hangul bigrams of ``word`` with their start offsets."""
    out = []
    for m in _HANGUL_RUN.finditer(word):
        run = m.group()
        for i in range(len(run) - 1):
            out.append((fold(run[i:i + 2]), m.start() + i))
    return tuple(out)


def _terms_from_tokens(word: str, tokens) -> tuple[tuple[str, int, int], ...]:
    out = []
    for t in tokens:
        if t.tag in KEEP_TAGS:
            form = t.form.lower()
            if t.tag in ("VV", "VA") and len(form) < 2:
                continue
            out.append((form, t.start, t.len))
    if _CODE.match(word) and len(word) > 1 and not any(f == word for f, _s, _l in out):
        out.append((word, 0, len(word)))
    return tuple(out)


def analyze_words(words: list[str]) -> list[tuple[tuple[str, int, int], ...]]:
    """Kiwi terms (form, start, length) of each eojeol, cached per process, batched for uncached ones."""
    missing = [w for w in dict.fromkeys(words) if w not in _EOJEOL_CACHE]
    if missing:
        results = kiwi().tokenize(missing)
        fresh = {w: _terms_from_tokens(w, toks) for w, toks in zip(missing, results, strict=True)}
        with _cache_lock:
            if len(_EOJEOL_CACHE) > _EOJEOL_CACHE_MAX:
                _EOJEOL_CACHE.clear()
            _EOJEOL_CACHE.update(fresh)
        return [fresh[w] if w in fresh else _EOJEOL_CACHE[w] for w in words]
    return [_EOJEOL_CACHE[w] for w in words]


def words_of(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


@dataclass
class FieldTerms:
    terms: list[str] = field(default_factory=list)
    bigrams: list[str] = field(default_factory=list)


def analyze_fields(texts: list[str], *, with_bigrams: bool) -> list[FieldTerms]:
    """Terms of many short texts at once (one Kiwi batch for all their unseen eojeols)."""
    split = [words_of(t) for t in texts]
    flat = [w for ws in split for w in ws]
    analysed = dict(zip(flat, analyze_words(flat), strict=True)) if flat else {}
    out = []
    for ws in split:
        ft = FieldTerms()
        for w in ws:
            ft.terms.extend(_forms(analysed[w]))
            if with_bigrams:
                ft.bigrams.extend(_bigram_forms(w))
        out.append(ft)
    return out


@lru_cache(maxsize=200_000)
def _forms(terms: tuple[tuple[str, int, int], ...]) -> tuple[str, ...]:
    return tuple(f for f, _s, _l in terms)


@lru_cache(maxsize=200_000)
def _bigram_forms(word: str) -> tuple[str, ...]:
    return tuple(b for b, _o in bigrams(word))


def html_to_text(value: str) -> str:
    text = re.sub(r"<[^>]*>", " ", value or "")
    return " ".join(html.unescape(text).split())


# ---------------------------------------------------------------- queries

@dataclass(frozen=True)
class Unit:
    """One query term the matched products must contain (or, fuzzily, all of its bigrams)."""

    term: str
    alternatives: tuple[str, ...]  # synonyms, scored at SYNONYM_WEIGHT
    bigrams: tuple[str, ...]  # folded bigrams of the term itself (fuzzy match)
    need: int  # how many of those bigrams make a fuzzy match (0: no fuzzy match)


@dataclass(frozen=True)
class QueryAnalysis:
    text: str
    units: tuple[Unit, ...]
    bigrams: tuple[str, ...]  # every folded bigram of the query (scored, used for highlights)

    @property
    def terms(self) -> list[str]:
        return [u.term for u in self.units]

    @property
    def highlight_terms(self) -> frozenset[str]:
        return frozenset(t for u in self.units for t in (u.term, *u.alternatives))


def _fix_typos(word: str) -> str:
    for wrong in sorted(TYPOS, key=len, reverse=True):
        if wrong in word:
            word = word.replace(wrong, TYPOS[wrong])
    return word


def _need(n: int) -> int:
    if n == 0:
        return 0
    return n if n <= 2 else -(-n * 2 // 3)


@lru_cache(maxsize=2048)
def analyze_query(q: str) -> QueryAnalysis:
    text = normalize(q)[:MAX_QUERY_CHARS].strip()
    words = [_fix_typos(w) for w in words_of(text)]
    units: dict[str, Unit] = {}
    all_bigrams: dict[str, None] = {}
    for w, terms in zip(words, analyze_words(words), strict=True):
        for b, _o in bigrams(w):
            all_bigrams[b] = None
        for form, _s, _l in terms:
            if form in units:
                continue
            bgs = tuple(dict.fromkeys(b for b, _o in bigrams(form)))
            units[form] = Unit(term=form, alternatives=SYNONYMS.get(form, ()), bigrams=bgs, need=_need(len(bgs)))
    return QueryAnalysis(text=text, units=tuple(units.values())[:MAX_QUERY_UNITS], bigrams=tuple(all_bigrams))


# ---------------------------------------------------------------- highlights

def highlight_spans(name: str, qa: QueryAnalysis) -> list[tuple[int, int]]:
    """Character spans of ``name`` that match the query (terms, synonyms or folded bigrams), merged."""
    low = name.lower()
    if len(low) != len(name):
        low = name
    terms = qa.highlight_terms
    qbigrams = set(qa.bigrams)
    spans: list[tuple[int, int]] = []
    matches = list(_WORD.finditer(low))
    analysed = analyze_words([m.group() for m in matches]) if matches else []
    for m, word_terms in zip(matches, analysed, strict=True):
        base = m.start()
        for form, start, length in word_terms:
            if form in terms:
                spans.append((base + start, base + start + length))
        for b, off in bigrams(m.group()):
            if b in qbigrams:
                spans.append((base + off, base + off + 2))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def highlight_html(name: str, qa: QueryAnalysis) -> str:
    """``name`` HTML-escaped, with the matching parts wrapped in ``<mark>``."""
    out, pos = [], 0
    for s, e in highlight_spans(name, qa):
        out.append(html.escape(name[pos:s]))
        out.append("<mark>" + html.escape(name[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(name[pos:]))
    return "".join(out)
