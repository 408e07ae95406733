"""The HTTP transport of МЭДО packets: a partner system posts the zip of a packet folder with the bearer token of its
user (whose organization is an active exchange participant) and learns the inbox id and the receipt's state.

POST answers 202 for a new packet (processing follows; with synchronous jobs it is already done) and 200 with the
same id for bytes received before — each reception gets its own receipt in the outbox. GET tells the poster (or the
recipient organization) where a packet stands; another organization's packet is not found.

`POST /cards/<id>/publication` marks the act of a card received by МЭДО as published and queues «Опубликование».
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object
from edms.api.loaders import load_card
from edms.auth.models import User
from edms.core.db import db
from edms.core.errors import Forbidden
from edms.core.tx import atomic
from edms.exchange.errors import InboxPacketNotFound, PacketTooLarge
from edms.exchange.models import InboxPacket, InboxStatus
from edms.exchange.operations import mark_published, receive_packet
from edms.exchange.operations.common import max_packet_size
from edms.exchange.queries import participant_of_organization

NOT_A_PARTICIPANT = (
    'Организация, от имени которой действует токен, не является участником обмена: '
    'пакеты принимаются только от участников из справочника.'
)


@bp.post('/exchange/packets')
def post_packet() -> tuple[Response, int, dict[str, str]]:
    """Receive a packet (the zip of its folder as the request body)."""
    user = api_user()
    raw = _body(max_packet_size())
    with atomic():
        source = participant_of_organization(user.organization_id)
        if source is None:
            raise Forbidden(NOT_A_PARTICIPANT)
        packet = receive_packet(raw, transport='http', source=source, received_by=user)
        inbox_id, duplicate = packet.id, packet.receptions > 1
    with atomic():
        packet = _visible_packet(user, inbox_id)
        body = packet_json(packet, duplicate=duplicate)
    location = url_for('api.get_packet', inbox_id=inbox_id)
    return jsonify(body), 200 if duplicate else 202, {'Location': location}


@bp.get('/exchange/packets/<int:inbox_id>')
def get_packet(inbox_id: int) -> Response:
    """Where a received packet stands: for the partner that posted it and for the recipient organization."""
    return jsonify(packet_json(_visible_packet(api_user(), inbox_id)))


@bp.post('/cards/<int:card_id>/publication')
def mark_publication(card_id: int) -> tuple[Response, int]:
    """«Опубликование»: {number, date, time?, point}; 201 with whether the notification was queued."""
    user, body = api_user(), json_object()
    with atomic():
        notice = mark_published(user, load_card(user, card_id, full=False), body)
        queued = notice is not None
    return jsonify({'card_id': card_id, 'notification_queued': queued}), 201


def _body(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise PacketTooLarge(limit)
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise PacketTooLarge(limit)
    return raw


def _visible_packet(user: User, inbox_id: int) -> InboxPacket:
    packet = db.session.get(InboxPacket, inbox_id)
    if packet is None:
        raise InboxPacketNotFound()
    source = packet.source_participant
    ours = {packet.recipient_organization_id, source.organization_id if source is not None else None}
    if user.organization_id not in ours:
        raise InboxPacketNotFound()
    return packet


def packet_json(packet: InboxPacket, *, duplicate: bool | None = None) -> dict[str, Any]:
    """A received packet as the partner sees it (no card of the recipient organization is named)."""
    body: dict[str, Any] = {
        'id': packet.id,
        'status': packet.status,
        'received_at': packet.received_at.isoformat(),
        'receptions': packet.receptions,
        'message_uid': packet.message_uid,
        'receipt': _receipt_state(packet),
        'reason_code': packet.reason_code,
        'reason': packet.reason,
    }
    if duplicate is not None:
        body['duplicate'] = duplicate
    return body


def _receipt_state(packet: InboxPacket) -> str:
    """pending (not processed yet), positive (accepted), negative (quarantined: the reason goes back)."""
    if packet.status == InboxStatus.received.value:
        return 'pending'
    return 'negative' if packet.status == InboxStatus.quarantined.value else 'positive'
