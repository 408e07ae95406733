"""The daily reminder before a term-limited result ends (`PERIODIC_JOBS` entry `stay_expiry_reminders`): N days
before the last day (the service's `validity.reminder_days`, 7 and 1 for temporary registration) the applicant and,
for an MFC's application, the operator who filed it are told to extend; the first run after the end (the day after
it, or a later one within `ENDED_NOTICE_DAYS`), that it has ended. The days left are those the page shows
(`queries.stay.days_left`).

Idempotent: what was sent is kept on the application (`reminders_sent`) and each notice has its own source, so a
second run the same day (or a late run) sends nothing twice; a run that missed a day sends the nearest reminder due,
once. A result with an extension pending, or no longer valid (annulled, extended) when its lock is taken, is not
reminded of.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from edms.audit.operations import record
from edms.citizen_services.catalogue.registry import all_services
from edms.citizen_services.models import Application
from edms.citizen_services.models.applications import ResultState
from edms.citizen_services.operations.common import APPLICATION_URL, NOTIFICATION_KIND, service_of, today
from edms.citizen_services.operations.stay_validity import applicant_side
from edms.citizen_services.queries.stay import (
    ENDED_NOTICE_DAYS,
    days_left,
    days_left_text,
    due_for_reminder,
    pending_extension,
)
from edms.core.calendar.days import ru
from edms.core.db import db
from edms.core.tx import atomic
from edms.notifications.operations import notify

#: The key of the notice sent the day after the end in `reminders_sent`.
ENDED = -1


def send_expiry_reminders() -> int:
    """Send today's due reminders; returns how many applications were reminded now."""
    with atomic():
        day = today()
        horizon = max((max(s.validity.reminder_days, default=0) for s in all_services() if s.validity), default=0)
        ids = [application.id for application in due_for_reminder(day, horizon)]
    sent = 0
    for application_id in ids:
        with atomic():
            sent += remind(application_id, day)
    return sent


def remind(application_id: int, day: date) -> int:
    """The reminder due for one application on `day`, if any and not sent yet (under the application's row lock)."""
    query = select(Application).where(Application.id == application_id).with_for_update()
    application = db.session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()
    validity = service_of(application).validity if application is not None else None
    if application is None or validity is None or application.valid_until is None:
        return 0
    if application.result_state != ResultState.valid:
        return 0  # annulled or extended since the job read the due list
    sent = list(application.reminders_sent or [])
    before_end = (application.valid_until - day).days
    if before_end < -ENDED_NOTICE_DAYS:
        return 0
    due = [ENDED] if before_end < 0 else [days for days in validity.reminder_days if before_end <= days]
    due = [key for key in due if key not in sent]
    if not due:
        return 0
    application.reminders_sent = sorted({*sent, *due})
    if pending_extension(application) is not None:
        return 0  # the applicant is extending already: nothing to remind of
    text = _text(application, days_left(application.valid_until, day))
    key = min(due)
    notify(
        sorted(applicant_side(application)),
        kind=NOTIFICATION_KIND,
        text=text,
        url=APPLICATION_URL.format(id=application.id),
        source=f'application:{application.id}:expiry:{key}',
    )
    facts = {'number': application.number, 'valid_until': application.valid_until.isoformat(), 'days': key}
    record(None, 'application.expiry_reminder', application, facts, organization_id=application.organization_id)
    return 1


def _text(application: Application, left: int) -> str:
    title = service_of(application).result.title
    until = ru(application.valid_until) if application.valid_until else '—'
    if left <= 0:
        return (
            f'{title} по заявлению № {application.number}: срок действия истёк {until}. '
            'Продлить регистрацию можно в личном кабинете («Продлить регистрацию») или в МФЦ.'
        )
    return (
        f'{title} по заявлению № {application.number} действует до {until} ({days_left_text(left)}). '
        'Продлите регистрацию в личном кабинете или в МФЦ.'
    )
