"""The demo marketplace's habits: rates of payments, cancellations and claims, dispatch habits, addresses."""

from __future__ import annotations

import random
from typing import TypeVar

from kkot.orders.models import ClaimReason, Coupon, OrderStatus

S = OrderStatus
SLOW_STORE = "dailylook"  # the demo seller's own store, so the signal shows on the demo login
SLOW_DAYS = 30
# Dispatch habits (the delivery promise learns them): gadgetbay ships the same day when paid by 14:00 (오늘출발),
# homenest packs late, dailylook's 사입 (made-to-order) items take their declared days. Others: as declared.
DISPATCH_HABIT = {"gadgetbay": "fast", "homenest": "slow", "dailylook": "made_to_order"}
BANK_SHARE = 0.13  # 무통장입금 (virtual account); the rest pay by card
BANK_NEVER_PAID = 0.09
CARD_DECLINED = 0.005
CANCEL, CANCEL_SLOW, PARTIAL_CANCEL, RETURN, EXCHANGE = 0.027, 0.07, 0.007, 0.034, 0.02
RETURN_REJECTED = 0.06
SHOPPER_CONFIRMS = 0.35  # the rest are confirmed automatically after KKOT_AUTO_CONFIRM_DAYS
COUPON_USE = {Coupon.Audience.ALL: 0.35, Coupon.Audience.REGULARS: 0.7, Coupon.Audience.FIRST_PURCHASE: 0.08}
OPEN = {S.PENDING_PAYMENT, S.PAID, S.PREPARING}
SOLD = {S.PAID, S.PREPARING, S.SHIPPING, S.DELIVERED, S.CONFIRMED}
CARRIER_BY_CONCEPT = {
    "fashion": "cj",
    "beauty": "hanjin",
    "food": "epost",
    "living": "lotte",
    "digital": "cj",
    "kids": "logen",
    "goods": "cj",
    "sports": "hanjin",
}
CITIES = [
    "서울특별시 마포구 월드컵로",
    "서울특별시 강남구 테헤란로",
    "서울특별시 송파구 올림픽로",
    "경기도 성남시 분당구 판교역로",
    "경기도 수원시 영통구 광교중앙로",
    "인천광역시 연수구 컨벤시아대로",
    "부산광역시 해운대구 센텀중앙로",
    "대구광역시 수성구 동대구로",
    "광주광역시 서구 상무중앙로",
    "대전광역시 유성구 대학로",
    "울산광역시 남구 삼산로",
    "경기도 고양시 일산동구 중앙로",
    "충청북도 청주시 상당구 상당로",
    "전라북도 전주시 완산구 효자로",
]
NOTES = [
    "",
    "",
    "",
    "문 앞에 놓아주세요",
    "부재 시 경비실에 맡겨주세요",
    "배송 전 연락 바랍니다",
    "파손 주의 부탁드려요",
]
DETAILS = {
    ClaimReason.CHANGE_OF_MIND: [
        "생각했던 색감과 달라요",
        "사이즈가 맞지 않아요",
        "다른 상품으로 다시 주문할게요",
        "필요 없어졌어요",
    ],
    ClaimReason.DEFECTIVE: [
        "박음질이 뜯어져 왔어요",
        "작동하지 않아요",
        "포장이 파손되어 왔어요",
        "얼룩이 있어요",
    ],
    ClaimReason.WRONG_ITEM: ["다른 색상이 왔어요", "주문한 옵션과 다른 상품이 왔어요"],
    ClaimReason.LATE: ["배송이 너무 늦어요", "발송이 계속 지연되어 취소합니다"],
    ClaimReason.OTHER: ["주소를 잘못 입력했어요", ""],
}
REJECT_REASONS = ["상품 사용 흔적이 있어 반품이 어렵습니다.", "반품 기간이 지나 접수할 수 없습니다."]

T = TypeVar("T")


def pick(rnd: random.Random, table: list[tuple[T, float]]) -> T:
    """One value of ``[(value, probability), ...]`` (the last one when the probabilities fall short)."""
    r = rnd.random()
    for value, p in table:
        r -= p
        if r < 0:
            return value
    return table[-1][0]
