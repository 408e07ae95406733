"""Receiving a packet: a 2.7.1 packet built by `build_packet`, signed by the test PKI and received through
`receive_packet`, becomes an incoming draft of the addressed organization with the requisites, the files and their
verified signatures, and a positive receipt waits in the outbox; received twice (the same bytes, or the same message
in other bytes) it is registered once and acknowledged twice; the job run again changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import event, select

from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.jobs import process_inbox_packet
from edms.exchange.models import InboxPacket, OutboxPacket
from edms.exchange.operations import create_participant, intake, receive_packet
from edms.exchange.operations.common import stored_bytes, zip_files
from edms.exchange.packets.model import IncomingPacket, PacketKind
from edms.exchange.packets.reader import read_packet_zip
from edms.exchange.packets.writer import Participant, build_packet
from edms.exchange.queries import registration_queue
from edms.registry.models import AccessMark, Attachment, Card, CardKind, CardStatus, DeliveryMethod
from edms.registry.operations import attachments as registry_attachments
from edms.signatures.models import AttachmentSignature, VerificationRecord
from scripts.make_test_pki import TestPki
from tests.exchange.inbox_setup import (
    ANNEX,
    MINISTRY_GUID,
    PARTNER_GUID,
    PDF,
    SUMMARY,
    Exchange,
    cards,
    count,
    inbox_rows,
    make_exchange,
    outbox_rows,
    outgoing,
    packet_zip,
    signer,
    yesterday,
)
from tests.factories import make_organization, make_user
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI

UID = UUID('3b0a2f4e-8c1d-4e5f-9a6b-7c8d9e0f1a2b')


@pytest.fixture
def exchange(app_ctx, test_pki: TestPki) -> Exchange:  # noqa: F811
    return make_exchange(test_pki)


def receive(raw: bytes, exchange: Exchange | None = None, transport: str = 'http') -> int:
    with atomic():
        source = exchange.partner_node if exchange is not None else None
        return receive_packet(raw, transport=transport, source=source).id


def test_a_received_packet_becomes_a_draft_with_the_packets_requisites(exchange: Exchange):
    inbox_id = receive(packet_zip(exchange, uid=UID), exchange)

    with atomic():
        inbox = db_get(InboxPacket, inbox_id)
        assert (inbox.status, inbox.message_kind, inbox.generation) == ('accepted', 'container', '2.7.1')
        assert (inbox.message_uid, inbox.sender_uid) == (str(UID), PARTNER_GUID)
        assert inbox.recipient_organization_id == exchange.ministry.id
        card = db_get(Card, inbox.card_id)
        assert (card.kind, card.status, card.organization_id) == (
            CardKind.incoming,
            CardStatus.draft,
            exchange.ministry.id,
        )
        assert (card.document_kind, card.summary) == ('Письмо', SUMMARY)
        assert card.correspondent_organization_id == exchange.partner.id
        assert card.correspondent_name == exchange.partner.name
        assert (card.sender_number, card.sender_date) == ('01-02/77', yesterday())
        assert (card.pages, card.attachment_pages) == (2, 1)
        assert card.signer == 'Иванов Иван Иванович (Начальник отдела)'
        assert (card.delivery_method, card.access_mark) == (DeliveryMethod.medo, AccessMark.public)
        assert [(a.name, a.organization_id) for a in card.addressees] == [
            (exchange.ministry.name, exchange.ministry.id)
        ]
        assert card.created_by_id is None
        assert card.reg_number is None


def test_the_main_file_and_the_attachment_become_card_files_with_their_signatures(exchange: Exchange):
    inbox_id = receive(packet_zip(exchange), exchange)

    with atomic():
        card_id = db_get(InboxPacket, inbox_id).card_id
        files = {a.filename: a for a in db_all(Attachment, Attachment.card_id == card_id)}
        assert set(files) == {'document.pdf', 'attachment_1.pdf'}
        assert (files['document.pdf'].size, files['document.pdf'].description) == (len(PDF), 'Письмо')
        assert (files['attachment_1.pdf'].size, files['attachment_1.pdf'].description) == (len(ANNEX), 'Смета')
        signatures = db_all(AttachmentSignature, AttachmentSignature.card_id == card_id)
        assert sorted(s.attachment.filename for s in signatures) == ['attachment_1.pdf', 'document.pdf']
        # trusted chain, no CRL in the store: intact and trusted, revocation not checked
        assert {s.last_verdict for s in signatures} == {'indeterminate'}
        assert all('Иванов Иван Иванович' in s.signer_summary for s in signatures)
        records = db_all(VerificationRecord, VerificationRecord.attachment_id.in_([f.id for f in files.values()]))
        assert len(records) == 2
        assert all(r.report['signers'][0]['checks'][3]['status'] == 'passed' for r in records)  # the chain


def test_the_card_files_take_the_type_and_size_found_when_the_packet_was_checked(
    exchange: Exchange, monkeypatch: pytest.MonkeyPatch
):
    def not_again(path: object) -> None:
        raise AssertionError(f'{path}: the type was detected when the packet was checked')

    monkeypatch.setattr(registry_attachments, 'detect_content_type', not_again)
    inbox_id = receive(packet_zip(exchange), exchange)

    with atomic():
        card_id = db_get(InboxPacket, inbox_id).card_id
        files = {a.filename: (a.content_type, a.size) for a in db_all(Attachment, Attachment.card_id == card_id)}
    assert files == {'document.pdf': ('application/pdf', len(PDF)), 'attachment_1.pdf': ('application/pdf', len(ANNEX))}


def test_a_positive_receipt_for_the_message_waits_in_the_outbox(exchange: Exchange):
    receive(packet_zip(exchange, uid=UID), exchange)

    [receipt] = outbox_rows()
    assert (receipt.kind, receipt.event, receipt.status) == ('receipt', 'receipt', 'pending')
    assert receipt.destination_id == exchange.partner_node.id
    assert receipt.sender_participant_id == exchange.ministry_node.id
    read = read_outbox(receipt)
    assert read.kind is PacketKind.ACKNOWLEDGMENT
    assert read.sender.participant_uid == MINISTRY_GUID
    assert read.acknowledgment is not None
    assert (read.acknowledgment.acknowledged_uid, read.acknowledgment.accepted) == (str(UID), True)


def test_the_same_bytes_received_twice_are_one_packet_one_draft_and_two_receipts(exchange: Exchange):
    raw = packet_zip(exchange)

    first, second = receive(raw, exchange), receive(raw, exchange)

    assert first == second
    [inbox] = inbox_rows()
    assert (inbox.receptions, inbox.receipts) == (2, 2)
    assert len(cards()) == 1
    assert [row.kind for row in outbox_rows()] == ['receipt', 'receipt']


def test_the_same_message_in_other_bytes_is_folded_into_the_first_and_registered_once(exchange: Exchange):
    later = datetime.now(UTC).replace(microsecond=0)
    receive(packet_zip(exchange, uid=UID, created=later - timedelta(minutes=5)), exchange)

    receive(packet_zip(exchange, uid=UID, created=later), exchange)

    first, second = inbox_rows()
    assert second.duplicate_of_id == first.id
    assert (second.status, second.card_id) == ('accepted', first.card_id)
    assert (first.receptions, first.receipts) == (2, 2)
    assert len(cards()) == 1
    receipts = outbox_rows()
    assert len(receipts) == 2
    assert {read_outbox(row).acknowledgment.acknowledged_uid for row in receipts} == {str(UID)}


def test_the_job_locks_a_second_copy_and_the_first_by_one_statement(
    exchange: Exchange, monkeypatch: pytest.MonkeyPatch
):
    later = datetime.now(UTC).replace(microsecond=0)
    receive(packet_zip(exchange, uid=UID, created=later - timedelta(minutes=5)), exchange)
    monkeypatch.setattr(intake, 'schedule_processing', lambda inbox_id: None)
    second_id = receive(packet_zip(exchange, uid=UID, created=later), exchange)
    statements: list[str] = []

    def seen(_connection: object, _cursor: object, sql: str, *_: object) -> None:
        statements.append(sql)

    event.listen(db.engine, 'before_cursor_execute', seen)
    try:
        process_inbox_packet(second_id)
    finally:
        event.remove(db.engine, 'before_cursor_execute', seen)

    locks = [sql for sql in statements if 'FROM exchange_inbox' in sql and 'FOR UPDATE' in sql]
    assert len(locks) == 1
    first, second = inbox_rows()
    assert (second.id, second.duplicate_of_id, second.card_id) == (second_id, first.id, first.card_id)
    assert (first.receptions, first.receipts) == (2, 2)
    assert len(cards()) == 1


def test_running_the_job_again_changes_nothing(exchange: Exchange):
    inbox_id = receive(packet_zip(exchange), exchange)
    before = snapshot()

    process_inbox_packet(inbox_id)
    process_inbox_packet(inbox_id)

    assert snapshot() == before
    assert before == {'cards': 1, 'files': 2, 'signatures': 2, 'outbox': 1, 'inbox': 1}


def test_a_restricted_document_is_a_restricted_draft_seen_only_by_those_allowed(exchange: Exchange):
    receive(packet_zip(exchange, outgoing(restricted=True)), exchange)

    [card] = cards()
    assert card.access_mark == AccessMark.restricted
    with atomic():
        other_clerk = make_user(exchange.ministry, 'clerk')
    with atomic():
        assert [item.card_id for item in registration_queue(exchange.clerk).items] == [card.id]
        assert registration_queue(other_clerk).items == []


def test_a_packet_for_two_organizations_served_here_makes_a_draft_in_each(exchange: Exchange):
    with atomic():
        region = make_organization('Правительство')
        region_node = create_participant(
            SYSTEM, {'organization_id': region.id, 'guid': str(uuid4()), 'medo_address': 'PRAV_S'}
        )
        region_identity = Participant(UUID(region_node.guid), region.name, region_node.medo_address)
    built = packet_zip_to(exchange, [exchange.ministry_identity, region_identity])

    receive(built, exchange)

    primary, copy = inbox_rows()
    assert copy.parent_id == primary.id
    assert {primary.recipient_organization_id, copy.recipient_organization_id} == {exchange.ministry.id, region.id}
    assert {card.organization_id for card in cards()} == {exchange.ministry.id, region.id}
    assert len(outbox_rows()) == 1  # the message was received once


def packet_zip_to(exchange: Exchange, addressees: list[Participant]) -> bytes:
    built = build_packet(
        outgoing(),
        sender=exchange.partner_identity,
        addressees=addressees,
        signers=[signer(exchange.pki)],
        created=datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1),
    )
    return zip_files(built.files)


def snapshot() -> dict[str, int]:
    return {
        'cards': count(Card),
        'files': count(Attachment),
        'signatures': count(AttachmentSignature),
        'outbox': count(OutboxPacket),
        'inbox': count(InboxPacket),
    }


def read_outbox(row: OutboxPacket) -> IncomingPacket:
    with atomic():
        return read_packet_zip(stored_bytes(row.sha256))


def db_get(model: type, ident: int) -> Any:
    return db.session.get(model, ident)


def db_all(model: type, *conditions: Any) -> list[Any]:
    return list(db.session.execute(select(model).where(*conditions)).scalars())
