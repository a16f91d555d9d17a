"""Korean profanity masking for display (the original text is kept for moderation).

The lexicon (``data/profanity_ko.txt``) is matched on a *skeleton* of the text: only letters are kept (spaces,
digits, symbols and emoji inserted between letters are skipped, so "씨 발", "시1발" and "시.발" match), and each
syllable is normalised (tense consonants to plain ones: ㅆ/ㅅ, ㅃ/ㅂ, ㄸ/ㄷ, ㅉ/ㅈ, ㄲ/ㄱ; vowels ㅔ/ㅐ, ㅖ/ㅒ/ㅐ,
ㅢ/ㅣ), so "씨발", "시발" and "씨빨" are one entry. Consonant-only entries (ㅅㅂ) match consonant letters only.
Allowed words (lines starting with ``!``, e.g. 시발점) protect what they cover.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "profanity_ko.txt"

_CHO_PLAIN = {
    1: 0,
    4: 3,
    8: 7,
    10: 9,
    13: 12,
}  # ㄲ->ㄱ ㄸ->ㄷ ㅃ->ㅂ ㅆ->ㅅ ㅉ->ㅈ (initial consonant indexes)
_JUNG_SAME = {5: 1, 3: 1, 7: 1, 19: 20}  # ㅔ->ㅐ ㅒ->ㅐ ㅖ->ㅐ ㅢ->ㅣ
_JAMO_PLAIN = {"ㄲ": "ㄱ", "ㄸ": "ㄷ", "ㅃ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ"}


def _norm_char(ch: str) -> str | None:
    """The normalised letter, or None for characters that are skipped."""
    o = ord(ch)
    if 0xAC00 <= o <= 0xD7A3:
        i = o - 0xAC00
        cho, jung, jong = i // 588, (i % 588) // 28, i % 28
        cho = _CHO_PLAIN.get(cho, cho)
        jung = _JUNG_SAME.get(jung, jung)
        return chr(0xAC00 + cho * 588 + jung * 28 + jong)
    if 0x3131 <= o <= 0x318E:
        return _JAMO_PLAIN.get(ch, ch)
    if ch.isascii() and ch.isalpha():
        return ch.lower()
    return None


def _skeleton(text: str) -> tuple[str, list[int]]:
    chars, index = [], []
    for i, ch in enumerate(text):
        n = _norm_char(ch)
        if n is not None:
            chars.append(n)
            index.append(i)
    return "".join(chars), index


@functools.cache
def _lexicon() -> tuple[tuple[str, ...], tuple[str, ...]]:
    bad, allowed = [], []
    for line in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        target = allowed if line.startswith("!") else bad
        sk, _ = _skeleton(line.lstrip("!"))
        if sk:
            target.append(sk)
    bad.sort(key=len, reverse=True)
    return tuple(bad), tuple(allowed)


@dataclass(frozen=True)
class Masked:
    text: str
    found: bool


def mask_profanity(text: str, mask: str = "*") -> Masked:
    """``text`` with every letter of a lexicon match replaced by ``mask`` (other characters kept)."""
    if not text:
        return Masked(text or "", False)
    sk, index = _skeleton(text)
    bad, allowed = _lexicon()
    protected = [False] * len(sk)
    for word in allowed:
        start = sk.find(word)
        while start >= 0:
            for k in range(start, start + len(word)):
                protected[k] = True
            start = sk.find(word, start + 1)
    hit = [False] * len(sk)
    for word in bad:
        start = sk.find(word)
        while start >= 0:
            span = range(start, start + len(word))
            if not all(protected[k] for k in span):
                for k in span:
                    hit[k] = True
            start = sk.find(word, start + 1)
    if not any(hit):
        return Masked(text, False)
    out = list(text)
    for k, h in enumerate(hit):
        if h:
            out[index[k]] = mask
    return Masked("".join(out), True)
