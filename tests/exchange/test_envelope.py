"""The windows-1251 envelope (envelope.ini / envelope.ltr): tolerant reading, strict writing, the [ФАЙЛЫ] check."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from edms.exchange.packets.envelope import (
    DEFAULT_FLAGS,
    check_envelope_files,
    envelope_subject,
    find_envelope,
    read_envelope,
    write_envelope,
)
from edms.exchange.packets.errors import PacketRejected
from tests.exchange.conftest import REAL_PACKETS, SAMPLES, shared_folder

SIMPLE = {'subject': '№ 1 от 02/03/2026 Письмо', 'addresses': ['ENSK_S~MEDOGU'], 'files': ['message.xml'], 'date': None}


@pytest.mark.parametrize(
    ('packet', 'subject', 'address', 'files'),
    [
        (
            'v2.7-gosduma-2023',
            '№ М2.15-4064 от 22/06/2023 Исх.переписка ГД в эл.виде (МЭДО 2.7)',
            'GOSD_S~MEDOGU',
            ['passport.xml', 'container.edc.zip'],
        ),
        (
            'v2.7-minvostok-2022',
            '№ ПВ-00-14/11756 от 16/08/2022 Исходящий',
            'M_VOSTOK_S~MEDOGU',
            ['document.xml', 'document.edc.zip'],
        ),
        (
            'v2.7.1-sovfed-2023',
            '№ 299-СФ от 21/06/2023 Постановление СФ (постановления, заявления и обращения)',
            'ASF_S~MEDOGU',
            ['container.xml', 'container.edc.zip'],
        ),
    ],
)
def test_the_real_envelopes_are_read(packet: str, subject: str, address: str, files: list[str]):
    data = (shared_folder(REAL_PACKETS) / packet / 'envelope.ltr').read_bytes()

    envelope = read_envelope(data)

    assert envelope.subject == subject
    assert envelope.addresses == [address]
    assert envelope.files == files
    assert envelope.flags == {'ШИФРОВАНИЕ': False, 'ЭЦП': True, 'ДОСТАВЛЕНО': True, 'ПРОЧТЕНО': True}
    assert envelope.date is None


def test_the_2_2_envelope_with_a_date_and_an_empty_address_is_read():
    data = (shared_folder(SAMPLES) / 'v2.2-vologda-2015' / 'v2.2_document_envelope.ini').read_bytes()

    envelope = read_envelope(data)

    assert envelope.date == datetime(2015, 4, 6, 11, 27, 41)
    assert envelope.addresses == []  # «0=» is skipped
    assert envelope.files == ['document.xml', 'Документ.pdf']
    assert envelope.flags['АВТООТПРАВКА'] is True
    assert envelope.flags['ДОСТАВЛЕНО'] is False
    assert envelope.subject.startswith('О направлении на согласование проекта соглашения')


def test_reading_tolerates_a_bom_utf8_lf_case_spacing_comments_and_numbering_gaps():
    text = (
        '\ufeff; комментарий\n[ письмо  кп пс сзи ]\n  тема = Тест  \nэцп=1\nДоставлено = да\n'
        '[Адресаты]\n1 = B~MEDOGU\n0=A~MEDOGU\n\n[файлы]\n5=second.pdf\n2= message.xml\n'
    )

    envelope = read_envelope(text.encode('utf-8'))

    assert envelope.subject == 'Тест'
    assert envelope.addresses == ['A~MEDOGU', 'B~MEDOGU']
    assert envelope.files == ['message.xml', 'second.pdf']
    assert envelope.flags == {'ЭЦП': True, 'ДОСТАВЛЕНО': True}
    assert envelope.raw_sections['ПИСЬМО КП ПС СЗИ']['ТЕМА'] == 'Тест'


def test_reading_takes_cp1251_with_mixed_line_ends():
    data = '[ПИСЬМО КП ПС СЗИ]\r\nТЕМА=Проверка\n[АДРЕСАТЫ]\r0=X~MEDOGU\r\n[ТЕКСТ]\nФАЙЛ=letter.txt\n'.encode('cp1251')

    envelope = read_envelope(data)

    assert (envelope.subject, envelope.addresses, envelope.text_file) == ('Проверка', ['X~MEDOGU'], 'letter.txt')


def test_a_file_without_the_signature_section_is_not_an_envelope():
    with pytest.raises(PacketRejected) as error:
        read_envelope('[ФАЙЛЫ]\n0=message.xml\n'.encode('cp1251'))

    assert error.value.reason_code == 'unsupported'
    assert 'ПИСЬМО КП ПС СЗИ' in error.value.message


def test_an_oversized_envelope_is_refused():
    with pytest.raises(PacketRejected) as error:
        read_envelope(b'[x]\n' + b'a' * 70_000)

    assert error.value.reason_code == 'oversize'


def test_writing_gives_cp1251_crlf_with_the_default_flags_in_the_clients_order():
    data = write_envelope(
        subject='№ 01-02/77 от 03/03/2026 Письмо',
        addresses=['ENSK_S~MEDOGU'],
        files=['message.xml', 'container.edc.zip'],
        date=datetime(2026, 3, 3, 9, 5, 7),
    )

    assert data.decode('cp1251').split('\r\n') == [
        '[ПИСЬМО КП ПС СЗИ]',
        'ТЕМА=№ 01-02/77 от 03/03/2026 Письмо',
        'ШИФРОВАНИЕ=0',
        'ЭЦП=1',
        'ДОСТАВЛЕНО=1',
        'ПРОЧТЕНО=1',
        'ДАТА=03.03.2026 09:05:07',
        '[АДРЕСАТЫ]',
        '0=ENSK_S~MEDOGU',
        '[ФАЙЛЫ]',
        '0=message.xml',
        '1=container.edc.zip',
        '',
    ]
    assert b'\n' not in data.replace(b'\r\n', b'')


def test_what_is_written_reads_back_the_same():
    data = write_envelope(
        subject='Квитанция о приёме «срочно»',
        addresses=['A~MEDOGU', 'B~MEDOGU'],
        files=['acknowledgment.xml'],
        date=datetime(2026, 1, 2, 3, 4, 5),
        flags={'ЭЦП': False, 'АВТООТПРАВКА': True},
        text_file='letter.txt',
    )

    envelope = read_envelope(data)

    assert envelope.subject == 'Квитанция о приёме «срочно»'
    assert envelope.addresses == ['A~MEDOGU', 'B~MEDOGU']
    assert envelope.files == ['acknowledgment.xml']
    assert envelope.flags == {'ЭЦП': False, 'АВТООТПРАВКА': True}
    assert envelope.date == datetime(2026, 1, 2, 3, 4, 5)
    assert envelope.text_file == 'letter.txt'
    assert read_envelope(write_envelope(**SIMPLE)).flags == DEFAULT_FLAGS


@pytest.mark.parametrize(
    ('change', 'fragment'),
    [
        ({'subject': 'две\nстроки'}, 'control characters'),
        ({'subject': 'смайлик 🙂'}, 'windows-1251'),
        ({'subject': 'я' * 256}, '255 bytes'),
        ({'addresses': []}, 'at least one address'),
        ({'files': []}, 'at least one file'),
        ({'files': ['../message.xml']}, 'plain file name'),
        ({'files': ['sub/message.xml']}, 'plain file name'),
        ({'files': ['a.xml', 'A.XML']}, 'twice'),
        ({'addresses': [' A~MEDOGU']}, 'surrounding spaces'),
        ({'flags': {'СРОЧНО': True}}, 'unknown envelope flags'),
    ],
)
def test_writing_is_strict(change: dict, fragment: str):
    with pytest.raises(ValueError, match=fragment):
        write_envelope(**{**SIMPLE, **change})


def test_the_subject_helper_makes_a_writable_subject_of_at_most_255_bytes():
    assert envelope_subject('01-02/77', date(2026, 3, 3), 'Письмо') == '№ 01-02/77 от 03/03/2026 Письмо'
    long = envelope_subject('1', None, 'Вид 🙂 ' + 'я' * 400)

    assert len(long.encode('cp1251')) == 255
    assert long.startswith('№ 1 Вид ? я')
    write_envelope(**{**SIMPLE, 'subject': long})


def test_the_files_present_must_match_the_files_listed_ignoring_case_and_the_envelope_itself():
    envelope = read_envelope(write_envelope(**{**SIMPLE, 'files': ['Message.XML', 'container.edc.zip']}))

    check_envelope_files(envelope, ['message.xml', 'container.edc.zip', 'envelope.ltr'])


def test_files_missing_or_extra_against_the_envelope_are_named():
    envelope = read_envelope(write_envelope(**{**SIMPLE, 'files': ['message.xml', 'container.edc.zip']}))

    with pytest.raises(PacketRejected) as error:
        check_envelope_files(envelope, ['message.xml', 'virus.exe', 'envelope.ltr'])

    assert error.value.reason_code == 'files_mismatch'
    assert error.value.names == ('container.edc.zip', 'virus.exe')
    assert 'нет файлов, перечисленных в конверте: container.edc.zip' in error.value.message
    assert 'лишние файлы, не перечисленные в конверте: virus.exe' in error.value.message


def test_the_envelope_is_found_by_name_preferring_ltr():
    assert find_envelope(['message.xml', 'ENVELOPE.INI', 'envelope.ltr']) == 'envelope.ltr'
    assert find_envelope(['document.xml', 'Envelope.ini']) == 'Envelope.ini'
    assert find_envelope(['document.xml']) is None
