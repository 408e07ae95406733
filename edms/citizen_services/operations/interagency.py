"""Sending interagency requests (210-ФЗ art. 7, 7.2): the agency deciding an application asks another agency for
data it holds instead of asking the applicant.

An official of the application's agency sends a request from the application's page (`send_request`: the kind of
data, its words, the legal basis); after filing, the needs the service declares (`InteragencyNeed`) are requested
automatically in the system's name (`send_needed_requests`, run by the idempotent job `jobs.interagency.send_needed`,
which the five-minute sweep enqueues for recent applications still without them), or at once by the official
(`send_declared_requests`). Either way
the request goes to the active provider of its kind of data as a СМЭВ 3-shaped `SendRequestRequest`, is due in 5
working days by the business calendar (with the explanation), is journaled, and its delivery to the responding agency
is a job after the commit (`operations.interagency_answers.deliver`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.catalogue.definition import IN_PROGRESS
from edms.citizen_services.errors import ApplicationStateConflict
from edms.citizen_services.interagency_kinds import (
    ANSWER_BASIS,
    ANSWER_DAYS,
    DATA_KINDS,
    DataKind,
    kind_of_need,
)
from edms.citizen_services.interagency_xml import Agency, RequestMessage, build_request, new_message_id
from edms.citizen_services.models import Application
from edms.citizen_services.models.interagency import InteragencyRequest, RequestStatus
from edms.citizen_services.operations.common import service_of, today
from edms.citizen_services.operations.decisions import lock_application
from edms.citizen_services.permissions import require_official
from edms.citizen_services.queries.interagency import (
    NOT_SENT_ACTION,
    active_interagency_provider,
    kinds_journaled_not_sent,
    unsent_needs,
)
from edms.citizen_services.rules.fields import value_at
from edms.core.calendar import Deadline, business_calendar
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import Conflict, ValidationFailed
from edms.core.jobs import enqueue
from edms.core.tx import on_commit
from edms.core.validation import RawInput
from edms.directory.models import Organization

DELIVER_JOB = 'edms.citizen_services.jobs.interagency.deliver'
SEND_NEEDED_JOB = 'edms.citizen_services.jobs.interagency.send_needed'
REQUEST_FIELDS = ('data_kind', 'requested_data', 'legal_basis')
TEXT_MAX = 4000
#: Who an automatic request names as its official.
SYSTEM_OFFICIAL = 'Информационная система ведомства (запрос направлен автоматически после подачи заявления)'
#: A request may be sent while the application is being decided.
OPEN_STATUSES = (IN_PROGRESS,)


@dataclass(frozen=True)
class Draft:
    """What one request asks: the kind, its words, the legal basis."""

    kind: DataKind
    text: str
    legal_basis: str


def send_request(official: User, application: Application, raw: Mapping[str, Any]) -> InteragencyRequest:
    """The official's request for the application; `ValidationFailed` naming each wrong field (no provider of the
    kind is a message at «Запрашиваемые сведения»)."""
    require_official(official, application)
    draft = read_draft(raw)
    responder = _responder(draft.kind, application)
    if application.status not in OPEN_STATUSES:
        raise ApplicationStateConflict('Межведомственный запрос направляется, пока заявление рассматривается.')
    return _send(official, application, draft, responder)


def read_draft(raw: Mapping[str, Any]) -> Draft:
    form = RawInput(raw, REQUEST_FIELDS)
    key = form.text('data_kind', 'Запрашиваемые сведения', required=True, max_length=32)
    text = form.text('requested_data', 'Состав запрашиваемых сведений', required=True, max_length=TEXT_MAX)
    basis = form.text('legal_basis', 'Правовое основание запроса', required=True, max_length=TEXT_MAX)
    if key and key not in DATA_KINDS:
        form.errors.add('data_kind', f'«Запрашиваемые сведения»: нет вида сведений «{key[:32]}».')
    form.finish()
    return Draft(DATA_KINDS[key], text, basis)


def _responder(kind: DataKind, application: Application) -> Organization:
    provider = active_interagency_provider(kind.key)
    if provider is None:
        message = f'«Запрашиваемые сведения»: не назначено ведомство, предоставляющее «{kind.title}».'
        raise ValidationFailed(fields={'data_kind': message})
    if provider.organization_id == application.organization_id:
        message = '«Запрашиваемые сведения»: эти сведения находятся в распоряжении вашего ведомства.'
        raise ValidationFailed(fields={'data_kind': message})
    return provider.organization


def schedule_needed_requests(application: Application) -> None:
    """After the commit, the requests the application's service declares go out in the system's name (a job, so a
    slow or failing responder never holds up filing; the minute sweep sends what a lost job did not)."""
    if service_of(application).interagency:
        on_commit(enqueue, SEND_NEEDED_JOB, application.id)


def send_needed_requests(application: Application, official: User | None = None) -> list[InteragencyRequest]:
    """The requests the service declares for the application not sent yet, in the official's name (None: the
    system's, after filing); a need without an active provider of its kind is skipped and journaled once (a later
    run does not journal it again), so a second run sends nothing. The application is locked first and what is
    unsent read under the lock: the job and an official (or two officials) sending at once send each request once."""
    lock_application(application)
    if application.status not in OPEN_STATUSES:
        return []
    sent, journaled = [], kinds_journaled_not_sent(application)
    for need in unsent_needs(application):
        kind = kind_of_need(need)
        provider = active_interagency_provider(kind.key)
        if provider is None or provider.organization_id == application.organization_id:
            if kind.key not in journaled:
                facts = {'data_kind': kind.key, 'reason': 'нет ведомства, предоставляющего сведения'}
                record(official, NOT_SENT_ACTION, application, facts, organization_id=application.organization_id)
                journaled.add(kind.key)
            continue
        draft = Draft(kind, need.data, need.legal_basis)
        sent.append(_send(official, application, draft, provider.organization))
    return sent


def send_declared_requests(official: User, application: Application) -> list[InteragencyRequest]:
    """The official sends the requests the service declares that were not sent yet (when the automatic sending after
    filing has not run); `Conflict` when there is nothing to send."""
    require_official(official, application)
    if application.status not in OPEN_STATUSES:
        raise ApplicationStateConflict('Межведомственный запрос направляется, пока заявление рассматривается.')
    sent = send_needed_requests(application, official)
    if not sent:
        raise Conflict('Предусмотренные услугой запросы уже направлены или для них не назначено ведомство.')
    return sent


def due_date(sent_on: Any) -> Deadline:
    """5 working days from the day of sending (the request reaches the responder the same day), explained."""
    counted = business_calendar().add_working_days(sent_on, ANSWER_DAYS, basis='дата направления запроса')
    head = f'{ANSWER_BASIS[:1].upper()}{ANSWER_BASIS[1:]} — {ANSWER_DAYS} рабочих дней. '
    return Deadline(counted.date, head + counted.explanation, counted.start, counted.days, counted.unit)


def _send(official: User | None, application: Application, draft: Draft, responder: Organization) -> InteragencyRequest:
    sent_at, sent_on = utcnow(), today()
    due = due_date(sent_on)
    name, position = _official_names(official)
    request = InteragencyRequest(
        application_id=application.id,
        requesting_organization_id=application.organization_id,
        responding_organization_id=responder.id,
        service_code=application.service_code,
        legal_basis=draft.legal_basis,
        data_kind=draft.kind.key,
        requested_data=draft.text,
        subject=_subject(draft.kind, application),
        official_id=official.id if official is not None else None,
        official_name=name,
        official_position=position,
        sent_at=sent_at,
        sent_on=sent_on,
        message_id=new_message_id(),
        status=RequestStatus.sent,
        due_date=due.date,
        due_explanation=due.explanation,
        request_xml='',
    )
    request.request_xml = build_request(_message(request, application, responder)).decode()
    db.session.add(request)
    db.session.flush()
    facts = {
        'application': application.number,
        'responder_id': responder.id,
        'data_kind': draft.kind.key,
        'message_id': request.message_id,
        'due_date': due.date.isoformat(),
    }
    record(official, 'interagency.send', request, facts, organization_id=application.organization_id)
    on_commit(enqueue, DELIVER_JOB, request.id)
    return request


def _official_names(official: User | None) -> tuple[str, str]:
    if official is None:
        return SYSTEM_OFFICIAL, ''
    position = official.position.title if getattr(official, 'position', None) is not None else ''
    return official.full_name, position


def _subject(kind: DataKind, application: Application) -> dict[str, str]:
    if kind.subject_paths:
        values = {name: value_at(application.values, path) for name, path in kind.subject_paths}
    else:
        values = {'name': application.applicant_name, 'snils': application.applicant_snils}
        values['inn'] = application.applicant_inn
    return {name: str(value)[:1000] for name, value in values.items() if value}


def _agency(organization: Organization) -> Agency:
    return Agency(organization.name, organization.ogrn or '', organization.inn or '')


def _message(request: InteragencyRequest, application: Application, responder: Organization) -> RequestMessage:
    return RequestMessage(
        message_id=request.message_id,
        requester=_agency(application.organization),
        responder=_agency(responder),
        service_code=application.service_code,
        service_title=service_of(application).title,
        application_number=application.number or '',
        legal_basis=request.legal_basis,
        data_kind=request.data_kind,
        requested_data=request.requested_data,
        subject=dict(request.subject),
        official_name=request.official_name,
        official_position=request.official_position,
        request_date=request.sent_on,
        due_date=request.due_date,
    )
