"""`BusinessCalendar`: working days, holidays and transfers of the shipped data plus administrators' changes.

Special days (holidays, transfers, changes) are kept in a dict and a sorted list; every other date is a working day
from Monday to Friday. Counting working days between two dates is arithmetic on weekdays plus a bisect over the
special days, so it stays cheap for any span.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Mapping
from itertools import accumulate

from edms.core.calendar.data import ShippedData, YearData
from edms.core.calendar.days import (
    TRANSFERRED,
    WEEKEND,
    WORKING,
    WORKING_WEEKEND,
    DayInfo,
    Deadline,
    weekday_info,
)
from edms.core.calendar.explain import explain_calendar_days, explain_working_days

ROLLS = ('forward', 'backward')
ONE_DAY = dt.timedelta(days=1)
#: A search for the next or previous working day gives up after this many days (a calendar of only days off).
MAX_SEARCH = 3660


class BusinessCalendar:
    """The production calendar: the shipped data for its years, weekends only elsewhere, overrides on top."""

    def __init__(self, data: ShippedData, overrides: Mapping[dt.date, tuple[bool, str]] | None = None) -> None:
        self.data = data
        self.overrides = {day: override_info(day, working, note) for day, (working, note) in (overrides or {}).items()}
        self._days: dict[dt.date, DayInfo] = {**data.days, **self.overrides}
        self._dates = sorted(self._days)
        deltas = (int(self._days[day].is_working) - int(day.weekday() < 5) for day in self._dates)
        self._prefix = list(accumulate(deltas, initial=0))

    def day_info(self, day: dt.date) -> DayInfo:
        """What the calendar says about the date (an administrator's change wins over the shipped data)."""
        return self._days.get(day) or weekday_info(day)

    def shipped_info(self, day: dt.date) -> DayInfo:
        """The date as the shipped data (or the plain week) has it, ignoring administrators' changes."""
        return self.data.days.get(day) or weekday_info(day)

    def is_working_day(self, day: dt.date) -> bool:
        info = self._days.get(day)
        return info.is_working if info is not None else day.weekday() < 5

    def year_data(self, year: int) -> YearData | None:
        """The shipped year (its decree and completeness), or None outside the shipped years."""
        return self.data.years.get(year)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The date itself when it is a working day, otherwise the nearest following working day."""
        return self._search(day, ONE_DAY)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The date itself when it is a working day, otherwise the nearest preceding working day."""
        return self._search(day, -ONE_DAY)

    def _search(self, day: dt.date, step: dt.timedelta) -> dt.date:
        for _ in range(MAX_SEARCH):
            if self.is_working_day(day):
                return day
            day += step
        raise ValueError(f'no working day within {MAX_SEARCH} days')

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when `end` is before `start`."""
        if end < start:
            return -self.working_days_between(end, start)
        plain = _weekdays_upto(end) - _weekdays_upto(start)
        special = self._prefix[bisect_right(self._dates, end)] - self._prefix[bisect_right(self._dates, start)]
        return plain + special

    def add_working_days(self, start: dt.date, days: int, *, basis: str = '') -> Deadline:
        """The `days`-th working day after `start` (counting begins the next day); `basis` names the start date."""
        if days < 0:
            raise ValueError('days must not be negative')
        current, counted, skipped = start, 0, []
        while counted < days:
            current += ONE_DAY
            if self.is_working_day(current):
                counted += 1
            else:
                skipped.append(current)
        explanation = explain_working_days(self, start, days, current, skipped, basis)
        return Deadline(current, explanation, start, days, 'working', tuple(skipped))

    def add_calendar_days(self, start: dt.date, days: int, roll: str = 'forward', *, basis: str = '') -> Deadline:
        """`start` + `days`; a non-working last day moves to the next working day (ГК РФ ст. 193, 'forward') or to
        the preceding one ('backward': never later than the law allows; forward if the period has no working day).
        """
        if days < 0:
            raise ValueError('days must not be negative')
        if roll not in ROLLS:
            raise ValueError(f'roll must be one of {ROLLS}')
        last = start + dt.timedelta(days=days)
        how, due = 'none', last
        if not self.is_working_day(last):
            previous = self.previous_working_day(last)
            if roll == 'backward' and previous > start:
                how, due = 'backward', previous
            else:
                how, due = ('forward' if roll == 'forward' else 'fallback'), self.next_working_day(last)
        low, high = min(last, due), max(last, due)
        skipped = tuple(day for day in _dates(low, high) if not self.is_working_day(day))
        explanation = explain_calendar_days(self, start, days, last, due, how, skipped, basis)
        return Deadline(due, explanation, start, days, 'calendar', skipped)


def override_info(day: dt.date, is_working: bool, note: str) -> DayInfo:
    """An administrator's change: a working weekend, a restored weekday, a weekend kept or a weekday made free."""
    kinds = {(True, True): WORKING_WEEKEND, (True, False): WORKING, (False, True): WEEKEND, (False, False): TRANSFERRED}
    kind = kinds[is_working, day.weekday() >= 5]
    return DayInfo(day, kind, is_working, note, 'изменение администратора', overridden=True)


def _weekdays_upto(day: dt.date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) to `day` inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _dates(low: dt.date, high: dt.date) -> list[dt.date]:
    return [low + dt.timedelta(days=offset) for offset in range((high - low).days + 1)]
