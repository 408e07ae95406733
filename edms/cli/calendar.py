"""`flask --app wsgi edms calendar …`: show a year, count a deadline, set or clear a day (as the system).

edms calendar show 2026
edms calendar deadline 03.03.2026 10 [--calendar-days [--backward]]
edms calendar set 2027-01-11 day-off --note "Постановление Правительства РФ от … № …"
edms calendar clear 2027-01-11
"""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask.cli import AppGroup

from edms.core.access import SYSTEM
from edms.core.calendar import business_calendar
from edms.core.calendar.days import WEEKEND, WORKING
from edms.core.errors import DomainError, ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import parse_date
from edms.directory.calendar import clear_calendar_day, set_calendar_day

calendar_cli = AppGroup('calendar', help='Производственный календарь.')
MONTHS = ('янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек')
STATUSES = {'working': True, 'day-off': False}


def register(group: AppGroup) -> None:
    group.add_command(calendar_cli)


def _fail(error: DomainError) -> None:
    click.echo(f'Ошибка: {error.message}', err=True)
    for message in error.fields.values():
        click.echo(f'  - {message}', err=True)
    sys.exit(1)


@calendar_cli.command('show')
@click.argument('year', type=click.IntRange(1900, 2100))
def show_command(year: int) -> None:
    """Working days per month and every non-working day of the year except plain weekends."""
    calendar = business_calendar()
    data = calendar.year_data(year)
    if data is None:
        click.echo(f'За {year} год нет данных производственного календаря: выходные — суббота и воскресенье.')
    else:
        click.echo(f'Основание: ст. 112 ТК РФ; {data.decree or data.note}')
    total = calendar.working_days_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31))
    click.echo(f'Рабочих дней в году: {total}')
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        click.echo(f'  {MONTHS[month - 1]}: {calendar.working_days_between(first - dt.timedelta(days=1), last)}')
    click.echo('Праздничные и перенесённые нерабочие дни, рабочие выходные и изменения администратора:')
    day = dt.date(year, 1, 1)
    while day.year == year:
        info = calendar.day_info(day)
        if info.overridden or info.kind not in (WORKING, WEEKEND):
            click.echo(f'  {day:%d.%m.%Y} {info.label}: {info.short_note}')
        day += dt.timedelta(days=1)


@calendar_cli.command('deadline')
@click.argument('start')
@click.argument('days', type=click.IntRange(0, 3650))
@click.option('--calendar-days', is_flag=True, help='Считать календарные дни (по умолчанию — рабочие).')
@click.option('--backward', is_flag=True, help='Нерабочий последний день — на предшествующий рабочий день.')
def deadline_command(start: str, days: int, calendar_days: bool, backward: bool) -> None:
    """Count N working (or calendar) days from START (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД) and explain the count."""
    day = parse_date(start)
    if day is None:
        _fail(ValidationFailed(fields={'start': '«Дата начала»: дата в формате ДД.ММ.ГГГГ.'}))
        return
    calendar = business_calendar()
    if calendar_days:
        deadline = calendar.add_calendar_days(day, days, 'backward' if backward else 'forward')
    else:
        deadline = calendar.add_working_days(day, days)
    click.echo(f'{deadline.date:%d.%m.%Y}')
    click.echo(deadline.explanation)


@calendar_cli.command('set')
@click.argument('day')
@click.argument('status', type=click.Choice(tuple(STATUSES)))
@click.option('--note', required=True, help='Основание: постановление, региональный праздник…')
def set_command(day: str, status: str, note: str) -> None:
    """Make DAY a working day or a day off."""
    try:
        with atomic():
            set_calendar_day(SYSTEM, {'day': day, 'is_working': STATUSES[status], 'note': note})
    except DomainError as error:
        _fail(error)
    click.echo(f'{day}: {"рабочий день" if STATUSES[status] else "нерабочий день"} ({note}).')


@calendar_cli.command('clear')
@click.argument('day')
def clear_command(day: str) -> None:
    """Remove the change of DAY: the shipped calendar decides again."""
    try:
        with atomic():
            clear_calendar_day(SYSTEM, day)
    except DomainError as error:
        _fail(error)
    click.echo(f'{day}: изменение удалено.')
