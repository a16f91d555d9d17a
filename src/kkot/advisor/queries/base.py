"""Date ranges, validation, and the cached query runner (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from kkot.advisor.models import RollupDay
from kkot.core.errors import ValidationError
from kkot.core.timeutil import seoul_today

K_MIN = 20
MAX_RANGE_DAYS = 3 * 366
CACHE_SECONDS = 3600
ZERO = Decimal(0)
CHANNEL_LABELS = {"direct": "직접 유입", "search": "검색", "social": "소셜", "ad": "광고", "referral": "외부 링크",
                  "": "추적 안 됨"}


# -- queries ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateRange:
    store_id: int
    start: dt.date
    end: dt.date  # inclusive

    def validate(self) -> None:
        validate_range(self.start, self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def validate_range(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ValidationError(_("시작일이 종료일보다 늦습니다. 기간을 다시 선택해 주세요."), code="date_range_reversed",
                              details={"start": start.isoformat(), "end": end.isoformat()})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError(_("조회 기간은 최대 3년(1,098일)까지 선택할 수 있습니다."), code="date_range_too_long")
    if start.year < 2000 or end > seoul_today() + dt.timedelta(days=366):
        raise ValidationError(_("조회할 수 없는 날짜입니다. 2000년 이후, 1년 이내의 날짜를 선택해 주세요."),
                              code="date_range_absurd")


def parse_range(*, store_id: int, start: str | None, end: str | None, default_days: int = 30) -> DateRange:
    """``YYYY-MM-DD`` strings from a form or URL; missing -> the last ``default_days`` days ending today."""
    today = seoul_today()
    try:
        e = dt.date.fromisoformat(end) if end else today
        s = dt.date.fromisoformat(start) if start else e - dt.timedelta(days=default_days - 1)
    except ValueError as exc:
        raise ValidationError(_("날짜 형식이 올바르지 않습니다. 예: 2026-11-01"), code="date_invalid") from exc
    r = DateRange(store_id, s, e)
    r.validate()
    return r



def _minus_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year - 1, day=28)


# -- runner + cache --------------------------------------------------------------------------------------------
def rollup_version() -> str:
    agg = RollupDay.objects.aggregate(m=Max("built_at"), n=Count("id"))
    return f"{agg['m'].timestamp() if agg['m'] else 0}:{agg['n']}"


def cache_key(query) -> str:
    raw = f"{type(query).__name__}:{sorted(asdict(query).items())!r}"
    extra = query.version() if hasattr(query, "version") else ""  # data read outside the rollups (ad spend)
    return "advisor:" + hashlib.sha1((raw + extra).encode()).hexdigest() + ":" + rollup_version()


def run_query(query, *, use_cache: bool = True):
    """Validate, then answer from the cache or the query's runner."""
    query.validate()
    runner = RUNNERS[type(query)]
    if not use_cache:
        return runner(query)
    key = cache_key(query)
    hit = cache.get(key)
    if hit is not None:
        return hit
    result = runner(query)
    cache.set(key, result, CACHE_SECONDS)
    return result



RUNNERS: dict = {}  # query type -> runner; filled by the modules of this package
