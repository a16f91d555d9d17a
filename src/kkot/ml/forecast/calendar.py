"""Business-day calendars: which days count, and moving by business days.

A calendar is passed in (never read from a global), so tests can hand-build one and the platform can give the
carriers' calendar (Sundays and public holidays off) and the sellers' calendar (weekends and holidays off).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


class BusinessCalendar:
    """Days off: the weekdays in ``off_weekdays`` (Monday=0) and every date in ``holidays``."""

    def __init__(self, *, off_weekdays: Iterable[int] = (5, 6), holidays: Iterable[date] = ()):
        self.off_weekdays = frozenset(int(w) for w in off_weekdays)
        self.holidays = frozenset(holidays)
        self._add: dict[tuple[date, int], date] = {}
        if len(self.off_weekdays) >= 7:
            raise ValueError("a calendar needs at least one working weekday")

    def is_open(self, d: date) -> bool:
        return d.weekday() not in self.off_weekdays and d not in self.holidays

    def roll(self, d: date) -> date:
        """``d`` if it is a business day, else the next business day."""
        while not self.is_open(d):
            d += timedelta(days=1)
        return d

    def add(self, d: date, k: int) -> date:
        """The ``k``-th business day after ``roll(d)`` (``k=0``: ``roll(d)`` itself)."""
        key = (d, k)
        hit = self._add.get(key)
        if hit is None:
            d = self.roll(d)
            while k > 0:
                d += timedelta(days=1)
                if self.is_open(d):
                    k -= 1
            hit = self._add[key] = d
        return hit

    def lag(self, start: date, end: date) -> int:
        """Business days from ``roll(start)`` to ``roll(end)`` (0 when ``end`` is not later): the inverse of
        :meth:`add`, so ``add(start, lag(start, end)) == roll(end)`` whenever ``end >= start``."""
        a, b = self.roll(start), self.roll(end)
        n = 0
        while a < b:
            a += timedelta(days=1)
            if self.is_open(a):
                n += 1
        return n

    def to_dict(self) -> dict:
        return {"off_weekdays": sorted(self.off_weekdays), "holidays": sorted(d.isoformat() for d in self.holidays)}

    @classmethod
    def from_dict(cls, data: dict) -> BusinessCalendar:
        return cls(off_weekdays=data["off_weekdays"], holidays=[date.fromisoformat(s) for s in data["holidays"]])


def korean_holidays(years: Iterable[int]) -> set[date]:
    """Korean public holidays (incl. substitute and election days) from the maintained ``holidays`` package."""
    import holidays

    return set(holidays.country_holidays("KR", years=list(years)).keys())


def korean_calendar(*, off_weekdays: Iterable[int] = (5, 6), years: Iterable[int] = range(2020, 2036)
                    ) -> BusinessCalendar:
    return BusinessCalendar(off_weekdays=off_weekdays, holidays=korean_holidays(years))
