"""Reading 2.7 and 2.7.1 transport containers built by the project, as a folder and as a zip of the folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from lxml import etree

from edms.exchange.packets.model import AccessMark, Generation, PacketKind
from edms.exchange.packets.reader import read_packet, read_packet_zip, verify_packet_signatures
from edms.signatures.crypto.verify import TrustData
from tests.exchange import builders
from tests.exchange.builders import PDF, PNG, container_packet, container_zip, to_bytes, zip_folder
from tests.exchange.conftest import refused


def test_a_2_7_1_packet_becomes_a_container_document_with_its_requisites():
    packet = read_packet(container_packet())

    assert (packet.kind, packet.generation, packet.version) == (PacketKind.CONTAINER, Generation.V2_7_1, '2.7.1')
    assert packet.message_type == 'Транспортный контейнер'
    assert packet.message_uid == builders.MESSAGE_UID
    assert packet.sender.organization == builders.SENDER
    assert packet.sender.participant_uid == builders.SOURCE_UID.lower()
    assert packet.sender.address == 'г. Энск, пл. Ленина, д. 1'
    [destination] = packet.destinations
    assert (destination.uid, destination.organization) == (builders.DESTINATION_UID, 'Администрация города Энска')
    assert packet.container is not None
    assert packet.container.body == 'container.edc.zip'
    assert packet.container.passport_namespace == 'urn:IEDMS:CONTAINER'
    document = packet.document
    assert document is not None
    assert document.uid == builders.CONTAINER_UID
    assert (document.document_kind, document.document_kind_code) == ('Письмо', 'DK00000001')
    assert (document.reg_number, document.reg_date) == ('01-02/77', date(2026, 3, 3))
    assert (document.classification, document.classification_code) == ('Обычная информация', 'DC00000000')
    assert document.access_mark is AccessMark.PUBLIC
    assert document.summary == 'О направлении отчёта о цифровизации'
    assert (document.pages, document.enclosure_pages, document.place) == (2, 1, 'г. Энск')
    [addressee] = document.addressees
    assert (addressee.organization, addressee.classifier_id, addressee.person) == (
        'Администрация города Энска',
        'ORG00000042',
        'МЭДО',
    )


def test_the_files_signatures_and_stamps_come_from_the_container():
    document = read_packet(container_packet()).document
    assert document is not None
    assert document.main_file is not None

    assert (document.main_file.name, document.main_file.data, document.main_file.description) == (
        'letter.pdf',
        PDF,
        'Письмо',
    )
    [signature] = document.main_file.signatures
    assert (signature.file_name, signature.signer, signature.signature_type) == (
        'sign1.p7s',
        'Петров Пётр Петрович',
        'Утверждающая',
    )
    [signer] = document.signers
    assert (signer.name, signer.post, signer.signature_file) == ('Петров Пётр Петрович', 'Министр', 'sign1.p7s')
    assert signer.stamp is not None
    assert (signer.stamp.file_name, signer.stamp.data, signer.stamp.page) == ('sign1.png', PNG, 2)
    assert (signer.stamp.x, signer.stamp.y, signer.stamp.width, signer.stamp.height) == (67, 56, 80, 28)
    stamp = document.registration_stamp
    assert stamp is not None
    assert (stamp.file_name, stamp.page, stamp.x, stamp.y) == ('reg.png', 1, 20, 60)
    [annex] = document.attachments
    assert (annex.name, annex.order, annex.description) == ('annex.pdf', 0, 'Приложение 1')
    assert [item.file_name for item in annex.signatures] == ['annex.p7s']


def test_a_2_7_packet_uses_the_iedms_message_and_the_minsvyaz_passport():
    packet = read_packet(container_packet(generation='2.7'))

    assert (packet.kind, packet.generation) == (PacketKind.CONTAINER, Generation.V2_7)
    assert packet.container is not None
    assert packet.container.passport_namespace == 'http://minsvyaz.ru/container'
    assert packet.document is not None
    assert packet.document.reg_number == '01-02/77'


@pytest.mark.parametrize('version', ['', '1.0', '2.2', '9.9'])
def test_dispatch_ignores_the_version_string(version: str):
    files = container_packet()
    files['message.xml'] = builders.container_message(version=version)

    packet = read_packet(files)

    assert (packet.kind, packet.generation) == (PacketKind.CONTAINER, Generation.V2_7_1)
    assert packet.version == (version or None)


def test_a_restricted_classification_gives_the_restricted_access_mark():
    passport = to_bytes(builders.passport(classification='Информация ограниченного распространения'))
    packet = read_packet(container_packet(archive=container_zip(passport_xml=passport)))

    assert packet.document is not None
    assert packet.document.access_mark is AccessMark.RESTRICTED


def test_the_packet_zip_is_read_with_files_in_its_root_or_in_one_top_folder():
    files = container_packet()

    flat = read_packet_zip(zip_folder(files))
    nested = read_packet_zip(zip_folder(files, root='757247eb-9535-4afb-9218-f044419a57ff'))

    assert flat.document == nested.document == read_packet(files).document


def test_guids_are_compared_case_insensitively():
    upper = container_packet()
    upper['message.xml'] = upper['message.xml'].replace(
        builders.MESSAGE_UID.encode(), builders.MESSAGE_UID.upper().encode()
    )

    assert read_packet(upper).message_uid == read_packet(container_packet()).message_uid == builders.MESSAGE_UID


def test_files_of_the_container_the_passport_does_not_name_are_reported():
    packet = read_packet(container_packet(archive=container_zip(entries={'readme.txt': b'hello'})))

    assert packet.container is not None
    assert packet.container.unlisted_files == ('readme.txt',)


def test_a_file_the_passport_names_but_the_container_lacks_is_refused():
    archive = container_zip(entries={'annex.p7s': None, 'sign1.png': None})

    with refused('files_mismatch') as caught:
        read_packet(container_packet(archive=archive))

    assert set(caught[0].names) == {'annex.p7s', 'sign1.png'}


def test_a_passport_in_an_unknown_namespace_is_unsupported():
    root = etree.Element('{urn:example:other}container')

    with refused('unsupported'):
        read_packet(container_packet(archive=container_zip(passport_xml=to_bytes(root))))


def test_the_signatures_of_a_built_packet_verify_and_a_changed_attachment_does_not(
    rsa_sign: Callable[[bytes], bytes], rsa_trust: TrustData
):
    good = read_packet(container_packet(sign=rsa_sign))
    tampered = container_zip(sign=rsa_sign, entries={'annex.pdf': PDF + b'annex, changed'})

    checks = verify_packet_signatures(good, rsa_trust)
    broken = verify_packet_signatures(read_packet(container_packet(sign=rsa_sign, archive=tampered)), rsa_trust)

    assert [(check.file_name, check.signature_name, check.report.verdict) for check in checks] == [
        ('letter.pdf', 'sign1.p7s', 'valid'),
        ('annex.pdf', 'annex.p7s', 'valid'),
    ]
    assert [check.report.verdict for check in broken] == ['valid', 'invalid']
    assert broken[1].report.signers[0].check('integrity').status == 'failed'
