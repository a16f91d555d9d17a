"""Korean review text normalisation: cleaning, spacing repair, sentence and clause splitting.

Design: the hot path (cleaning, sentence and clause splitting) is regex-based and runs at tens of
thousands of reviews per second; kiwipiepy is used for spacing repair, and only on runs of Hangul
long enough to be missing spaces (``"너무재밌었다그래서보는것을추천한다"``), so most reviews never
touch it. Every function accepts any input (``None``, numbers, HTML, 10,000-character text, emoji or
jamo only) and never raises.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "Span",
    "clean_text",
    "has_meaningful_text",
    "normalize",
    "repair_spacing",
    "split_clauses",
    "split_sentences",
]


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a text: ``text == source[start:end]``."""

    start: int
    end: int
    text: str


_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_BR_RE = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.I)
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]{0,500}>")
_URL_RE = re.compile(r"https?://\S+|www\.\S+", re.I)
_CTRL_RE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\ufeff]")
_REPEAT_RE = re.compile(r"(.)\1{2,}", re.S)
_REPEAT2_RE = re.compile(r"(..)\1{2,}", re.S)
_SPACES_RE = re.compile(r"[ \t\u00a0\u3000]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")
_HANGUL_RE = re.compile(r"[가-힣]")
_WORDISH_RE = re.compile(r"[가-힣A-Za-z0-9]")
_LONG_RUN_RE = re.compile(r"[가-힣]{12,}")


def clean_text(text: Any, max_chars: int | None = 20000) -> str:
    """Return ``text`` as clean plain text.

    Removes HTML tags and ``<script>``/``<style>`` bodies, unescapes entities, drops URLs, control
    and zero-width characters, applies NFC, squeezes characters repeated more than twice
    (``"ㅋㅋㅋㅋㅋ" -> "ㅋㅋ"``, ``"!!!!" -> "!!"``) and whitespace. ``None`` and NaN give ``""``.
    Text longer than ``max_chars`` is cut (at a space when possible).
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        if isinstance(text, float) and text != text:  # NaN from spreadsheets
            return ""
        text = str(text)
    if max_chars is not None and len(text) > 4 * max_chars:
        text = text[: 4 * max_chars]
    if "<" in text or "&" in text:
        text = html.unescape(text)
        text = _SCRIPT_RE.sub(" ", text)
        text = _BR_RE.sub("\n", text)
        text = _TAG_RE.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    text = _CTRL_RE.sub(" ", text)
    text = _URL_RE.sub(" ", text)
    text = _REPEAT_RE.sub(r"\1\1", text)
    text = _REPEAT2_RE.sub(r"\1\1", text)
    text = _SPACES_RE.sub(" ", text)
    text = _NEWLINES_RE.sub("\n", text).strip()
    if max_chars is not None and len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return text


def has_meaningful_text(text: str) -> bool:
    """True when ``text`` holds at least two letters (Hangul syllables, Latin letters or digits).

    ``""``, ``"ㅋㅋㅋㅋ"``, ``"👍👍"`` and ``"!!!"`` are not meaningful: the analyser returns a neutral
    result for them.
    """
    return len(_WORDISH_RE.findall(text[:200])) >= 2


def repair_spacing(text: str, mode: Literal["auto", "always", "never"] = "auto") -> str:
    """Insert missing spaces with kiwipiepy.

    ``"auto"`` only touches runs of 12 or more Hangul syllables without a space (cheap test, and the
    Kiwi model is loaded only when such a run exists); ``"always"`` re-spaces the whole text;
    ``"never"`` returns ``text`` unchanged.
    """
    if mode == "never" or not text:
        return text
    if mode == "auto" and not _LONG_RUN_RE.search(text):
        return text
    from kkot.ml.text.kiwi import get_kiwi

    kiwi = get_kiwi()
    if mode == "always":
        try:
            return str(kiwi.space(text, reset_whitespace=False))
        except Exception:  # pragma: no cover - defensive: kiwi errors must not break analysis
            return text

    def fix(m: re.Match[str]) -> str:
        try:
            return str(kiwi.space(m.group(0), reset_whitespace=False))
        except Exception:  # pragma: no cover
            return m.group(0)

    # Re-space the whole whitespace-delimited token containing the run (keeps particles attached).
    return re.sub(r"\S*[가-힣]{12,}\S*", fix, text)


def normalize(text: Any, spacing: Literal["auto", "always", "never"] = "auto") -> str:
    """:func:`clean_text` followed by :func:`repair_spacing`."""
    return repair_spacing(clean_text(text), spacing)


# --- sentence splitting -------------------------------------------------------------------------

# Sentence-final word endings that end a sentence even without punctuation ("딱 맞음 크롭티랑 ...").
_FINAL_ENDINGS = (
    "니다", "어요", "아요", "여요", "해요", "네요", "에요", "예요", "세요", "군요", "데요", "죠", "져요",
    "었다", "았다", "였다", "했다", "한다", "는다", "된다", "좋다", "같다", "없다", "있다", "싶다",
    "ㅂ니다", "음", "함", "임", "됨", "듯", "슴", "당", "용", "여", "요",
)
_NOT_FINAL = frozenset({
    "필요", "중요", "주요", "요요", "수요", "일요", "토요", "금요", "화요", "월요", "목요", "요",
    "처음", "마음", "다음", "맨처음", "조금", "지금", "이음", "요즘", "그럼", "이름", "여름", "바람",
    "사람", "가슴", "보통", "재용", "사용", "착용", "활용", "비용", "내용", "이용", "용", "여", "당",
    "허리둘레", "무릎", "엉덩이", "밑단", "기장", "사이즈", "정도", "여유", "회용", "상당", "해당",
    "마당", "식당", "적당", "가용", "통용", "미용", "실용", "전용", "겸용", "혼용", "남녀", "여여",
})
# "끈적임 없고", "냄새남 심함": a nominalised word followed by its predicate is not a sentence end.
_PREDICATE_STARTS = ("없", "있", "않", "많", "적", "심", "안", "너무", "진짜", "좀", "전혀", "하나도", "별로", "이", "도")
_NOT_FINAL_SUFFIXES = tuple(sorted(n for n in _NOT_FINAL if len(n) >= 2))
_SENT_PUNCT_RE = re.compile(r"[.!?。？！~…]+|\n+|(?<=[가-힣])[ㅋㅎㅠㅜ]{2,}|[\U0001F300-\U0001FAFF\u2600-\u27BF]+")
_WORD_RE = re.compile(r"\S+")


def _is_final_word(word: str) -> bool:
    w = word.rstrip("^~.,!?;:)]}>\"'ㅋㅎㅠㅜ")
    if len(w) < 2 or w in _NOT_FINAL or not _HANGUL_RE.search(w[-1]):
        return False
    if w.endswith(_NOT_FINAL_SUFFIXES):
        return False
    return w.endswith(_FINAL_ENDINGS)


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences with offsets.

    Boundaries: sentence punctuation (``. ! ? ~ …``), newlines, laughter/crying jamo runs after a
    syllable, emoji, and words with a sentence-final ending followed by more text
    (``"딱 맞음 크롭티랑 입어도 ..."``). Empty pieces are dropped.
    """
    if not text:
        return []
    cuts: list[int] = []
    for m in _SENT_PUNCT_RE.finditer(text):
        cuts.append(m.end())
    words = list(_WORD_RE.finditer(text))
    for m, nxt in zip(words, words[1:], strict=False):
        if _is_final_word(m.group(0)) and not (
            m.group(0).endswith(("음", "함", "임", "됨", "슴")) and nxt.group(0).startswith(_PREDICATE_STARTS)
        ):
            cuts.append(m.end())
    return _spans_from_cuts(text, cuts)


def _spans_from_cuts(text: str, cuts: list[int]) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for cut in sorted(set(cuts)) + [len(text)]:
        if cut <= start:
            continue
        a, b = start, cut
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a and _WORDISH_RE.search(text[a:b]):
            spans.append(Span(a, b, text[a:b]))
        elif b > a and spans:  # attach punctuation/emoji-only pieces to the previous span
            prev = spans[-1]
            spans[-1] = Span(prev.start, b, text[prev.start : b])
        elif b > a:
            spans.append(Span(a, b, text[a:b]))
        start = cut
    if len(spans) > 1 and not _WORDISH_RE.search(spans[0].text):
        first, second = spans[0], spans[1]
        spans[:2] = [Span(first.start, second.end, text[first.start : second.end])]
    return spans


# --- clause splitting ---------------------------------------------------------------------------

# Connective endings after which a new clause with its own evaluation starts:
# contrast (는데, 지만, 으나), listing (고, 며, 면서), concession (어도, 는데도).
_CONTRAST = ("는데", "은데", "인데", "운데", "한데", "큰데", "긴데", "좋은데", "없는데", "있는데", "ㄴ데",
             "지만", "으나", "는데도", "지마는", "긴한데", "건데", "던데", "든데", "는대", "은대")
_LISTING = ("고", "며", "면서", "으면서", "구", "어도", "아도", "해도", "여도", "워도", "져도", "라도")
_NOT_CONNECTIVE = frozenset({
    "최고", "재고", "광고", "사고", "참고", "그리고", "하고", "이고", "경고", "보고", "신고", "창고", "고",
    "제고", "원고", "연고", "포장하고", "그러고", "바로", "특히", "정도", "그래도", "그래두", "인데",
    "데", "는데", "근데", "그런데", "근대", "한데", "어디", "혹시", "아무래도", "적어도", "최소한도",
    "적게라도", "나중에라도", "이라도", "이래도", "그래도요", "누구", "친구", "가구", "도구", "입구",
    "출구", "구", "문구", "야구", "구구", "피드백", "반품하고", "며", "면서", "해도", "어도",
})
_JOINER_WORDS = frozenset({"근데", "그런데", "그러나", "하지만", "그치만", "다만", "단", "그래도", "그렇지만"})


def _is_connective_word(word: str) -> bool:
    w = word.rstrip(",.;:~!?^ㅋㅎㅠㅜ")
    if len(w) < 2 or w in _NOT_CONNECTIVE or not _HANGUL_RE.search(w[-1]):
        return False
    if w.endswith(_CONTRAST):
        return True
    return w.endswith(_LISTING) and not w.endswith(("도고", "까지도", "에서도"))


def split_clauses(text: str, sentences: list[Span] | None = None) -> list[Span]:
    """Split ``text`` into clauses (offsets into ``text``).

    Sentences (see :func:`split_sentences`) are cut after words ending in a connective
    (``"사이즈는 딱 맞는데 물빠짐이 심해요"`` -> ``["사이즈는 딱 맞는데", "물빠짐이 심해요"]``) and
    before contrastive adverbs (``근데``, ``하지만``, ...). A clause is never shorter than one word.
    """
    if not text:
        return []
    out: list[Span] = []
    for sent in sentences if sentences is not None else split_sentences(text):
        words = list(_WORD_RE.finditer(sent.text))
        if len(words) < 2:
            out.append(sent)
            continue
        cuts: list[int] = []
        for i, m in enumerate(words[:-1]):
            if _is_connective_word(m.group(0)):
                cuts.append(sent.start + m.end())
            elif i > 0 and m.group(0).rstrip(",.") in _JOINER_WORDS:
                cuts.append(sent.start + m.start())
        if not cuts:
            out.append(sent)
            continue
        out.extend(_spans_from_cuts_range(text, sent.start, sent.end, cuts))
    return out


def _spans_from_cuts_range(text: str, start: int, end: int, cuts: list[int]) -> list[Span]:
    spans = _spans_from_cuts(text[start:end], [c - start for c in cuts])
    return [Span(s.start + start, s.end + start, s.text) for s in spans]
