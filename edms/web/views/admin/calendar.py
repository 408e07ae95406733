"""The working-day calendar page: a year of month grids with holidays, transfers and working weekends shaded, the
decree of the year, the administrators' changes with the form to set or clear a day (system administrators), and a
form counting a deadline of N working or calendar days with its explanation.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from edms.core.calendar import KIND_LABELS, BusinessCalendar, Deadline, business_calendar
from edms.core.clock import local_today
from edms.core.errors import ValidationFailed
from edms.core.validation import MAX_YEAR, MIN_YEAR, RawInput, query_int
from edms.directory.calendar import DAY_FIELDS, clear_calendar_day, set_calendar_day
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import admin_required, form_page, read_form, save

DEADLINE_FIELDS = ('start', 'days', 'unit', 'roll')
UNIT_OPTIONS = [('working', 'рабочих дней'), ('calendar', 'календарных дней')]
ROLL_OPTIONS = [
    ('forward', 'на следующий рабочий день (ст. 193 ГК РФ)'),
    ('backward', 'на предшествующий рабочий день (не позже срока закона)'),
]
STATUS_OPTIONS = [('1', 'Рабочий день'), ('0', 'Нерабочий день')]
MONTHS = (
    'Январь',
    'Февраль',
    'Март',
    'Апрель',
    'Май',
    'Июнь',
    'Июль',
    'Август',
    'Сентябрь',
    'Октябрь',
    'Ноябрь',
    'Декабрь',
)
WEEKDAYS = ('Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс')


@dataclass(frozen=True)
class Month:
    """One month grid: weeks of (date or None) and the number of working days."""

    number: int
    name: str
    weeks: list[list[dt.date | None]]
    working_days: int


@bp.get('/calendar/')
@admin_required
def calendar_page() -> str | tuple[str, int]:
    """The year view; the deadline form is a GET form on the same page, answered in place."""
    values: dict[str, Any] = {'unit': 'working', 'roll': 'forward'}
    errors: dict[str, str] = {}
    deadline = None
    if request.args.get('start') is not None:
        values = {name: request.args.get(name, '') for name in DEADLINE_FIELDS}
        try:
            deadline = count_deadline(business_calendar(), values)
        except ValidationFailed as error:
            errors = error.fields
    return _page(_year(), values, errors, deadline)


@bp.post('/calendar/')
@admin_required
def change_calendar_day() -> Response | str | tuple[str, int]:
    """Set a day's status with a reason, or clear the change (`action=clear`); system administrators only."""
    values = read_form(DAY_FIELDS)
    if request.form.get('action') == 'clear':
        errors = save(lambda: clear_calendar_day(current_user(), values['day']), 'Изменение календаря удалено.')
    else:
        errors = save(lambda: set_calendar_day(current_user(), values), 'День календаря изменён.')
    year = _year_of(values.get('day'))
    if not errors:
        return redirect(url_for('admin.calendar_page', year=year))
    return _page(year, {'unit': 'working', 'roll': 'forward', **values}, errors, None)


def count_deadline(calendar: BusinessCalendar, raw: Mapping[str, Any]) -> Deadline:
    """Read the deadline form (start date, number of days, unit, roll) and count it."""
    form = RawInput(raw, allowed=DEADLINE_FIELDS)
    start = form.date('start', 'Дата начала отсчёта', required=True)
    days = form.integer('days', 'Количество дней', required=True, min_value=0, max_value=3650)
    unit = form.text('unit', 'Единица')
    roll = form.text('roll', 'Перенос') or 'forward'
    if unit not in dict(UNIT_OPTIONS):
        form.errors.add('unit', '«Единица»: выберите рабочие или календарные дни.')
    if roll not in dict(ROLL_OPTIONS):
        form.errors.add('roll', '«Перенос»: выберите направление переноса.')
    form.finish()
    assert start is not None
    assert days is not None
    if unit == 'working':
        return calendar.add_working_days(start, days, basis='дата начала отсчёта')
    return calendar.add_calendar_days(start, days, roll, basis='дата начала отсчёта')


def _page(
    year: int, values: dict[str, Any], errors: dict[str, str], deadline: Deadline | None
) -> str | tuple[str, int]:
    calendar = business_calendar()
    overrides = sorted((info for day, info in calendar.overrides.items() if day.year == year), key=lambda i: i.day)
    return form_page(
        'admin/calendar.html',
        errors,
        year=year,
        months=year_months(calendar, year),
        weekdays=WEEKDAYS,
        calendar=calendar,
        year_data=calendar.year_data(year),
        overrides=overrides,
        kind_labels=KIND_LABELS,
        values=values,
        deadline=deadline,
        unit_options=UNIT_OPTIONS,
        roll_options=ROLL_OPTIONS,
        status_options=STATUS_OPTIONS,
        can_change=current_user().is_system_admin,
        working_days=calendar.working_days_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31)),
    )


def year_months(calendar: BusinessCalendar, year: int) -> list[Month]:
    """Twelve month grids, weeks from Monday, with each month's number of working days."""
    grid = month_calendar.Calendar(firstweekday=0)
    months = []
    for number in range(1, 13):
        weeks = [
            [day if day.month == number else None for day in week] for week in grid.monthdatescalendar(year, number)
        ]
        last = dt.date(year, number, month_calendar.monthrange(year, number)[1])
        working = calendar.working_days_between(dt.date(year, number, 1) - dt.timedelta(days=1), last)
        months.append(Month(number, MONTHS[number - 1], weeks, working))
    return months


def _year() -> int:
    year = request.args.get('year', type=query_int)
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else local_today().year


def _year_of(value: Any) -> int:
    form = RawInput({'day': value})
    day = form.date('day', 'Дата')
    return day.year if day else local_today().year
