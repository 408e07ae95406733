"""Deadlines of assignments through the working-day calendar: today's local date, counting N working days from the
card's registration, the checks a deadline must pass (not in the past, a working day) and the due-soon horizon."""

from __future__ import annotations

from datetime import date

from flask import current_app

from edms.core.calendar import BusinessCalendar, business_calendar
from edms.core.clock import local_today

#: «Скоро срок»: the deadline is at most this many working days ahead.
DUE_SOON_WORKING_DAYS = 3


def today() -> date:
    """Today in the agency's time zone."""
    return local_today(current_app.config['TIMEZONE'])


def calendar() -> BusinessCalendar:
    return business_calendar()


def ru(day: date) -> str:
    return day.strftime('%d.%m.%Y')


def from_registration(reg_date: date, days: int) -> tuple[date, str]:
    """The `days`-th working day after the card's registration date, with the calendar's explanation."""
    deadline = calendar().add_working_days(reg_date, days, basis='дата регистрации')
    return deadline.date, deadline.explanation


def explain_fixed(day: date) -> str:
    """The explanation kept for a deadline the author typed as a date."""
    return f'Срок установлен автором резолюции датой: {ru(day)}.'


def deadline_problem(label: str, day: date, *, now: date) -> str | None:
    """Why the date cannot be a deadline (in the past, or a day off by the calendar), or None."""
    if day < now:
        return f'«{label}»: дата {ru(day)} уже прошла.'
    cal = calendar()
    if not cal.is_working_day(day):
        info = cal.day_info(day)
        return (
            f'«{label}»: {ru(day)} — нерабочий день ({info.short_note}); '
            f'ближайший рабочий день — {ru(cal.next_working_day(day))}.'
        )
    return None


def due_soon_limit(now: date) -> date:
    """The last date that counts as due soon: the third working day after today."""
    return calendar().add_working_days(now, DUE_SOON_WORKING_DAYS).date


def is_due_soon(deadline: date, now: date, limit: date) -> bool:
    return now <= deadline <= limit
