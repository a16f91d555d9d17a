"""A small grammar of Korean review phrases per category group and aspect, written for kkot (nothing is copied
from any dataset). :func:`compose` builds a review whose sentiment matches its stars, with spelling and spacing
noise; the planted patterns (a product that runs small, slow delivery) are parameters.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# aspect -> (positive phrases, negative phrases); every phrase ends a sentence.
FASHION = {
    "사이즈": (
        [
            "사이즈 딱 맞아요",
            "정사이즈로 잘 맞아요",
            "평소 입는 사이즈로 시켰는데 잘 맞네요",
            "사이즈 적당해요",
        ],
        [
            "사이즈가 작게 나왔어요",
            "한 치수 크게 주문하세요",
            "생각보다 작아서 교환했어요",
            "어깨가 좀 끼어요",
        ],
    ),
    "핏": (
        ["핏이 예뻐요", "착용감이 편해요", "라인이 예쁘게 떨어져요", "입었을 때 핏이 살아요"],
        ["핏이 애매해요", "착용감이 불편해요", "입으면 라인이 안 예뻐요"],
    ),
    "기장": (
        ["기장이 딱 좋아요", "길이가 적당해요"],
        ["기장이 너무 길어서 수선해야 해요", "생각보다 기장이 짧아요"],
    ),
    "색상": (
        ["색감이 화면이랑 똑같아요", "색상이 고급스러워요", "컬러가 너무 예뻐요"],
        ["물빠짐이 심해요", "화면보다 색이 칙칙해요", "세탁하니 이염됐어요"],
    ),
    "소재": (
        ["소재가 부드러워요", "원단이 탄탄해요", "두께감이 적당해서 좋아요"],
        ["원단이 너무 얇아서 비쳐요", "소재가 까끌거려요"],
    ),
    "품질": (
        ["마감이 깔끔해요", "퀄리티 좋아요", "바느질이 꼼꼼해요"],
        ["실밥이 많이 나와 있어요", "보풀이 금방 생겼어요", "마감이 엉망이에요"],
    ),
}
FOOD = {
    "맛": (
        ["정말 맛있어요", "간이 딱 맞아요", "달고 맛있어요", "아이들이 잘 먹어요"],
        ["맛이 싱거워요", "너무 짜요", "맛이 별로예요"],
    ),
    "신선도": (
        ["신선하고 싱싱해요", "유통기한 넉넉해요"],
        ["신선도가 떨어져요", "몇 개는 물러서 왔어요", "상한 게 섞여 있었어요"],
    ),
    "양": (["양이 넉넉해요", "푸짐하게 왔어요"], ["양이 너무 적어요", "생각보다 양이 적네요"]),
}
COSMETICS = {
    "발림성": (
        ["발림성이 좋아요", "촉촉하게 잘 발려요", "흡수가 빨라요"],
        ["끈적임이 남아요", "겉돌고 뭉쳐요"],
    ),
    "향": (["향이 은은해요", "향이 좋아요"], ["향이 너무 강해요", "향이 인공적이에요"]),
    "피부자극": (
        ["자극 없이 순해요", "민감한 피부인데 트러블 없어요"],
        ["바르고 나서 따가워요", "트러블이 올라왔어요"],
    ),
}
GOODS = {
    "품질": (
        ["튼튼하고 좋아요", "마감이 깔끔해요", "퀄리티 좋아요"],
        ["마감이 엉망이에요", "한 달 만에 고장났어요"],
    ),
    "디자인": (["디자인이 예뻐요", "깔끔한 디자인이 마음에 들어요"], ["디자인이 사진과 달라요"]),
    "사용감": (["사용하기 편해요", "조립이 쉬워요"], ["사용법이 복잡해요", "쓰기 불편해요"]),
}
COMMON = {
    "배송": (
        ["배송이 빨라요", "하루 만에 도착했어요", "배송 빠르고 좋아요"],
        ["배송이 너무 늦어요", "일주일 넘게 걸렸어요", "배송이 느려서 답답했어요"],
    ),
    "포장": (["포장이 꼼꼼해요", "포장 깔끔하게 왔어요"], ["포장이 허술해요", "박스가 찌그러져서 왔어요"]),
    "가격": (["가성비 최고예요", "이 가격에 이 정도면 만족해요"], ["가격 대비 별로예요"]),
}
LARGE = ["사이즈가 크게 나와요", "한 치수 작게 사세요", "품이 너무 커서 헐렁해요"]
SMALL = [
    "사이즈가 작게 나왔어요",
    "한 치수 크게 주문하세요",
    "평소 사이즈인데 꽉 끼어요",
    "생각보다 작아서 교환했어요",
]
OPENERS = [
    "",
    "",
    "",
    "잘 받았습니다.",
    "두 번째 구매예요.",
    "선물용으로 샀어요.",
    "고민하다 샀어요.",
    "세일할 때 샀어요.",
]
CLOSE_POS = ["재구매 의사 있어요!", "추천합니다.", "만족합니다 ^^", "다른 색도 사려고요.", "잘 쓸게요.", ""]
CLOSE_NEG = ["재구매는 안 할 것 같아요.", "아쉽네요.", "실망이에요.", "다음엔 다른 데서 살게요.", ""]
CLOSE_MID = ["그냥 무난해요.", "보통이에요.", "쓸 만해요.", ""]
JOIN_MIXED = [" 근데 ", ". 하지만 ", ", 다만 ", "\n"]
TYPOS = [
    ("돼요", "되요"),
    ("너무", "넘"),
    ("진짜", "진쨔"),
    ("좋아요", "조아요"),
    ("않", "안"),
    ("같아요", "같아용"),
    ("예뻐요", "이뻐요"),
]
EMOTES = [" ㅎㅎ", " ㅠㅠ", "!!", "~~", " 👍", ""]

BY_GROUP = {"fashion": FASHION, "food": FOOD, "cosmetics": COSMETICS, "default": GOODS}


@dataclass(frozen=True)
class Draft:
    text: str
    aspects: tuple[str, ...]


def stars_for(rnd: random.Random, *, slow: bool = False, runs_small: bool = False) -> int:
    """Stars drawn like a marketplace's (mostly 5); slow delivery and a product that runs small pull them down."""
    weights = [0.05, 0.05, 0.1, 0.22, 0.58]
    if slow:
        weights = [0.12, 0.16, 0.22, 0.25, 0.25]
    elif runs_small:
        weights = [0.08, 0.14, 0.28, 0.28, 0.22]
    return rnd.choices([1, 2, 3, 4, 5], weights=weights)[0]


def compose(
    rnd: random.Random,
    *,
    group: str,
    stars: int,
    slow: bool = False,
    fast: bool = False,
    runs_small: bool = False,
    large: bool = False,
) -> Draft:
    """One review of ``stars`` for a product of the category ``group``: positive aspects for 4-5 stars,
    complaints for 1-2, both for 3; delivery praise/complaints follow the actual delivery time."""
    table = {**BY_GROUP.get(group, GOODS), **COMMON}
    names = list(table)
    n_pos = {5: 2, 4: 2, 3: 1, 2: 0, 1: 0}[stars] + rnd.randint(0, 1)
    n_neg = {5: 0, 4: rnd.random() < 0.3, 3: 1, 2: 1, 1: 2}[stars] + (stars <= 2 and rnd.random() < 0.4)
    pos: list[tuple[str, str]] = []
    neg: list[tuple[str, str]] = []
    if slow and rnd.random() < 0.75:
        neg.append(("배송", rnd.choice(table["배송"][1])))
        n_neg = max(0, n_neg - 1)
    elif fast and stars >= 4 and rnd.random() < 0.35:
        pos.append(("배송", rnd.choice(table["배송"][0])))
    if group == "fashion" and runs_small and rnd.random() < 0.8:
        neg.append(("사이즈", rnd.choice(SMALL)))
        n_neg = max(0, n_neg - 1)
    elif group == "fashion" and large and rnd.random() < 0.5:
        neg.append(("사이즈", rnd.choice(LARGE)))
    used = {a for a, _ in pos + neg}
    pool = [a for a in names if a not in used and a != "배송"]
    rnd.shuffle(pool)
    for a in pool:
        if len(pos) < n_pos:
            pos.append((a, rnd.choice(table[a][0])))
        elif len(neg) < n_neg:
            neg.append((a, rnd.choice(table[a][1])))
    pos_text = ". ".join(p for _a, p in pos)
    neg_text = ". ".join(p for _a, p in neg)
    if pos_text and neg_text:
        body = pos_text + rnd.choice(JOIN_MIXED) + neg_text if stars >= 3 else neg_text + ". " + pos_text
    else:
        body = pos_text or neg_text or rnd.choice(["괜찮아요", "무난해요"])
    close = rnd.choice(CLOSE_POS if stars >= 4 else CLOSE_NEG if stars <= 2 else CLOSE_MID)
    text = " ".join(t for t in (rnd.choice(OPENERS), body + ".", close) if t).replace("..", ".")
    return Draft(_noise(rnd, text), tuple(a for a, _ in pos + neg))


def _noise(rnd: random.Random, text: str) -> str:
    """Spelling and spacing noise as people type on phones."""
    for right, wrong in TYPOS:
        if right in text and rnd.random() < 0.12:
            text = text.replace(right, wrong, 1)
    if rnd.random() < 0.15:  # spacing dropped
        text = "".join(ch for i, ch in enumerate(text) if not (ch == " " and rnd.random() < 0.5))
    if rnd.random() < 0.3:
        text = text.rstrip(".") + rnd.choice(EMOTES)
    return text.strip()


QUESTIONS = {
    "fashion": [
        "{opt} 재입고 언제 되나요?",
        "세탁기 돌려도 되나요?",
        "키 160인데 어떤 사이즈가 맞을까요?",
        "비침 있나요?",
    ],
    "food": ["유통기한이 어떻게 되나요?", "냉동 보관해도 되나요?", "오늘 주문하면 언제 받나요?"],
    "cosmetics": ["민감성 피부도 써도 되나요?", "향이 강한 편인가요?", "사용기한이 언제까지인가요?"],
    "default": ["배송 언제 출발하나요?", "색상 사진이랑 같나요?", "A/S 되나요?"],
}
ANSWERS = ["안녕하세요 고객님, 문의 감사합니다. {a}", "고객님 안녕하세요. {a} 감사합니다."]
ANSWER_BODY = {
    "fashion": [
        "다음 주 중 재입고 예정입니다.",
        "찬물 단독 세탁을 권해 드립니다.",
        "평소 사이즈로 주문하시면 됩니다.",
    ],
    "food": ["수령일 기준 최소 5일 남은 상품으로 보내 드립니다.", "냉동 보관하시면 한 달까지 괜찮습니다."],
    "cosmetics": [
        "저자극 테스트를 마친 제품이지만 팔 안쪽에 먼저 테스트해 보세요.",
        "개봉 후 12개월 사용하실 수 있습니다.",
    ],
    "default": ["평일 오후 2시 전 주문은 당일 출고됩니다.", "구매일로부터 1년간 무상 A/S가 됩니다."],
}
