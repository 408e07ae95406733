"""Legacy office files in a received packet: a .doc, .rtf or .xls attachment becomes a file of the incoming draft,
typed by its bytes; a binary of no allowed type, or a compound file that is neither Word nor Excel, still quarantines
the packet as unsupported with its reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edms.core.db import db
from edms.core.filetypes import DOC, RTF, XLS
from edms.core.tx import atomic
from edms.exchange.models import InboxPacket
from edms.exchange.operations import receive_packet
from edms.exchange.packets.writer import PacketFile
from edms.registry.models import Attachment, Card
from scripts.make_test_pki import TestPki
from tests.core.compound_writer import Stream, compound_file
from tests.exchange.inbox_setup import PDF, Exchange, count, make_exchange, outgoing, packet_zip
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI

DOC_BYTES = bytes(compound_file(Stream('WordDocument', b'\xec\xa5\xc1\x00'), Stream('1Table', b'\x00' * 8)).data)
XLS_BYTES = bytes(compound_file(Stream('Workbook', b'\x09\x08\x10\x00\x00\x06\x05\x00')).data)
RTF_BYTES = rb'{\rtf1\ansi\ansicpg1251{\fonttbl{\f0 Arial;}}\f0 \'d1\'EF\'F0\'E0\'E2\'EA\'E0\par}'
MSG_BYTES = bytes(compound_file(Stream('__substg1.0_0037001F', b'T\x00'), Stream('__properties_version1.0')).data)


@pytest.fixture
def exchange(app_ctx, test_pki: TestPki) -> Exchange:  # noqa: F811
    return make_exchange(test_pki)


def receive(raw: bytes, exchange: Exchange) -> InboxPacket:
    with atomic():
        inbox = receive_packet(raw, transport='http', source=exchange.partner_node)
        return db.session.get(InboxPacket, inbox.id)


def test_doc_rtf_and_xls_attachments_become_files_of_the_draft_typed_by_their_bytes(exchange: Exchange):
    attachments = (
        PacketFile('Справка.doc', DOC_BYTES, 'Справка'),
        PacketFile('Письмо.rtf', RTF_BYTES, 'Сопроводительное письмо'),
        PacketFile('Расчёт.xls', XLS_BYTES, 'Расчёт'),
    )

    inbox = receive(packet_zip(exchange, outgoing(attachments=attachments)), exchange)

    assert (inbox.status, inbox.reason_code) == ('accepted', None), inbox.reason
    with atomic():
        files = db.session.execute(select(Attachment).where(Attachment.card_id == inbox.card_id)).scalars()
        typed = {item.filename: (item.content_type, item.size, item.description) for item in files}
    assert typed == {
        'document.pdf': ('application/pdf', len(PDF), 'Письмо'),
        'attachment_1.doc': (DOC, len(DOC_BYTES), 'Справка'),
        'attachment_2.rtf': (RTF, len(RTF_BYTES), 'Сопроводительное письмо'),
        'attachment_3.xls': (XLS, len(XLS_BYTES), 'Расчёт'),
    }


@pytest.mark.parametrize(
    ('name', 'data'),
    [('annex.doc', b'\x00\x01\x02binary of no known type'), ('message.doc', MSG_BYTES)],
    ids=['unknown binary', 'outlook message'],
)
def test_a_file_of_no_allowed_type_still_quarantines_the_packet_with_its_reason(
    exchange: Exchange, name: str, data: bytes
):
    inbox = receive(packet_zip(exchange, outgoing(attachments=(PacketFile(name, data, 'Приложение'),))), exchange)

    assert (inbox.status, inbox.reason_code) == ('quarantined', 'unsupported')
    assert 'Файл «attachment_1.doc» в формате, который система не принимает (PDF, ' in (inbox.reason or '')
    assert 'DOC, DOCX, RTF' in (inbox.reason or '')
    assert (count(Card), count(Attachment)) == (0, 0)
