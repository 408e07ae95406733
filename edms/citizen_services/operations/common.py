"""What the application operations share: the workflow acting inside the agency (`AgencyActor`), the local date,
values and signature facts as JSON, and one status change — the event, the journal entry and the applicant's
notification, always together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.catalogue.definition import CHANNEL_LABELS, Channel, ServiceDefinition
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.models import Application, ApplicationEvent
from edms.citizen_services.rules.facts import SignatureFacts
from edms.core.calendar.days import ru
from edms.core.clock import local_today, to_local, utcnow
from edms.core.db import db
from edms.notifications.operations import notify

NOTIFICATION_KIND = 'application'
NUMBER_PREFIX = 'З'
#: Application URL for the applicant's notification (the cabinet page of the next slice serves it).
APPLICATION_URL = '/applications/{id}'


@dataclass(frozen=True)
class AgencyActor:
    """The application workflow acting inside the deciding agency through the registry's operations: a registrar's
    rights there and nowhere else. `id` None is the system (the card made at filing); an official's id when the
    workflow acts on the official's decision (the result attached), so the journal names the official."""

    organization_id: int
    id: int | None = None
    department_id: None = None
    is_system_admin: bool = False
    can_access_restricted: bool = True

    def has_role(self, *roles: str) -> bool:
        return True


def today() -> date:
    return local_today(current_app.config['TIMEZONE'])


def public_number(application: Application) -> str:
    """«З-2026-000123»: the year of submission and the id (unique, never reused; not a registration journal)."""
    year = to_local(application.submitted_at, current_app.config['TIMEZONE']).year
    return f'{NUMBER_PREFIX}-{year}-{application.id:06d}'


def service_of(application: Application) -> ServiceDefinition:
    return get_service(application.service_code)


def json_values(value: Any) -> Any:
    """Normalized values as JSON: dates as ГГГГ-ММ-ДД, nested mappings kept."""
    if isinstance(value, Mapping):
        return {key: json_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_values(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


FACT_MOMENTS = ('sent_at', 'signing_time', 'not_before', 'not_after')


def facts_json(facts: SignatureFacts) -> dict[str, Any]:
    return {name: json_values(getattr(facts, name)) for name in SignatureFacts.__dataclass_fields__}


def facts_from_json(data: Mapping[str, Any]) -> SignatureFacts:
    values = dict(data)
    for name in FACT_MOMENTS:
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return SignatureFacts(**values)


def status_label(service: ServiceDefinition, status: str) -> str:
    return service.status(status).label


def change_status(
    actor: User,
    application: Application,
    status: str,
    action: str,
    *,
    comment: str = '',
    facts: Mapping[str, Any] | None = None,
) -> ApplicationEvent:
    """Move the application to `status`: the event in its history, the journal entry, the applicant notified once."""
    service = service_of(application)
    previous = application.status if application.events else None  # the first event is the filing
    now = utcnow()
    event = ApplicationEvent(from_status=previous, to_status=status, at=now, actor_id=actor.id, comment=comment)
    application.status, application.updated_at = status, now
    application.events.append(event)
    db.session.flush()
    data = {'number': application.number, 'from': previous, 'to': status, 'comment': comment, **(facts or {})}
    record(actor, action, application, data, organization_id=application.organization_id)
    _notify(application, service, event)
    return event


def _notify(application: Application, service: ServiceDefinition, event: ApplicationEvent) -> None:
    """The applicant's account and, for an application filed at an MFC, the operator who filed it (the MFC informs
    the visitor about the progress)."""
    recipients = {application.applicant_user_id}
    if application.channel in (Channel.mfc, Channel.paper):
        recipients.add(application.filed_by_id)
    recipients.discard(None)
    if not recipients:
        return
    text = f'Заявление № {application.number} «{service.title}»: {status_label(service, event.to_status)}.'
    if event.comment:
        text = f'{text} {event.comment}'
    notify(
        [recipient for recipient in recipients if recipient is not None],
        kind=NOTIFICATION_KIND,
        text=text[:1000],
        url=APPLICATION_URL.format(id=application.id),
        source=f'application:{application.id}:event:{event.id}',
    )


def channel_label(channel: Channel | str) -> str:
    return CHANNEL_LABELS[Channel(channel)]


def expected_text(application: Application) -> str:
    return f'Ожидаемый срок — {ru(application.expected_date)}, срок предоставления услуги — {ru(application.deadline)}.'
