"""Stored exchange data: the directory of МЭДО participants, the inbox of received packets and the outbox of packets
to send. The inbox and the outbox in PostgreSQL are the record of truth; RQ jobs only do the work (at-least-once,
idempotent effects).

A received packet is stored first (its bytes — the zip of the packet folder — in the blob store under their sha256),
then processed: accepted (an incoming card draft made in the recipient organization), quarantined (kept with its
reason for «Ошибки обмена»), or refused by the clerk. A packet addressed to several organizations served here is
copied once per further recipient (`parent_id`); a copy with the same sender and message GUID but other bytes is
folded into the first one (`duplicate_of_id`). Every received message is acknowledged: `receptions` counts the
deliveries, `receipts` the receipts already placed in the outbox.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.core.clock import utcnow
from edms.core.db import CreatedAtMixin, UTCDateTime, db, reference
from edms.directory.models import Organization
from edms.registry.models import Card

GUID_LENGTH = 36
ADDRESS_MAX = 255
URL_MAX = 2000
REASON_MAX = 4000


class Transport(StrEnum):
    http = 'http'
    directory = 'directory'
    #: a packet from one organization served here to another: built, signed, parsed and verified as any other
    internal = 'internal'


class InboxStatus(StrEnum):
    received = 'received'
    accepted = 'accepted'
    quarantined = 'quarantined'
    refused = 'refused'


class OutboxKind(StrEnum):
    receipt = 'receipt'
    notification = 'notification'
    document = 'document'


class OutboxStatus(StrEnum):
    pending = 'pending'
    sent = 'sent'
    failed = 'failed'


TRANSPORT_LABELS = {
    Transport.http: 'HTTP',
    Transport.directory: 'Каталог МЭДО',
    Transport.internal: 'Внутри системы',
}
INBOX_STATUS_LABELS = {
    InboxStatus.received: 'Получен, обрабатывается',
    InboxStatus.accepted: 'Принят',
    InboxStatus.quarantined: 'Ошибка обмена',
    InboxStatus.refused: 'Отказано в регистрации',
}
OUTBOX_KIND_LABELS = {
    OutboxKind.receipt: 'Квитанция',
    OutboxKind.notification: 'Уведомление',
    OutboxKind.document: 'Документ',
}
OUTBOX_STATUS_LABELS = {
    OutboxStatus.pending: 'Ожидает отправки',
    OutboxStatus.sent: 'Отправлен',
    OutboxStatus.failed: 'Не доставлен',
}


def _values(enum_class: type[StrEnum]) -> str:
    return ', '.join(f"'{member.value}'" for member in enum_class)


class ExchangeParticipant(CreatedAtMixin, db.Model):
    """An organization's place in the МЭДО exchange: its participant GUID (lower case), its mailbox («MINCIFRY_S» or
    «MINCIFRY_S~MEDOGU», kept in upper case), the HTTP endpoint of a partner system when packets go there directly.

    `is_local`: the organization works in this system, so packets addressed to it become drafts here; otherwise it
    is a partner reached by its endpoint or through the МЭДО mail client (directory transport)."""

    __tablename__ = 'exchange_participants'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey('directory_organizations.id', name='fk_exchange_participants_organization_id'),
        nullable=False,
        unique=True,
    )
    guid: Mapped[str] = mapped_column(String(GUID_LENGTH), nullable=False, unique=True)
    medo_address: Mapped[str] = mapped_column(String(ADDRESS_MAX), nullable=False, unique=True)
    endpoint_url: Mapped[str | None] = mapped_column(String(URL_MAX))
    is_local: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()

    @property
    def name(self) -> str:
        return self.organization.name

    @property
    def mailbox(self) -> str:
        """The mailbox without the server part («MINCIFRY_S»)."""
        return self.medo_address.split('~', 1)[0]


_PRIMARY = 'parent_id IS NULL AND duplicate_of_id IS NULL'


class InboxPacket(db.Model):
    """One received packet (or the copy of one for a further recipient organization)."""

    __tablename__ = 'exchange_inbox'
    __table_args__ = (
        CheckConstraint(f'transport IN ({_values(Transport)})', name='transport'),
        CheckConstraint(f'status IN ({_values(InboxStatus)})', name='status'),
        Index(
            'uq_exchange_inbox_sha256',
            'sha256',
            unique=True,
            postgresql_where=text(_PRIMARY),
            sqlite_where=text(_PRIMARY),
        ),
        Index(
            'uq_exchange_inbox_message',
            'sender_uid',
            'message_uid',
            unique=True,
            postgresql_where=text(_PRIMARY),
            sqlite_where=text(_PRIMARY),
        ),
        Index('ix_exchange_inbox_recipient', 'recipient_organization_id', 'status', 'id'),
        Index('ix_exchange_inbox_status', 'status', 'received_at'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey('exchange_inbox.id', name='fk_exchange_inbox_parent_id'))
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey('exchange_inbox.id', name='fk_exchange_inbox_duplicate_of_id')
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    transport: Mapped[str] = mapped_column(String(16), nullable=False)
    #: sha256 of the packet zip in the blob store, and its size.
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    #: The partner system that posted it (its token user's organization's participant), when known.
    source_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey('exchange_participants.id', name='fk_exchange_inbox_source_participant_id')
    )
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=InboxStatus.received.value)
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    #: Facts of the processing: the signatures' verdicts, the failed checks, the addressees looked for.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # what the packet says, once read
    message_kind: Mapped[str | None] = mapped_column(String(16))
    generation: Mapped[str | None] = mapped_column(String(16))
    message_uid: Mapped[str | None] = mapped_column(String(GUID_LENGTH))
    sender_uid: Mapped[str | None] = mapped_column(String(GUID_LENGTH))
    sender_name: Mapped[str | None] = mapped_column(String(511))
    document_uid: Mapped[str | None] = mapped_column(String(GUID_LENGTH))
    document_local_id: Mapped[str | None] = mapped_column(String(127))
    sender_number: Mapped[str | None] = mapped_column(String(64))
    sender_date: Mapped[date | None] = mapped_column(Date)
    # where it went
    recipient_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey('directory_organizations.id', name='fk_exchange_inbox_recipient_organization_id')
    )
    recipient_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey('exchange_participants.id', name='fk_exchange_inbox_recipient_participant_id')
    )
    card_id: Mapped[int | None] = mapped_column(ForeignKey('registry_cards.id'), index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    receptions: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    receipts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    card: Mapped[Card | None] = reference()
    recipient_organization: Mapped[Organization | None] = reference()
    recipient_participant: Mapped[ExchangeParticipant | None] = reference(foreign_keys=[recipient_participant_id])
    source_participant: Mapped[ExchangeParticipant | None] = reference(foreign_keys=[source_participant_id])

    @property
    def status_label(self) -> str:
        return INBOX_STATUS_LABELS.get(InboxStatus(self.status), self.status)

    @property
    def transport_label(self) -> str:
        return TRANSPORT_LABELS.get(Transport(self.transport), self.transport)

    @property
    def download_name(self) -> str:
        return f'packet-{self.id}.zip'


class OutboxPacket(CreatedAtMixin, db.Model):
    """A packet to send to a participant: a receipt, a notification or a document, its files zipped in the blob store.

    The sender job picks `pending` rows whose `next_attempt_at` has come (FOR UPDATE SKIP LOCKED), delivers them by
    the destination's transport and marks them `sent`, or counts the attempt, keeps `last_error` and moves
    `next_attempt_at` on (exponential backoff) until the delivery deadline, then `failed`."""

    __tablename__ = 'exchange_outbox'
    __table_args__ = (
        CheckConstraint(f'kind IN ({_values(OutboxKind)})', name='kind'),
        CheckConstraint(f'status IN ({_values(OutboxStatus)})', name='status'),
        Index('ix_exchange_outbox_due', 'status', 'next_attempt_at'),
        Index(
            'uq_exchange_outbox_notice',
            'inbox_id',
            'event',
            unique=True,
            postgresql_where=text("kind = 'notification'"),
            sqlite_where=text("kind = 'notification'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    #: The notification's event ('registered', 'refused'…) or 'receipt'.
    event: Mapped[str] = mapped_column(String(32), nullable=False)
    destination_id: Mapped[int] = mapped_column(
        ForeignKey('exchange_participants.id', name='fk_exchange_outbox_destination_id'), nullable=False, index=True
    )
    #: Our participant on whose behalf the packet is sent.
    sender_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey('exchange_participants.id', name='fk_exchange_outbox_sender_participant_id')
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey('directory_organizations.id', name='fk_exchange_outbox_organization_id')
    )
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey('exchange_inbox.id'), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey('registry_cards.id'))
    #: header/@uid of the built message, and the envelope subject.
    message_uid: Mapped[str] = mapped_column(String(GUID_LENGTH), nullable=False, unique=True)
    subject: Mapped[str] = mapped_column(String(255), nullable=False, default='')
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=OutboxStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    destination: Mapped[ExchangeParticipant] = reference(foreign_keys=[destination_id])

    @property
    def kind_label(self) -> str:
        return OUTBOX_KIND_LABELS.get(OutboxKind(self.kind), self.kind)

    @property
    def status_label(self) -> str:
        return OUTBOX_STATUS_LABELS.get(OutboxStatus(self.status), self.status)


class DispatchStatus(StrEnum):
    """Where a sent document stands with one addressee, from the latest step of its timeline."""

    queued = 'queued'
    sent = 'sent'
    delivered = 'delivered'
    not_accepted = 'not_accepted'
    registered = 'registered'
    refused = 'refused'
    failed = 'failed'


class DispatchStep(StrEnum):
    """The steps of a dispatch's timeline: ours (queued, sent, failed) and what the addressee reports back."""

    queued = 'queued'
    sent = 'sent'
    delivered = 'delivered'
    not_accepted = 'not_accepted'
    registered = 'registered'
    refused = 'refused'
    executor_assigned = 'executor_assigned'
    report_prepared = 'report_prepared'
    report_sent = 'report_sent'
    course_changed = 'course_changed'
    published = 'published'
    failed = 'failed'


DISPATCH_STATUS_LABELS = {
    DispatchStatus.queued: 'Ожидает отправки',
    DispatchStatus.sent: 'Отправлен',
    DispatchStatus.delivered: 'Доставлен',
    DispatchStatus.not_accepted: 'Не принят',
    DispatchStatus.registered: 'Зарегистрирован',
    DispatchStatus.refused: 'Отказано в регистрации',
    DispatchStatus.failed: 'Не доставлен',
}
DISPATCH_STEP_LABELS = {
    DispatchStep.queued: 'Пакет сформирован',
    DispatchStep.sent: 'Отправлен',
    DispatchStep.delivered: 'Доставлен (квитанция)',
    DispatchStep.not_accepted: 'Не принят (квитанция)',
    DispatchStep.registered: 'Зарегистрирован',
    DispatchStep.refused: 'Отказано в регистрации',
    DispatchStep.executor_assigned: 'Назначен исполнитель',
    DispatchStep.report_prepared: 'Доклад подготовлен',
    DispatchStep.report_sent: 'Доклад направлен',
    DispatchStep.course_changed: 'Исполнение',
    DispatchStep.published: 'Опубликование',
    DispatchStep.failed: 'Не доставлен',
}


#: a dispatch that is neither failed nor refused nor not accepted: one per card and addressee
_ALIVE = "status NOT IN ('failed', 'refused', 'not_accepted')"


class Dispatch(CreatedAtMixin, db.Model):
    """An outgoing card sent to one МЭДО addressee: the packet in the outbox and the addressee's answers.

    `document_uid` (the container GUID) is the same for every addressee of a card: notifications refer to it and are
    told apart by their sender; receipts refer to `message_uid`."""

    __tablename__ = 'exchange_dispatches'
    __table_args__ = (
        CheckConstraint(f'status IN ({_values(DispatchStatus)})', name='status'),
        Index('ix_exchange_dispatches_document', 'document_uid', 'destination_id'),
        Index(
            'uq_exchange_dispatches_alive',
            'card_id',
            'destination_id',
            unique=True,
            postgresql_where=text(_ALIVE),
            sqlite_where=text(_ALIVE),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey('registry_cards.id'), nullable=False, index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey('directory_organizations.id', name='fk_exchange_dispatches_organization_id'), nullable=False
    )
    #: The card's addressee this dispatch serves (None once the addressee was removed from the card).
    addressee_id: Mapped[int | None] = mapped_column(
        ForeignKey('registry_card_addressees.id', name='fk_exchange_dispatches_addressee_id', ondelete='SET NULL')
    )
    addressee_name: Mapped[str] = mapped_column(String(511), nullable=False)
    destination_id: Mapped[int] = mapped_column(
        ForeignKey('exchange_participants.id', name='fk_exchange_dispatches_destination_id'), nullable=False
    )
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey('exchange_outbox.id', name='fk_exchange_dispatches_outbox_id'), nullable=False, unique=True
    )
    document_uid: Mapped[str] = mapped_column(String(GUID_LENGTH), nullable=False)
    message_uid: Mapped[str] = mapped_column(String(GUID_LENGTH), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DispatchStatus.queued.value)
    registered_number: Mapped[str | None] = mapped_column(String(64))
    registered_date: Mapped[date | None] = mapped_column(Date)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    destination: Mapped[ExchangeParticipant] = reference()
    outbox: Mapped[OutboxPacket] = reference()
    steps: Mapped[list[DispatchEvent]] = relationship(
        order_by='DispatchEvent.id', back_populates='dispatch', cascade='all, delete-orphan'
    )

    @property
    def status_label(self) -> str:
        return DISPATCH_STATUS_LABELS.get(DispatchStatus(self.status), self.status)


class DispatchEvent(db.Model):
    """One step of a dispatch's timeline; `inbox_id` is the receipt or notification that reported it."""

    __tablename__ = 'exchange_dispatch_events'
    __table_args__ = (
        Index('ix_exchange_dispatch_events_dispatch', 'dispatch_id', 'id'),
        Index(
            'uq_exchange_dispatch_events_inbox',
            'dispatch_id',
            'inbox_id',
            unique=True,
            postgresql_where=text('inbox_id IS NOT NULL'),
            sqlite_where=text('inbox_id IS NOT NULL'),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispatch_id: Mapped[int] = mapped_column(
        ForeignKey('exchange_dispatches.id', name='fk_exchange_dispatch_events_dispatch_id', ondelete='CASCADE'),
        nullable=False,
    )
    step: Mapped[str] = mapped_column(String(32), nullable=False)
    #: When it happened, as the addressee reports it (else when we learnt it).
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    text: Mapped[str] = mapped_column(String(REASON_MAX), nullable=False, default='')
    inbox_id: Mapped[int | None] = mapped_column(
        ForeignKey('exchange_inbox.id', name='fk_exchange_dispatch_events_inbox_id')
    )
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    dispatch: Mapped[Dispatch] = relationship(back_populates='steps')

    @property
    def label(self) -> str:
        return DISPATCH_STEP_LABELS.get(DispatchStep(self.step), self.step)
