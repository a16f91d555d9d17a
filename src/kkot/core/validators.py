"""Korean business identifiers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalize_brn(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def brn_is_valid(value: str) -> bool:
    """사업자등록번호 (10 digits) check digit, as published by 국세청."""
    digits = normalize_brn(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    nums = [int(c) for c in digits]
    total = sum(n * w for n, w in zip(nums[:9], _BRN_WEIGHTS, strict=True))
    total += (nums[8] * 5) // 10
    return (10 - total % 10) % 10 == nums[9]


def format_brn(value: str) -> str:
    d = normalize_brn(value)
    return f"{d[:3]}-{d[3:5]}-{d[5:]}" if len(d) == 10 else value


def validate_brn(value: str) -> None:
    if not brn_is_valid(value):
        raise ValidationError(_("사업자등록번호가 올바르지 않습니다. 10자리 숫자와 검증번호를 확인해 주세요."), code="invalid_brn")


MAIL_ORDER_RE = re.compile(r"^\d{4}-[가-힣A-Za-z]{2,12}-\d{3,6}$")


def validate_mail_order_no(value: str) -> None:
    """통신판매업 신고번호, e.g. ``2024-서울강남-01234``."""
    if value and not MAIL_ORDER_RE.match(value.strip()):
        raise ValidationError(
            _("통신판매업 신고번호 형식이 올바르지 않습니다. 예: 2024-서울강남-01234"), code="invalid_mail_order_no"
        )


POSTCODE_RE = re.compile(r"^\d{5}$")


def validate_postcode(value: str) -> None:
    if not POSTCODE_RE.match(value or ""):
        raise ValidationError(_("우편번호는 5자리 숫자입니다."), code="invalid_postcode")


def brn_with_check_digit(first9: str) -> str:
    """Complete 9 digits with the check digit (used by the demo generator and tests)."""
    nums = [int(c) for c in first9]
    total = sum(n * w for n, w in zip(nums, _BRN_WEIGHTS, strict=True)) + (nums[8] * 5) // 10
    return first9 + str((10 - total % 10) % 10)
