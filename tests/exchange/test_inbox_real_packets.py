"""The three real МЭДО packets of ../shared/conformance/medo/real-packets through `receive_packet` (skipped when the
folder is absent): addressed to nobody served here they are quarantined as unknown_addressee; with their addressees
in the directory of participants (Совет Федерации's by the GUID of its routing list, the 2.7 packets by the addressee
organization's name) and the head CA roots of their signatures trusted, each becomes an incoming draft with its
requisites and files, and their 11 GOST signatures are kept as indeterminate (revocation cannot be checked offline)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.models import InboxPacket
from edms.exchange.operations import create_participant, receive_packet
from edms.exchange.operations.common import zip_files
from edms.registry.models import Attachment, Card, DeliveryMethod
from edms.signatures.crypto.chain import view_of
from edms.signatures.crypto.cms import parse_signature
from edms.signatures.models import AttachmentSignature
from edms.signatures.operations import import_trusted
from tests.exchange.conftest import REAL_PACKETS, read_folder, shared_folder
from tests.exchange.inbox_setup import count, outbox_rows
from tests.factories import make_organization

GOSDUMA, MINVOSTOK, SOVFED = 'v2.7-gosduma-2023', 'v2.7-minvostok-2022', 'v2.7.1-sovfed-2023'
#: packet -> (the addressee organization, its participant GUID, the sender's number, date, files, signatures)
EXPECTED = {
    GOSDUMA: (
        'Управление информационно-телекоммуникационного обеспечения Спецсвязи ФСО России',
        '5b1f0c2e-0000-4000-8000-000000000001',
        ('М2.15-4064', date(2023, 6, 22), 5, 9),
    ),
    MINVOSTOK: (
        'Управление обеспечения правовой информатизации Службы специальной связи Федеральной службы охраны '
        'Российской Федерации',
        '5b1f0c2e-0000-4000-8000-000000000002',
        ('ПВ-00-14/11756', date(2022, 8, 16), 1, 1),
    ),
    SOVFED: (
        'УОПИ ФСО России (получатель по GUID)',
        '1953a86e-e35e-45cc-b031-556ca72c4080',
        ('299-СФ', date(2023, 6, 21), 3, 1),
    ),
}


def packet_bytes(name: str) -> bytes:
    return zip_files(read_folder(shared_folder(REAL_PACKETS) / name))


def receive(raw: bytes) -> InboxPacket:
    with atomic():
        inbox_id = receive_packet(raw, transport='directory').id
    with atomic():
        return db.session.get(InboxPacket, inbox_id)


@pytest.mark.parametrize('name', list(EXPECTED))
def test_a_real_packet_for_nobody_served_here_is_an_unknown_addressee(app_ctx, name: str):
    with atomic():
        make_local_participant('Министерство', '0f6a8d52-3c1e-4b7a-9d2e-5a4c3b2a1f00')

    inbox = receive(packet_bytes(name))

    assert (inbox.status, inbox.reason_code) == ('quarantined', 'unknown_addressee')
    assert inbox.message_uid is not None
    assert count(Card) == 0


def test_the_real_packets_become_drafts_with_their_gost_signatures(app_ctx):
    for name in EXPECTED:
        packet_bytes(name)  # skips without the shared folder
    with atomic():
        for organization, guid, _ in EXPECTED.values():
            make_local_participant(organization, guid)
        trust_roots()

    for name, (_, _, (number, day, files, signatures)) in EXPECTED.items():
        inbox = receive(packet_bytes(name))
        assert inbox.status == 'accepted', (name, inbox.reason)
        with atomic():
            card = db.session.get(Card, inbox.card_id)
            assert (card.sender_number, card.sender_date, card.delivery_method) == (number, day, DeliveryMethod.medo)
            assert card.correspondent_name == inbox.sender_name
            assert card.summary
            assert card.signer
            assert count(Attachment, Attachment.card_id == card.id) == files, name
            verdicts = list(
                db.session.execute(
                    select(AttachmentSignature.last_verdict).where(AttachmentSignature.card_id == card.id)
                ).scalars()
            )
        assert verdicts == ['indeterminate'] * signatures, name
    assert count(AttachmentSignature) == 11
    assert outbox_rows() == []  # the senders are not participants here: nobody to answer


def make_local_participant(organization: str, guid: str) -> None:
    org = make_organization('Адресат')
    org.name, org.short_name = organization, organization[:255]
    mailbox = f'ORG_{guid[-4:]}_S'
    create_participant(SYSTEM, {'organization_id': org.id, 'guid': guid, 'medo_address': mailbox})


def trust_roots() -> None:
    """The self-issued head CA certificates the real signatures carry, trusted as accredited."""
    roots: set[bytes] = set()
    for name in EXPECTED:
        folder: Path = shared_folder(REAL_PACKETS) / name
        for file in folder.iterdir():
            if file.suffix == '.zip':
                roots |= signature_roots(file.read_bytes())
    for der in sorted(roots):
        import_trusted(SYSTEM, der, accredited=True, note='головной УЦ из подписей реальных пакетов')


def signature_roots(container: bytes) -> set[bytes]:
    roots = set()
    with zipfile.ZipFile(io.BytesIO(container)) as archive:
        for entry in archive.namelist():
            if entry.lower().endswith(('.sig', '.p7s')):
                signature = parse_signature(archive.read(entry))
                roots |= {der for der in signature.certificates if view_of(der).self_issued}
    return roots
