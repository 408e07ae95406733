"""What the clerk's decisions send back: registering an МЭДО draft (the registry's `register_card`, then
`on_card_registered` as the card page and the API do) queues «Зарегистрирован» with our number and date (once,
however often it is noticed); «Отказать в регистрации» with a
reason from the IEDMS 2.6 list cancels the draft and queues «Отказано в регистрации»; both refer to the sender's
document (its GUID and its number and date as `foundation`)."""

from __future__ import annotations

from uuid import UUID

import pytest

from edms.auth.models import User
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.exchange.errors import PacketStateConflict
from edms.exchange.models import InboxPacket, OutboxPacket
from edms.exchange.operations import on_card_registered, receive_packet, refuse_packet
from edms.exchange.operations.common import stored_bytes
from edms.exchange.packets.model import IncomingPacket, NotificationEvent
from edms.exchange.packets.reader import read_packet_zip
from edms.registry.models import Card, CardStatus
from edms.registry.operations import register_card
from scripts.make_test_pki import TestPki
from tests.exchange.inbox_setup import MINISTRY_GUID, Exchange, inbox_rows, make_exchange, outbox_rows, packet_zip
from tests.factories import make_card
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI

UID = UUID('9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a')


@pytest.fixture
def received(app_ctx, test_pki: TestPki) -> tuple[Exchange, int]:  # noqa: F811
    exchange = make_exchange(test_pki)
    with atomic():
        inbox_id = receive_packet(packet_zip(exchange, uid=UID), transport='http', source=exchange.partner_node).id
    return exchange, inbox_id


def register(clerk: User, card: Card) -> None:
    """What the entry points do: register the card, then let the exchange answer the sender."""
    register_card(clerk, card)
    on_card_registered(card)


def notifications() -> list[OutboxPacket]:
    return [row for row in outbox_rows() if row.kind == 'notification']


def test_registering_the_draft_queues_registered_with_our_number_and_date(received: tuple[Exchange, int]):
    exchange, inbox_id = received

    with atomic():
        card = db.session.get(Card, db.session.get(InboxPacket, inbox_id).card_id)
        register(exchange.clerk, card)
        number, day = card.reg_number, card.reg_date

    [notice] = notifications()
    assert (notice.event, notice.status, notice.destination_id) == ('registered', 'pending', exchange.partner_node.id)
    read = read_outbox(notice)
    assert read.sender.participant_uid == MINISTRY_GUID
    event = read.notification
    assert event is not None
    assert (event.event, event.reg_number, event.reg_date) == (NotificationEvent.REGISTERED, number, day)
    assert event.foundation is not None
    assert event.foundation.number == '01-02/77'
    with atomic():
        assert event.document_uid == db.session.get(InboxPacket, inbox_id).document_uid


def test_the_registered_notification_is_queued_once(received: tuple[Exchange, int]):
    exchange, inbox_id = received
    with atomic():
        card = db.session.get(Card, db.session.get(InboxPacket, inbox_id).card_id)
        register(exchange.clerk, card)

    with atomic():
        again = on_card_registered(db.session.get(Card, card.id))

    assert again is None
    assert len(notifications()) == 1


def test_registering_a_card_that_did_not_arrive_by_medo_sends_nothing(received: tuple[Exchange, int]):
    exchange, _ = received
    with atomic():
        card = make_card(exchange.clerk, register=False, delivery_method='medo')
    with atomic():
        register(exchange.clerk, db.session.get(Card, card.id))

    assert notifications() == []


def test_refusing_cancels_the_draft_and_queues_the_refusal_with_its_reason(received: tuple[Exchange, int]):
    exchange, inbox_id = received

    with atomic():
        refuse_packet(
            exchange.clerk,
            db.session.get(InboxPacket, inbox_id),
            {'reason': 'Документ неверно адресован', 'comment': 'Направьте в Минфин'},
        )

    [inbox] = inbox_rows()
    assert (inbox.status, inbox.reason) == ('refused', 'Документ неверно адресован')
    with atomic():
        card = db.session.get(Card, inbox.card_id)
        assert card.status == CardStatus.cancelled
        assert 'Документ неверно адресован' in (card.cancel_reason or '')
    [notice] = notifications()
    event = read_outbox(notice).notification
    assert event is not None
    assert (event.event, event.reason, event.comment) == (
        NotificationEvent.REFUSED,
        'Документ неверно адресован',
        'Направьте в Минфин',
    )


def test_a_reason_off_the_list_is_refused_and_nothing_changes(received: tuple[Exchange, int]):
    exchange, inbox_id = received

    with pytest.raises(ValidationFailed) as caught, atomic():
        refuse_packet(exchange.clerk, db.session.get(InboxPacket, inbox_id), {'reason': 'Не понравилось'})

    assert 'reason' in caught.value.fields
    assert [row.status for row in inbox_rows()] == ['accepted']
    assert notifications() == []


def test_a_registered_draft_can_no_longer_be_refused(received: tuple[Exchange, int]):
    exchange, inbox_id = received
    with atomic():
        register(exchange.clerk, db.session.get(Card, db.session.get(InboxPacket, inbox_id).card_id))

    with pytest.raises(PacketStateConflict), atomic():
        refuse_packet(exchange.clerk, db.session.get(InboxPacket, inbox_id), {'reason': 'Не подлежит регистрации'})

    assert [row.event for row in notifications()] == ['registered']


def read_outbox(row: OutboxPacket) -> IncomingPacket:
    with atomic():
        return read_packet_zip(stored_bytes(row.sha256))
