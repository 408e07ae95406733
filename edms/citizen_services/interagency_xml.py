"""Interagency requests and answers as СМЭВ 3-shaped XML (message exchange types 1.3).

A request is a `SendRequestRequest` whose `SenderProvidedRequestData` (with an `Id` attribute) carries the sender's
`MessageID` and, in `MessagePrimaryContent`, our own `InteragencyRequest` payload (schemas/interagency/). An answer is
a `SendResponseRequest` whose `SenderProvidedResponseData` carries its `MessageID`, `To` (the request's message id:
the reply address inside the system) and either our `InteragencyResponse` payload or СМЭВ's `RequestRejected` with a
`RejectionReasonCode` of СМЭВ's list and a description.

Reading goes only through the hardened parser of `edms.core.xml`; the envelope is checked here element by element and
the payload against our XSD, so a malformed or hostile document is refused with `InteragencyXmlInvalid` naming why.

    xml = build_request(message)            # bytes
    message = read_request(xml)             # the same RequestMessage
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from secrets import randbits

from lxml import etree

from edms.core.errors import ValidationFailed
from edms.core.xml import load_schema, parse_xml, schema_errors
from edms.paths import ROOT

TYPES = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.3'
BASIC = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.3'
PAYLOAD = 'urn:edms:citizen-services:interagency:1.0'
PAYLOAD_SCHEMA = ROOT / 'schemas' / 'interagency' / 'interagency-1.0.xsd'
NSMAP = {'smev': TYPES, 'basic': BASIC, 'ia': PAYLOAD}
#: СМЭВ 3 `RejectCode` with the words the system shows.
REJECTION_CODES = {
    'NO_DATA': 'Сведения отсутствуют',
    'ACCESS_DENIED': 'Нет права на получение сведений',
    'UNKNOWN_REQUEST_DESCRIPTION': 'Запрос не соответствует формату',
    'FAILURE': 'Сбой при обработке запроса',
}
REQUEST_DATA_ID = 'REQUEST_DATA'
RESPONSE_DATA_ID = 'RESPONSE_DATA'
MAX_MESSAGE_SIZE = 1024 * 1024


class InteragencyXmlInvalid(ValidationFailed):
    """An interagency message that is not a well-formed СМЭВ 3 message with our payload."""

    code = 'interagency_xml_invalid'


@dataclass(frozen=True)
class Agency:
    name: str
    ogrn: str = ''
    inn: str = ''


@dataclass(frozen=True)
class RequestMessage:
    """What a request says: see the payload XSD."""

    message_id: str
    requester: Agency
    responder: Agency
    service_code: str
    service_title: str
    application_number: str
    legal_basis: str
    data_kind: str
    requested_data: str
    subject: dict[str, str]
    official_name: str
    official_position: str
    request_date: date
    due_date: date


@dataclass(frozen=True)
class AnswerField:
    path: str
    label: str
    value: str


@dataclass(frozen=True)
class AnswerMessage:
    """An answer (`fields`, `text`) or a rejection (`rejection_code`, `rejection_reason`) to the request `to`."""

    message_id: str
    to: str
    responder: Agency | None = None
    official_name: str = ''
    official_position: str = ''
    answer_date: date | None = None
    text: str = ''
    fields: tuple[AnswerField, ...] = field(default=())
    rejection_code: str | None = None
    rejection_reason: str = ''

    @property
    def rejected(self) -> bool:
        return self.rejection_code is not None


def new_message_id() -> str:
    """A СМЭВ message id: an RFC 4122 version 1 UUID (time-based, as СМЭВ asks) with a random node."""
    return str(uuid.uuid1(node=randbits(48) | 0x010000000000))


# --- writing ----------------------------------------------------------------------------------------------------------


def _el(parent: etree._Element, namespace: str, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f'{{{namespace}}}{name}')
    if text is not None:
        child.text = text
    return child


def _agency(parent: etree._Element, name: str, agency: Agency) -> None:
    node = _el(parent, PAYLOAD, name)
    _el(node, PAYLOAD, 'Name', agency.name)
    if agency.ogrn:
        _el(node, PAYLOAD, 'OGRN', agency.ogrn)
    if agency.inn:
        _el(node, PAYLOAD, 'INN', agency.inn)


def _official(parent: etree._Element, name: str, position: str) -> None:
    node = _el(parent, PAYLOAD, 'Official')
    _el(node, PAYLOAD, 'FullName', name)
    if position:
        _el(node, PAYLOAD, 'Position', position)


def build_request(message: RequestMessage) -> bytes:
    """The `SendRequestRequest` of `message`."""
    root = etree.Element(f'{{{TYPES}}}SendRequestRequest', nsmap=NSMAP)
    data = _el(root, TYPES, 'SenderProvidedRequestData')
    data.set('Id', REQUEST_DATA_ID)
    _el(data, TYPES, 'MessageID', message.message_id)
    payload = _el(_el(data, BASIC, 'MessagePrimaryContent'), PAYLOAD, 'InteragencyRequest')
    _agency(payload, 'Requester', message.requester)
    _agency(payload, 'Responder', message.responder)
    service = _el(payload, PAYLOAD, 'Service')
    _el(service, PAYLOAD, 'Code', message.service_code)
    _el(service, PAYLOAD, 'Title', message.service_title)
    _el(payload, PAYLOAD, 'ApplicationNumber', message.application_number)
    _el(payload, PAYLOAD, 'LegalBasis', message.legal_basis)
    _el(payload, PAYLOAD, 'RequestedData', message.requested_data).set('kind', message.data_kind)
    subject = _el(payload, PAYLOAD, 'Subject')
    for name, value in message.subject.items():
        if value:
            _el(subject, PAYLOAD, 'Parameter', value).set('name', name)
    _official(payload, message.official_name, message.official_position)
    _el(payload, PAYLOAD, 'RequestDate', message.request_date.isoformat())
    _el(payload, PAYLOAD, 'DueDate', message.due_date.isoformat())
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8')


def build_answer(message: AnswerMessage) -> bytes:
    """The `SendResponseRequest` of `message`: the payload, or `RequestRejected` for a rejection."""
    root = etree.Element(f'{{{TYPES}}}SendResponseRequest', nsmap=NSMAP)
    data = _el(root, TYPES, 'SenderProvidedResponseData')
    data.set('Id', RESPONSE_DATA_ID)
    _el(data, TYPES, 'MessageID', message.message_id)
    _el(data, TYPES, 'To', message.to)
    if message.rejection_code is not None:
        rejected = _el(data, TYPES, 'RequestRejected')
        _el(rejected, TYPES, 'RejectionReasonCode', message.rejection_code)
        _el(rejected, TYPES, 'RejectionReasonDescription', message.rejection_reason[:4000])
        return etree.tostring(root, xml_declaration=True, encoding='UTF-8')
    payload = _el(_el(data, BASIC, 'MessagePrimaryContent'), PAYLOAD, 'InteragencyResponse')
    _el(payload, PAYLOAD, 'RequestMessageID', message.to)
    _agency(payload, 'Responder', message.responder or Agency(''))
    _official(payload, message.official_name, message.official_position)
    _el(payload, PAYLOAD, 'ResponseDate', (message.answer_date or date.today()).isoformat())
    if message.text:
        _el(payload, PAYLOAD, 'Text', message.text)
    fields = _el(payload, PAYLOAD, 'Data')
    for item in message.fields:
        node = _el(fields, PAYLOAD, 'Field', item.value)
        node.set('path', item.path)
        node.set('label', item.label)
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8')


# --- reading ----------------------------------------------------------------------------------------------------------


def _invalid(what: str, reason: str) -> InteragencyXmlInvalid:
    return InteragencyXmlInvalid(f'{what} отклонён: {reason}.', fields={'xml': f'«{what}»: {reason}.'})


def _child(parent: etree._Element, namespace: str, name: str, what: str) -> etree._Element:
    node = parent.find(f'{{{namespace}}}{name}')
    if node is None:
        raise _invalid(what, f'нет элемента {name}')
    return node


def _text(node: etree._Element | None) -> str:
    return (node.text or '').strip() if node is not None else ''


def _payload(container: etree._Element, name: str, what: str) -> etree._Element:
    """The one payload element under `MessagePrimaryContent`, valid by our XSD."""
    children = [child for child in container if isinstance(child.tag, str)]
    if len(children) != 1 or children[0].tag != f'{{{PAYLOAD}}}{name}':
        raise _invalid(what, f'в MessagePrimaryContent ожидается элемент {name} пространства имён {PAYLOAD}')
    payload = children[0]
    errors = schema_errors(load_schema(str(PAYLOAD_SCHEMA)), payload)
    if errors:
        raise _invalid(what, 'содержимое не соответствует схеме (' + '; '.join(errors[:3]) + ')')
    return payload


def _message_id(data: etree._Element, name: str, what: str) -> str:
    value = _text(_child(data, TYPES, name, what))
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise _invalid(what, f'{name} не является UUID') from None
    if str(parsed) != value:
        raise _invalid(what, f'{name} должен быть UUID в нижнем регистре')
    return value


def _envelope(xml: bytes, root_name: str, data_name: str, what: str) -> etree._Element:
    root = parse_xml(xml, what=what, max_size=MAX_MESSAGE_SIZE)
    if root.tag != f'{{{TYPES}}}{root_name}':
        raise _invalid(what, f'корневой элемент должен быть {root_name} СМЭВ 3 (types 1.3)')
    return _child(root, TYPES, data_name, what)


def _read_agency(node: etree._Element) -> Agency:
    return Agency(
        _text(node.find(f'{{{PAYLOAD}}}Name')),
        _text(node.find(f'{{{PAYLOAD}}}OGRN')),
        _text(node.find(f'{{{PAYLOAD}}}INN')),
    )


def _read_official(payload: etree._Element) -> tuple[str, str]:
    node = payload.find(f'{{{PAYLOAD}}}Official')
    return _text(node.find(f'{{{PAYLOAD}}}FullName')), _text(node.find(f'{{{PAYLOAD}}}Position'))


def read_request(xml: bytes) -> RequestMessage:
    """The request a `SendRequestRequest` carries; `InteragencyXmlInvalid` (or `UnsafeXml`) when it is not one."""
    what = 'Межведомственный запрос'
    data = _envelope(xml, 'SendRequestRequest', 'SenderProvidedRequestData', what)
    message_id = _message_id(data, 'MessageID', what)
    payload = _payload(_child(data, BASIC, 'MessagePrimaryContent', what), 'InteragencyRequest', what)

    def text(name: str) -> str:
        return _text(payload.find(f'{{{PAYLOAD}}}{name}'))

    service = payload.find(f'{{{PAYLOAD}}}Service')
    requested = payload.find(f'{{{PAYLOAD}}}RequestedData')
    subject = {node.get('name', ''): _text(node) for node in payload.iterfind(f'{{{PAYLOAD}}}Subject/{{{PAYLOAD}}}*')}
    name, position = _read_official(payload)
    return RequestMessage(
        message_id=message_id,
        requester=_read_agency(payload.find(f'{{{PAYLOAD}}}Requester')),
        responder=_read_agency(payload.find(f'{{{PAYLOAD}}}Responder')),
        service_code=_text(service.find(f'{{{PAYLOAD}}}Code')),
        service_title=_text(service.find(f'{{{PAYLOAD}}}Title')),
        application_number=text('ApplicationNumber'),
        legal_basis=text('LegalBasis'),
        data_kind=requested.get('kind', ''),
        requested_data=_text(requested),
        subject=subject,
        official_name=name,
        official_position=position,
        request_date=date.fromisoformat(text('RequestDate')),
        due_date=date.fromisoformat(text('DueDate')),
    )


def read_answer(xml: bytes) -> AnswerMessage:
    """The answer or rejection a `SendResponseRequest` carries; `InteragencyXmlInvalid` when it is not one."""
    what = 'Ответ на межведомственный запрос'
    data = _envelope(xml, 'SendResponseRequest', 'SenderProvidedResponseData', what)
    message_id, to = _message_id(data, 'MessageID', what), _text(_child(data, TYPES, 'To', what))
    rejected = data.find(f'{{{TYPES}}}RequestRejected')
    if rejected is not None:
        code = _text(_child(rejected, TYPES, 'RejectionReasonCode', what))
        if code not in REJECTION_CODES:
            raise _invalid(what, f'код причины отказа «{code[:50]}» не из перечня СМЭВ')
        reason = _text(_child(rejected, TYPES, 'RejectionReasonDescription', what))
        return AnswerMessage(message_id, to, rejection_code=code, rejection_reason=reason)
    payload = _payload(_child(data, BASIC, 'MessagePrimaryContent', what), 'InteragencyResponse', what)
    if _text(payload.find(f'{{{PAYLOAD}}}RequestMessageID')) != to:
        raise _invalid(what, 'RequestMessageID не совпадает с адресом ответа To')
    name, position = _read_official(payload)
    fields = tuple(
        AnswerField(node.get('path', ''), node.get('label', ''), node.text or '')
        for node in payload.iterfind(f'{{{PAYLOAD}}}Data/{{{PAYLOAD}}}Field')
    )
    return AnswerMessage(
        message_id=message_id,
        to=to,
        responder=_read_agency(payload.find(f'{{{PAYLOAD}}}Responder')),
        official_name=name,
        official_position=position,
        answer_date=date.fromisoformat(_text(payload.find(f'{{{PAYLOAD}}}ResponseDate'))),
        text=_text(payload.find(f'{{{PAYLOAD}}}Text')),
        fields=fields,
    )
