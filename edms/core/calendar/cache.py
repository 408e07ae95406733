"""The process-wide calendar: built from the shipped data and the administrators' changes, cached per application.

`business_calendar()` is cheap to call anywhere: the built calendar is kept in the application's extensions and
rebuilt when an administrator's change is committed in this process (`invalidate_calendar`, scheduled with
`on_commit` by the operations that change a day) and at most every `TTL_SECONDS` otherwise, so that other
processes (app servers, workers) see a change within a minute.
"""

from __future__ import annotations

import datetime as dt
import time

from flask import current_app
from sqlalchemy import select

from edms.core.calendar.business import BusinessCalendar
from edms.core.calendar.data import shipped_data
from edms.core.calendar.models import CalendarDay
from edms.core.db import db

TTL_SECONDS = 60.0
_KEY = 'edms_business_calendar'


def business_calendar() -> BusinessCalendar:
    """The calendar of the current application: shipped data for 2024–2027 plus the administrators' changes."""
    extensions = current_app.extensions
    cached = extensions.get(_KEY)
    now = time.monotonic()
    if cached is not None and now - cached[1] < TTL_SECONDS:
        calendar: BusinessCalendar = cached[0]
        return calendar
    calendar = BusinessCalendar(shipped_data(), load_overrides())
    extensions[_KEY] = (calendar, now)
    return calendar


def invalidate_calendar() -> None:
    """Forget the built calendar of this application; the next call rebuilds it from the database."""
    current_app.extensions.pop(_KEY, None)


def load_overrides() -> dict[dt.date, tuple[bool, str]]:
    """The committed administrators' changes, read on a connection of their own.

    A separate connection sees only committed rows, so a change that is later rolled back never enters the cache.
    """
    query = select(CalendarDay.day, CalendarDay.is_working, CalendarDay.note)
    with db.engine.connect() as connection:
        return {row.day: (row.is_working, row.note) for row in connection.execute(query)}
