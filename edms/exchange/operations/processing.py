"""Processing a received packet, under the lock of its inbox row, in one transaction: read it (its stored bytes
never change, so they are read before the lock is taken), fold a second copy of an already received message into the
first, find its addressees among the organizations served here, verify every
signature, check its files, make the incoming drafts, acknowledge it. A packet that fails is quarantined with its
reason and nothing of it is registered; the sender is answered with a negative receipt when known.

Idempotent: a packet already processed is only acknowledged (receptions not yet answered), never processed again.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.exc import MultipleResultsFound

from edms.audit.operations import record
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import DomainError
from edms.exchange.models import REASON_MAX, ExchangeParticipant, InboxPacket, InboxStatus
from edms.exchange.operations.checks import (
    check_signatures,
    prepare_files,
    require_acceptable,
    resolve_recipients,
    signature_facts,
)
from edms.exchange.operations.common import stored_bytes
from edms.exchange.operations.drafts import clip, make_draft
from edms.exchange.operations.notices import queue_receipts
from edms.exchange.operations.timeline import note_answer
from edms.exchange.packets.errors import PacketRejected
from edms.exchange.packets.model import IncomingPacket, PacketKind
from edms.exchange.packets.reader import read_packet_zip
from edms.exchange.queries import Parties, packet_parties

#: A packet whose processing crashed this many times is quarantined instead of being tried forever.
MAX_ATTEMPTS = 5
#: What a copy for a further recipient shares with the packet it was made from.
COPIED = (
    'transport',
    'sha256',
    'size',
    'source_participant_id',
    'received_by_id',
    'received_at',
    'message_kind',
    'generation',
    'message_uid',
    'sender_uid',
    'sender_name',
    'document_uid',
    'document_local_id',
    'sender_number',
    'sender_date',
    'details',
)


def locked_packet(inbox_id: int) -> InboxPacket | None:
    return db.session.execute(
        select(InboxPacket)
        .where(InboxPacket.id == inbox_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class Attempt:
    """A packet to process: `sha256` of its stored bytes, to read before its row is locked (None when the packet was
    processed already and only its receptions are to be acknowledged)."""

    sha256: str | None


def begin_attempt(inbox_id: int) -> Attempt | None:
    """Count an attempt at a packet still to process (its own transaction, so that crashes are counted too); None
    when there is nothing to do or the packet has failed too often (it is quarantined then). The usual case is one
    statement; the row is read only when the packet is gone, processed already or tried too often."""
    counted = db.session.execute(
        update(InboxPacket)
        .where(
            InboxPacket.id == inbox_id,
            InboxPacket.status == InboxStatus.received.value,
            InboxPacket.attempts < MAX_ATTEMPTS,
        )
        .values(attempts=InboxPacket.attempts + 1)
        .returning(InboxPacket.sha256)
    ).scalar()
    if counted is not None:
        return Attempt(counted)
    inbox = locked_packet(inbox_id)
    if inbox is None:
        return None
    if inbox.status == InboxStatus.received.value:
        if inbox.attempts >= MAX_ATTEMPTS:
            message = f'Пакет не удалось обработать за {inbox.attempts} попыток: обратитесь к администратору.'
            quarantine(inbox, PacketRejected('unsupported', message))
            return None
        inbox.attempts += 1
        return Attempt(inbox.sha256)
    return Attempt(None)


def process_packet(inbox_id: int, sha256: str | None = None) -> InboxPacket | None:
    """Process the packet once; a packet already processed only gets its unanswered receptions acknowledged.

    With `sha256` (of the `Attempt` begun) the stored packet is read before its row is locked — its bytes never
    change — and the row and the first copy of the same message are locked by one statement."""
    read = _read(sha256) if sha256 is not None else None
    inbox, original = _locked(inbox_id, read if isinstance(read, IncomingPacket) else None)
    if inbox is None:
        return None
    if inbox.status != InboxStatus.received.value:
        queue_receipts(inbox)
        return inbox
    if read is None:  # begun as processed already, found still to process: read it under the lock
        read = _read(inbox.sha256)
        if isinstance(read, IncomingPacket):
            original = _locked(inbox.id, read)[1]
    if isinstance(read, PacketRejected):
        quarantine(inbox, read)
        return inbox
    try:
        _process(inbox, read, original)
    except PacketRejected as error:  # raised before anything of the packet was registered
        quarantine(inbox, error)
    return inbox


def _read(sha256: str) -> IncomingPacket | PacketRejected:
    """The stored packet read, or why it cannot be."""
    try:
        return read_packet_zip(stored_bytes(sha256))
    except PacketRejected as error:
        return error


def quarantine_failed(inbox_id: int, error: DomainError) -> InboxPacket | None:
    """After the transaction that made the drafts was rolled back: quarantine the packet with the refusal."""
    inbox = locked_packet(inbox_id)
    if inbox is None or inbox.status != InboxStatus.received.value:
        return inbox
    with contextlib.suppress(DomainError):  # an unreadable packet was quarantined before drafting
        _note(inbox, read_packet_zip(stored_bytes(inbox.sha256)))
    fields = '; '.join(error.fields.values())
    message = f'Черновик документа не удалось создать: {error.message} {fields}'.strip()
    quarantine(inbox, PacketRejected('unsupported', message[:3900]))
    return inbox


def quarantine(inbox: InboxPacket, error: PacketRejected) -> None:
    """Keep the packet with its reason for «Ошибки обмена» and answer the sender with a negative receipt."""
    inbox.status, inbox.reason_code = InboxStatus.quarantined.value, error.reason_code
    inbox.reason = error.message[:REASON_MAX]
    if error.names:
        inbox.details = {**(inbox.details or {}), 'names': list(error.names)}
    inbox.processed_at = inbox.updated_at = utcnow()
    facts = {'reason_code': error.reason_code, 'reason': error.message, 'attempts': inbox.attempts}
    record(None, 'exchange.packet.quarantine', inbox, facts, organization_id=inbox.recipient_organization_id)
    queue_receipts(inbox)


def _process(inbox: InboxPacket, packet: IncomingPacket, original: InboxPacket | None) -> None:
    if original is not None:
        inbox.duplicate_of_id = original.id
        _note(inbox, packet)
        _fold(inbox, original)
        return
    parties = packet_parties(packet.sender.participant_uid, inbox.source_participant_id)
    if packet.document is None:  # a notification or a receipt: kept for the timeline of the sender's card
        _note(inbox, packet)
        with contextlib.suppress(PacketRejected):  # answered by the node when its addressee is not known
            _address(inbox, resolve_recipients(packet, parties.local)[0])
        _accept(inbox, [], parties)
        note_answer(inbox, packet)
        return
    # What the packet tells about itself is set on its row only once the drafts are made (or the packet refused):
    # the row is then written by one UPDATE instead of one per flush of the drafts.
    recipients: list[ExchangeParticipant] = []
    facts: list[dict[str, Any]] | None = None
    try:
        recipients = resolve_recipients(packet, parties.local)
        checks = check_signatures(packet)
        facts = signature_facts(checks)
        require_acceptable(checks)
        files = prepare_files(packet.document)
    except PacketRejected:
        _describe(inbox, packet, recipients, facts)
        raise
    card = make_draft(packet, recipients[0], parties.sender, files, checks)
    _describe(inbox, packet, recipients, facts)
    inbox.card_id = card.id
    copies = [
        _copy(inbox, other, make_draft(packet, other, parties.sender, files, checks).id) for other in recipients[1:]
    ]
    _accept(inbox, copies, parties)


def _describe(
    inbox: InboxPacket,
    packet: IncomingPacket,
    recipients: list[ExchangeParticipant],
    signatures: list[dict[str, Any]] | None,
) -> None:
    """The packet's own facts, its first addressee and its signatures' verdicts, as far as they are known."""
    _note(inbox, packet)
    if recipients:
        _address(inbox, recipients[0])
    if signatures is not None:
        inbox.details = {**(inbox.details or {}), 'signatures': signatures}


def _address(inbox: InboxPacket, recipient: ExchangeParticipant) -> None:
    inbox.recipient_participant_id, inbox.recipient_organization_id = recipient.id, recipient.organization_id


def _locked(inbox_id: int, packet: IncomingPacket | None) -> tuple[InboxPacket | None, InboxPacket | None]:
    """The inbox row and, when `packet` (read from it) names its sender, the first received copy of the same message:
    both locked by one statement."""
    condition: ColumnElement[bool] = InboxPacket.id == inbox_id
    first_copy = _first_copy(inbox_id, packet) if packet is not None else None
    if first_copy is not None:
        condition = or_(condition, first_copy)
    rows = db.session.execute(
        select(InboxPacket).where(condition).with_for_update().execution_options(populate_existing=True)
    ).scalars()
    inbox, others = None, []
    for row in rows:
        if row.id == inbox_id:
            inbox = row
        else:
            others.append(row)
    if len(others) > 1:
        raise MultipleResultsFound('more than one first copy of a message')
    return inbox, others[0] if others else None


def _first_copy(inbox_id: int, packet: IncomingPacket) -> ColumnElement[bool] | None:
    """Which row is the first received copy of the packet's message, if the packet names its sender."""
    if not packet.sender.participant_uid:
        return None
    return and_(
        InboxPacket.sender_uid == packet.sender.participant_uid,
        InboxPacket.message_uid == packet.message_uid,
        InboxPacket.parent_id.is_(None),
        InboxPacket.duplicate_of_id.is_(None),
        InboxPacket.id != inbox_id,
    )


def _note(inbox: InboxPacket, packet: IncomingPacket) -> None:
    """What the packet says about itself, for the lists, the duplicates and the answers."""
    document = packet.document
    inbox.message_kind, inbox.generation = packet.kind.value, packet.generation.value
    inbox.message_uid, inbox.sender_uid = packet.message_uid, packet.sender.participant_uid
    inbox.sender_name = clip(packet.sender.organization, 511) or None
    if document is not None:
        inbox.document_uid = document.uid or packet.message_uid
        inbox.document_local_id = clip(document.local_id, 127) or None
        inbox.sender_number = clip(document.reg_number, 64) or None
        inbox.sender_date = document.reg_date
    inbox.details = {**(inbox.details or {}), **_message_facts(packet)}


def _message_facts(packet: IncomingPacket) -> dict[str, Any]:
    facts: dict[str, Any] = {'message_type': packet.message_type, 'version': packet.version}
    if packet.kind is PacketKind.NOTIFICATION and packet.notification is not None:
        notice = packet.notification
        facts['notification'] = {'type': notice.type, 'document_uid': notice.document_uid, 'number': notice.reg_number}
    if packet.kind is PacketKind.ACKNOWLEDGMENT and packet.acknowledgment is not None:
        receipt = packet.acknowledgment
        facts['acknowledgment'] = {'uid': receipt.acknowledged_uid, 'accepted': receipt.accepted}
    return facts


def _fold(inbox: InboxPacket, original: InboxPacket) -> None:
    """A second copy of a message already received: answered as the first one is, registered never."""
    inbox.status, inbox.card_id = InboxStatus.accepted.value, original.card_id
    inbox.recipient_organization_id = original.recipient_organization_id
    inbox.recipient_participant_id = original.recipient_participant_id
    inbox.processed_at = inbox.updated_at = utcnow()
    inbox.receipts = inbox.receptions
    original.receptions += inbox.receptions
    facts = {'duplicate_of': original.id, 'message_uid': inbox.message_uid}
    record(None, 'exchange.packet.duplicate', inbox, facts, organization_id=original.recipient_organization_id)
    queue_receipts(original)


def _copy(inbox: InboxPacket, recipient: ExchangeParticipant, card_id: int) -> InboxPacket:
    """The packet once more for a further recipient organization, with its own draft (never acknowledged again)."""
    copy = InboxPacket(**{name: getattr(inbox, name) for name in COPIED})
    copy.parent_id, copy.status, copy.card_id = inbox.id, InboxStatus.accepted.value, card_id
    copy.recipient_participant_id, copy.recipient_organization_id = recipient.id, recipient.organization_id
    copy.receptions = copy.receipts = 0
    copy.attempts, copy.processed_at = inbox.attempts, utcnow()
    db.session.add(copy)
    db.session.flush()
    return copy


def _accept(inbox: InboxPacket, copies: list[InboxPacket], parties: Parties | None = None) -> None:
    inbox.status = InboxStatus.accepted.value
    inbox.processed_at = inbox.updated_at = utcnow()
    for item in [inbox, *copies]:
        facts = {'card_id': item.card_id, 'kind': item.message_kind, 'message_uid': item.message_uid}
        record(None, 'exchange.packet.accept', item, facts, organization_id=item.recipient_organization_id)
    queue_receipts(inbox, parties)
