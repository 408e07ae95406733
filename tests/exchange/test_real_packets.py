"""The three real МЭДО packets of ../shared/conformance/medo/real-packets read as incoming documents.

Госдума 2023 and Минвостокразвития 2022 (2.7) and Совет Федерации 2023 (2.7.1): sender, number and date, document
kind, access mark, annotation, signers, addressees, pages, main file, attachments — the values as the files hold
them — and their 11 GOST signatures found and verified: intact (integrity and signature value pass), chain and
validity pass with the head CA root from the CMS as the anchor, and the verdict is indeterminate only because
revocation is not checked (no CRL offline).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pytest

from edms.exchange.packets.model import AccessMark, Generation, IncomingPacket, PacketKind
from edms.exchange.packets.reader import read_packet, read_packet_zip, verify_packet_signatures
from edms.signatures.crypto.chain import view_of
from edms.signatures.crypto.cms import parse_signature
from edms.signatures.crypto.verify import TrustData
from tests.exchange.builders import zip_folder
from tests.exchange.conftest import REAL_PACKETS, read_folder, refused, shared_folder

GOSDUMA, MINVOSTOK, SOVFED = 'v2.7-gosduma-2023', 'v2.7-minvostok-2022', 'v2.7.1-sovfed-2023'
PACKETS = (GOSDUMA, MINVOSTOK, SOVFED)
NOW = datetime(2026, 1, 15, tzinfo=UTC)


def _folder(name: str) -> Path:
    return shared_folder(REAL_PACKETS) / name


@cache
def _packet(name: str) -> IncomingPacket:
    return read_packet(read_folder(_folder(name)))


def _trust(packet: IncomingPacket) -> TrustData:
    assert packet.document is not None
    roots = {
        der
        for _, signature in packet.document.signatures
        for der in parse_signature(signature.data).certificates
        if view_of(der).self_issued
    }
    return TrustData(anchors=sorted(roots), accredited={view_of(der).fingerprint for der in roots}, now=NOW)


def test_the_gosduma_packet():
    packet = _packet(GOSDUMA)
    document = packet.document
    assert document is not None

    assert (packet.kind, packet.generation) == (PacketKind.CONTAINER, Generation.V2_7)
    assert packet.message_uid == '0105e349-720d-4f0d-9a34-830dea4948be'
    assert packet.sender.organization == 'Государственная Дума Федерального Собрания Российской Федерации'
    assert packet.sender.participant_uid == 'e7df39a2-5ed0-4509-b21b-5816d51d894d'
    assert packet.sender.address == 'ул.Охотный ряд, 1'
    assert document.uid == '490477f8-bea2-4c46-b3d0-fbc6cd00bdce'  # differs from the header uid
    assert (document.reg_number, document.reg_date) == ('М2.15-4064', date(2023, 6, 22))
    assert document.document_kind == 'Исх.переписка ГД в эл.виде (МЭДО 2.7)'
    assert (document.classification, document.access_mark) == (None, AccessMark.PUBLIC)
    assert document.summary is not None
    assert document.summary.startswith('Данные для подготовки технических заданий по реализации проекта')
    assert [(signer.name, signer.post) for signer in document.signers] == [
        ('Ермолаев Эмиль Петрович', 'Начальник управления')
    ]
    assert [addressee.organization for addressee in document.addressees] == [
        'Управление информационно-телекоммуникационного обеспечения Спецсвязи ФСО России'
    ]
    assert (document.pages, document.enclosure_pages) == (1, 4)
    assert document.main_file is not None
    assert (document.main_file.name, document.main_file.size) == ('250547365.pdf', 103008)
    assert [(item.name, item.order, len(item.signatures)) for item in document.attachments] == [
        ('250547366.docx', 0, 2),
        ('250547367.docx', 1, 2),
        ('250547368.docx', 2, 2),
        ('250547369.docx', 3, 2),
    ]
    assert document.attachments[2].description == '3. Исходные данные СООГ.docx'
    assert document.registration_stamp is not None
    assert document.registration_stamp.file_name == 'regnum_2dbc72c1c8ff43fba24e022d2262238d.png'
    assert document.executor is not None
    assert document.executor.person == 'Тимонин А.Б.'


def test_the_minvostok_packet():
    packet = _packet(MINVOSTOK)
    document = packet.document
    assert document is not None

    assert (packet.kind, packet.generation, packet.message_file) == (
        PacketKind.CONTAINER,
        Generation.V2_7,
        'document.xml',
    )
    assert packet.sender.organization == 'Министерство Российской Федерации по развитию Дальнего Востока и Арктики'
    assert packet.message_uid == document.uid == '4a26d46f-fe64-3d6c-90e5-3ff6731f158e'
    assert (document.reg_number, document.reg_date) == ('ПВ-00-14/11756', date(2022, 8, 16))
    assert document.document_kind == 'Служебное письмо Аппарата Правительства Российской Федерации'
    assert document.access_mark is AccessMark.PUBLIC
    assert document.summary == (
        'Об обеспечении Министра Российской Федерации по развитию Дальнего Востока и Арктики А.О.Чекункова '
        'в период нахождения  на самоизоляции специальной связью'
    )
    [signer] = document.signers
    assert (signer.name, signer.post, signer.signature_file) == (
        'Волков Павел Михайлович',
        'Статс-секретарь - заместитель Министра',
        'visa1.sig',
    )
    assert signer.stamp is not None
    assert (signer.stamp.file_name, signer.stamp.page) == ('visa1.png', 1)
    assert [addressee.organization for addressee in document.addressees] == [
        'Управление обеспечения правовой информатизации Службы специальной связи Федеральной службы охраны '
        'Российской Федерации'
    ]
    assert (document.pages, document.enclosure_pages) == (1, 0)
    assert document.main_file is not None
    assert (document.main_file.name, document.main_file.description) == ('874070.pdf', 'письмо ФСО 2022.docx')
    assert document.attachments == ()


def test_the_sovfed_packet():
    packet = _packet(SOVFED)
    document = packet.document
    assert document is not None

    assert (packet.kind, packet.generation, packet.message_file) == (
        PacketKind.CONTAINER,
        Generation.V2_7_1,
        'container.xml',
    )
    assert packet.sender.organization == 'Совет Федерации Федерального Собрания Российской Федерации'
    assert [destination.uid for destination in packet.destinations] == ['1953a86e-e35e-45cc-b031-556ca72c4080']
    assert (document.reg_number, document.reg_date) == ('299-СФ', date(2023, 6, 21))
    assert (document.document_kind, document.document_kind_code) == (
        'Постановление Совета Федерации Федерального Собрания Российской Федерации',
        'DK00000035',
    )
    assert (document.classification, document.access_mark) == ('Обычная информация', AccessMark.PUBLIC)
    assert document.place == 'г. Москва'
    assert document.summary == (
        'Постановление СФ ФС РФ "О назначении Сивицкого Владимира Александровича на должность судьи '
        'Конституционного Суда Российской Федерации"'
    )
    [signer] = document.signers
    assert (signer.name, signer.post, signer.signature_type) == (
        'Матвиенко В.И.',
        'Председатель Совета Федерации',
        'Заверяющая',
    )
    assert len(document.addressees) == 72
    assert document.addressees[1].organization == 'Администрация Президента Российской Федерации'
    assert document.addressees[1].person == 'МЭДО'
    assert (document.pages, document.enclosure_pages) == (1, 1)
    assert document.main_file is not None
    assert document.main_file.name == '177911665.pdf'
    assert [(item.name, item.order, item.description) for item in document.attachments] == [
        ('177911693.docx', 1, 'ws8176.docx+'),
        ('177911711.docx', 2, 'ws8177.docx+'),
    ]


def test_the_three_packets_hold_eleven_signatures_all_intact():
    checks = [check for name in PACKETS for check in verify_packet_signatures(_packet(name), _trust(_packet(name)))]

    assert len(checks) == 11
    for check in checks:
        [signer] = check.report.signers
        statuses = {item.code: item.status for item in signer.checks}
        assert check.report.verdict == 'indeterminate', check
        assert statuses.pop('revocation') == 'not_checked'
        assert set(statuses.values()) == {'passed'}, (check.signature_name, statuses)


@pytest.mark.parametrize('name', PACKETS)
def test_a_real_packet_delivered_as_a_zip_reads_the_same(name: str):
    data = zip_folder(read_folder(_folder(name)), root='packet')

    assert read_packet_zip(data) == _packet(name)


def test_a_changed_byte_in_a_real_attachment_fails_its_signatures():
    packet = _packet(GOSDUMA)
    assert packet.document is not None
    attachment = packet.document.attachments[0]
    tampered = bytearray(attachment.data)
    tampered[len(tampered) // 2] ^= 0x01

    document = replace(packet.document, attachments=(replace(attachment, data=bytes(tampered)),))

    checks = verify_packet_signatures(replace(packet, document=document), _trust(packet))

    assert [(check.file_name, check.report.verdict) for check in checks] == [
        ('250547365.pdf', 'indeterminate'),
        ('250547366.docx', 'invalid'),
        ('250547366.docx', 'invalid'),
    ]


def test_a_real_packet_with_an_extra_file_is_refused_against_its_envelope():
    files = {**read_folder(_folder(SOVFED)), 'readme.txt': b'not listed'}

    with refused('files_mismatch') as caught:
        read_packet(files)

    assert caught[0].names == ('readme.txt',)
