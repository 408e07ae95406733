"""What goes back to the sender of a received packet, placed in the outbox in the same transaction as the change it
reports: a receipt («Квитанция») for every reception of a message, positive or negative with the reason; the
notifications about its document — «Зарегистрирован» and «Отказано в регистрации» (decisions.py), the steps of
execution (exports.py) and «Опубликование» (publication.py). Nothing is sent here: the outbox rows stay `pending` for
the sender job.

A notification is queued once per packet and key (the unique index `uq_exchange_outbox_notice (inbox_id, event)`):
the key is the type's name for the ones sent once about a document ('registered', 'refused'), and the name with the
occasion for the ones that may come several times ('executor_assigned:<resolution event id>').

The receipt goes to the sender participant (by the packet's sender GUID, else the partner system that posted it) on
behalf of the recipient organization (else the node's oldest local participant); without a known sender nothing can
be sent and the reception is counted as answered. A receipt is never acknowledged with a receipt.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from sqlalchemy import select

from edms.audit.operations import record
from edms.core.blobs import blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import DomainError
from edms.exchange.models import ExchangeParticipant, InboxPacket, InboxStatus, OutboxKind, OutboxPacket
from edms.exchange.operations.common import max_packet_size, medo_identity, zip_files
from edms.exchange.operations.delivery_queue import schedule_delivery
from edms.exchange.packets.errors import REASON_TITLES
from edms.exchange.packets.model import Generation
from edms.exchange.packets.notices import (
    BuiltNotice,
    CourseChanged,
    DocumentRef,
    ExecutorAssigned,
    NoticeEvent,
    NoticeSubject,
    Published,
    Refused,
    Registered,
    ReportPrepared,
    ReportSent,
    build_notification,
    build_receipt,
)
from edms.exchange.packets.writer_xml import MAX_COMMENT, PacketBuildError
from edms.exchange.queries import Parties, node_participant, participant_by_guid

logger = logging.getLogger(__name__)
#: the nil GUID acknowledges a message whose own GUID could not be read (as the МЭДО gateway does)
UNKNOWN_MESSAGE = UUID(int=0)
EVENT_NAMES: dict[type, str] = {
    Registered: 'registered',
    Refused: 'refused',
    ExecutorAssigned: 'executor_assigned',
    ReportPrepared: 'report_prepared',
    ReportSent: 'report_sent',
    CourseChanged: 'course_changed',
    Published: 'published',
}
#: the length of OutboxPacket.event
EVENT_KEY_MAX = 32
NO_NUMBER = 'б/н'


def notice_version(inbox: InboxPacket) -> str:
    """Answer in the sender's generation: 2.7.1 for 2.7.1 (and for a packet that could not be read), 2.7 for 2.7,
    the IEDMS 2.6 form for classic messages."""
    return {Generation.V2_7.value: '2.7', Generation.CLASSIC.value: '2.6'}.get(inbox.generation or '', '2.7.1')


def sender_of(inbox: InboxPacket, parties: Parties | None = None) -> ExchangeParticipant | None:
    """Where answers about the packet go: the participant of its sender GUID, else the partner that posted it.
    `parties`: the packet's parties when the caller has read them already (for the packet's own sender GUID)."""
    participant = parties.sender if parties is not None else participant_by_guid(inbox.sender_uid)
    source = parties.source if parties is not None else inbox.source_participant
    if participant is None and source is not None and source.is_active:
        participant = source
    return participant


def _ours(inbox: InboxPacket, parties: Parties | None) -> ExchangeParticipant | None:
    """Whom the receipt is from: the packet's recipient, else the node's oldest local participant."""
    if parties is None:
        return inbox.recipient_participant or node_participant()
    if inbox.recipient_participant_id is None:
        return parties.local[0] if parties.local else None
    known = next((p for p in parties.local if p.id == inbox.recipient_participant_id), None)
    return known or inbox.recipient_participant


def queue_receipts(inbox: InboxPacket, parties: Parties | None = None) -> int:
    """A receipt for every reception of a processed packet not yet answered; returns how many were placed.
    `parties`: the packet's parties (`packet_parties` of its sender GUID and source) when already read."""
    due = inbox.receptions - inbox.receipts
    if due <= 0 or inbox.status == InboxStatus.received.value:
        return 0
    inbox.receipts = inbox.receptions
    destination, ours = sender_of(inbox, parties), _ours(inbox, parties)
    if inbox.message_kind == 'acknowledgment' or destination is None or ours is None or destination.id == ours.id:
        return 0
    accepted = inbox.status != InboxStatus.quarantined.value
    for _ in range(due):
        try:
            notice = build_receipt(
                sender=medo_identity(ours),
                to=medo_identity(destination),
                acknowledged_uid=UUID(inbox.message_uid) if inbox.message_uid else UNKNOWN_MESSAGE,
                received=inbox.received_at,
                created=utcnow(),
                accepted=accepted,
                comment=_receipt_comment(inbox, accepted),
                version=notice_version(inbox),
            )
        except (DomainError, PacketBuildError) as error:  # never lose the packet over its answer
            _failed(inbox, 'receipt', error)
            return 0
        _place(OutboxKind.receipt, 'receipt', notice, inbox, destination, ours, title='Квитанция')
    return due


def _failed(inbox: InboxPacket, what: str, error: Exception) -> None:
    """A notice that could not be built (a bug or a participant's bad data): logged and journaled, not sent."""
    logger.exception('the %s about inbox packet %s could not be built', what, inbox.id)
    facts = {'what': what, 'error': f'{type(error).__name__}: {error}'[:1000]}
    record(None, 'exchange.notice.failed', inbox, facts, organization_id=inbox.recipient_organization_id)


def _receipt_comment(inbox: InboxPacket, accepted: bool) -> str:
    if accepted:
        return 'Сообщение доставлено и принято к обработке.'
    title = REASON_TITLES.get(inbox.reason_code or '', 'Пакет не принят')
    return f'Сообщение не принято: {title}. {inbox.reason or ""}'.strip()[:MAX_COMMENT]


def notice_key(event: NoticeEvent, ref: str | int | None = None) -> str:
    """The outbox key of a notification: the type's name, with the occasion `ref` when one is given."""
    name = EVENT_NAMES[type(event)]
    key = name if ref is None else f'{name}:{ref}'
    if len(key) > EVENT_KEY_MAX:
        raise ValueError(f'notification key {key!r} is longer than {EVENT_KEY_MAX} characters')
    return key


def arrival_packet(card_id: int, *, lock: bool = False) -> InboxPacket | None:
    """The packet the card arrived with (its own packet: a copy for a further recipient has its own card; a second
    copy of a message folded into the first is not counted) when it was accepted — None for a card that did not
    arrive by МЭДО or whose registration was refused. `lock` holds its row until the commit."""
    query = (
        select(InboxPacket)
        .where(InboxPacket.card_id == card_id, InboxPacket.duplicate_of_id.is_(None))
        .order_by(InboxPacket.id)
        .limit(1)
    )
    inbox = db.session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    return inbox if inbox is not None and inbox.status == InboxStatus.accepted.value else None


def notice_queued(inbox: InboxPacket, key: str) -> bool:
    """A notification with this key about the packet's document is already in the outbox."""
    query = select(OutboxPacket.id).where(OutboxPacket.inbox_id == inbox.id, OutboxPacket.event == key)
    return db.session.execute(query).first() is not None


def queue_notification(
    inbox: InboxPacket,
    event: NoticeEvent,
    *,
    comment: str | None = None,
    ref: str | int | None = None,
    time: datetime | None = None,
) -> OutboxPacket | None:
    """The notification of `event` about the packet's document, once per packet and key (`notice_key(event, ref)`);
    `time` is when it happened (now by default). None when the sender is not a participant of the directory (nobody
    to send it to), the notice could not be built (journaled) or this one is already queued."""
    key = notice_key(event, ref)
    destination, ours = sender_of(inbox), inbox.recipient_participant
    if destination is None or ours is None or inbox.document_uid is None or notice_queued(inbox, key):
        return None
    moment = utcnow()
    try:
        notice = build_notification(
            event,
            sender=medo_identity(ours),
            to=medo_identity(destination),
            subject=_subject(inbox),
            time=time or moment,
            created=moment,
            comment=comment[:MAX_COMMENT] if comment else None,
            version=notice_version(inbox),
        )
    except (DomainError, PacketBuildError) as error:
        _failed(inbox, key, error)
        return None
    return _place(OutboxKind.notification, key, notice, inbox, destination, ours, title=event.type_name)


def _subject(inbox: InboxPacket) -> NoticeSubject:
    foundation = DocumentRef(number=inbox.sender_number or NO_NUMBER, date=inbox.sender_date, organization=_org(inbox))
    return NoticeSubject(
        document_uid=UUID(inbox.document_uid or ''),
        foundation=foundation,
        message_uid=UUID(inbox.message_uid) if inbox.message_uid else None,
        local_id=inbox.document_local_id,
    )


def _org(inbox: InboxPacket) -> str | None:
    name = inbox.sender_name
    return name[:511] if name else None


def _place(
    kind: OutboxKind,
    event: str,
    notice: BuiltNotice,
    inbox: InboxPacket,
    destination: ExchangeParticipant,
    ours: ExchangeParticipant,
    *,
    title: str,
) -> OutboxPacket:
    data = zip_files(notice.files)
    blob = blob_store().put_bytes(data, max_packet_size())
    row = OutboxPacket(
        kind=kind.value,
        event=event,
        destination_id=destination.id,
        sender_participant_id=ours.id,
        organization_id=ours.organization_id,
        inbox_id=inbox.id,
        card_id=inbox.card_id,
        message_uid=str(notice.uid),
        subject=f'{title}: {inbox.sender_number or NO_NUMBER}'[:255],
        sha256=blob.sha256,
        size=blob.size,
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    schedule_delivery(row)  # enqueued after the commit
    facts = {'kind': kind.value, 'event': event, 'message_uid': row.message_uid, 'destination': destination.guid}
    record(None, 'exchange.outbox.queue', inbox, facts, organization_id=ours.organization_id)
    return row
