"""Both ends of an interagency request after it is sent.

At the responding agency (`deliver`, a job): the request is read from its СМЭВ XML — the responder works from what
the XML says — and its staff are told; a request for ЕГРЮЛ data to a tax service keeping the register is answered at
once from it (`operations.interagency_register`); anything else is answered (`answer_request`: text and data) or
rejected with a reason of СМЭВ's list (`reject_request`) by an official. Each answer is a `SendResponseRequest`.

At the requesting agency (`receive`, a job): the answer's XML is read back, its data kept with the request, the XML
attached to the application's card, the data compared field by field with the application (every mismatch listed),
and the requesting official and agency told. Every step is journaled; jobs take ids and do nothing twice.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, cast

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.interagency_xml import (
    REJECTION_CODES,
    AnswerField,
    AnswerMessage,
    RequestMessage,
    build_answer,
    new_message_id,
    read_answer,
    read_request,
)
from edms.citizen_services.models.interagency import InteragencyRequest, RequestStatus
from edms.citizen_services.operations.common import AgencyActor, today
from edms.citizen_services.operations.interagency_compare import mismatches_of
from edms.citizen_services.operations.interagency_register import answer_from_register, serves_automatically
from edms.citizen_services.permissions import DECIDING_ROLES
from edms.citizen_services.queries.interagency import officials_of
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import Conflict, Forbidden, ValidationFailed
from edms.core.jobs import enqueue
from edms.core.tx import on_commit
from edms.core.validation import RawInput
from edms.directory.models import Organization
from edms.notifications.operations import notify
from edms.registry.models import Attachment, Card
from edms.registry.operations import add_attachment

RECEIVE_JOB = 'edms.citizen_services.jobs.interagency.receive'
NOTIFICATION_KIND = 'interagency'
INCOMING_URL = '/interagency/incoming/{id}'
APPLICATION_URL = '/agency/applications/{id}'
TEXT_MAX = 4000
MAX_FIELDS = 200


def deliver(request: InteragencyRequest) -> None:
    """The responding agency receives the request (once): read from its XML, staff told, answered from the register
    when it can be. A request whose XML cannot be read is rejected as UNKNOWN_REQUEST_DESCRIPTION."""
    if request.delivered_at is not None:
        return
    request.delivered_at = utcnow()
    try:
        message = read_request(request.request_xml.encode())
        if message.message_id != request.message_id:
            raise ValidationFailed('Идентификатор сообщения в XML не совпадает с идентификатором запроса.')
    except ValidationFailed as error:
        record(None, 'interagency.request_unreadable', request, {'error': error.message}, organization_id=_to(request))
        respond(None, request, _rejection(request, 'UNKNOWN_REQUEST_DESCRIPTION', error.message))
        return
    facts = {'message_id': message.message_id, 'data_kind': message.data_kind, 'from': message.requester.name}
    record(None, 'interagency.deliver', request, facts, organization_id=_to(request))
    if serves_automatically(request.responding_organization_id, message):
        respond(None, request, answer_from_register(request.responding_organization_id, message, new_message_id()))
        return
    text = (
        f'Межведомственный запрос от «{message.requester.name}»: {message.requested_data} '
        f'(заявление № {message.application_number}). Ответ — до {message.due_date:%d.%m.%Y}.'
    )
    source = f'interagency:{request.id}:delivered'
    notify(officials_of(_to(request)), kind=NOTIFICATION_KIND, text=text[:1000], url=_incoming(request), source=source)


def answer_request(official: User, request: InteragencyRequest, raw: Mapping[str, Any]) -> InteragencyRequest:
    """The official of the responding agency answers: `text` (required) and `data`, lines «Сведение: значение»."""
    message = _require_answerable(official, request)
    form = RawInput(raw, ('text', 'data'))
    text = form.text('text', 'Ответ', required=True, max_length=TEXT_MAX)
    data = form.text('data', 'Сведения', max_length=20 * TEXT_MAX)
    fields = _data_lines(form, data)
    form.finish()
    answer = AnswerMessage(
        message_id=new_message_id(),
        to=message.message_id,
        responder=message.responder,
        official_name=official.full_name,
        official_position=_position(official),
        answer_date=today(),
        text=text,
        fields=fields,
    )
    return respond(official, request, answer)


def _data_lines(form: RawInput, data: str) -> tuple[AnswerField, ...]:
    fields = []
    for number, line in enumerate((line.strip() for line in data.splitlines() if line.strip()), start=1):
        label, colon, value = line.partition(':')
        if not colon or not label.strip() or not value.strip() or len(label) > 500 or len(value) > TEXT_MAX:
            form.errors.add('data', f'«Сведения»: строка {number} — ожидается «Наименование сведения: значение».')
            break
        fields.append(AnswerField(f'item_{number}', label.strip(), value.strip()))
    if len(fields) > MAX_FIELDS:
        form.errors.add('data', f'«Сведения»: не более {MAX_FIELDS} строк.')
    return tuple(fields)


def reject_request(official: User, request: InteragencyRequest, raw: Mapping[str, Any]) -> InteragencyRequest:
    """The official refuses to provide the data: a reason code of СМЭВ's list and its description."""
    _require_answerable(official, request)
    form = RawInput(raw, ('code', 'reason'))
    code = form.text('code', 'Причина отказа', required=True, max_length=50)
    reason = form.text('reason', 'Описание причины отказа', required=True, max_length=TEXT_MAX)
    if code and code not in REJECTION_CODES:
        form.errors.add('code', '«Причина отказа»: выберите причину из перечня СМЭВ.')
    form.finish()
    return respond(official, request, _rejection(request, code, reason))


def _require_answerable(official: User, request: InteragencyRequest) -> RequestMessage:
    """The request as its XML says (the official's organization was checked by the query that found it)."""
    if not official.has_role(*DECIDING_ROLES):
        raise Forbidden('Отвечают на межведомственные запросы руководитель, исполнитель или делопроизводитель.')
    if request.answered_at is not None or request.status != RequestStatus.sent:
        raise Conflict('На этот межведомственный запрос уже дан ответ.')
    return read_request(request.request_xml.encode())


def _rejection(request: InteragencyRequest, code: str, reason: str) -> AnswerMessage:
    return AnswerMessage(new_message_id(), request.message_id, rejection_code=code, rejection_reason=reason)


def _position(official: User) -> str:
    return official.position.title if getattr(official, 'position', None) is not None else ''


def respond(official: User | None, request: InteragencyRequest, answer: AnswerMessage) -> InteragencyRequest:
    """Send the answer: its XML stored with the request, journaled; the requester reads it in a job."""
    request.response_xml = build_answer(answer).decode()
    request.reply_message_id = answer.message_id
    request.answered_at = utcnow()
    request.answered_by_id = official.id if official is not None else None
    request.answered_by_name = official.full_name if official is not None else 'Автоматический ответ из реестра'
    facts = {'reply_message_id': answer.message_id, 'rejection_code': answer.rejection_code}
    record(official, 'interagency.respond', request, facts, organization_id=_to(request))
    on_commit(enqueue, RECEIVE_JOB, request.id)
    return request


def receive(request: InteragencyRequest) -> None:
    """The requesting agency reads the answer (once); an unreadable answer is refused and the request stays open."""
    if request.status != RequestStatus.sent or request.response_xml is None:
        return
    xml = request.response_xml.encode()
    try:
        answer = read_answer(xml)
        if answer.to != request.message_id:
            raise ValidationFailed('Ответ адресован другому запросу (To не совпадает с MessageID запроса).')
    except ValidationFailed as error:
        _refuse_answer(request, error.message)
        return
    _keep(request, answer)
    attachment = _attach(request, xml)
    request.answer_attachment_id = attachment.id if attachment is not None else None
    facts = {'status': request.status.value, 'mismatches': len(request.mismatches or [])}
    record(None, 'interagency.receive', request, facts, organization_id=request.requesting_organization_id)
    _notify_answer(request)


def _refuse_answer(request: InteragencyRequest, error: str) -> None:
    facts = {'error': error, 'reply_message_id': request.reply_message_id}
    record(None, 'interagency.answer_refused', request, facts, organization_id=request.requesting_organization_id)
    request.response_xml = request.reply_message_id = request.answered_at = None
    request.answered_by_id = request.answered_by_name = None
    text = f'Ответ на межведомственный запрос не принят: {error} Направьте ответ повторно.'
    source = f'interagency:{request.id}:refused:{utcnow().isoformat()}'
    notify(officials_of(_to(request)), kind=NOTIFICATION_KIND, text=text[:1000], url=_incoming(request), source=source)


def _keep(request: InteragencyRequest, answer: AnswerMessage) -> None:
    if answer.rejected:
        request.status = RequestStatus.rejected
        request.rejection_code, request.rejection_reason = answer.rejection_code, answer.rejection_reason
        return
    request.status = RequestStatus.answered
    request.answer_text = answer.text or None
    request.answer_data = {'fields': [{'path': f.path, 'label': f.label, 'value': f.value} for f in answer.fields]}
    if answer.official_name:
        request.answered_by_name = answer.official_name
    values = {item.path: item.value for item in answer.fields}
    request.mismatches = mismatches_of(request.application, request.data_kind, values)


def _attach(request: InteragencyRequest, xml: bytes) -> Attachment | None:
    """The answer's XML as a file of the application's card in the requesting agency."""
    application = request.application
    card = db.session.get(Card, application.card_id) if application.card_id else None
    if card is None:
        return None
    actor = cast(User, AgencyActor(request.requesting_organization_id))
    verdict = 'отказ' if request.status == RequestStatus.rejected else 'ответ'
    name = f'Ответ на межведомственный запрос {request.id}.xml'
    description = f'Межведомственный запрос № {request.id} ({request.requested_data[:200]}): {verdict}'
    return add_attachment(actor, card, io.BytesIO(xml), name, description[:500])


def _notify_answer(request: InteragencyRequest) -> None:
    application = request.application
    responder = db.session.get(Organization, request.responding_organization_id)
    if request.status == RequestStatus.rejected:
        outcome = f'отказ ({REJECTION_CODES.get(request.rejection_code or "", "")}): {request.rejection_reason}'
    else:
        count = len(request.mismatches or [])
        outcome = f'получен ответ; расхождений со сведениями заявления: {count}'
    name = responder.short_name if responder is not None else ''
    text = f'Межведомственный запрос в «{name}» по заявлению № {application.number}: {outcome}'
    recipients = set(officials_of(request.requesting_organization_id))
    if request.official_id is not None:
        recipients.add(request.official_id)
    source = f'interagency:{request.id}:answer'
    url = APPLICATION_URL.format(id=application.id)
    notify(sorted(recipients), kind=NOTIFICATION_KIND, text=text[:1000], url=url, source=source)


def _to(request: InteragencyRequest) -> int:
    return request.responding_organization_id


def _incoming(request: InteragencyRequest) -> str:
    return INCOMING_URL.format(id=request.id)
