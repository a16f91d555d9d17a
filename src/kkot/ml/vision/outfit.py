"""Outfit (coordination) suggestions: pure functions with colour-harmony rules and complementary categories.

>>> suggest_outfit(anchor, candidates, k=3)
[Suggestion(item_id=..., score=..., reasons=['상의에 어울리는 하의', '네이비와 화이트는 잘 어울리는 조합'])]

Categories are kkot's coarse outfit slots: top, bottom, dress, outer, shoes, bag, hat, accessory.
Optional co-purchase counts (from the platform's orders) add to the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "COMPLEMENTS",
    "OutfitItem",
    "Suggestion",
    "colour_harmony",
    "slot_of",
    "suggest_outfit",
]

#: anchor slot -> complementary slots, in the order they are suggested
COMPLEMENTS: dict[str, tuple[str, ...]] = {
    "top": ("bottom", "shoes", "bag", "outer"),
    "bottom": ("top", "shoes", "bag", "outer"),
    "dress": ("shoes", "bag", "outer", "hat"),
    "outer": ("top", "bottom", "shoes"),
    "shoes": ("bottom", "top", "bag"),
    "bag": ("top", "bottom", "shoes"),
    "hat": ("top", "bottom"),
    "accessory": ("top", "dress"),
}
SLOT_LABELS = {"top": "상의", "bottom": "하의", "dress": "원피스", "outer": "아우터", "shoes": "신발",
               "bag": "가방", "hat": "모자", "accessory": "액세서리"}

_SLOT_WORDS: dict[str, tuple[str, ...]] = {
    "top": ("t-shirt", "tshirt", "shirt", "longsleeve", "top", "blouse", "sweater", "sweatshirt", "hoodie",
            "kurta", "tunic", "vest", "티셔츠", "셔츠", "블라우스", "니트", "맨투맨", "후드", "상의", "탑"),
    "bottom": ("pants", "jeans", "trousers", "shorts", "skirt", "leggings", "capris", "track pants",
               "바지", "청바지", "팬츠", "슬랙스", "반바지", "스커트", "치마", "하의", "레깅스"),
    "dress": ("dress", "원피스", "드레스"),
    "outer": ("outwear", "outerwear", "jacket", "coat", "blazer", "cardigan", "자켓", "재킷", "코트", "가디건",
              "점퍼", "패딩", "아우터"),
    "shoes": ("shoes", "sneakers", "heels", "sandals", "flats", "flip flops", "boots", "신발", "운동화", "스니커즈",
              "구두", "샌들", "부츠", "슬리퍼", "로퍼"),
    "bag": ("bag", "handbag", "backpack", "clutch", "wallet", "가방", "백팩", "클러치", "지갑", "토트"),
    "hat": ("hat", "cap", "beanie", "모자", "캡", "비니"),
    "accessory": ("watch", "belt", "sunglasses", "scarf", "tie", "socks", "시계", "벨트", "선글라스", "스카프",
                  "머플러", "양말", "액세서리"),
}

NEUTRALS = frozenset({"블랙", "화이트", "아이보리", "베이지", "그레이", "네이비", "실버", "카키"})
EARTH = frozenset({"베이지", "브라운", "카키", "아이보리", "와인"})
#: good pairs beyond "neutral + anything" (symmetric), with the reason shown to the shopper
_GOOD_PAIRS: dict[frozenset[str], str] = {
    frozenset({"네이비", "화이트"}): "네이비와 화이트는 깔끔한 기본 조합",
    frozenset({"블랙", "화이트"}): "블랙과 화이트는 대비가 분명한 기본 조합",
    frozenset({"네이비", "베이지"}): "네이비와 베이지는 차분한 클래식 조합",
    frozenset({"블루", "화이트"}): "블루와 화이트는 시원한 조합",
    frozenset({"스카이블루", "화이트"}): "스카이블루와 화이트는 산뜻한 조합",
    frozenset({"카키", "베이지"}): "카키와 베이지는 자연스러운 톤온톤",
    frozenset({"브라운", "베이지"}): "브라운과 베이지는 따뜻한 톤온톤",
    frozenset({"그레이", "네이비"}): "그레이와 네이비는 차분한 조합",
    frozenset({"블루", "브라운"}): "블루 데님과 브라운은 캐주얼의 정석",
    frozenset({"와인", "그레이"}): "와인과 그레이는 세련된 조합",
    frozenset({"핑크", "그레이"}): "핑크와 그레이는 부드러운 조합",
    frozenset({"옐로우", "네이비"}): "옐로우와 네이비는 보색에 가까운 경쾌한 조합",
    frozenset({"오렌지", "네이비"}): "오렌지와 네이비는 보색 대비 조합",
}
_CLASHES: dict[frozenset[str], str] = {
    frozenset({"레드", "그린"}): "레드와 그린은 강하게 부딪힘",
    frozenset({"레드", "핑크"}): "레드와 핑크는 서로 튐",
    frozenset({"오렌지", "핑크"}): "오렌지와 핑크는 서로 튐",
    frozenset({"퍼플", "옐로우"}): "퍼플과 옐로우는 서로 튐",
    frozenset({"레드", "오렌지"}): "레드와 오렌지는 서로 튐",
}


def slot_of(category: str) -> str | None:
    """Map a category name (English or Korean, any granularity) onto an outfit slot."""
    c = category.lower().strip()
    best: tuple[int, str] | None = None
    for slot, words in _SLOT_WORDS.items():
        for w in words:
            if w in c and (best is None or len(w) > best[0]):
                best = (len(w), slot)
    return best[1] if best else None


def colour_harmony(a: str, b: str) -> tuple[float, str]:
    """Score in [-1, 1] and a Korean reason for wearing colour ``a`` with colour ``b``."""
    pair = frozenset({a, b})
    if pair in _GOOD_PAIRS:
        return 1.0, _GOOD_PAIRS[pair]
    if pair in _CLASHES:
        return -1.0, _CLASHES[pair]
    if a == "멀티" or b == "멀티":
        other = b if a == "멀티" else a
        if other in NEUTRALS:
            return 0.6, f"화려한 무늬에는 {other} 같은 무채색이 잘 어울림"
        return -0.3, "무늬가 있는 옷에는 단색 무채색이 더 잘 어울림"
    if a == b:
        if a in NEUTRALS:
            return 0.5, f"{a} 톤온톤 코디"
        return -0.2, f"같은 {a}끼리는 단조로울 수 있음"
    if a in NEUTRALS and b in NEUTRALS:
        return 0.7, f"{a}와 {b}는 무난한 무채색 조합"
    if a in NEUTRALS or b in NEUTRALS:
        n, c = (a, b) if a in NEUTRALS else (b, a)
        return 0.6, f"{n}은(는) {c}을(를) 살려 주는 기본색"
    if a in EARTH and b in EARTH:
        return 0.5, f"{a}와 {b}는 어스 톤 조합"
    return -0.2, f"{a}와 {b}는 둘 다 강한 색이라 한 가지만 강조하는 편이 좋음"


@dataclass(frozen=True)
class OutfitItem:
    item_id: int | str
    category: str
    colours: Sequence[str]  # Korean colour names, dominant first
    store_id: int | str | None = None


@dataclass(frozen=True)
class Suggestion:
    item_id: int | str
    slot: str
    score: float
    reasons: list[str] = field(default_factory=list)


def suggest_outfit(
    anchor: OutfitItem,
    candidates: Sequence[OutfitItem],
    *,
    k: int = 4,
    per_slot: int = 2,
    same_store: bool = True,
    co_purchase: Mapping[int | str, float] | None = None,
    min_score: float = 0.0,
) -> list[Suggestion]:
    """Items that complete an outfit with ``anchor``, best first, each with its reasons.

    ``co_purchase``: optional candidate id -> co-purchase strength in [0, 1] with the anchor (adds up to 0.5).
    Candidates from other stores are skipped when ``same_store``; clashing colours fall below ``min_score``.
    """
    slot = slot_of(anchor.category)
    if slot is None or not anchor.colours:
        return []
    wanted = COMPLEMENTS.get(slot, ())
    scored: list[Suggestion] = []
    for c in candidates:
        if c.item_id == anchor.item_id or not c.colours:
            continue
        if same_store and anchor.store_id is not None and c.store_id != anchor.store_id:
            continue
        cs = slot_of(c.category)
        if cs not in wanted:
            continue
        h, why = colour_harmony(anchor.colours[0], c.colours[0])
        rank_bonus = 0.2 * (len(wanted) - wanted.index(cs)) / len(wanted)
        score = h + rank_bonus
        reasons = [f"{SLOT_LABELS[slot]}에 어울리는 {SLOT_LABELS[cs]}", why]
        if co_purchase and co_purchase.get(c.item_id, 0) > 0:
            cp = float(min(max(co_purchase[c.item_id], 0.0), 1.0))
            score += 0.5 * cp
            reasons.append("함께 구매한 고객이 많음")
        if score > min_score:
            scored.append(Suggestion(c.item_id, cs, round(score, 4), reasons))
    scored.sort(key=lambda s: (-s.score, str(s.item_id)))
    out: list[Suggestion] = []
    used: dict[str, int] = {}
    for s in scored:
        if used.get(s.slot, 0) < per_slot:
            out.append(s)
            used[s.slot] = used.get(s.slot, 0) + 1
        if len(out) == k:
            break
    return out
