"""Receiving a packet: stored first, processed after the commit by the job — nothing received is ever lost.

`receive_packet(raw, transport=…)` keeps the bytes (the zip of the packet folder) in the blob store and an inbox row
in the caller's transaction, and schedules `edms.exchange.jobs.process_inbox_packet` after the commit. The same
bytes received again are the same row: its `receptions` grow (each reception is acknowledged once the packet is
processed) and nothing is processed twice. `retry_packet` sends a quarantined packet through the processing again
(after the trust store or the participants were fixed).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.blobs import BlobTooLarge, blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.jobs import enqueue
from edms.core.tx import on_commit
from edms.exchange.errors import PacketStateConflict, PacketTooLarge
from edms.exchange.models import ExchangeParticipant, InboxPacket, InboxStatus, Transport
from edms.exchange.operations.common import max_packet_size
from edms.exchange.operations.notices import queue_receipts

JOB = 'edms.exchange.jobs.process_inbox_packet'
QUEUE = 'exchange'


def receive_packet(
    raw: bytes,
    *,
    transport: str,
    source: ExchangeParticipant | None = None,
    received_by: User | None = None,
) -> InboxPacket:
    """Keep a received packet and schedule its processing; the row of the same bytes received before, counted again.

    `source` is the partner system that delivered it (the participant of the posting token's organization), used to
    answer when the packet itself cannot tell its sender. A duplicate is recognisable by `receptions > 1`.
    """
    transport = Transport(transport).value
    limit = max_packet_size()
    if not raw:
        raise ValidationFailed(fields={'packet': '«Пакет»: получен пустой пакет.'})
    if len(raw) > limit:
        raise PacketTooLarge(limit)
    sha256 = hashlib.sha256(raw).hexdigest()
    existing = _locked_by_sha256(sha256)
    if existing is not None:
        return _again(existing, transport, received_by)
    packet = _insert(raw, limit, transport, source, received_by)
    if packet is None:  # the same bytes arrived at the same moment through another request
        existing = _locked_by_sha256(sha256)
        if existing is None:
            raise RuntimeError(f'inbox packet {sha256} is neither new nor stored')
        return _again(existing, transport, received_by)
    facts = {'transport': transport, 'sha256': packet.sha256, 'size': packet.size, 'source': _guid(source)}
    record(received_by, 'exchange.packet.receive', packet, facts, organization_id=_org(source, received_by))
    on_commit(schedule_processing, packet.id)
    return packet


def _insert(
    raw: bytes, limit: int, transport: str, source: ExchangeParticipant | None, received_by: User | None
) -> InboxPacket | None:
    """The bytes in the blob store and the new inbox row (in a savepoint); None when a concurrent insert won."""
    try:
        blob = blob_store().put_bytes(raw, limit)
    except BlobTooLarge:
        raise PacketTooLarge(limit) from None
    packet = InboxPacket(
        transport=transport,
        sha256=blob.sha256,
        size=blob.size,
        source_participant_id=source.id if source is not None else None,
        received_by_id=received_by.id if received_by is not None else None,
        status=InboxStatus.received.value,
        received_at=utcnow(),
        receptions=1,
        receipts=0,
        attempts=0,
    )
    try:
        with db.session.begin_nested():
            db.session.add(packet)
            db.session.flush()
    except IntegrityError:
        return None
    return packet


def schedule_processing(inbox_id: int) -> None:
    enqueue(JOB, inbox_id, queue=QUEUE)


def retry_packet(user: User, inbox: InboxPacket) -> InboxPacket:
    """Process a quarantined packet again (its previous reason stays in the journal)."""
    db.session.execute(select(InboxPacket.id).where(InboxPacket.id == inbox.id).with_for_update())
    db.session.refresh(inbox)
    if inbox.status != InboxStatus.quarantined.value:
        raise PacketStateConflict('Повторить обработку можно только для пакета с ошибкой обмена.')
    previous = {'reason_code': inbox.reason_code, 'reason': inbox.reason}
    inbox.status, inbox.reason_code, inbox.reason, inbox.details = InboxStatus.received.value, None, None, None
    inbox.attempts, inbox.processed_at, inbox.updated_at = 0, None, utcnow()
    record(user, 'exchange.packet.retry', inbox, previous, organization_id=inbox.recipient_organization_id)
    on_commit(schedule_processing, inbox.id)
    return inbox


def _locked_by_sha256(sha256: str) -> InboxPacket | None:
    return db.session.execute(
        select(InboxPacket)
        .where(InboxPacket.sha256 == sha256, InboxPacket.parent_id.is_(None), InboxPacket.duplicate_of_id.is_(None))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _again(existing: InboxPacket, transport: str, received_by: User | None) -> InboxPacket:
    """The same bytes once more: one more reception to acknowledge, now if the packet is already processed."""
    existing.receptions += 1
    existing.updated_at = utcnow()
    answered = queue_receipts(existing)
    facts = {'transport': transport, 'sha256': existing.sha256, 'duplicate': True, 'receipts': answered}
    record(received_by, 'exchange.packet.receive', existing, facts, organization_id=existing.recipient_organization_id)
    return existing


def _guid(participant: ExchangeParticipant | None) -> str | None:
    return participant.guid if participant is not None else None


def _org(source: ExchangeParticipant | None, user: User | None) -> int | None:
    if source is not None:
        return source.organization_id
    return user.organization_id if user is not None else None
