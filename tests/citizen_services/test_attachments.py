"""Attachments: the content type is detected from the bytes, PDF/JPG/PNG up to 5 MB each, slots per service."""

from __future__ import annotations

from pathlib import Path

import pytest

from edms.citizen_services.rules.facts import AttachmentFile
from edms.citizen_services.validation import validate_application
from edms.core.filetypes import JPEG, PDF, PNG, XML
from tests.citizen_services.samples import TODAY, head_signature, legal_entity_cabinet, pdf, qualified
from tests.citizen_services.samples import temporary_registration as registration_data

MB = 1024 * 1024
HEADS = {
    'scan.pdf': b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n',
    'scan.jpg': b'\xff\xd8\xff\xe0\x00\x10JFIF\x00' + b'\x00' * 64,
    'scan.png': b'\x89PNG\r\n\x1a\n' + b'\x00' * 64,
    'scan.gif': b'GIF89a' + b'\x00' * 64,
    'scan.docx': b'PK\x03\x04' + b'\x00' * 64,
}


def stored(tmp_path: Path, name: str, data: bytes, kind: str = 'identity_document') -> AttachmentFile:
    path = tmp_path / name
    path.write_bytes(data)
    return AttachmentFile.from_path(kind, name, path)


@pytest.mark.parametrize(('name', 'expected'), [('scan.pdf', PDF), ('scan.jpg', JPEG), ('scan.png', PNG)])
def test_allowed_types_are_detected_from_bytes(tmp_path: Path, name: str, expected: str) -> None:
    file = stored(tmp_path, name, HEADS[name])
    assert (file.content_type, file.size) == (expected, len(HEADS[name]))


def test_png_named_pdf_is_a_png(tmp_path: Path) -> None:
    assert stored(tmp_path, 'passport.pdf', HEADS['scan.png']).content_type == PNG


def registration_problems(*files: AttachmentFile) -> list:
    others = (pdf('residence_right'), pdf('owner_consent'))
    problems = validate_application(
        'temporary_registration', registration_data(), (*files, *others), today=TODAY,
        signatures=[qualified('owner_consent')],
    )  # fmt: skip
    return [(problem.field, problem.code, problem.message) for problem in problems]


@pytest.mark.parametrize('name', ['scan.pdf', 'scan.jpg', 'scan.png'])
def test_pdf_jpg_png_are_accepted(tmp_path: Path, name: str) -> None:
    assert registration_problems(stored(tmp_path, name, HEADS[name])) == []


@pytest.mark.parametrize('name', ['scan.gif', 'scan.docx'])
def test_other_types_are_refused_naming_the_slot_and_the_file(tmp_path: Path, name: str) -> None:
    file = stored(tmp_path, name, HEADS[name])
    assert registration_problems(file) == [
        (
            'attachments.identity_document',
            'file_type',
            f'«Документ, удостоверяющий личность (страница с фотографией)» (файл «{name}»): недопустимый тип файла, '
            'допустимы JPG, PDF, PNG.',
        )
    ]


def test_five_megabytes_are_accepted_and_one_byte_more_refused(tmp_path: Path) -> None:
    exact = stored(tmp_path, 'exact.pdf', HEADS['scan.pdf'].ljust(5 * MB, b' '))
    larger = stored(tmp_path, 'larger.pdf', HEADS['scan.pdf'].ljust(5 * MB + 1, b' '))
    assert registration_problems(exact) == []
    [(field, code, message)] = registration_problems(larger)
    assert (field, code) == ('attachments.identity_document', 'file_size')
    assert message.endswith('(файл «larger.pdf»): размер больше 5 МБ.')


def test_empty_file_is_refused(tmp_path: Path) -> None:
    [(_, code, message)] = registration_problems(stored(tmp_path, 'empty.pdf', b''))
    assert code == 'file_size'
    assert message.endswith('файл пустой.')


def test_file_in_a_slot_the_service_does_not_have_is_refused() -> None:
    [(field, code, _)] = registration_problems(pdf('identity_document'), pdf('charter'))
    assert (field, code) == ('attachments.charter', 'unknown')


def test_several_files_may_fill_one_slot() -> None:
    assert registration_problems(pdf('identity_document', 'p1.pdf'), pdf('identity_document', 'p2.pdf')) == []


def test_legal_entity_takes_xml_documents_but_not_png() -> None:
    charter = AttachmentFile('founding_documents', 'charter.xml', 5000, XML)
    photo = AttachmentFile('founding_documents', 'charter.png', 5000, PNG)
    data, signatures = legal_entity_cabinet(), [head_signature()]
    assert validate_application('legal_entity_cabinet', data, [charter], today=TODAY, signatures=signatures) == []
    [problem] = validate_application('legal_entity_cabinet', data, [photo], today=TODAY, signatures=signatures)
    assert problem.message.endswith('недопустимый тип файла, допустимы JPG, PDF, XML.')
