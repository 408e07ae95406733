"""Reading notifications («Уведомление») and receipts («Квитанция») of any version (FORMAT.md §2.5–2.6, §5).

A notification refers to a document sent earlier by `notification/@uid` (its document or container uid) and by
`foundation` (its number and date); the event element (documentAccepted, documentRefused, executorAssigned,
reportPrepared, reportSent, courseChanged, documentPublished) must agree with `notification/@type`. A receipt
acknowledges a message (`acknowledgment/@uid` = its header/@uid); the МЭДО gateway's error receipts add `errorCode`
and `errorFileMessage`. A receipt without an acknowledgment element (seen in the wild: a copy of the delivered
message's header with the type «Квитанция») acknowledges the message its header names, with `accepted` unknown.
"""

from __future__ import annotations

import re

from edms.exchange.packets.common import invalid, read_party, read_reference, required
from edms.exchange.packets.errors import PacketRejected
from edms.exchange.packets.model import (
    NOTIFICATION_TYPES,
    FileHash,
    IncomingAcknowledgment,
    IncomingNotification,
    NotificationEvent,
)
from edms.exchange.packets.xmlread import Node, normalize_guid, parse_date

_SPACES = re.compile(r'\s+')
EVENT_BY_TYPE = {_SPACES.sub(' ', type_).casefold(): event for event, (type_, _) in NOTIFICATION_TYPES.items()}
EVENT_BY_ELEMENT = {element: event for event, (_, element) in NOTIFICATION_TYPES.items()}


def read_notification(root: Node) -> IncomingNotification:
    """The notification of a message whose header/@type is «Уведомление»."""
    node = required(root.child('notification'), 'notification')
    type_text = node.attr('type') or ''
    event_node = next((child for child in node.elements() if child.name in EVENT_BY_ELEMENT), None)
    by_type = EVENT_BY_TYPE.get(_SPACES.sub(' ', type_text).strip().casefold())
    if event_node is None:
        if by_type is None:
            raise PacketRejected('unsupported', f'Тип уведомления «{type_text[:100]}» не поддерживается.')
        raise invalid(f'в уведомлении «{type_text}» нет элемента {NOTIFICATION_TYPES[by_type][1]}')
    event = EVENT_BY_ELEMENT[event_node.name]
    if by_type is not None and by_type is not event:
        raise invalid(f'тип уведомления «{type_text}» не соответствует элементу {event_node.name}')
    document_uid = normalize_guid(node.attr('uid'))
    foundation = read_reference(event_node.child('foundation'))
    if document_uid is None and foundation is None:
        raise invalid('уведомление не указывает документ: нет ни notification/@uid, ни foundation')
    return IncomingNotification(
        event=event,
        type=type_text or NOTIFICATION_TYPES[event][0],
        document_uid=document_uid,
        time=event_node.moment('time'),
        foundation=foundation,
        document_local_id=node.attr('id'),
        message_uid=normalize_guid(node.attr('mid')),
        correspondent=read_party(event_node.child('correspondent')),
        comment=node.text('comment') or event_node.text('comment'),
        **_event_fields(event, event_node),
    )


def _event_fields(event: NotificationEvent, node: Node) -> dict[str, object]:
    if event is NotificationEvent.REGISTERED:
        return {'reg_number': node.text('num/number'), 'reg_date': node.date_of('num/date')}
    if event is NotificationEvent.REFUSED:
        return {'reason': node.text('reason')}
    if event is NotificationEvent.EXECUTOR_ASSIGNED:
        return {
            'secretary': read_party(node.child('secretary')),
            'manager': read_party(node.child('manager')),
            'executor': read_party(node.child('executor')),
        }
    if event is NotificationEvent.REPORT_PREPARED:
        return {'signatory': read_party(node.child('signatory'))}
    if event is NotificationEvent.REPORT_SENT:
        return {'report': read_reference(node.child('report'))}
    if event is NotificationEvent.COURSE_CHANGED:
        return {'course_text': node.text('courseText'), 'reference': read_reference(node.child('reference'))}
    return {
        'reg_number': node.text('num/number'),
        'reg_date': parse_date(node.text('num/date')),
        'publication_point': node.text('publicationPoint'),
    }


def read_acknowledgment(root: Node, message_uid: str) -> IncomingAcknowledgment:
    """The receipt of a message whose header/@type is «Квитанция» (any «Квитанция …»)."""
    node = root.child('acknowledgment')
    if node is None:
        return IncomingAcknowledgment(acknowledged_uid=message_uid, accepted=None)
    acknowledged = normalize_guid(node.attr('uid'))
    if acknowledged is None:
        raise invalid('квитанция не указывает сообщение: нет acknowledgment/@uid или он не является GUID')
    hash_codes = node.child('hashCodes')
    return IncomingAcknowledgment(
        acknowledged_uid=acknowledged,
        accepted=node.boolean('accepted'),
        time=node.moment('time'),
        content=node.attr('content'),
        comment=node.text('comment'),
        error_code=node.integer('errorCode'),
        error_file=node.text('errorFileMessage'),
        hash_algorithm=hash_codes.attr('algorithm') if hash_codes is not None else None,
        hashes=tuple(_hashes(hash_codes)),
    )


def _hashes(node: Node | None) -> list[FileHash]:
    if node is None:
        return []
    return [
        FileHash(name, code.lower())
        for item in node.children('item')
        if (name := item.text('name')) is not None and (code := item.text('code')) is not None
    ]
