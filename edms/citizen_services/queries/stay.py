"""Reads of a term-limited result (temporary registration's certificate and any service whose definition has a
`validity`): its state on a date (valid, extended, annulled, or expired — a valid one past its last day), what may be
done with it, the extension waiting for a decision, the signed notice of its annulment, and the results due for an
expiry reminder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from edms.citizen_services.catalogue.definition import (
    CLARIFICATION_REQUIRED,
    DONE,
    IN_PROGRESS,
    ResultValidity,
)
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.models import Application
from edms.citizen_services.models.applications import ResultState
from edms.core.calendar.days import plural, ru
from edms.core.db import db
from edms.registry.models import Attachment

EXPIRED = 'expired'
STATE_LABELS = {
    ResultState.valid.value: 'Действует',
    ResultState.extended.value: 'Продлено',
    ResultState.annulled.value: 'Аннулировано',
    EXPIRED: 'Срок действия истёк',
}
OPEN_STATUSES = (IN_PROGRESS, CLARIFICATION_REQUIRED)
#: How many days after the end the «has ended» notice may still go out (a job that missed the day after the end).
ENDED_NOTICE_DAYS = 7


@dataclass(frozen=True)
class Validity:
    """A result's period and state as the pages show it, with what the applicant and the agency may do now."""

    state: str
    label: str
    valid_from: date
    valid_until: date
    #: Days from today to the last day inclusive (valid results only): `days_left`.
    days_left: int | None
    #: «Аннулировано с 01.06.2026 по причине: …», «Продлено заявлением № …» or ''.
    note: str
    may_extend: bool
    may_request_early_end: bool
    may_annul: bool
    pending_extension: Application | None
    extends: Application | None
    extended_by: Application | None


def validity_of_service(application: Application) -> ResultValidity | None:
    return get_service(application.service_code).validity


def state_on(application: Application, day: date) -> str | None:
    """The result's state on `day`: the stored one, «expired» for a valid one past its last day; None without one."""
    if application.result_state is None or application.valid_until is None:
        return None
    if application.result_state == ResultState.valid and application.valid_until < day:
        return EXPIRED
    return application.result_state.value


def pending_extension(application: Application) -> Application | None:
    """The extension of this result filed and not decided yet."""
    query = select(Application).where(Application.extends_id == application.id, Application.status.in_(OPEN_STATUSES))
    return db.session.execute(query.order_by(Application.id.desc()).limit(1)).scalar_one_or_none()


def validity_of(application: Application, day: date) -> Validity | None:
    """The result's validity on `day`, or None when the application has no term-limited result."""
    state = state_on(application, day)
    definition = validity_of_service(application)
    if state is None or definition is None or application.valid_from is None or application.valid_until is None:
        return None
    valid = state == ResultState.valid.value
    pending = pending_extension(application) if valid or state == EXPIRED else None
    left = days_left(application.valid_until, day) if valid else None
    return Validity(
        state=state,
        label=STATE_LABELS[state],
        valid_from=application.valid_from,
        valid_until=application.valid_until,
        days_left=left,
        note=state_note(application, definition),
        may_extend=state in (ResultState.valid.value, EXPIRED) and definition.extension is not None and pending is None,
        may_request_early_end=valid and application.early_end_requested_at is None,
        may_annul=valid,
        pending_extension=pending,
        extends=_get(application.extends_id),
        extended_by=_get(application.extended_by_id),
    )


def annulment_notice(application: Application) -> Attachment:
    """The signed «Уведомление об аннулировании…» (the caller checked who may see the application);
    `ApplicationNotFound` when the result was not annulled with one."""
    attachment = db.session.get(Attachment, application.annulment_notice_attachment_id or 0)
    if attachment is None:
        raise ApplicationNotFound('Уведомление об аннулировании не найдено.')
    return attachment


def state_note(application: Application, definition: ResultValidity) -> str:
    """What happened to the result, in a sentence («Аннулировано с … по причине: …»)."""
    if application.result_state == ResultState.annulled and application.annulled_on is not None:
        reason = _reason_text(definition, application.annulment_reason)
        comment = f' {application.annulment_comment}' if application.annulment_comment else ''
        return f'Аннулировано с {ru(application.annulled_on)} по причине: {reason}.{comment}'
    extended_by = _get(application.extended_by_id)
    if application.result_state == ResultState.extended and extended_by is not None:
        until = f' до {ru(extended_by.valid_until)}' if extended_by.valid_until else ''
        return f'Продлено{until} по заявлению № {extended_by.number}.'
    return ''


def days_text(count: int) -> str:
    return f'{count} {plural(count, "день", "дня", "дней")}'


def days_left(valid_until: date, day: date) -> int:
    """Days from `day` to the last day `valid_until` inclusive (1 on the last day): what the page and the reminders
    say is left."""
    return (valid_until - day).days + 1


def days_left_text(count: int) -> str:
    """«осталось 3 дня», or «сегодня последний день» when `count` (of `days_left`) is 1."""
    return 'сегодня последний день' if count == 1 else f'осталось {days_text(count)}'


def _reason_text(definition: ResultValidity, code: str | None) -> str:
    try:
        return definition.annulment_reason(code or '').text.lower()
    except KeyError:
        return code or '—'


def _get(application_id: int | None) -> Application | None:
    return db.session.get(Application, application_id) if application_id is not None else None


def due_for_reminder(day: date, horizon: int) -> list[Application]:
    """Valid results ending within `horizon` days of `day`, or ended within the last `ENDED_NOTICE_DAYS` days (the
    expiry notice goes out on the first run after the end, also when the day after it was missed), oldest end first;
    the caller decides which reminder each is due."""
    query = (
        select(Application)
        .where(
            Application.status == DONE,
            Application.result_state == ResultState.valid,
            Application.valid_until >= day - timedelta(days=ENDED_NOTICE_DAYS),
            Application.valid_until <= day + timedelta(days=horizon),
        )
        .order_by(Application.valid_until, Application.id)
    )
    return list(db.session.execute(query).scalars())
