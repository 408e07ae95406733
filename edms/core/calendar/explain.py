"""Russian explanations of counted deadlines: the rule, the start date, each skipped range of days off by name,
the decree behind a transfer, and a warning for years the shipped data do not cover (fully).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING

from edms.core.calendar.days import WEEKEND, WORKING_WEEKEND, plural, ru

if TYPE_CHECKING:
    from edms.core.calendar.business import BusinessCalendar

ROLL_TEXT = {
    'forward': 'по ст. 193 ГК РФ окончание срока переносится на ближайший следующий за ним рабочий день',
    'backward': (
        'срок перенесён на предшествующий рабочий день, чтобы не выйти за установленный законом срок '
        '(действие должно быть совершено не позднее последнего дня срока)'
    ),
    'fallback': (
        'рабочих дней в периоде нет, поэтому срок перенесён на ближайший следующий рабочий день (ст. 193 ГК РФ)'
    ),
}


def explain_working_days(
    calendar: BusinessCalendar, start: dt.date, days: int, due: dt.date, skipped: Sequence[dt.date], basis: str
) -> str:
    """«10 рабочих дней с 03.03.2026 (дата регистрации), отсчёт со следующего дня: пропущены …; срок — …»."""
    with_year = start.year != due.year
    unit = plural(days, 'рабочий день', 'рабочих дня', 'рабочих дней')
    head = f'{days} {unit} с {ru(start)}{_basis(basis)}, отсчёт со следующего дня'
    details = [f'пропущены нерабочие дни {describe_days(calendar, skipped, with_year)}' if skipped else '']
    period = (calendar.day_info(start + dt.timedelta(days=offset)) for offset in range(1, (due - start).days + 1))
    counted = [info for info in period if info.kind == WORKING_WEEKEND]
    if counted:
        listed = ', '.join(f'{_day(info.day, with_year)} ({info.short_note})' for info in counted)
        details.append(f'рабочими считаются {listed}')
    text = '; '.join(part for part in details if part) or 'нерабочих дней в периоде нет'
    return f'{head}: {text}; срок — {ru(due)}.{year_notes(calendar, start, due)}'


def explain_calendar_days(
    calendar: BusinessCalendar,
    start: dt.date,
    days: int,
    last: dt.date,
    due: dt.date,
    how: str,
    skipped: Sequence[dt.date],
    basis: str,
) -> str:
    """«30 календарных дней с …: последний день срока — …, нерабочий день (…); перенос …; срок — …»."""
    unit = plural(days, 'календарный день', 'календарных дня', 'календарных дней')
    text = f'{days} {unit} с {ru(start)}{_basis(basis)}, отсчёт со следующего дня: последний день срока — {ru(last)}'
    if how != 'none':
        off = describe_days(calendar, skipped, start.year != due.year)
        text += f', нерабочий; нерабочие дни {off}; {ROLL_TEXT[how]}'
    return f'{text}; срок — {ru(due)}.{year_notes(calendar, start, max(last, due))}'


def describe_days(calendar: BusinessCalendar, days: Sequence[dt.date], with_year: bool = False) -> str:
    """Consecutive days off as ranges: «07.03–09.03 (07.03 — выходной; 08.03 — Международный женский день; …)»."""
    ranges = []
    for group in _consecutive(sorted(days)):
        infos = [calendar.day_info(day) for day in group]
        span = _span(group[0], group[-1], with_year)
        if all(info.kind == WEEKEND and not info.overridden for info in infos):
            ranges.append(f'{span} ({"выходные" if len(group) > 1 else "выходной"})')
            continue
        if len(group) == 1:
            ranges.append(f'{span} ({infos[0].short_note})')
            continue
        runs = []
        for note, run in groupby(infos, key=lambda info: info.short_note):
            items = list(run)
            note = 'выходные' if note == 'выходной' and len(items) > 1 else note
            runs.append(f'{_span(items[0].day, items[-1].day, with_year)} — {note}')
        ranges.append(f'{span} ({"; ".join(runs)})')
    return ', '.join(ranges)


def year_notes(calendar: BusinessCalendar, start: dt.date, end: dt.date) -> str:
    """Warnings for the years of the period that have no shipped data or no decree yet."""
    notes = []
    for year in range(start.year, end.year + 1):
        data = calendar.year_data(year)
        if data is None:
            notes.append(
                f' За {year} год нет данных производственного календаря: учтены только суббота и воскресенье'
                ' как выходные дни и изменения, внесённые администратором.'
            )
        elif not data.complete:
            notes.append(
                f' Постановление Правительства РФ о переносе выходных дней в {year} году в календарь не включено:'
                ' учтены праздничные дни и перенос выходных по ч. 2 ст. 112 ТК РФ; проверьте срок после его'
                ' публикации.'
            )
    return ''.join(notes)


def _basis(basis: str) -> str:
    return f' ({basis})' if basis else ''


def _day(day: dt.date, with_year: bool) -> str:
    return ru(day) if with_year else day.strftime('%d.%m')


def _span(first: dt.date, last: dt.date, with_year: bool) -> str:
    return _day(first, with_year) if first == last else f'{_day(first, with_year)}–{_day(last, with_year)}'


def _consecutive(days: Sequence[dt.date]) -> list[list[dt.date]]:
    groups: list[list[dt.date]] = []
    for day in days:
        if groups and day - groups[-1][-1] == dt.timedelta(days=1):
            groups[-1].append(day)
        else:
            groups.append([day])
    return groups
