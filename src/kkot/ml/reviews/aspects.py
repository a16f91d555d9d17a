"""Aspect detection with polarity per mention and size direction (lexicon + learned clause sentiment).

An aspect mention is found with hand-written Korean patterns (see ``ASPECT_PATTERNS``; the labelling
guide in docs/labelling/ASPECTS.md defines what each aspect covers). Its polarity comes from, in
order: aspect-specific cue words in the same clause near the mention ("물빠짐" is negative for 색상,
"빠르" positive for 배송, with negation "안/않/없" flipping), general evaluative cues, and finally the
learned clause sentiment probability. Size (and length) mentions also carry a direction: 작아요 / 커요
/ 딱 맞아요 (길어요 / 짧아요 / 딱 맞아요 for length).

Aspect sets are configurable per category (:data:`CATEGORY_ASPECTS`): food gets 맛, 신선도, 양;
cosmetics gets 발림성, 향, 피부자극.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from kkot.ml.reviews.sentiment import SentimentModel

__all__ = [
    "AspectMention",
    "AspectExtractor",
    "ASPECTS",
    "CATEGORY_ASPECTS",
    "aspects_for_category",
    "AspectPolarityModel",
    "lexicon_polarity",
]

ASPECTS = (
    "사이즈", "핏/착용감", "길이/기장", "색상", "소재/재질", "품질/마감", "내구성", "디자인", "가격/가성비",
    "배송", "포장", "냄새", "사용감/편의성", "응대/서비스",
)
_COMMON = ("가격/가성비", "배송", "포장", "응대/서비스")
CATEGORY_ASPECTS: dict[str, tuple[str, ...]] = {
    "fashion": ASPECTS,
    "default": ASPECTS,
    "food": ("맛", "신선도", "양", "냄새", *_COMMON),
    "cosmetics": ("발림성", "향", "피부자극", "사용감/편의성", "용량", "디자인", "품질/마감", *_COMMON),
}
_CATEGORY_ALIASES = {
    "패션": "fashion", "의류": "fashion", "clothing": "fashion", "apparel": "fashion", "신발": "fashion",
    "잡화": "fashion", "음식": "food", "식품": "food", "grocery": "food", "화장품": "cosmetics",
    "뷰티": "cosmetics", "beauty": "cosmetics",
}


def aspects_for_category(category: str | None) -> tuple[str, ...]:
    """The aspect set for a store/product category (unknown or ``None`` -> the general product set)."""
    if not category:
        return CATEGORY_ASPECTS["default"]
    key = category.strip().lower()
    key = _CATEGORY_ALIASES.get(key, key)
    return CATEGORY_ASPECTS.get(key, CATEGORY_ASPECTS["default"])


# Patterns that mention an aspect. Order matters only for overlapping matches (longest wins).
ASPECT_PATTERNS: dict[str, str] = {
    "사이즈": r"사이즈|싸이즈|치수|정사이즈|정사|크기|허리(?!띠|끈|밴드)|허벅(?:지|다리)?|엉덩이|힙(?!합|한|하|해)|"
             r"작아|작네|작다|작음|작은\s?편|작게|작더|작았|작아서|커요|크네|크다|큼|커서|큰\s?편|크게\s?나|"
             r"커용|컸|크더|타이트|헐렁|끼어|끼네|끼는|껴요|껴서|꽉\s?끼|업\s?해서|다운\s?해|한\s?치수|"
             r"반\s?치수|한\s?사이즈|(?:2[4-9]|3[0-6])\s?(?:인치|사이즈|입|시켰|샀|주문|했)|[SML]\s?사이즈|"
             r"(?<![A-Za-z])(?:XS|XL|XXL|S|M|L)(?=\s|$|로|도|는|가|이|를|사이즈|시켰|샀|주문)",
    "핏/착용감": r"핏|실루엣|라인이|라인도|라인은|통이|통도|통은|통\s?넓|통\s?좁|밑위|착용감|착용\s?감|"
              r"입었을\s?때\s?느낌|편하|편해|편안|편함|불편|떨어지|떨어져|떨어짐",
    "길이/기장": r"기장|길이|밑단|길어(?!보)|길다|길게\s?나|길더|긴\s?편|짧아|짧다|짧게|짧은\s?편|짧음|짧네|"
               r"수선|롤업|접어|접어서|복숭아뼈|발목",
    "색상": r"색상|색감|색깔|색이|색도|색은|색\s|컬러|칼라|워싱|물빠짐|물\s?빠|이염|색\s?빠|바래|"
           r"톤이|톤도",
    "소재/재질": r"소재|재질|원단|두께|두껍|두꺼|얇|신축성|스판|촉감|기모|면\s?100|데님\s?원단|탄탄|"
               r"부드럽|뻣뻣|까끌|빳빳|늘어나|신축|비침|비쳐|통기성",
    "품질/마감": r"퀄리티|품질|질이|질도|질은|질\s?좋|마감|박음질|실밥|바느질|하자|불량|보풀|"
               r"오염|얼룩|구멍|흠집|스크래치|고급(?:스|져|진|짐)|싸구려",
    "내구성": r"내구성|튼튼|오래\s?입|오래\s?쓰|오래\s?가|금방\s?(?:늘|헤|찢|망)|찢어|헤지|해지|뜯어|"
            r"늘어났|늘어남|줄어들|줄었|변형|터졌|터짐",
    "디자인": r"디자인|예쁘|예뻐|이쁘|이뻐|예쁨|이쁨|예쁜|이쁜|예쁩|이쁩|이뻤|예뻤|멋있|멋져|멋진|귀엽|귀여|스타일|"
            r"모양|쉐입|셰입|주머니\s?디자인|디테일|로고|유행|트렌디|세련|깔끔한\s?디자인",
    "가격/가성비": r"가격|가성비|가심비|저렴|싸(?:게|고|서|요|다|네|ㄴ|니)|싼|비싸|비쌈|할인|세일|"
                 r"쿠폰|돈\s?값|값\s?(?:어치|에|대비|이|도)|혜자|이\s?가격",
    "배송": r"배송|배달|도착|택배|출고|발송|빨리\s?(?:왔|받|와)|늦게\s?(?:왔|받|와|도착)|하루\s?만에|"
           r"이틀\s?만에",
    "포장": r"포장|박스|상자|비닐|패키지|뽁뽁이|완충",
    "냄새": r"냄새|향|악취|화학\s?냄새|쉰내|꿉꿉",
    "사용감/편의성": r"사용감|편의성|사용\s?하기|쓰기\s?(?:편|좋|불편)|활용도|코디|매치|어울리|어울려|"
                  r"데일리|막\s?입기|손이\s?(?:가|자주)|사용법|조립|세탁\s?(?:하기|편)",
    "응대/서비스": r"응대|서비스|친절|불친절|문의|답변|교환|반품|환불|고객\s?센터|cs|CS|상담|사장님|"
                 r"판매자|셀러|대응",
    # category-specific
    "맛": r"맛|간이|간도|짜요|짜다|짜고|싱거|달아|달다|달고|달달|담백|고소|느끼|매워|맵|비리|쫄깃|바삭|"
         r"식감|눅눅|퍽퍽|촉촉",
    "신선도": r"신선|싱싱|상했|상한|상해|유통기한|무르|물러|시들|썩",
    "양": r"양이|양도|양은|양\s?(?:많|적|넉넉|푸짐|부족)|푸짐|넉넉|양\b|인분|한\s?끼|배불",
    "발림성": r"발림|발리|펴\s?발|밀착|흡수|겉돌|뭉치|뭉쳐|끈적|산뜻|촉촉|보습|건조|각질|백탁",
    "향": r"향|냄새|향기|잔향",
    "피부자극": r"자극|트러블|따가|따갑|가려|뒤집|알러지|알레르기|붉어|순하|순해|민감|여드름|뾰루지",
    "용량": r"용량|양이|양도|양\s?(?:많|적)|\d+\s?(?:ml|g|mL)",
}

# Aspect-specific polarity cues: (regex, polarity) checked in the clause after general negation.
_ASPECT_CUES: dict[str, list[tuple[str, int]]] = {
    "사이즈": [(r"딱\s?맞|잘\s?맞|정사이즈|정사\b|적당|넉넉|여유\s?있|맞아요|맞네|맞음|맞고|맞습니다|맞게|"
              r"맞춰|맞아서|맞았|맞는", 1),
             (r"작아|작네|작다|작음|작은\s?편|작았|작더|작아서|크네|커요|크다|큼|커서|큰\s?편|컸|커용|크더|"
              r"타이트|끼어|끼네|껴요|껴서|꽉\s?끼|헐렁|남아|남네|남는|남고|안\s?맞|안맞|애매|실패|"
              r"교환|반품|업\s?해|다운|한\s?치수|미스|작게\s?나|크게\s?나|작은\s?듯|큰\s?듯|수정\s?필요|"
              r"작고|크고|작긴|크긴|작지만|크지만|낑|꼈", -1)],
    "길이/기장": [(r"딱\s?맞|적당|딱\s?좋|알맞|딱이|딱\s?떨어", 1),
               (r"길어|길다|길게\s?나|길더|긴\s?편|짧아|짧다|짧은\s?편|짧음|짧네|수선|줄여|줄이|롤업|접어", -1)],
    "색상": [(r"물\s?빠|물빠짐|이염|색\s?빠|바래|바램|탁하|칙칙|다르|달라|번져|묻어", -1)],
    "배송": [(r"빠르|빨라|빨리|빠른|신속|하루\s?만|이틀\s?만|금방", 1),
            (r"느리|느려|늦|오래\s?걸|지연|한\s?달|일주일|파손|분실|안\s?와|안와", -1)],
    "포장": [(r"꼼꼼|깔끔|안전|튼튼", 1), (r"파손|찢어|구겨|엉망|허술|대충|터져|뜯어져", -1)],
    "냄새": [(r"안\s?나|없|안나|괜찮|좋", 1), (r"나요|나고|나서|나네|난다|심하|심해|역하|독하|쉰내|꿉꿉|악취|"
                                          r"화학", -1)],
    "소재/재질": [(r"부드럽|탄탄|좋|적당|짱짱|쫀쫀|튼튼|고급|(?:두껍|두꺼|얇)지\s?(?:도\s?)?않", 1),
               (r"너무\s?(?:두껍|두꺼|얇)", -1),
               (r"뻣뻣|까끌|얇아서|비침|비쳐|보풀|늘어나|늘어짐|싸구려|거칠|따가", -1)],
    "품질/마감": [(r"꼼꼼|깔끔|좋|고급|훌륭|튼튼", 1),
               (r"실밥|하자|불량|보풀|오염|얼룩|구멍|흠집|스크래치|싸구려|엉망|마감이\s?별로|조잡", -1)],
    "내구성": [(r"튼튼|오래\s?입|오래\s?쓰|오래\s?가|짱짱", 1),
             (r"찢어|헤지|해지|뜯어|늘어났|늘어남|줄어들|줄었|변형|터졌|터짐|금방", -1)],
    "가격/가성비": [(r"저렴|싸|싼|착하|혜자|좋|괜찮|최고|만족|할인|세일|합리|값\s?어치|돈\s?값", 1),
                 (r"비싸|비쌈|부담|아깝|돈\s?아까", -1)],
    "응대/서비스": [(r"친절|빠르|빨리|신속|감사|좋", 1), (r"불친절|느리|늦|답변\s?없|연락\s?없|안\s?돼|거부|무시", -1)],
    "피부자극": [(r"순하|순해|없|안\s?나|괜찮|진정", 1), (r"자극|트러블|따가|따갑|가려|뒤집|붉어|여드름|뾰루지|올라", -1)],
    "발림성": [(r"잘\s?발|부드럽|산뜻|촉촉|흡수|밀착|좋", 1), (r"끈적|뭉치|뭉쳐|겉돌|밀려|건조|각질|백탁|뻑뻑", -1)],
    "맛": [(r"맛있|맛나|맛도\s?좋|맛이\s?좋|맛\s?좋|최고|담백|고소|쫄깃|바삭|달달|존맛|굿|훌륭|일품", 1),
          (r"맛없|맛이\s?없|짜요|짜다|짜고|너무\s?짜|싱거|느끼|비리|눅눅|퍽퍽|별로|이상", -1)],
    "신선도": [(r"신선|싱싱|좋", 1), (r"상했|상한|상해|무르|물러|시들|썩|비린", -1)],
    "양": [(r"많|넉넉|푸짐|배불|충분|혜자", 1), (r"적|부족|작|모자", -1)],
}

_POS_CUE = (r"좋|만족|예쁘|예뻐|이쁘|이뻐|예쁩|이쁩|이뻤|예뻤|맘에|마음에|최고|훌륭|괜찮|편하|편해|편안|추천|깔끔|완벽|굿|짱|"
            r"멋|귀엽|귀여|고급|감사|적당|딱\s?좋|무난|잘\s?어울|잘\s?맞|딱\s?맞|대박|사랑|베스트|강추|"
            r"맛있|빠르|빨라|튼튼|부드럽|산뜻|미쳤|미칩|미친|예술|장난\s?아니|장난\s?아닌|장난\s?아님|말할\s?것\s?(?:도\s?)?없|최애|찰떡|"
            r"매력|인생|갑|good|nice|great")
_NEG_CUE = (r"별로|아쉽|아쉬|실망|불편|나쁘|나빠|최악|후회|비추|안\s?좋|안좋|짜증|불량|하자|엉망|"
            r"애매|그닥|글쎄|그저\s?그|불만|문제|싫|거슬|답답|아깝|못\s?입|못입|반품|환불|교환|타이트|무겁|"
            r"무거워|bad")
_NEGATION = r"(?:안\s?|못\s?)(?=\S)|지\s?(?:않|못|말)|않|없(?!이)|아니"

_COMPILED_CUES = {a: [(re.compile(p), s) for p, s in cues] for a, cues in _ASPECT_CUES.items()}
_POS_RE = re.compile(_POS_CUE, re.I)
_NEG_RE = re.compile(_NEG_CUE, re.I)
_NEGATION_RE = re.compile(_NEGATION)

_SMALL_RE = re.compile(r"작아|작네|작다|작음|작은\s?편|작았|작더|작아서|작게\s?나|작고|작긴|작지만|"
                       r"작은\s?(?:느낌|것|듯)|타이트|끼어|끼네|끼는|껴요|껴서|꽉\s?끼|꼈|낑|조여|"
                       r"업\s?해|업해|한\s?치수\s?(?:크게|업|올)|한\s?사이즈\s?(?:크게|업|올)|"
                       r"크게\s?(?:사|주문|시키|갔|가는|가세|가시|샀|살)|큰\s?사이즈로|\+1")
_LARGE_RE = re.compile(r"커요|크네|크다|큼|커서|큰\s?편|컸|커용|크더|크게\s?나|크고|크긴|크지만|"
                       r"큰\s?(?:느낌|것|듯)|헐렁|남아|남네|남는|남고|루즈|여유(?:로워|롭|있)|넉넉|다운|"
                       r"한\s?치수\s?(?:작게|다운|내려)|한\s?사이즈\s?(?:작게|다운|내려)|"
                       r"작게\s?(?:사|주문|시키|갔|가는|가세|가시|샀|살)|작은\s?사이즈로")
_FIT_RE = re.compile(r"딱\s?맞|잘\s?맞|정사이즈|정사\b|맞아요|맞네|맞음|맞습니다|적당|알맞")
_LONG_RE = re.compile(r"길어|길다|길게\s?나|길더|긴\s?편|길었|수선|줄여|줄이|롤업|접어")
_SHORT_RE = re.compile(r"짧아|짧다|짧은\s?편|짧음|짧네|짧았|짧게\s?나")

DIRECTION_LABELS = {"small": "작아요", "large": "커요", "fit": "딱 맞아요", "long": "길어요", "short": "짧아요"}


@dataclass(frozen=True, slots=True)
class AspectMention:
    """One aspect mention in a clause: ``polarity`` is ``"positive"``, ``"negative"`` or ``"neutral"``.

    ``span`` is ``(start, end)`` in the analysed (cleaned) review text; ``direction`` is ``"작아요"``,
    ``"커요"`` or ``"딱 맞아요"`` for size (``"길어요"``/``"짧아요"``/``"딱 맞아요"`` for length), else ``None``.
    ``source`` tells where the polarity came from: ``"lexicon"`` or ``"model"``.
    """

    aspect: str
    polarity: str
    span: tuple[int, int]
    direction: str | None = None
    score: float = 0.0
    source: str = "lexicon"


def _negated(text: str, start: int, end: int) -> bool:
    """A negation right before (``안 ``/``못 ``) or right after (``지 않``, ``없``) the cue at [start, end)."""
    before = text[max(0, start - 3) : start]
    after = text[end : end + 6]
    if re.search(r"(?:안|못)\s?$", before):
        return True
    return bool(re.match(r"\S{0,2}?\s?(?:지\s?(?:않|못|말)|않|없|아니)", after))


def _cue_polarity(aspect: str, clause: str, anchor: int) -> tuple[int, int]:
    """Polarity (+1/-1/0) from cue words in ``clause`` and the cue's distance to ``anchor``."""
    best: tuple[int, int] = (0, 10**6)
    for rx, sign in _COMPILED_CUES.get(aspect, []):
        for m in rx.finditer(clause):
            s = sign * (-1 if _negated(clause, m.start(), m.end()) else 1)
            if aspect == "냄새" and sign == 1 and m.group(0).startswith(("안", "없")):
                s = 1  # "냄새 안 나고": the negation is the cue itself
            d = abs(m.start() - anchor)
            if d < best[1]:
                best = (s, d)
    if best[0] != 0:
        return best
    pos = [(abs(m.start() - anchor), m) for m in _POS_RE.finditer(clause)]
    neg = [(abs(m.start() - anchor), m) for m in _NEG_RE.finditer(clause)]
    cands: list[tuple[int, int]] = []
    for d, m in pos:
        cands.append((d, -1 if _negated(clause, m.start(), m.end()) else 1))
    for d, m in neg:
        cands.append((d, 1 if _negated(clause, m.start(), m.end()) and m.group(0) not in ("안 좋", "안좋")
                      else -1))
    if not cands:
        return (0, 10**6)
    d, s = min(cands)
    return (s, d)


_HEIGHT_RE = re.compile(r"(?:키|체구|덩치|발)[가이는도]?\s?(?:좀\s?|많이\s?|조금\s?)?(?:작|크|커|큰)")


def _direction(aspect: str, clause: str) -> str | None:
    if aspect == "사이즈":
        clause = _HEIGHT_RE.sub("_", clause)
        small = [m for m in _SMALL_RE.finditer(clause) if not _negated(clause, m.start(), m.end())]
        large = [m for m in _LARGE_RE.finditer(clause) if not _negated(clause, m.start(), m.end())]
        fit = [m for m in _FIT_RE.finditer(clause) if not _negated(clause, m.start(), m.end())]
        if small and not large:
            return DIRECTION_LABELS["small"]
        if large and not small:
            return DIRECTION_LABELS["large"]
        if fit and not small and not large:
            return DIRECTION_LABELS["fit"]
        if small and large:  # "허리는 크고 허벅지는 작아요": the last one said wins
            return DIRECTION_LABELS["small" if small[-1].start() > large[-1].start() else "large"]
        return None
    if aspect == "길이/기장":
        if _LONG_RE.search(clause) and not _SHORT_RE.search(clause):
            return DIRECTION_LABELS["long"]
        if _SHORT_RE.search(clause) and not _LONG_RE.search(clause):
            return DIRECTION_LABELS["short"]
        if re.search(r"딱\s?(?:맞|좋|떨어)|적당|알맞", clause):
            return DIRECTION_LABELS["fit"]
    return None


_PRAISE_ONLY_RE = re.compile(r"예쁘|예뻐|이쁘|이뻐|예쁨|이쁨|예쁜|이쁜|예쁩|이쁩|이뻤|예뻤|멋있|멋져|멋진|귀엽|귀여")
_COMBINED_CACHE: dict[tuple[str, ...], tuple[re.Pattern[str], dict[str, str]]] = {}


def _combined(aspects: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation regex for a set of aspects (group ``g<i>`` -> aspect name), cached."""
    hit = _COMBINED_CACHE.get(aspects)
    if hit is None:
        parts, names = [], {}
        for i, a in enumerate(aspects):
            if a in ASPECT_PATTERNS:
                parts.append(f"(?P<g{i}>{ASPECT_PATTERNS[a]})")
                names[f"g{i}"] = a
        hit = (re.compile("|".join(parts) or r"(?!x)x"), names)
        _COMBINED_CACHE[aspects] = hit
    return hit


class AspectExtractor:
    """Find aspect mentions in clauses and give each a polarity (lexicon first, then the clause model)."""

    @staticmethod
    def mentions_any(clause: str, aspects: tuple[str, ...] = ASPECTS) -> bool:
        """True when ``clause`` mentions at least one aspect of ``aspects``."""
        rx, _ = _combined(aspects)
        return rx.search(_HEIGHT_RE.sub(lambda h: "_" * len(h.group(0)), clause)) is not None

    def __init__(self, neutral_band: float = 0.15) -> None:
        self.neutral_band = neutral_band

    def extract(
        self,
        clause: str,
        clause_prob: float,
        offset: int = 0,
        aspects: tuple[str, ...] = ASPECTS,
        next_clause: str | None = None,
    ) -> list[AspectMention]:
        """Mentions in one clause. ``clause_prob`` is the model's P(positive) of the clause;
        ``offset`` shifts spans to review coordinates. One mention per aspect per clause (the first).
        ``next_clause`` (the following clause of the same sentence, when it mentions no aspect itself)
        lends its cue words when this clause has none: "핏이 과하지 않고 | 적당해서 좋아요"."""
        out: list[AspectMention] = []
        rx, names = _combined(aspects)
        found: dict[str, tuple[int, int]] = {}
        masked = _HEIGHT_RE.sub(lambda h: "_" * len(h.group(0)), clause)  # "키가 작아서" is not about size
        for m in rx.finditer(masked):
            a = names[m.lastgroup or ""]
            if a not in found:
                found[a] = (m.start(), m.end())
        if "디자인" in found and len(found) > 1:
            ds, de = found["디자인"]
            if _PRAISE_ONLY_RE.fullmatch(clause[ds:de]):
                del found["디자인"]  # "색감이 이쁘고": the praise belongs to the other aspect
        for a, (s, e) in found.items():
            sign, _ = _cue_polarity(a, clause, s)
            if sign == 0 and next_clause:
                sign, _ = _cue_polarity(a, next_clause, 0)
            if sign > 0:
                pol, src, score = "positive", "lexicon", max(clause_prob, 0.75)
            elif sign < 0:
                pol, src, score = "negative", "lexicon", min(clause_prob, 0.25)
            else:
                src, score = "model", clause_prob
                if abs(clause_prob - 0.5) < self.neutral_band:
                    pol = "neutral"
                else:
                    pol = "positive" if clause_prob > 0.5 else "negative"
            d = _direction(a, clause)
            if a == "사이즈" and sign == 0 and d is not None:
                pol = "positive" if d == DIRECTION_LABELS["fit"] else "negative"
            out.append(AspectMention(a, pol, (offset + s, offset + e), d, float(score), src))
        out.sort(key=lambda m: m.span[0])
        return out


class AspectPolarityModel:
    """Learned aspect polarity given the aspect (3 classes: -1, 0, 1), for stores with labelled data.

    Features: hashed n-grams of the whole sentence, of a window around the aspect mention, and the
    window n-grams crossed with the aspect (column shift per aspect), plus the prior sentiment model's
    score of the window and the lexicon cue sign. Multinomial logistic regression (scikit-learn for
    training only); ``save``/``load`` use json + npz.
    """

    CLASSES = (-1, 0, 1)

    def __init__(self, sentiment: SentimentModel | None = None, window: int = 8, C: float = 2.0,
                 n_bits: int = 18) -> None:
        from kkot.ml.reviews.features import HashFeaturizer

        self.sentiment = sentiment
        self.window = window
        self.C = C
        self.featurizer = HashFeaturizer(n_bits=n_bits, char_max=4)
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None

    def _features(self, sentences: list[str], spans: list[tuple[int, int]], aspects: list[str]) -> Any:
        import scipy.sparse as sp

        n = self.featurizer.n_features
        wins = [s[max(0, a - self.window) : b + self.window] for s, (a, b) in zip(sentences, spans, strict=True)]
        Xs = self.featurizer.transform(sentences)
        Xw = self.featurizer.transform(wins)
        r, c, v = self.featurizer.coo(wins)
        shifts = np.array([(zlib_crc(a) % n) for a in aspects], np.int64)
        Xc = sp.csr_matrix((v, (r, (c + shifts[r]) % n)), shape=(len(wins), n))
        dense = np.zeros((len(wins), 4), np.float32)
        if self.sentiment is not None:
            dense[:, 0] = self.sentiment.decision_function(wins) / 5.0
            dense[:, 1] = self.sentiment.decision_function(sentences) / 5.0
        for i, (s, (a, _b), asp) in enumerate(zip(sentences, spans, aspects, strict=True)):
            sign, dist = _cue_polarity(asp, s, a)
            dense[i, 2] = sign
            dense[i, 3] = sign / (1.0 + dist / 10.0)
        return sp.hstack([Xs, Xw, Xc, sp.csr_matrix(dense)]).tocsr()

    def fit(self, sentences: list[str], spans: list[tuple[int, int]], aspects: list[str],
            polarities: list[int]) -> AspectPolarityModel:
        from sklearn.linear_model import LogisticRegression

        X = self._features(sentences, spans, aspects)
        clf = LogisticRegression(C=self.C, max_iter=2000)
        clf.fit(X, np.asarray(polarities))
        order = [list(clf.classes_).index(k) for k in self.CLASSES]
        self.coef = clf.coef_[order].astype(np.float32)
        self.intercept = clf.intercept_[order].astype(np.float32)
        return self

    def predict(self, sentences: list[str], spans: list[tuple[int, int]], aspects: list[str]) -> np.ndarray:
        if self.coef is None or self.intercept is None:
            raise RuntimeError("AspectPolarityModel is not fitted")
        X = self._features(sentences, spans, aspects)
        z = np.asarray(X @ self.coef.T) + self.intercept
        return np.asarray(self.CLASSES)[np.argmax(z, axis=1)]


def zlib_crc(text: str) -> int:
    """Stable (process-independent) hash of a short string."""
    import zlib

    return zlib.crc32(text.encode("utf-8"))


def lexicon_polarity(sentence: str, span: tuple[int, int], aspect: str, clause_prob: float,
                     neutral_band: float = 0.15) -> int:
    """Zero-shot aspect polarity (-1/0/1) of the mention at ``span``: lexicon cues in the clause
    holding the mention, else the clause sentiment probability ``clause_prob``."""
    sign, _ = _cue_polarity(aspect, sentence, span[0])
    if sign:
        return sign
    if abs(clause_prob - 0.5) < neutral_band:
        return 0
    return 1 if clause_prob > 0.5 else -1
