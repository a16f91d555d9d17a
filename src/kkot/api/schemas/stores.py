"""Store shapes: the public store card, the seller's settings, staff."""

from __future__ import annotations

from datetime import time
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kkot.api.fields import SeoulDateTime, Won, WonIn
from kkot.api.schemas.common import absolute_url

StoreStatus = Literal["open", "paused", "closed"]


class ShippingPolicyOut(Schema):
    base_fee: Won
    free_over: Won | None = Field(description="이 금액 이상 무료배송 (없으면 항상 유료)")
    jeju_surcharge: Won
    island_surcharge: Won
    same_day_cutoff: time | None = Field(description="오늘출발 마감시각")


class BusinessInfoOut(Schema):
    """전자상거래법 표시 의무 사업자 정보."""

    business_name: str
    representative: str
    business_reg_no: str
    mail_order_no: str
    contact_phone: str
    contact_email: str
    return_address: str


def _shipping(obj) -> dict:
    return {"base_fee": obj.shipping_base_fee, "free_over": obj.shipping_free_over,
            "jeju_surcharge": obj.shipping_jeju_surcharge, "island_surcharge": obj.shipping_island_surcharge,
            "same_day_cutoff": obj.same_day_cutoff}


class StoreOut(Schema):
    """A store as shoppers see it."""

    slug: str
    name: str
    description: str
    logo_url: str | None
    grade: str
    grade_label: str
    follower_count: int
    business: BusinessInfoOut
    shipping: ShippingPolicyOut
    created_at: SeoulDateTime

    @staticmethod
    def resolve_logo_url(obj, context):
        return absolute_url(context, obj.logo.url if obj.logo else None)

    @staticmethod
    def resolve_grade_label(obj):
        return str(obj.get_grade_display())

    @staticmethod
    def resolve_business(obj):
        address = " ".join(p for p in (f"({obj.return_postcode})", obj.return_address, obj.return_address_detail) if p)
        return {"business_name": obj.business_name, "representative": obj.representative,
                "business_reg_no": obj.business_reg_no, "mail_order_no": obj.mail_order_no,
                "contact_phone": obj.contact_phone, "contact_email": obj.contact_email, "return_address": address}

    @staticmethod
    def resolve_shipping(obj):
        return _shipping(obj)


class SellerStoreOut(Schema):
    """Store settings as the seller edits them (field names are those of PATCH)."""

    slug: str
    name: str
    description: str
    logo_url: str | None
    status: StoreStatus
    status_label: str
    grade: str
    business_name: str
    representative: str
    business_reg_no: str
    mail_order_no: str
    contact_phone: str
    contact_email: str
    return_postcode: str
    return_address: str
    return_address_detail: str
    shipping_base_fee: Won
    shipping_free_over: Won | None
    shipping_jeju_surcharge: Won
    shipping_island_surcharge: Won
    same_day_cutoff: time | None
    follower_count: int
    created_at: SeoulDateTime
    updated_at: SeoulDateTime

    @staticmethod
    def resolve_logo_url(obj, context):
        return absolute_url(context, obj.logo.url if obj.logo else None)

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class StorePatchIn(Schema):
    """Only the fields sent are changed. ``shipping_free_over`` and ``same_day_cutoff`` accept null."""

    model_config = ConfigDict(extra="forbid")
    # ``str = None``: may be omitted, but an explicit null is refused (these columns are NOT NULL).
    name: str = Field(None, min_length=1, max_length=60)
    description: str = Field(None, max_length=2000)
    status: StoreStatus = None
    business_name: str = Field(None, max_length=80)
    representative: str = Field(None, max_length=40)
    business_reg_no: str = Field(None, max_length=12, description="사업자등록번호 (검증번호 확인)")
    mail_order_no: str = Field(None, max_length=40, description="통신판매업 신고번호, 예: 2024-서울강남-01234")
    contact_phone: str = Field(None, max_length=20)
    contact_email: str = Field(None, max_length=254)
    return_postcode: str = Field(None, max_length=5)
    return_address: str = Field(None, max_length=200)
    return_address_detail: str = Field(None, max_length=100)
    shipping_base_fee: WonIn = None
    shipping_free_over: WonIn | None = None
    shipping_jeju_surcharge: WonIn = None
    shipping_island_surcharge: WonIn = None
    same_day_cutoff: time | None = None


class StaffOut(Schema):
    id: int
    email: str
    name: str
    role: Literal["owner", "manager", "viewer"]
    role_label: str
    created_at: SeoulDateTime

    @staticmethod
    def resolve_email(obj):
        return obj.user.email

    @staticmethod
    def resolve_name(obj):
        return obj.user.name

    @staticmethod
    def resolve_role_label(obj):
        return str(obj.get_role_display())
