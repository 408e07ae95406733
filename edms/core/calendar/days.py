"""Value types of the working-day calendar: the status of one day (`DayInfo`) and a counted deadline (`Deadline`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: Kinds of days: a plain working day, a Saturday or Sunday, a public holiday of ст. 112 ТК РФ, a day off moved
#: here from another day, a Saturday or Sunday made a working day.
WORKING, WEEKEND, HOLIDAY = 'working', 'weekend', 'holiday'
TRANSFERRED, WORKING_WEEKEND = 'transferred', 'working_weekend'
KINDS = (WORKING, WEEKEND, HOLIDAY, TRANSFERRED, WORKING_WEEKEND)
KIND_LABELS = {
    WORKING: 'Рабочий день',
    WEEKEND: 'Выходной день',
    HOLIDAY: 'Нерабочий праздничный день',
    TRANSFERRED: 'Перенесённый выходной день',
    WORKING_WEEKEND: 'Рабочий выходной (перенос)',
}
WEEKDAY_NAMES = ('понедельник', 'вторник', 'среда', 'четверг', 'пятница', 'суббота', 'воскресенье')
#: "пришёлся на …": the accusative of the weekend days.
WEEKEND_ACCUSATIVE = {5: 'субботу', 6: 'воскресенье'}


@dataclass(frozen=True)
class DayInfo:
    """What the calendar knows about one date; `note` is the Russian name or reason, `basis` the legal source."""

    day: dt.date
    kind: str
    is_working: bool
    note: str = ''
    basis: str = ''
    #: True when an administrator's change (core_calendar_days) decided this day.
    overridden: bool = False

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def short_note(self) -> str:
        """How the day is named in a deadline's explanation."""
        if self.overridden:
            return f'{self.note} (изменение администратора)'
        if self.kind == WEEKEND:
            return 'выходной'
        if self.kind in (TRANSFERRED, WORKING_WEEKEND) and self.basis:
            return f'{self.note} ({self.basis})'
        return self.note or self.label.lower()


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and a human-readable Russian account of how it was counted."""

    date: dt.date
    explanation: str
    start: dt.date
    days: int
    #: 'working' or 'calendar'.
    unit: str
    #: The non-working days the count passed over (working days) or the roll passed over (calendar days).
    skipped: tuple[dt.date, ...] = field(default=())


def weekday_info(day: dt.date) -> DayInfo:
    """The status of a day that no data and no administrator mentions: Saturday and Sunday are days off."""
    if day.weekday() >= 5:
        return DayInfo(day, WEEKEND, False, WEEKDAY_NAMES[day.weekday()])
    return DayInfo(day, WORKING, True)


def plural(number: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for `number`: 1 день, 2 дня, 5 дней."""
    tail = abs(number) % 100
    if 11 <= tail <= 14:
        return many
    if tail % 10 == 1:
        return one
    if 2 <= tail % 10 <= 4:
        return few
    return many


def ru(day: dt.date) -> str:
    return day.strftime('%d.%m.%Y')
