"""Reading classic IEDMS documents (2.2–2.6): the project's own folder and the real 2.2 samples."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from edms.exchange.packets.model import AccessMark, Generation, PacketKind
from edms.exchange.packets.reader import read_packet, verify_packet_signatures
from edms.signatures.crypto.verify import TrustData
from tests.exchange import builders
from tests.exchange.builders import PDF, classic_folder
from tests.exchange.conftest import SAMPLES, refused, shared_folder


def test_a_classic_folder_becomes_a_document_with_its_requisites():
    packet = read_packet(classic_folder())

    assert packet.kind is PacketKind.DOCUMENT
    assert packet.generation is Generation.CLASSIC
    assert packet.version == '2.2'
    assert packet.message_file == 'document.xml'
    assert packet.message_uid == builders.HEADER_UID.lower()
    assert packet.created is not None
    assert packet.created.isoformat() == '2026-03-02T10:15:00+03:00'
    assert packet.sender.organization == builders.SENDER
    assert packet.sender.participant_uid == builders.SOURCE_UID.lower()
    assert packet.envelope is not None
    assert packet.envelope.addresses == ['ENSK_S~MEDOGU']
    document = packet.document
    assert document is not None
    assert document.uid == builders.DOCUMENT_UID.lower()
    assert document.local_id == '1001'
    assert (document.document_kind, document.reg_number, document.reg_date) == ('Письмо', '12-01/345', date(2026, 3, 2))
    assert document.access_mark is AccessMark.RESTRICTED
    assert document.classification == 'ДСП'
    assert document.summary == 'О проведении совещания по цифровизации'
    assert (document.pages, document.enclosure_pages) == (2, 1)
    [signer] = document.signers
    assert (signer.name, signer.post, signer.organization, signer.signed) == (
        'Иванов И.И.',
        'Министр',
        builders.SENDER,
        date(2026, 3, 2),
    )
    [addressee] = document.addressees
    assert addressee.organization == 'Администрация города Энска'
    assert addressee.participant_uid == builders.ADDRESSEE_UID


def test_the_main_file_is_found_by_a_local_name_without_extension_and_the_rest_are_attachments():
    document = read_packet(classic_folder()).document
    assert document is not None

    assert document.main_file is not None
    assert (document.main_file.name, document.main_file.data) == ('Письмо.pdf', PDF)
    assert document.main_file.group == 'Текст документа'
    assert document.main_file.description == 'Письмо о совещании'
    [annex] = document.attachments
    assert (annex.name, annex.description, annex.pages, annex.order) == ('Приложение.pdf', 'Смета', 1, 1)
    assert annex.data == PDF + b'annex'


def test_a_general_classification_is_public():
    document = read_packet(classic_folder(classification='Общий доступ')).document

    assert document is not None
    assert document.access_mark is AccessMark.PUBLIC


def test_signed_data_of_2_6_gives_the_detached_signature_which_verifies(
    rsa_sign: Callable[[bytes], bytes], rsa_trust: TrustData
):
    packet = read_packet(classic_folder(sign=rsa_sign))
    assert packet.document is not None
    assert packet.document.main_file is not None

    [signature] = packet.document.main_file.signatures
    [(file_name, signature_name, report)] = verify_packet_signatures(packet, rsa_trust)

    assert (signature.file_name, signature.signer) == ('Письмо.sig', 'Иванов И.И.')
    assert signature.signed_at == datetime(2026, 3, 2, 10, 0)
    assert (file_name, signature_name) == ('Письмо.pdf', 'Письмо.sig')
    assert report.verdict == 'valid'


def test_a_file_named_by_the_message_but_absent_is_refused():
    files = classic_folder()
    del files['Приложение.pdf']
    del files['envelope.ini']

    with refused('files_mismatch') as caught:
        read_packet(files)

    assert caught[0].names == ('Приложение.pdf',)


def test_the_2_2_sample_with_its_envelope_is_read():
    folder = shared_folder(SAMPLES / 'v2.2-vologda-2015')
    files = {
        'envelope.ini': (folder / 'v2.2_document_envelope.ini').read_bytes(),
        'document.xml': (folder / 'v2.2_document.xml').read_bytes(),
        'Документ.pdf': PDF,
    }

    packet = read_packet(files)

    assert packet.message_uid == '9e57088e-00db-4a67-a4f7-f4b734b39264'
    assert packet.sender.organization == 'ДДХиТ - Департамент дорожного хозяйства и транспорта области'
    document = packet.document
    assert document is not None
    assert document.uid == '113674e4-123c-4845-8dc3-079867133948'
    assert (document.reg_number, document.reg_date) == ('ИХ.13-0552/15', date(2015, 4, 6))
    assert (document.document_kind, document.classification) == ('Документ', 'Общий доступ')
    assert document.access_mark is AccessMark.PUBLIC
    assert document.instead_of_distributed is False
    assert [(signer.name, signer.post) for signer in document.signers] == [
        ('Гуслинский А.Е.', 'Начальник департамента')
    ]
    assert [addressee.organization for addressee in document.addressees] == ['Администрация г. Вологды']
    assert document.summary == (
        'О направлении на согласование проекта соглашения по предоставлению субсидий за счет средств Дорожного фонда'
    )
    assert document.main_file is not None
    assert document.main_file.name == 'Документ.pdf'


def test_the_adapter_generated_2_2_document_with_correspondents_is_read():
    data = (shared_folder(SAMPLES / 'v2.2-vologda-2015') / 'v2.2_document_generated_by_adapter.xml').read_bytes()

    document = read_packet({'document.xml': data, '52.pdf': PDF}).document

    assert document is not None
    assert (document.reg_number, document.reg_date) == ('6-3-0-30/52', date(2015, 1, 28))
    assert document.summary == 'О направлении сведений о пожарной безопасности'
    assert len(document.addressees) == 2
    assert document.addressees[1].person == 'Осиповски В.А.'
    [correspondent] = document.correspondents
    assert correspondent.person == 'Дьяков Н.А.'
    assert document.main_file is not None
    assert document.main_file.name == '52.pdf'
