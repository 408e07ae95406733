"""Delivering the outbox: one attempt per call under the row's lock, the outcome kept in the row.

`deliver_packet(outbox_id)` locks a due `pending` row (FOR UPDATE SKIP LOCKED: a second worker on the same row
does nothing), sends it by the destination's transport — to an organization served here through the intake, as a
partner's packet would come (the internal transport, in the same transaction); HTTP POST to the participant's
endpoint with the bearer token of that partner (the EXCHANGE_TOKENS setting, JSON {guid: token}); else the packet
folder written into EXCHANGE_OUTBOX_DIR/<mailbox>/ — and marks it `sent`; a permanent refusal marks it `failed`;
a temporary failure counts the attempt and moves `next_attempt_at` on (2^attempts minutes, at most an hour), so a
worker killed mid-job loses nothing: the row stays due and the sweeper enqueues it again. A packet still
undelivered DELIVERY_DEADLINE after it was queued is `failed`: the clerks of the sending organization are notified
and, for a document, the failure is journaled on its card and shown on its dispatch's timeline.

When a new row is enqueued is `delivery_queue`'s business.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from edms.audit.operations import record
from edms.auth.models import Role, User, UserRole
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import DomainError
from edms.exchange.models import DispatchStep, ExchangeParticipant, OutboxKind, OutboxPacket, OutboxStatus, Transport
from edms.exchange.operations.common import stored_bytes
from edms.exchange.operations.intake import receive_packet
from edms.exchange.operations.timeline import note_outbox
from edms.exchange.transports import PermanentFailure, TemporaryFailure, post_packet, write_packet_folder
from edms.notifications.models import TEXT_MAX
from edms.notifications.operations import notify
from edms.registry.models import Card

DELIVERY_DEADLINE = timedelta(hours=72)
MAX_BACKOFF = timedelta(hours=1)
DEFAULT_TIMEOUT = 30.0
FAILED_KIND = 'exchange_delivery_failed'


def due_packets(now: datetime, limit: int = 500) -> list[int]:
    """Ids of pending rows whose next attempt has come, oldest first."""
    query = (
        select(OutboxPacket.id)
        .where(OutboxPacket.status == OutboxStatus.pending.value, OutboxPacket.next_attempt_at <= now)
        .order_by(OutboxPacket.next_attempt_at, OutboxPacket.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def outbox_listing(status: str | None = None, limit: int = 100) -> list[OutboxPacket]:
    """The newest outbox rows for the command line (the node's operator: no access rule)."""
    query = select(OutboxPacket).options(selectinload(OutboxPacket.destination))
    if status:
        query = query.where(OutboxPacket.status == status)
    return list(db.session.execute(query.order_by(OutboxPacket.id.desc()).limit(limit)).scalars())


def deliver_packet(outbox_id: int) -> str | None:
    """One delivery attempt; the row's new status, or None when it is not due, gone, or locked by another worker."""
    row = db.session.execute(
        select(OutboxPacket)
        .options(joinedload(OutboxPacket.destination, innerjoin=True))
        .where(OutboxPacket.id == outbox_id)
        .with_for_update(skip_locked=True, of=OutboxPacket)  # the destination's row is read, not locked
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None or row.status != OutboxStatus.pending.value or row.next_attempt_at > utcnow():
        return None
    row.attempts += 1
    started = utcnow()  # the timeline's «sent» is when the packet left, not when the answer came back
    try:
        _send(row)
    except PermanentFailure as failure:
        _give_up(row, failure.message)
    except TemporaryFailure as failure:
        _retry_later(row, failure.message)
    else:
        row.status, row.sent_at, row.last_error = OutboxStatus.sent.value, utcnow(), None
        record(None, 'exchange.outbox.sent', row, _facts(row), organization_id=row.organization_id)
        note_outbox(row, DispatchStep.sent, at=started)
    return row.status


def _send(row: OutboxPacket) -> None:
    destination = row.destination
    if not destination.is_active:
        raise PermanentFailure('Участник обмена отключён в справочнике.')
    try:
        data = stored_bytes(row.sha256)
    except DomainError as error:
        raise PermanentFailure(f'Файл пакета недоступен: {error.message}') from None
    if destination.is_local:  # served here: the same intake as a partner's packet, in this transaction
        sender = db.session.get(ExchangeParticipant, row.sender_participant_id) if row.sender_participant_id else None
        try:
            receive_packet(data, transport=Transport.internal.value, source=sender)
        except DomainError as error:  # refused by our own intake (size): retrying will not change it
            raise PermanentFailure(f'Получатель не принял пакет: {error.message}') from None
        return
    config = current_app.config
    if destination.endpoint_url:
        timeout = float(config.get('EXCHANGE_DELIVERY_TIMEOUT') or DEFAULT_TIMEOUT)
        token = partner_token(destination)
        post_packet(destination.endpoint_url, data, token=token, timeout=timeout, filename=f'{row.message_uid}.zip')
        return
    folder = config.get('EXCHANGE_OUTBOX_DIR')
    if not folder:
        raise TemporaryFailure(
            'У участника нет адреса HTTP-приёма, а каталог исходящих МЭДО (EDMS_EXCHANGE_OUTBOX_DIR) не задан.'
        )
    write_packet_folder(folder, destination.mailbox, row.message_uid, data)


def partner_token(participant: ExchangeParticipant) -> str | None:
    """The bearer token for a partner's endpoint from EXCHANGE_TOKENS (a mapping or its JSON), by GUID."""
    tokens = current_app.config.get('EXCHANGE_TOKENS') or {}
    if isinstance(tokens, str):
        try:
            tokens = json.loads(tokens)
        except ValueError:
            raise PermanentFailure('Настройка EDMS_EXCHANGE_TOKENS — не JSON вида {"guid": "токен"}.') from None
    if not isinstance(tokens, dict):
        return None
    by_guid = {str(guid).strip().lower(): token for guid, token in tokens.items()}
    token = by_guid.get(participant.guid.lower())
    return str(token) if token else None


def backoff(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failed attempt: 2^attempts minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(attempts, 10)), MAX_BACKOFF)


def _retry_later(row: OutboxPacket, message: str) -> None:
    now = utcnow()
    row.last_error = message
    if now - row.created_at >= DELIVERY_DEADLINE:
        hours = int(DELIVERY_DEADLINE.total_seconds() // 3600)
        _give_up(row, f'Не доставлен за {hours} ч после {row.attempts} попыток. Последняя ошибка: {message}')
        return
    row.next_attempt_at = now + backoff(row.attempts)


def _give_up(row: OutboxPacket, message: str) -> None:
    """`failed` for good: journaled (on the card too, for a document) and told to the sending organization's clerks."""
    row.status, row.last_error = OutboxStatus.failed.value, message
    note_outbox(row, DispatchStep.failed, message)
    facts = {**_facts(row), 'error': message[:1000]}
    record(None, 'exchange.outbox.failed', row, facts, organization_id=row.organization_id)
    card = db.session.get(Card, row.card_id) if row.card_id is not None else None
    if card is not None and row.kind == OutboxKind.document.value:
        record(None, 'exchange.delivery.failed', card, facts, organization_id=card.organization_id)
    if row.organization_id is None:
        return
    text = f'{row.kind_label} «{row.subject}» не доставлен участнику «{row.destination.name}»: {message}'
    notify(
        _clerks(row.organization_id),
        kind=FAILED_KIND,
        text=text[:TEXT_MAX],
        url=f'/cards/{card.id}' if card is not None and row.kind == OutboxKind.document.value else '',
        organization_id=row.organization_id,
        source=f'exchange-outbox-{row.id}-failed',
    )


def _clerks(organization_id: int) -> list[int]:
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.organization_id == organization_id, User.is_active.is_(True), UserRole.role == Role.clerk)
        .order_by(User.id)
    )
    return list(db.session.execute(query).scalars())


def _facts(row: OutboxPacket) -> dict[str, object]:
    return {
        'kind': row.kind,
        'event': row.event,
        'message_uid': row.message_uid,
        'destination': row.destination.guid,
        'attempts': row.attempts,
    }
