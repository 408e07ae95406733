"""The morning reminders (periodic job `resolution_reminders`, 08:00 on working days, see `edms.core.schedule`).

Each executor is told of his assignments in work that are due within `REMINDER_DAYS` working days (setting
`EDMS_REMINDER_DAYS`, 3 by default) or already overdue; each author and controller of an approved resolution is told
of its overdue assignments (the same set as the cabinet folder «Просроченные»). Everything a person should hear of
goes into ONE notification per person and day (source `reminders:<day>:user:<id>`), so running the job twice on the
same day creates nothing new (`notify` skips a recipient that already has a notification with that source), and the
e-mail follows through the notifications module when SMTP is configured.

Definitions (the run date `day` is local to the `TIMEZONE` setting):
- due soon: status `in_work`, `day` ≤ deadline ≤ the `REMINDER_DAYS`-th working day after `day`;
- overdue: status `in_work`, deadline < `day` (an assignment whose report awaits a decision is not the executor's
  delay any more, as in «Мои поручения» and the cabinet).

Set-based: two aggregate statements grouped by user (executors; authors and controllers), whatever the number of
assignments; the job then inserts one row per person in chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, func, select, union_all

from edms.core.calendar import business_calendar
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.notifications.operations import Message, notify_many
from edms.resolutions.models import Assignment, AssignmentStatus, Resolution, ResolutionStatus

#: «Мои поручения» of the executor and the cabinet folder «Просроченные» (relative links into the web interface).
MY_ASSIGNMENTS_URL = '/assignments/'
OVERDUE_FOLDER_URL = '/cabinet/overdue'
DEFAULT_REMINDER_DAYS = 3


@dataclass
class Digest:
    """What one person is told today."""

    user_id: int
    due_soon: int = 0
    next_deadline: date | None = None
    overdue: int = 0
    oldest_overdue: date | None = None
    controlled_overdue: int = 0
    controlled_oldest: date | None = None


def send_reminders(day: str | None = None) -> int:
    """Remind executors, authors and controllers for `day` (ISO date; today by default); returns the notifications
    created by this run (0 on a day off by the business calendar and on a second run the same day)."""
    with atomic():
        run_date = date.fromisoformat(day) if day else local_today(current_app.config['TIMEZONE'])
        calendar = business_calendar()
        if not calendar.is_working_day(run_date):
            return 0
        days = int(current_app.config.get('REMINDER_DAYS') or DEFAULT_REMINDER_DAYS)
        horizon = calendar.add_working_days(run_date, days).date
        digests = collect_digests(run_date, horizon)
        created = notify_many(_message(digest, run_date, horizon, days) for digest in digests)
        return len(created)


def collect_digests(day: date, horizon: date) -> list[Digest]:
    """Per person: own assignments due soon and overdue, and overdue assignments under their resolutions' control."""
    digests: dict[int, Digest] = {}
    for row in db.session.execute(_executor_totals(day, horizon)):
        digests[row.user_id] = Digest(row.user_id, row.due_soon, row.next_deadline, row.overdue, row.oldest_overdue)
    for row in db.session.execute(_controller_totals(day)):
        digest = digests.setdefault(row.user_id, Digest(row.user_id))
        digest.controlled_overdue, digest.controlled_oldest = row.overdue, row.oldest_overdue
    return [digests[user_id] for user_id in sorted(digests)]


def _executor_totals(day: date, horizon: date) -> Select[Any]:
    """Executors with their in-work assignments due by `horizon`: counts and nearest dates (index status+deadline)."""
    overdue = Assignment.deadline < day
    return (
        select(
            Assignment.executor_id.label('user_id'),
            func.count().filter(~overdue).label('due_soon'),
            func.min(Assignment.deadline).filter(~overdue).label('next_deadline'),
            func.count().filter(overdue).label('overdue'),
            func.min(Assignment.deadline).label('oldest_overdue'),
        )
        .where(Assignment.status == AssignmentStatus.in_work, Assignment.deadline <= horizon)
        .group_by(Assignment.executor_id)
    )


def _controller_totals(day: date) -> Select[Any]:
    """Authors and controllers (counted once when they are the same person) with the overdue assignments of their
    approved resolutions."""
    base = (
        select(Assignment.deadline)
        .join(Resolution, Resolution.id == Assignment.resolution_id)
        .where(
            Assignment.status == AssignmentStatus.in_work,
            Assignment.deadline < day,
            Resolution.status == ResolutionStatus.approved,
        )
    )
    authors = base.add_columns(Resolution.author_id.label('user_id'))
    controllers = base.add_columns(Resolution.controller_id.label('user_id')).where(
        and_(Resolution.controller_id.is_not(None), Resolution.controller_id != Resolution.author_id)
    )
    people = union_all(authors, controllers).subquery()
    return select(
        people.c.user_id, func.count().label('overdue'), func.min(people.c.deadline).label('oldest_overdue')
    ).group_by(people.c.user_id)


def _message(digest: Digest, day: date, horizon: date, days: int) -> Message:
    """One notification: kind 'overdue' when anything is overdue, else 'reminder'; the link to where the items are."""
    parts = [f'Напоминание на {_ru(day)}.']
    if digest.overdue:
        parts.append(
            f'У вас {_count(digest.overdue, OVERDUE_FORMS)} '
            f'(самый ранний срок — {_ru(digest.oldest_overdue)}): доложите об исполнении или запросите продление.'
        )
    if digest.due_soon:
        parts.append(
            f'Скоро срок ({_count(days, WORKING_DAY_FORMS)}, до {_ru(horizon)} включительно): '
            f'{_count(digest.due_soon, ASSIGNMENT_FORMS)}; ближайший срок — {_ru(digest.next_deadline)}.'
        )
    if digest.controlled_overdue:
        parts.append(
            f'По вашим резолюциям и поручениям на вашем контроле — {_count(digest.controlled_overdue, OVERDUE_FORMS)} '
            f'(самый ранний срок — {_ru(digest.controlled_oldest)}).'
        )
    if digest.overdue or digest.due_soon:
        url = MY_ASSIGNMENTS_URL + ('?filter=overdue' if digest.overdue else '?filter=due_soon')
    else:
        url = OVERDUE_FOLDER_URL
    kind = 'overdue' if digest.overdue or digest.controlled_overdue else 'reminder'
    return Message(digest.user_id, kind, ' '.join(parts), f'reminders:{day.isoformat()}:user:{digest.user_id}', url)


OVERDUE_FORMS = ('просроченное поручение', 'просроченных поручения', 'просроченных поручений')
ASSIGNMENT_FORMS = ('поручение', 'поручения', 'поручений')
WORKING_DAY_FORMS = ('рабочий день', 'рабочих дня', 'рабочих дней')


def _count(number: int, forms: tuple[str, str, str]) -> str:
    """«1 поручение», «2 поручения», «5 поручений»: the Russian plural form for `number`."""
    tens, units = number % 100, number % 10
    if units == 1 and tens != 11:
        form = forms[0]
    elif 2 <= units <= 4 and not 12 <= tens <= 14:
        form = forms[1]
    else:
        form = forms[2]
    return f'{number} {form}'


def _ru(day: date | None) -> str:
    return day.strftime('%d.%m.%Y') if day else ''
