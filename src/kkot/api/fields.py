"""Field types shared by the API schemas: KRW as JSON integers, datetimes in Asia/Seoul (+09:00)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from kkot.core.timeutil import SEOUL

MAX_AMOUNT = 100_000_000_000  # 1,000억원: the services refuse anything larger too


def _to_seoul(value: datetime) -> datetime:
    """Aware datetimes are shown in Seoul time; naive input is read as Seoul time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=SEOUL)
    return value.astimezone(SEOUL)


# Output: Decimal KRW from the database -> a JSON integer (pydantic accepts an integral Decimal for int).
Won = Annotated[int, Field(description="원 (KRW, 정수)")]
# Input: a strict JSON integer. 12000.5, "12000" and true are refused with invalid_request.
WonIn = Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT, description="원 (KRW, 소수점 없는 정수)")]
WonDeltaIn = Annotated[
    int, Field(strict=True, ge=-MAX_AMOUNT, le=MAX_AMOUNT, description="추가금액 (원, 음수 가능, 정수)")
]
SeoulDateTime = Annotated[datetime, AfterValidator(_to_seoul)]
