"""Missed deadlines of an application, the grounds of complaints under 210-ФЗ ст. 11.1 п. 1 and 2: pure functions
deciding each term from dates, the same terms for a loaded application, SQL conditions selecting the candidates
(portable to SQLite, a superset the pure functions then decide), and the agency's list «Нарушены сроки».

- Registration of the request (п. 1): the agency's incoming card must be registered no later than
  `REGISTRATION_WORKING_DAYS` working day after the day the application was submitted. 210-ФЗ names the term but does
  not fix it; the administrative regulations of services do, and one working day following the day of receipt is
  their usual term (a request received on a day off is registered on the next working day). The term is a constant
  here because no service of the catalogue sets another.
- Provision of the service (п. 2): the application's `deadline` (counted at filing by the service's `DeadlinePlan`,
  moved by a clarification). Violated when the application is still in progress after it, or was decided after it.
  While a clarification is awaited the clock stands, so it is violated only if the clarification was asked for after
  the deadline had already passed.

Every violation says which term, the date it ran out and by how many working days it is (or was) missed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, or_, select

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import CLARIFICATION_REQUIRED, IN_PROGRESS
from edms.citizen_services.models import Application
from edms.citizen_services.models.complaints import ComplaintKind
from edms.citizen_services.permissions import is_staff
from edms.core.calendar import BusinessCalendar, business_calendar
from edms.core.calendar.days import plural, ru
from edms.core.clock import local_today, to_local
from edms.core.db import db
from edms.core.errors import Forbidden
from edms.registry.models import Card, CardStatus

REGISTRATION_WORKING_DAYS = 1
REGISTRATION_RULE = (
    'Запрос о предоставлении услуги регистрируется не позднее 1 рабочего дня, следующего за днём его поступления '
    '(срок административных регламентов; нарушение срока регистрации — основание жалобы по п. 1 ст. 11.1 210-ФЗ).'
)
SERVICE_RULE = 'Нарушение срока предоставления услуги — основание жалобы по п. 2 ст. 11.1 210-ФЗ.'
#: Candidates read per query by the agency's list (a list page is filled from them).
SCAN_BATCH = 200


@dataclass(frozen=True)
class Violation:
    """One missed term: its key ('registration' or 'service'), the kind of complaint it grounds, the date the term
    ran out, when it was done (None: not yet), the working days missed, and the explanation in Russian."""

    key: str
    complaint_kind: ComplaintKind
    title: str
    due: date
    done_on: date | None
    missed_days: int
    explanation: str


def registration_violation(
    calendar: BusinessCalendar, submitted_on: date, registered_on: date | None, today: date
) -> Violation | None:
    """The registration term: `REGISTRATION_WORKING_DAYS` after the day of submission, kept by `registered_on`."""
    due = calendar.add_working_days(submitted_on, REGISTRATION_WORKING_DAYS, basis='дата подачи заявления')
    end = registered_on or today
    if end <= due.date:
        return None
    what = f'зарегистрирован {ru(registered_on)}' if registered_on else f'на {ru(today)} не зарегистрирован'
    missed = calendar.working_days_between(due.date, end)
    text = (
        f'Срок регистрации запроса истёк {ru(due.date)}; запрос {what} — {_late(missed, due.date, end)}. '
        f'{REGISTRATION_RULE} {due.explanation}'
    )
    title = 'Нарушен срок регистрации запроса'
    return Violation('registration', ComplaintKind.registration_term, title, due.date, registered_on, missed, text)


def service_violation(
    calendar: BusinessCalendar,
    deadline: date,
    status: str,
    decided_on: date | None,
    clarification_requested_on: date | None,
    today: date,
) -> Violation | None:
    """The service term: decided by `deadline`; an application in progress is late once today is past it."""
    if decided_on is not None:
        end, what = decided_on, f'решение принято {ru(decided_on)}'
    elif status == IN_PROGRESS:
        end, what = today, f'на {ru(today)} решение не принято'
    elif status == CLARIFICATION_REQUIRED and clarification_requested_on is not None:
        end, what = clarification_requested_on, f'уточнение запрошено только {ru(clarification_requested_on)}'
    else:
        return None
    if end <= deadline:
        return None
    missed = calendar.working_days_between(deadline, end)
    text = f'Срок предоставления услуги истёк {ru(deadline)}; {what} — {_late(missed, deadline, end)}. {SERVICE_RULE}'
    title = 'Нарушен срок предоставления услуги'
    return Violation('service', ComplaintKind.service_term, title, deadline, decided_on, missed, text)


def _late(missed: int, due: date, end: date) -> str:
    if missed > 0:
        return f'просрочка {missed} {plural(missed, "рабочий день", "рабочих дня", "рабочих дней")}'
    days = (end - due).days
    return f'позже срока на {days} {plural(days, "календарный день", "календарных дня", "календарных дней")}'


def violations_of(
    application: Application, registered_on: date | None, today: date, calendar: BusinessCalendar | None = None
) -> list[Violation]:
    """Both terms of a loaded application, given its card's registration date (None: not registered)."""
    calendar = calendar or business_calendar()
    found = [
        registration_violation(calendar, local_date(application.submitted_at), registered_on, today),
        service_violation(
            calendar,
            application.deadline,
            application.status,
            local_date(application.decided_at) if application.decided_at else None,
            application.clarification_requested_on,
            today,
        ),
    ]
    return [item for item in found if item is not None]


def application_violations(application: Application, today: date | None = None) -> list[Violation]:
    """The missed terms of an application (its card read for the registration date)."""
    card = db.session.get(Card, application.card_id) if application.card_id else None
    return violations_of(application, _registered_on(card), today or _today())


def _registered_on(card: Card | None) -> date | None:
    if card is None or card.status == CardStatus.cancelled:
        return None
    return card.reg_date


def local_date(moment: datetime) -> date:
    return to_local(moment.astimezone(UTC), current_app.config['TIMEZONE']).date()


def _today() -> date:
    return local_today(current_app.config['TIMEZONE'])


def service_term_maybe_violated(today: date) -> ColumnElement[bool]:
    """SQL: the applications whose service term may be violated — every one `service_violation` finds, and a few
    more. The decision's day is compared in UTC (`date()` works on PostgreSQL and SQLite alike): the local day is
    later than the deadline only if the UTC day is not earlier than it, so no late decision is missed here."""
    return or_(
        and_(Application.status == IN_PROGRESS, Application.deadline < today),
        and_(Application.decided_at.is_not(None), func.date(Application.decided_at) >= Application.deadline),
        and_(
            Application.status == CLARIFICATION_REQUIRED,
            Application.clarification_requested_on > Application.deadline,
        ),
    )


def registration_term_maybe_violated(today: date) -> ColumnElement[bool]:
    """SQL: the applications whose registration may be late — the card registered after the UTC day of submission,
    or not registered (no card, a draft, a cancelled card) and submitted before today; `registration_violation`
    decides with the working-day calendar. Needs `Card` outer-joined on `Application.card_id`."""
    submitted_on = func.date(Application.submitted_at)
    unregistered = or_(Card.id.is_(None), Card.reg_date.is_(None), Card.status == CardStatus.cancelled)
    return or_(and_(unregistered, submitted_on < today), Card.reg_date > submitted_on)


@dataclass(frozen=True)
class ViolationRow:
    application: Application
    violations: list[Violation]


@dataclass(frozen=True)
class ViolationPage:
    items: list[ViolationRow]
    page: int
    per_page: int
    has_next: bool


def list_missed_deadlines(user: User, page: int = 1, per_page: int = 20, today: date | None = None) -> ViolationPage:
    """«Нарушены сроки»: the agency's applications with a missed term, newest first (staff of the agency only)."""
    if not is_staff(user):
        raise Forbidden('Нарушения сроков по заявлениям видят сотрудники ведомства.')
    today = today or _today()
    wanted, skip, rows = per_page + 1, (page - 1) * per_page, []
    for row in _violating(user.organization_id, today):
        if skip:
            skip -= 1
            continue
        rows.append(row)
        if len(rows) == wanted:
            break
    return ViolationPage(rows[:per_page], page, per_page, len(rows) > per_page)


def _violating(organization_id: int, today: date) -> Iterator[ViolationRow]:
    calendar = business_calendar()
    query = (
        select(Application, Card)
        .outerjoin(Card, Card.id == Application.card_id)
        .where(
            Application.organization_id == organization_id,
            or_(service_term_maybe_violated(today), registration_term_maybe_violated(today)),
        )
        .order_by(Application.submitted_at.desc(), Application.id.desc())
    )
    offset = 0
    while True:
        batch = db.session.execute(query.offset(offset).limit(SCAN_BATCH)).all()
        for application, card in batch:
            found = violations_of(application, _registered_on(card), today, calendar)
            if found:
                yield ViolationRow(application, found)
        if len(batch) < SCAN_BATCH:
            return
        offset += SCAN_BATCH
