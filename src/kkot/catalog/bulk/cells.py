"""Turning one sheet cell into a typed value, or a Korean message saying what is wrong with it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kkot.catalog.bulk.columns import DATETIME_FORMAT, FALSE_WORDS, STATUS_BY_LABEL, STATUS_LABELS, TRUE_WORDS
from kkot.catalog.services import FieldErrors, parse_money
from kkot.core.timeutil import SEOUL

FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
_DT_FORMATS = (DATETIME_FORMAT, "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d",
               "%Y.%m.%d %H:%M", "%Y.%m.%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


class CellError(ValueError):
    pass


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any, *, strip: bool = True, csv_escape: bool = False) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.strftime(DATETIME_FORMAT)
    text = str(value)
    if csv_escape and len(text) > 1 and text[0] == "'" and text[1] in FORMULA_CHARS:
        text = text[1:]  # undo the apostrophe our CSV export puts before formula-like text
    return text.strip() if strip else text


def as_money(value: Any, *, allow_negative: bool = False) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("금액은 숫자로 입력해 주세요."))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("원 단위 정수로 입력해 주세요(소수점 없음)."))
        value = int(value)
    errors = FieldErrors()  # the same money rules as the product editor
    amount = parse_money(value if isinstance(value, int) else str(value).strip(), errors, "v", required=True,
                    allow_negative=allow_negative)
    if amount is None:
        raise CellError(errors.fields["v"][0])
    return amount


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(_("정수로 입력해 주세요."))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("정수로 입력해 주세요."))
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(",", "")
    try:
        return int(text)
    except ValueError:
        raise CellError(_("정수로 입력해 주세요.")) from None


def as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=SEOUL) if value.tzinfo is None else value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min, tzinfo=SEOUL)
    text = " ".join(str(value).split())
    for fmt in _DT_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=SEOUL)
        except ValueError:
            continue
    raise CellError(_("날짜는 YYYY-MM-DD HH:MM 형식(한국 시간)으로 입력해 주세요. 예: 2025-03-01 09:00"))


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(SEOUL)
    return local.strftime(DATETIME_FORMAT + (":%S" if local.second else ""))


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = as_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("Y 또는 N으로 입력해 주세요."))


def as_status(value: Any) -> str:
    text = as_text(value)
    if text in STATUS_BY_LABEL:
        return STATUS_BY_LABEL[text]
    if text in STATUS_LABELS:
        return text
    raise CellError(_("판매상태는 판매중, 품절, 판매중지, 숨김 중 하나로 입력해 주세요."))


def split_list(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
