"""Content type detection from the bytes of a file, and the list of allowed types (the legacy compound files, DOC
and XLS, in test_filetypes_compound.py)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from edms.core.filetypes import (
    ALLOWED_TYPES,
    DOCX,
    HEAD_SIZE,
    ODS,
    ODT,
    RTF,
    XLSX,
    describe_allowed,
    detect_content_type,
    extension_for,
)
from edms.paths import ROOT

PDF_BYTES = b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'
JPEG_BYTES = b'\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9'
TIFF_LE_BYTES = b'II*\x00\x08\x00\x00\x00\x00\x00'
TIFF_BE_BYTES = b'MM\x00*\x00\x00\x00\x08\x00\x00'
EXE_BYTES = b'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00' + b'\x00' * 48 + b'This program cannot be run'
GIF_BYTES = b'GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00;'
RTF_BYTES = (
    rb'{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0 Times New Roman;}}'
    rb'\f0\fs24 \'cf\'e8\'f1\'fc\'ec\'ee\par'  # «Письмо» in windows-1251
    b'\n}'
)
XML_TEXT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Заявление xmlns="urn:edms:test"><ИНН>7707083893</ИНН></Заявление>\n'
)


def png_bytes() -> bytes:
    ihdr = struct.pack('>IIBBBBB', 1, 1, 8, 6, 0, 0, 0)
    chunk = struct.pack('>I', len(ihdr)) + b'IHDR' + ihdr + struct.pack('>I', zlib.crc32(b'IHDR' + ihdr))
    return b'\x89PNG\r\n\x1a\n' + chunk


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_zip(tmp_path: Path, name: str, entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_DEFLATED) as archive:
        for index, (entry_name, data) in enumerate(entries):
            compression = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(entry_name, data, compress_type=compression)
    return path


DOCX_ENTRIES = [
    ('[Content_Types].xml', b'<?xml version="1.0"?><Types xmlns="urn:ct"/>'),
    ('_rels/.rels', b'<?xml version="1.0"?><Relationships/>'),
    ('word/document.xml', b'<?xml version="1.0"?><w:document xmlns:w="urn:w"/>'),
]
XLSX_ENTRIES = [
    ('[Content_Types].xml', b'<?xml version="1.0"?><Types xmlns="urn:ct"/>'),
    ('_rels/.rels', b'<?xml version="1.0"?><Relationships/>'),
    ('xl/workbook.xml', b'<?xml version="1.0"?><workbook xmlns="urn:x"/>'),
    ('xl/worksheets/sheet1.xml', b'<?xml version="1.0"?><worksheet xmlns="urn:x"/>'),
]
ODT_ENTRIES = [
    ('mimetype', ODT.encode('ascii')),
    ('META-INF/manifest.xml', b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:m"/>'),
    ('content.xml', b'<?xml version="1.0"?><office:document-content xmlns:office="urn:o"/>'),
]


@pytest.mark.parametrize(
    ('data', 'expected'),
    [
        (PDF_BYTES, 'application/pdf'),
        (JPEG_BYTES, 'image/jpeg'),
        (png_bytes(), 'image/png'),
        (TIFF_LE_BYTES, 'image/tiff'),
        (TIFF_BE_BYTES, 'image/tiff'),
    ],
)
def test_binary_formats_are_detected_by_signature(tmp_path: Path, data: bytes, expected: str) -> None:
    assert detect_content_type(write(tmp_path, 'upload.bin', data)) == expected


def test_rtf_is_detected_by_its_head(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, 'letter.txt', RTF_BYTES)) == RTF


def test_rtf_head_must_open_the_file(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, 'note.bin', b'Note: ' + RTF_BYTES)) == 'text/plain'


def test_detection_ignores_the_file_name(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, 'scan.txt', PDF_BYTES)) == 'application/pdf'
    assert detect_content_type(write(tmp_path, 'letter.pdf', 'Письмо'.encode())) == 'text/plain'
    assert detect_content_type(write(tmp_path, 'setup.pdf', EXE_BYTES)) is None


def test_docx_is_a_zip_with_content_types_and_word_entries(tmp_path: Path) -> None:
    assert detect_content_type(write_zip(tmp_path, 'a.bin', DOCX_ENTRIES)) == DOCX


def test_docx_carrying_a_macro_project_is_refused(tmp_path: Path) -> None:
    entries = [*DOCX_ENTRIES, ('word/vbaProject.bin', b'\xd0\xcf\x11\xe0macros')]
    assert detect_content_type(write_zip(tmp_path, 'macro.docx', entries)) is None


def test_odt_is_a_zip_whose_first_entry_is_its_mimetype(tmp_path: Path) -> None:
    assert detect_content_type(write_zip(tmp_path, 'a.bin', ODT_ENTRIES, stored_first=True)) == ODT


def test_ods_is_a_zip_whose_first_entry_is_the_spreadsheet_mimetype(tmp_path: Path) -> None:
    spreadsheet = [('mimetype', ODS.encode('ascii')), *ODT_ENTRIES[1:]]
    assert detect_content_type(write_zip(tmp_path, 'a.bin', spreadsheet, stored_first=True)) == ODS


def test_opendocument_with_other_mimetype_or_mimetype_not_first_is_refused(tmp_path: Path) -> None:
    presentation = [('mimetype', b'application/vnd.oasis.opendocument.presentation'), *ODT_ENTRIES[1:]]
    assert detect_content_type(write_zip(tmp_path, 'odp.bin', presentation, stored_first=True)) is None
    reordered = ODT_ENTRIES[1:] + ODT_ENTRIES[:1]
    assert detect_content_type(write_zip(tmp_path, 'odt.bin', reordered)) is None


def test_xlsx_is_a_zip_with_content_types_and_a_workbook_part(tmp_path: Path) -> None:
    assert detect_content_type(write_zip(tmp_path, 'a.bin', XLSX_ENTRIES)) == XLSX


def test_xlsx_carrying_a_macro_project_is_refused(tmp_path: Path) -> None:
    entries = [*XLSX_ENTRIES, ('xl/vbaProject.bin', b'\xd0\xcf\x11\xe0macros')]
    assert detect_content_type(write_zip(tmp_path, 'macro.xlsx', entries)) is None


def test_ooxml_without_content_types_or_with_both_word_and_workbook_parts_is_refused(tmp_path: Path) -> None:
    assert detect_content_type(write_zip(tmp_path, 'bare.xlsx', XLSX_ENTRIES[1:])) is None
    both = [*DOCX_ENTRIES, *XLSX_ENTRIES[2:]]
    assert detect_content_type(write_zip(tmp_path, 'both.docx', both)) is None


def test_ooxml_binary_workbook_without_its_xml_part_is_refused(tmp_path: Path) -> None:
    xlsb = [*XLSX_ENTRIES[:2], ('xl/workbook.bin', b'\x83\x01\x00')]
    assert detect_content_type(write_zip(tmp_path, 'book.xlsb', xlsb)) is None


def test_plain_zip_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path, 'archive.docx', [('readme.txt', b'hello'), ('word.txt', b'not a folder')])
    assert detect_content_type(path) is None


def test_damaged_zip_is_refused(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, 'broken.docx', b'PK\x03\x04' + b'\x00garbage' * 50)) is None
    whole = write_zip(tmp_path, 'whole.docx', DOCX_ENTRIES).read_bytes()
    assert detect_content_type(write(tmp_path, 'truncated.docx', whole[: len(whole) // 2])) is None


def test_zip_with_more_than_ten_thousand_entries_is_refused(tmp_path: Path) -> None:
    entries = DOCX_ENTRIES + [(f'word/media/{n}.txt', b'') for n in range(10_000)]
    assert detect_content_type(write_zip(tmp_path, 'many.docx', entries)) is None


@pytest.mark.parametrize(
    'text',
    [
        XML_TEXT,
        '\ufeff  \n' + XML_TEXT,  # UTF-8 BOM and whitespace before the declaration
        '<Заявление><Номер>1</Номер></Заявление>',  # no declaration
        '<?xml version="1.0"?>\n<!-- комментарий -->\n<!DOCTYPE r [<!ELEMENT r ANY>]>\n<r/>',
    ],
)
def test_xml_is_detected_by_a_cheap_prefix_check(tmp_path: Path, text: str) -> None:
    assert detect_content_type(write(tmp_path, 'doc.bin', text.encode('utf-8'))) == 'application/xml'


def test_xml_in_windows_1251_is_detected(tmp_path: Path) -> None:
    text = '<?xml version="1.0" encoding="windows-1251"?>\n<Письмо>Текст письма</Письмо>\n'
    assert detect_content_type(write(tmp_path, 'doc.xml', text.encode('cp1251'))) == 'application/xml'


@pytest.mark.parametrize(
    'text',
    [
        '<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>',
        '<html><body>hi</body></html>',
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ],
)
def test_html_and_svg_markup_is_refused(tmp_path: Path, text: str) -> None:
    assert detect_content_type(write(tmp_path, 'page.xml', text.encode())) is None


def test_text_starting_with_angle_bracket_but_not_xml_is_plain_text(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, 'note.txt', '<<Важно>> прочитать'.encode())) == 'text/plain'


@pytest.mark.timeout(10)
def test_xml_prefix_check_does_not_backtrack_on_many_comments(tmp_path: Path) -> None:
    text = '<!-- a -->' * 5000 + ' no root element here'
    assert detect_content_type(write(tmp_path, 'comments.xml', text.encode())) == 'text/plain'


def test_utf8_text_is_plain_text(tmp_path: Path) -> None:
    text = 'Служебная записка\r\n\tО предоставлении сведений\f\n'
    assert detect_content_type(write(tmp_path, 'note.bin', text.encode('utf-8'))) == 'text/plain'


def test_cyrillic_windows_1251_text_is_plain_text(tmp_path: Path) -> None:
    data = 'Прошу предоставить сведения о заявителе. Ёлкин Ю. Я.\r\n'.encode('cp1251')
    with pytest.raises(UnicodeDecodeError):
        data.decode('utf-8')
    assert detect_content_type(write(tmp_path, 'note.bin', data)) == 'text/plain'


def test_long_utf8_text_cut_inside_a_character_at_the_head_boundary_is_plain_text(tmp_path: Path) -> None:
    data = b'a' + 'ж'.encode() * HEAD_SIZE  # the 64 KB head ends in the middle of a two-byte character
    assert detect_content_type(write(tmp_path, 'long.txt', data)) == 'text/plain'


@pytest.mark.parametrize(
    'data',
    [
        b'text with a NUL\x00 byte',
        b'text with an escape \x1b[31m',
        b'text with a vertical tab \x0b',
        'C1 control \u0085 in UTF-8'.encode(),
    ],
)
def test_text_with_control_bytes_is_refused(tmp_path: Path, data: bytes) -> None:
    assert detect_content_type(write(tmp_path, 'bad.txt', data)) is None


def test_exe_is_refused(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, 'setup.exe', EXE_BYTES)) is None


def test_gif_is_refused(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, 'image.gif', GIF_BYTES)) is None


def test_empty_file_is_refused(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, 'empty.txt', b'')) is None


def test_describe_allowed_lists_the_formats() -> None:
    assert describe_allowed() == 'PDF, JPEG, PNG, TIFF, DOC, DOCX, RTF, ODT, XLS, XLSX, ODS, XML, TXT'


@pytest.mark.parametrize('template', ['registry/form.html', 'registry/_card_files.html', 'resolutions/_fields.html'])
def test_upload_forms_name_the_allowed_formats(template: str) -> None:
    assert f'({describe_allowed()})' in (ROOT / 'templates' / template).read_text(encoding='utf-8')


def test_allowed_types_map_every_type_to_a_russian_label() -> None:
    assert set(ALLOWED_TYPES) == {
        'application/pdf',
        'image/jpeg',
        'image/png',
        'image/tiff',
        'application/msword',
        DOCX,
        'application/rtf',
        ODT,
        'application/vnd.ms-excel',
        XLSX,
        ODS,
        'application/xml',
        'text/plain',
    }
    assert all(any('а' <= ch <= 'я' for ch in label.lower()) for label in ALLOWED_TYPES.values())


def test_extension_for_each_allowed_type() -> None:
    assert extension_for('application/pdf') == '.pdf'
    assert extension_for(DOCX) == '.docx'
    assert extension_for('text/plain') == '.txt'
    assert extension_for('application/msword') == '.doc'
    assert extension_for('application/vnd.ms-excel') == '.xls'
    assert [extension_for(content_type) for content_type in (RTF, XLSX, ODS)] == ['.rtf', '.xlsx', '.ods']
    extensions = [extension_for(content_type) for content_type in ALLOWED_TYPES]
    assert len(set(extensions)) == len(ALLOWED_TYPES)
    assert set(extensions) >= {'.jpg', '.png', '.tif', '.odt', '.xml'}
    with pytest.raises(ValueError, match='image/gif'):
        extension_for('image/gif')
