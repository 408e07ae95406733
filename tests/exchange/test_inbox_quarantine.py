"""Bad packets received: each kind (the payloads of test_bad_packets, a broken or untrusted signature, an unknown
addressee) is kept in the quarantine with its reason code, nothing of it is registered, and a negative receipt with
the reason goes back when the sender is known — by the packet, or as the partner system that posted it. A packet
quarantined for an untrusted signature is accepted when processed again after the root was trusted."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from uuid import UUID

import pytest

from edms.core.access import SYSTEM
from edms.core.tx import atomic
from edms.exchange.models import InboxPacket, OutboxPacket
from edms.exchange.operations import receive_packet, retry_packet
from edms.exchange.operations.common import stored_bytes, zip_files
from edms.exchange.packets.errors import REASON_TITLES
from edms.exchange.packets.model import IncomingPacket
from edms.exchange.packets.reader import read_packet_zip
from edms.exchange.packets.writer import PacketFile, Participant, Signatory
from edms.registry.models import Attachment, Card
from edms.signatures.models import AttachmentSignature
from edms.signatures.operations import import_trusted
from scripts.make_test_pki import TestPki
from tests.exchange import builders
from tests.exchange.inbox_setup import (
    Exchange,
    count,
    inbox_rows,
    make_exchange,
    outbox_rows,
    outgoing,
    packet_zip,
    rezip,
    signer,
    unzip,
)
from tests.exchange.test_bad_packets import LAUGHS, XXE
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI


@pytest.fixture
def exchange(app_ctx, test_pki: TestPki) -> Exchange:  # noqa: F811
    return make_exchange(test_pki)


def receive(raw: bytes, exchange: Exchange | None) -> InboxPacket:
    with atomic():
        source = exchange.partner_node if exchange is not None else None
        inbox_id = receive_packet(raw, transport='http' if source else 'directory', source=source).id
    [inbox] = [row for row in inbox_rows() if row.id == inbox_id]
    return inbox


def with_message(message: bytes) -> bytes:
    return zip_files({**builders.container_packet(), 'message.xml': message})


def with_container(archive: bytes) -> bytes:
    return zip_files(builders.container_packet(archive=archive))


def zip_bomb() -> bytes:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.writestr('letter.pdf', b'\x00' * (20 * 1024 * 1024))
    return with_container(bomb.getvalue())


def deep_nesting() -> bytes:
    nested = b'<a>' * 5000 + b'</a>' * 5000
    return with_message(builders.container_message().replace(b'</c:communication>', nested + b'</c:communication>'))


def oversized_message() -> bytes:
    """Stored, not deflated: a deflated run of spaces would already be refused as a zip bomb."""
    spaces = b' ' * (11 * 1024 * 1024)
    message = builders.container_message().replace(b'</c:communication>', spaces + b'</c:communication>')
    return builders.raw_zip({**builders.container_packet(), 'message.xml': message})


BAD_PACKETS: dict[str, tuple[str, Callable[[], bytes]]] = {
    'not xml': ('not_xml', lambda: with_message(b'\x89PNG this is not xml <<<')),
    'xsd violation': (
        'xsd',
        lambda: with_message(builders.container_message().replace(f'c:uid="{builders.MESSAGE_UID}"'.encode(), b'')),
    ),
    'doctype with an external entity': ('doctype', lambda: with_message(XXE)),
    'billion laughs': ('doctype', lambda: with_message(LAUGHS)),
    'deep nesting': ('not_xml', deep_nesting),
    'oversized message': ('oversize', oversized_message),
    'zip bomb': ('zip_bomb', zip_bomb),
    'parent path in the container': ('zip_path', lambda: with_container(builders.raw_zip({'../../evil.sh': b'x'}))),
    'absolute path in the container': ('zip_path', lambda: with_container(builders.raw_zip({'/etc/passwd': b'x'}))),
    'parent path in the packet': (
        'zip_path',
        lambda: builders.raw_zip({'message.xml': builders.container_message(), '../envelope.ltr': b''}),
    ),
    'file missing against the envelope': (
        'files_mismatch',
        lambda: zip_files({k: v for k, v in builders.container_packet().items() if k != 'container.edc.zip'}),
    ),
    'file extra against the envelope': (
        'files_mismatch',
        lambda: zip_files({**builders.container_packet(), 'x.exe': b'MZ'}),
    ),
    'not a zip at all': ('unsupported', lambda: b'this is not a zip archive'),
}


@pytest.mark.parametrize('kind', list(BAD_PACKETS))
def test_every_kind_of_bad_packet_is_quarantined_with_its_reason_and_a_negative_receipt(exchange: Exchange, kind: str):
    reason_code, make = BAD_PACKETS[kind]

    inbox = receive(make(), exchange)

    assert (inbox.status, inbox.reason_code) == ('quarantined', reason_code), inbox.reason
    assert inbox.reason
    assert_nothing_registered()
    [receipt] = outbox_rows()
    assert receipt.destination_id == exchange.partner_node.id  # the partner that posted it
    assert_negative(receipt, reason_code)


def test_a_broken_signature_is_quarantined_and_the_sender_named_in_the_packet_gets_the_receipt(exchange: Exchange):
    raw = packet_zip(exchange)
    container = unzip(unzip(raw)['container.edc.zip'])
    container['document.pdf'] = container['document.pdf'].replace(b'Catalog', b'Catalox')  # changed after signing

    inbox = receive(rezip(raw, **{'container.edc.zip': zip_files(container)}), None)  # no partner: the packet names it

    assert (inbox.status, inbox.reason_code) == ('quarantined', 'signature')
    assert 'document_sign1.p7s' in (inbox.reason or '')
    assert 'Целостность документа' in (inbox.reason or '')
    verdicts = {item['signature']: item['verdict'] for item in inbox.details['signatures']}
    assert verdicts == {'document_sign1.p7s': 'invalid', 'attachment_1_sign1.p7s': 'indeterminate'}
    assert inbox.recipient_organization_id == exchange.ministry.id  # the clerk sees it among «Ошибки обмена»
    assert_nothing_registered()
    [receipt] = outbox_rows()
    assert (receipt.destination_id, receipt.sender_participant_id) == (
        exchange.partner_node.id,
        exchange.ministry_node.id,
    )
    assert_negative(receipt, 'signature')


def test_a_signature_by_an_untrusted_ca_is_quarantined_until_its_root_is_trusted(exchange: Exchange):
    stranger = signer(exchange.pki, 'untrusted')
    document = outgoing(signatories=(Signatory(stranger.name, stranger.post),))

    inbox = receive(packet_zip(exchange, document, signers=[stranger]), exchange)

    assert (inbox.status, inbox.reason_code) == ('quarantined', 'signature')
    assert all('chain' in item['failed'] for item in inbox.details['signatures'])
    assert_nothing_registered()
    with atomic():
        import_trusted(SYSTEM, exchange.pki.ca_der('other_root'), accredited=True, note='проверено вручную')
    with atomic():
        retry_packet(exchange.clerk, db_inbox(inbox.id))
    retried = db_inbox(inbox.id)
    assert (retried.status, retried.reason_code) == ('accepted', None)
    assert count(Card) == 1
    assert count(AttachmentSignature) == 2
    assert len(outbox_rows()) == 1  # the reception was answered once, when it was quarantined


def test_a_packet_for_nobody_served_here_is_quarantined_as_an_unknown_addressee(exchange: Exchange):
    stranger = Participant(UUID('11111111-2222-4333-8444-555555555555'), 'Другое ведомство', 'OTHER_S')

    inbox = receive(packet_zip(exchange, to=stranger), exchange)

    assert (inbox.status, inbox.reason_code) == ('quarantined', 'unknown_addressee')
    assert 'Другое ведомство' in (inbox.reason or '')
    assert inbox.recipient_organization_id is None
    assert_nothing_registered()
    [receipt] = outbox_rows()
    assert receipt.sender_participant_id == exchange.ministry_node.id  # the node answers as its first participant
    assert_negative(receipt, 'unknown_addressee')


def test_an_unreadable_packet_from_an_unknown_sender_is_kept_without_a_receipt(exchange: Exchange):
    inbox = receive(with_message(XXE), None)

    assert (inbox.status, inbox.reason_code) == ('quarantined', 'doctype')
    assert (inbox.receptions, inbox.receipts) == (1, 1)
    assert outbox_rows() == []


def test_a_file_the_registry_does_not_accept_quarantines_the_packet_as_unsupported(exchange: Exchange):
    document = outgoing(attachments=(PacketFile('annex.bin', b'\x00\x01binary'),))

    inbox = receive(packet_zip(exchange, document), exchange)

    assert (inbox.status, inbox.reason_code) == ('quarantined', 'unsupported')
    assert 'attachment_1' in (inbox.reason or '')
    assert_nothing_registered()


def assert_nothing_registered() -> None:
    assert count(Card) == 0
    assert count(Attachment) == 0
    assert count(AttachmentSignature) == 0


def assert_negative(receipt: OutboxPacket, reason_code: str) -> None:
    read = read_outbox(receipt)
    assert read.acknowledgment is not None
    assert read.acknowledgment.accepted is False
    assert REASON_TITLES[reason_code] in (read.acknowledgment.comment or '')


def read_outbox(row: OutboxPacket) -> IncomingPacket:
    with atomic():
        return read_packet_zip(stored_bytes(row.sha256))


def db_inbox(inbox_id: int) -> InboxPacket:
    [inbox] = [row for row in inbox_rows() if row.id == inbox_id]
    return inbox
