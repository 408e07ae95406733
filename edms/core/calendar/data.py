"""The shipped production-calendar data (`data/ru.json`): the holidays of ст. 112 ТК РФ and each year's transfers.

The file is read once per process and checked for consistency: a transfer must move a day off from a weekend or a
holiday to a weekday that is not a holiday; a mistake in the file stops the application instead of shifting
deadlines silently.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from edms.core.calendar.days import HOLIDAY, TRANSFERRED, WEEKEND_ACCUSATIVE, WORKING_WEEKEND, DayInfo, ru

RULE_BASIS = 'ч. 2 ст. 112 ТК РФ'
WORKING_WEEKEND_NAMES = {5: 'рабочая суббота', 6: 'рабочее воскресенье'}


@dataclass(frozen=True)
class YearData:
    """One shipped year: the decree its transfers come from, and whether the data are complete."""

    year: int
    decree: str | None
    decree_short: str | None
    complete: bool
    note: str


@dataclass(frozen=True)
class ShippedData:
    """Every special day of the shipped years (holidays, transferred days off, working weekends)."""

    law: str
    years: dict[int, YearData]
    days: dict[dt.date, DayInfo]


@functools.cache
def shipped_data() -> ShippedData:
    """The data file of the package, parsed and checked (once per process)."""
    text = resources.files('edms.core.calendar').joinpath('data', 'ru.json').read_text(encoding='utf-8')
    return parse(json.loads(text))


def parse(raw: dict[str, Any]) -> ShippedData:
    law = raw['law']
    years: dict[int, YearData] = {}
    days: dict[dt.date, DayInfo] = {}
    for key, item in raw['years'].items():
        year = YearData(int(key), item['decree'], item['decree_short'], item['complete'], item.get('note', ''))
        years[year.year] = year
        holidays = {day.day: day for day in (_holiday(year.year, entry, law) for entry in raw['holidays'])}
        days.update(holidays)
        for transfer in item['transfers']:
            days.update(_transfer(year, transfer, holidays))
    return ShippedData(law, years, days)


def _holiday(year: int, entry: dict[str, Any], law: str) -> DayInfo:
    month, day = (int(part) for part in entry['date'].split('-'))
    return DayInfo(dt.date(year, month, day), HOLIDAY, False, entry['name'], law)


def _transfer(year: YearData, transfer: dict[str, str], holidays: dict[dt.date, DayInfo]) -> dict[dt.date, DayInfo]:
    """The days a transfer changes: the day off moved to `to`, and a plain weekend `from` made a working day."""
    source, target = dt.date.fromisoformat(transfer['from']), dt.date.fromisoformat(transfer['to'])
    if source.year != year.year or target.year != year.year:
        raise ValueError(f'calendar data: transfer {source}→{target} outside {year.year}')
    if source.weekday() < 5 or target.weekday() >= 5 or target in holidays:
        raise ValueError(f'calendar data: transfer {source}→{target} must move a weekend day to a plain weekday')
    if transfer['basis'] == 'rule':
        holiday = holidays.get(source)
        if holiday is None:
            raise ValueError(f'calendar data: rule transfer from {source}, which is not a holiday')
        weekday = WEEKEND_ACCUSATIVE[source.weekday()]
        note = f'перенесённый выходной: {holiday.note} ({ru(source)}) пришёлся на {weekday}'
        return {target: DayInfo(target, TRANSFERRED, False, note, RULE_BASIS)}
    basis = year.decree_short or ''
    changed = {target: DayInfo(target, TRANSFERRED, False, f'перенесённый выходной с {ru(source)}', basis)}
    if source not in holidays:
        note = f'{WORKING_WEEKEND_NAMES[source.weekday()]}: выходной перенесён на {ru(target)}'
        changed[source] = DayInfo(source, WORKING_WEEKEND, True, note, basis)
    return changed
