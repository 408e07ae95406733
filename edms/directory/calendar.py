"""Administrators' changes to the working-day calendar: make a date a working day or a day off, or clear the change.

Only system administrators change the calendar (it is shared by every organization). Each change is audited with
the day's status before and after; the process's calendar cache is dropped when the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from edms.audit.operations import record
from edms.core.access import Actor, require_system_admin
from edms.core.calendar import DayInfo, business_calendar, invalidate_calendar
from edms.core.calendar.models import CalendarDay
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import on_commit
from edms.core.validation import RawInput
from edms.directory.errors import CalendarDayNotFound

DAY_FIELDS = ('day', 'is_working', 'note')
STATUS_WORDS = {True: 'рабочий день', False: 'нерабочий день'}


@dataclass(frozen=True)
class CalendarDayRef:
    """What the audit journal records as the changed object: the table and the ISO date."""

    id: str
    __audit_type__ = 'core_calendar_days'


def set_calendar_day(actor: Actor, raw: Mapping[str, Any]) -> CalendarDay:
    """Make a date a working day or a day off with a reason (`day`, `is_working`, `note`), replacing a change."""
    require_system_admin(actor)
    day, is_working, note = _read_day(raw)
    calendar = business_calendar()
    shipped = calendar.shipped_info(day)
    if shipped.is_working == is_working:
        raise ValidationFailed(fields={'is_working': _same_as_shipped(shipped, day in calendar.overrides)})
    row = db.session.get(CalendarDay, day)
    before = _state(shipped, row)
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    row.is_working, row.note, row.changed_by_id = is_working, note, actor.id
    db.session.flush()
    after = {'is_working': is_working, 'note': note, 'overridden': True}
    record(actor, 'calendar.set_day', CalendarDayRef(day.isoformat()), {'before': before, 'after': after})
    on_commit(invalidate_calendar)
    return row


def clear_calendar_day(actor: Actor, day: dt.date | str) -> None:
    """Remove the administrators' change of a date: the shipped data decide again."""
    require_system_admin(actor)
    form = RawInput({'day': day})
    parsed = form.date('day', 'Дата', required=True)
    form.finish()
    assert parsed is not None
    row = db.session.get(CalendarDay, parsed)
    if row is None:
        raise CalendarDayNotFound()
    calendar = business_calendar()
    shipped = calendar.shipped_info(parsed)
    before = _state(shipped, row)
    db.session.delete(row)
    db.session.flush()
    after = {'is_working': shipped.is_working, 'note': shipped.note, 'overridden': False}
    record(actor, 'calendar.clear_day', CalendarDayRef(parsed.isoformat()), {'before': before, 'after': after})
    on_commit(invalidate_calendar)


def _read_day(raw: Mapping[str, Any]) -> tuple[dt.date, bool, str]:
    form = RawInput(raw, allowed=DAY_FIELDS)
    day = form.date('day', 'Дата', required=True)
    if raw.get('is_working') in (None, ''):
        form.errors.add('is_working', '«Статус дня»: обязательное поле.')
        is_working = False
    else:
        is_working = form.boolean('is_working', 'Статус дня')
    note = form.text('note', 'Основание', required=True, max_length=255)
    form.finish()
    assert day is not None
    return day, is_working, note


def _same_as_shipped(shipped: DayInfo, overridden: bool) -> str:
    message = (
        f'«Статус дня»: по производственному календарю {shipped.day:%d.%m.%Y} и так {STATUS_WORDS[shipped.is_working]}'
    )
    return message + ('; чтобы вернуть его, удалите изменение.' if overridden else '; изменение не требуется.')


def _state(shipped: DayInfo, row: CalendarDay | None) -> dict[str, Any]:
    """The day's status for the audit journal: the change when there is one, otherwise the shipped status."""
    if row is not None:
        return {'is_working': row.is_working, 'note': row.note, 'overridden': True}
    return {'is_working': shipped.is_working, 'note': shipped.note, 'overridden': False}
