"""The validity of a term-limited result set when the application is approved (`decisions.approve` calls
`issue_validity` for every service; a service without `validity` is left alone): the period read from the value paths
the service names, the state «valid»; an approved extension marks the result it extends «extended» and links both.

Also the one history-and-notice step the later changes of a result share (`result_event`): an event in the
application's history (its status stays), the journal entry and the notice to the applicant's side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.catalogue.definition import Channel
from edms.citizen_services.errors import ApplicationStateConflict
from edms.citizen_services.models import Application, ApplicationEvent
from edms.citizen_services.models.applications import ResultState
from edms.citizen_services.operations.common import APPLICATION_URL, NOTIFICATION_KIND, service_of
from edms.citizen_services.rules.fields import value_at
from edms.core.calendar.days import ru
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.validation import parse_date
from edms.notifications.operations import notify


def issue_validity(official: User, application: Application) -> None:
    """Set the approved result's period and state; for an extension, mark the previous result extended."""
    validity = service_of(application).validity
    if validity is None:
        return
    start, end = _day(application.values, validity.start), _day(application.values, validity.end)
    if start is None or end is None:
        raise ApplicationStateConflict('В заявлении нет срока действия результата: одобрить его нельзя.')
    application.valid_from, application.valid_until = start, end
    application.result_state, application.reminders_sent = ResultState.valid, []
    facts: dict[str, Any] = {'number': application.number, 'valid_from': start, 'valid_until': end}
    if application.extends_id is not None:
        previous = _locked(application.extends_id)
        if previous.result_state != ResultState.valid:
            raise ApplicationStateConflict(
                f'Регистрация по заявлению № {previous.number} уже аннулирована или продлена: продлить её нельзя.'
            )
        previous.result_state, previous.extended_by_id = ResultState.extended, application.id
        text = f'Срок действия продлён до {ru(end)} по заявлению № {application.number}.'
        result_event(official, previous, 'application.result_extended', text, {'extended_by': application.id})
        facts['extends'] = previous.id
    record(official, 'application.validity', application, facts, organization_id=application.organization_id)


def _day(values: Mapping[str, Any], path: str) -> date | None:
    return parse_date(value_at(values, path))


def _locked(application_id: int) -> Application:
    query = select(Application).where(Application.id == application_id).with_for_update()
    return db.session.execute(query).scalar_one()


def applicant_side(application: Application) -> set[int]:
    """Who hears of the result: the applicant's account and, for an MFC's application, the operator who filed it."""
    recipients = {application.applicant_user_id}
    if application.channel in (Channel.mfc, Channel.paper):
        recipients.add(application.filed_by_id)
    return {recipient for recipient in recipients if recipient is not None}


def result_event(
    actor: User,
    application: Application,
    action: str,
    text: str,
    facts: Mapping[str, Any] | None = None,
    *,
    recipients: Iterable[int] | None = None,
    url: str | None = None,
) -> ApplicationEvent:
    """A change of the result: an event in the history (the status stays), the journal entry and the notice to the
    applicant's side (or to `recipients`), once per event, pointing at the application's page (or at `url`)."""
    event = ApplicationEvent(
        from_status=application.status, to_status=application.status, at=utcnow(), actor_id=actor.id, comment=text
    )
    application.events.append(event)
    application.updated_at = event.at
    db.session.flush()
    data = {'number': application.number, 'comment': text, **(facts or {})}
    record(actor, action, application, data, organization_id=application.organization_id)
    title = service_of(application).result.title
    notify(
        sorted(applicant_side(application) if recipients is None else set(recipients)),
        kind=NOTIFICATION_KIND,
        text=f'{title} по заявлению № {application.number}: {text}'[:1000],
        url=url or APPLICATION_URL.format(id=application.id),
        source=f'application:{application.id}:event:{event.id}',
    )
    return event
