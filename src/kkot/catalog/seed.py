"""Seed data: attribute definitions, 상품정보제공고시 groups and the 3-level Korean category tree.

Loaded by a data migration (idempotent: runs again without duplicates); the operator manages the tree
afterwards in the admin.
"""

from __future__ import annotations

ATTRIBUTES: list[dict] = [
    {"code": "material", "name": "소재", "kind": "multi",
     "choices": ["면", "폴리에스터", "린넨", "울", "캐시미어", "데님", "가죽", "합성가죽", "나일론", "레이온", "스판", "니트",
                 "실크", "플리스", "스테인리스", "원목", "플라스틱", "유리", "세라믹", "실리콘"]},
    {"code": "color", "name": "색상", "kind": "multi",
     "choices": ["블랙", "화이트", "아이보리", "베이지", "그레이", "네이비", "블루", "스카이블루", "그린", "카키", "옐로우",
                 "오렌지", "레드", "와인", "핑크", "퍼플", "브라운", "실버", "골드", "멀티"]},
    {"code": "season", "name": "계절", "kind": "multi", "choices": ["봄", "여름", "가을", "겨울", "사계절"]},
    {"code": "fit", "name": "핏", "kind": "choice", "choices": ["슬림", "레귤러", "세미오버", "오버사이즈", "와이드"]},
    {"code": "pattern", "name": "패턴", "kind": "choice",
     "choices": ["무지", "스트라이프", "체크", "도트", "플라워", "레터링", "그래픽", "카모"]},
    {"code": "origin", "name": "원산지", "kind": "choice",
     "choices": ["국내산", "중국", "베트남", "미국", "일본", "이탈리아", "프랑스", "기타"]},
    {"code": "care", "name": "세탁방법", "kind": "choice",
     "choices": ["손세탁", "드라이클리닝", "세탁기 가능", "울코스", "세탁 불가"]},
    {"code": "skin_type", "name": "피부타입", "kind": "multi", "choices": ["건성", "지성", "복합성", "민감성", "모든피부"]},
    {"code": "volume", "name": "용량", "kind": "text", "choices": []},
    {"code": "storage", "name": "보관방법", "kind": "choice", "choices": ["실온", "냉장", "냉동"]},
    {"code": "age", "name": "사용연령", "kind": "choice", "choices": ["신생아", "6개월+", "12개월+", "3세+", "5세+", "8세+"]},
    {"code": "power", "name": "전원", "kind": "choice", "choices": ["유선", "무선/충전식", "건전지", "USB"]},
]

# 상품정보제공고시 (전자상거래 등에서의 상품 등의 정보제공에 관한 고시): fields per product group.
NOTICE_GROUPS: dict[str, dict] = {
    "clothing": {"name": "의류", "fields": ["제품 소재", "색상", "치수", "제조자(수입자)", "제조국", "세탁방법 및 취급시 주의사항",
                                           "제조연월", "품질보증기준", "A/S 책임자와 전화번호"]},
    "shoes": {"name": "구두/신발", "fields": ["제품 주소재", "색상", "치수", "제조자(수입자)", "제조국", "취급시 주의사항",
                                          "품질보증기준", "A/S 책임자와 전화번호"]},
    "bags": {"name": "가방", "fields": ["종류", "소재", "색상", "크기", "제조자(수입자)", "제조국", "취급시 주의사항",
                                       "품질보증기준", "A/S 책임자와 전화번호"]},
    "accessories": {"name": "패션잡화", "fields": ["종류", "소재", "치수", "제조자(수입자)", "제조국", "취급시 주의사항",
                                               "품질보증기준", "A/S 책임자와 전화번호"]},
    "cosmetics": {"name": "화장품", "fields": ["내용물의 용량 또는 중량", "제품 주요 사양", "사용기한 또는 개봉 후 사용기간",
                                            "사용방법", "제조업자 및 책임판매업자", "제조국", "전성분", "사용할 때의 주의사항",
                                            "소비자상담 전화번호"]},
    "electronics": {"name": "가정용 전기제품", "fields": ["품명 및 모델명", "KC 인증정보", "정격전압, 소비전력", "출시년월",
                                                   "제조자(수입자)", "제조국", "크기", "품질보증기준", "A/S 책임자와 전화번호"]},
    "furniture": {"name": "가구", "fields": ["품명", "KC 인증정보", "색상", "구성품", "주요 소재", "제조자(수입자)", "제조국",
                                         "크기", "배송·설치비용", "품질보증기준", "A/S 책임자와 전화번호"]},
    "kids": {"name": "영유아용품", "fields": ["품명 및 모델명", "KC 인증정보", "크기, 중량", "색상", "재질", "사용연령",
                                          "제조자(수입자)", "제조국", "취급방법 및 주의사항", "품질보증기준", "A/S 책임자와 전화번호"]},
    "food": {"name": "농수축산물", "fields": ["품목 또는 명칭", "포장단위별 내용물의 용량(중량), 수량, 크기", "생산자(수입자)",
                                          "원산지", "제조연월일(포장일) 또는 유통기한", "보관방법 또는 취급방법", "소비자상담 전화번호"]},
    "processed_food": {"name": "가공식품", "fields": ["제품명", "식품의 유형", "생산자 및 소재지", "제조연월일, 소비기한",
                                                  "포장단위별 내용물의 용량(중량), 수량", "원재료명 및 함량", "영양성분",
                                                  "소비자안전을 위한 주의사항", "소비자상담 전화번호"]},
    "sports": {"name": "스포츠용품", "fields": ["품명 및 모델명", "크기, 중량", "색상", "재질", "제품 구성", "제조자(수입자)",
                                            "제조국", "품질보증기준", "A/S 책임자와 전화번호"]},
    "living": {"name": "생활화학제품/생활용품", "fields": ["품명 및 모델명", "용량 또는 수량", "재질", "제조자(수입자)", "제조국",
                                                  "취급방법 및 주의사항", "소비자상담 전화번호"]},
    "etc": {"name": "기타 재화", "fields": ["품명 및 모델명", "제조자(수입자)", "제조국", "A/S 책임자와 전화번호"]},
}

_FASHION = ["material", "color", "season", "fit", "pattern", "origin", "care"]
_GOODS = ["material", "color", "origin"]

# (slug, name, notice_group, attribute codes, children) ; children are (slug, name, [leaf (slug, name)])
TREE: list[tuple] = [
    ("fashion", "패션의류", "clothing", _FASHION, [
        ("women", "여성의류", [("w-tshirt", "티셔츠"), ("w-blouse", "블라우스/셔츠"), ("w-knit", "니트/스웨터"),
                               ("w-onepiece", "원피스"), ("w-skirt", "스커트"), ("w-pants", "바지"), ("w-jeans", "청바지"),
                               ("w-outer", "아우터"), ("w-training", "트레이닝복")]),
        ("men", "남성의류", [("m-tshirt", "티셔츠"), ("m-shirt", "셔츠"), ("m-knit", "니트/스웨터"), ("m-pants", "바지"),
                             ("m-jeans", "청바지"), ("m-outer", "아우터"), ("m-suit", "정장")]),
        ("underwear", "언더웨어/잠옷", [("u-pajama", "잠옷/홈웨어"), ("u-socks", "양말"), ("u-inner", "이너웨어")]),
    ]),
    ("fashion-goods", "패션잡화", "accessories", _GOODS, [
        ("shoes", "신발", [("sneakers", "운동화/스니커즈"), ("loafers", "로퍼/구두"), ("sandals", "샌들/슬리퍼"), ("boots", "부츠")]),
        ("bags", "가방", [("shoulder-bag", "숄더백"), ("backpack", "백팩"), ("cross-bag", "크로스백"), ("eco-bag", "에코백")]),
        ("acc", "액세서리", [("hat", "모자"), ("belt", "벨트"), ("scarf", "머플러/스카프"), ("jewelry", "주얼리"),
                            ("socks-acc", "패션양말")]),
    ]),
    ("beauty", "화장품/미용", "cosmetics", ["skin_type", "volume", "origin"], [
        ("skincare", "스킨케어", [("toner", "스킨/토너"), ("serum", "에센스/세럼"), ("cream", "크림"), ("sunscreen", "선케어"),
                                ("mask", "마스크팩")]),
        ("makeup", "메이크업", [("cushion", "쿠션/파운데이션"), ("lip", "립메이크업"), ("eye", "아이메이크업")]),
        ("body-hair", "바디/헤어", [("shampoo", "샴푸/린스"), ("body-wash", "바디워시"), ("hand-cream", "핸드크림")]),
    ]),
    ("digital", "디지털/가전", "electronics", ["color", "power", "origin"], [
        ("mobile-acc", "휴대폰 액세서리", [("phone-case", "케이스"), ("charger", "충전기/케이블"), ("earphones", "이어폰/헤드폰")]),
        ("pc", "PC/주변기기", [("keyboard", "키보드"), ("mouse", "마우스"), ("monitor-acc", "모니터 액세서리")]),
        ("home-appliance", "생활가전", [("fan", "선풍기/서큘레이터"), ("humidifier", "가습기"), ("lamp", "조명/스탠드")]),
    ]),
    ("furniture", "가구/인테리어", "furniture", ["material", "color", "origin"], [
        ("furniture-main", "가구", [("desk", "책상"), ("chair", "의자"), ("shelf", "수납장/선반")]),
        ("interior", "인테리어소품", [("cushion-cover", "쿠션/방석"), ("rug", "러그/카펫"), ("curtain", "커튼/블라인드"),
                                  ("diffuser", "디퓨저/캔들")]),
        ("bedding", "침구", [("blanket", "이불"), ("pillow", "베개")]),
    ]),
    ("kids", "출산/육아", "kids", ["material", "color", "age"], [
        ("baby-clothes", "유아동의류", [("baby-bodysuit", "바디수트/우주복"), ("kids-top", "상의"), ("kids-bottom", "하의")]),
        ("baby-goods", "육아용품", [("feeding", "수유/이유용품"), ("bath", "목욕용품"), ("stroller-acc", "유모차 용품")]),
        ("toys", "완구", [("blocks", "블록/교구"), ("dolls", "인형"), ("books", "유아도서")]),
    ]),
    ("food", "식품", "food", ["storage", "origin"], [
        ("fresh", "신선식품", [("fruit", "과일"), ("vegetable", "채소"), ("meat", "정육"), ("seafood", "수산물")]),
        ("processed", "가공식품", [("snack", "과자/간식"), ("kimchi", "김치/반찬"), ("meal-kit", "밀키트"), ("sauce", "장류/소스")]),
        ("drinks", "음료/차", [("coffee", "커피"), ("tea", "차"), ("juice", "주스")]),
    ]),
    ("sports", "스포츠/레저", "sports", ["material", "color", "season"], [
        ("sportswear", "스포츠의류", [("yoga-wear", "요가복"), ("running-wear", "러닝복")]),
        ("outdoor", "캠핑/아웃도어", [("tent", "텐트"), ("camping-goods", "캠핑용품")]),
        ("fitness", "헬스/요가", [("yoga-mat", "요가매트"), ("dumbbell", "덤벨/소도구")]),
    ]),
    ("living", "생활/건강", "living", ["material", "volume", "origin"], [
        ("kitchen", "주방용품", [("cookware", "냄비/프라이팬"), ("tableware", "식기"), ("tumbler", "텀블러/컵")]),
        ("cleaning", "세제/청소", [("detergent", "세제"), ("cleaning-tool", "청소도구")]),
        ("health", "건강용품", [("supplement", "건강식품"), ("massage", "안마용품")]),
        ("pet", "반려동물", [("pet-food", "사료/간식"), ("pet-goods", "반려용품")]),
    ]),
    ("books-hobby", "도서/취미", "etc", ["origin"], [
        ("stationery", "문구", [("notebook", "노트/다이어리"), ("pen", "필기구")]),
        ("craft", "DIY/공예", [("craft-kit", "공예키트"), ("plant", "식물/가드닝")]),
    ]),
]


# Level-2 nodes whose 상품정보제공고시 group differs from their top-level category.
NOTICE_OVERRIDES = {
    "shoes": "shoes", "bags": "bags", "processed": "processed_food", "drinks": "processed_food",
    "baby-clothes": "clothing", "sportswear": "clothing", "home-appliance": "electronics",
}


def seed_catalog(AttributeDefinition, Category) -> None:  # noqa: N803 - historical models from migrations
    """Create or update attributes and the category tree. Safe to run any number of times."""
    attrs = {}
    for pos, a in enumerate(ATTRIBUTES):
        obj, _ = AttributeDefinition.objects.update_or_create(
            code=a["code"], defaults={"name": a["name"], "kind": a["kind"], "choices": a["choices"], "position": pos}
        )
        attrs[a["code"]] = obj

    def upsert(slug, name, parent, level, position, notice_group=""):
        obj, _ = Category.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "parent": parent, "level": level, "position": position,
                      "notice_group": notice_group, "path": ""},
        )
        obj.path = (parent.path if parent else "") + f"{obj.pk}/"
        obj.save(update_fields=["path"])
        return obj

    for p1, (slug, name, notice, attr_codes, children) in enumerate(TREE):
        top = upsert(slug, name, None, 1, p1, notice)
        top.attributes.set([attrs[c] for c in attr_codes])
        for p2, (slug2, name2, leaves) in enumerate(children):
            mid = upsert(slug2, name2, top, 2, p2, NOTICE_OVERRIDES.get(slug2, ""))
            for p3, (slug3, name3) in enumerate(leaves):
                upsert(slug3, name3, mid, 3, p3)
