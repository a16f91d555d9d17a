"""The bulk sheet format: one row per variant, product columns repeated on every row of the same 상품코드.

Fixed columns (in this order) are listed in ``FIXED_BEFORE`` / ``FIXED_AFTER``; between them come one
``속성:<속성 이름>`` column per attribute and, at the end, one ``고시:<항목>`` column per 상품정보제공고시 field.
The same definitions drive the template, the importer and the exporter, so the three never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ATTR_PREFIX = "속성:"
NOTICE_PREFIX = "고시:"
COMMENT_PREFIX = "#"  # rows whose 상품코드 starts with this are skipped (the template's example rows)
DATETIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, money, int, datetime, bool, status, category, tags, html
    level: str  # "product" (same on every row of a product) or "variant" (one value per row)
    required: bool = False
    help: str = ""
    example: str = ""


C_CODE, C_NAME, C_CATEGORY, C_PRICE, C_SALE = "상품코드", "상품명", "카테고리", "판매가", "할인가"
C_SALE_START, C_SALE_END, C_STATUS, C_BRAND, C_DESC, C_TAGS = "할인시작", "할인종료", "판매상태", "브랜드", "상세설명(HTML)", "태그"
C_SHIP, C_BUNDLE, C_DISPATCH, C_MTO, C_COLD = "배송비", "묶음배송", "출고소요일", "주문제작", "냉장냉동"
C_SKU, C_DELTA, C_STOCK, C_ACTIVE = "SKU", "추가금액", "재고", "옵션사용"
OPTION_NAME_COLS = ("옵션1명", "옵션2명", "옵션3명")
OPTION_VALUE_COLS = ("옵션1값", "옵션2값", "옵션3값")

FIXED_BEFORE: list[Column] = [
    Column(C_CODE, "text", "product", True, _("판매자 상품코드(40자 이내). 같은 상품코드의 행이 한 상품이 됩니다. 이미 있는 "
                                           "상품코드면 그 상품을 수정합니다. #으로 시작하는 행은 건너뜁니다."), "TS-001"),
    Column(C_NAME, "text", "product", True, _("상품명(100자 이내)."), "린넨 오버핏 셔츠"),
    Column(C_CATEGORY, "category", "product", True,
           _("소분류 카테고리의 코드(예: w-tshirt) 또는 전체 경로(예: 패션의류>여성의류>티셔츠)."), "패션의류>여성의류>티셔츠"),
    Column(C_PRICE, "money", "product", True, _("판매가(원, 정수)."), "39000"),
    Column(C_SALE, "money", "product", False, _("할인가(원). 판매가보다 낮아야 합니다. 비우면 할인 없음."), "29000"),
    Column(C_SALE_START, "datetime", "product", False, _("할인 시작 일시 YYYY-MM-DD HH:MM (한국 시간). 비우면 바로 시작."),
           "2025-01-01 00:00"),
    Column(C_SALE_END, "datetime", "product", False, _("할인 종료 일시 YYYY-MM-DD HH:MM (한국 시간). 비우면 계속."),
           "2025-12-31 23:59"),
    Column(C_STATUS, "status", "product", False, _("판매중, 품절, 판매중지, 숨김 중 하나. 비우면 판매중. 재고가 0이면 품절이 됩니다."),
           "판매중"),
    Column(C_BRAND, "text", "product", False, _("브랜드(40자 이내)."), "꽃상점"),
    Column(C_DESC, "html", "product", False, _("상세설명 HTML. 스크립트 등 위험한 태그는 지워집니다."), "<p>시원한 린넨 셔츠</p>"),
    Column(C_TAGS, "tags", "product", False, _("태그, 쉼표로 구분(최대 10개, 각 20자 이내)."), "린넨,여름셔츠"),
]
FIXED_AFTER: list[Column] = [
    Column(C_SHIP, "money", "product", False, _("개별 배송비(원). 비우면 스토어 배송비 정책을 따릅니다."), ""),
    Column(C_BUNDLE, "bool", "product", False, _("묶음배송 Y/N. 비우면 Y."), "Y"),
    Column(C_DISPATCH, "int", "product", False, _("출고 소요일(0~60). 비우면 2."), "2"),
    Column(C_MTO, "bool", "product", False, _("주문제작 Y/N. 비우면 N."), "N"),
    Column(C_COLD, "bool", "product", False, _("냉장/냉동 배송 Y/N. 비우면 N."), "N"),
    Column("옵션1명", "text", "product", False, _("첫째 옵션의 이름(예: 색상). 옵션이 없는 상품은 옵션 칸을 모두 비우고 한 행만 씁니다."),
           "색상"),
    Column("옵션1값", "text", "variant", False, _("이 행(옵션 조합)의 첫째 옵션 값(예: 블랙)."), "블랙"),
    Column("옵션2명", "text", "product", False, _("둘째 옵션의 이름(예: 사이즈)."), "사이즈"),
    Column("옵션2값", "text", "variant", False, _("이 행의 둘째 옵션 값(예: M)."), "M"),
    Column("옵션3명", "text", "product", False, _("셋째 옵션의 이름."), ""),
    Column("옵션3값", "text", "variant", False, _("이 행의 셋째 옵션 값."), ""),
    Column(C_SKU, "text", "variant", False, _("이 옵션 조합의 SKU(60자 이내, 상품 안에서 고유). 비우면 자동으로 만듭니다."),
           "TS-001-BK-M"),
    Column(C_DELTA, "money", "variant", False, _("옵션 추가금액(원, 음수 가능). 비우면 0."), "0"),
    Column(C_STOCK, "int", "variant", False, _("재고 수량(0 이상의 정수). 비우면 0."), "5"),
    Column(C_ACTIVE, "bool", "variant", False, _("이 옵션 조합을 판매하면 Y, 판매하지 않으면 N. 비우면 Y."), "Y"),
]
FIXED: dict[str, Column] = {c.name: c for c in FIXED_BEFORE + FIXED_AFTER}
REQUIRED = [c.name for c in FIXED.values() if c.required]
VARIANT_COLUMNS = (*OPTION_VALUE_COLS, C_SKU, C_DELTA, C_STOCK, C_ACTIVE)

STATUS_LABELS = {"on_sale": "판매중", "sold_out": "품절", "suspended": "판매중지", "hidden": "숨김"}
STATUS_BY_LABEL = {v: k for k, v in STATUS_LABELS.items()}
TRUE_WORDS = {"y", "yes", "true", "1", "o", "예", "네", "사용"}
FALSE_WORDS = {"n", "no", "false", "0", "x", "아니오", "아니요", "미사용"}

# Where a catalog.services field error is reported in the sheet.
FIELD_COLUMNS = {
    "name": C_NAME, "code": C_CODE, "category": C_CATEGORY, "price": C_PRICE, "sale_price": C_SALE,
    "sale_starts_at": C_SALE_START, "sale_ends_at": C_SALE_END, "status": C_STATUS, "brand": C_BRAND,
    "description_html": C_DESC, "tags": C_TAGS, "shipping_fee": C_SHIP, "bundle_shipping": C_BUNDLE,
    "dispatch_days": C_DISPATCH, "made_to_order": C_MTO, "cold_chain": C_COLD, "options": "옵션1명",
}


def header_row(attr_names: list[str], notice_fields: list[str]) -> list[str]:
    return ([c.name for c in FIXED_BEFORE] + [ATTR_PREFIX + n for n in attr_names]
            + [c.name for c in FIXED_AFTER] + [NOTICE_PREFIX + f for f in notice_fields])
