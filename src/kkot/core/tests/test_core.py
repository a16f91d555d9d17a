from decimal import Decimal

import pytest

from kkot.core.html import sanitize_html
from kkot.core.money import MoneyError, format_krw, krw, percent_off
from kkot.core.validators import brn_is_valid, brn_with_check_digit


def test_krw_rounds_half_up_to_won():
    assert krw("1234.5") == Decimal("1235")
    assert krw(Decimal("999.49")) == Decimal("999")
    assert format_krw(Decimal("1234567")) == "1,234,567원"


def test_money_refuses_floats_and_garbage():
    with pytest.raises(MoneyError):
        krw(1.5)
    with pytest.raises(MoneyError):
        krw("abc")
    with pytest.raises(MoneyError):
        krw("NaN")


def test_percent_off_never_overstates():
    assert percent_off(Decimal(39000), Decimal(29000)) == 25  # 25.64 -> 25
    assert percent_off(Decimal(1000), None) == 0


@pytest.mark.parametrize("brn,ok", [("220-81-62517", True), ("2208162517", True), ("220-81-62518", False),
                                    ("123", False), ("", False), ("abcdefghij", False)])
def test_business_registration_number_check_digit(brn, ok):
    assert brn_is_valid(brn) is ok


def test_brn_generator_produces_valid_numbers():
    for first9 in ("123456789", "000000001", "987654321"):
        assert brn_is_valid(brn_with_check_digit(first9))


def test_sanitize_html_removes_scripts_and_handlers():
    dirty = '<p onclick="x()">안녕<script>alert(1)</script><a href="javascript:alert(1)">링크</a><img src=x onerror=alert(1)></p>'
    clean = sanitize_html(dirty)
    assert "<script" not in clean and "onclick" not in clean and "onerror" not in clean and "javascript:" not in clean
    assert "안녕" in clean
