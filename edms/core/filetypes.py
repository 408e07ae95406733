"""Content types of attachments, detected from the file's bytes (never from its name), and the list of allowed ones.

`detect_content_type` answers one of `ALLOWED_TYPES` or None; None means the file is refused. Detection reads only
the head of the file (64 KB); for ZIP-based formats (DOCX, XLSX, ODT, ODS) the ZIP central directory and at most one
tiny entry; for OLE2 compound files (legacy DOC, XLS) the directory, within the bounds of `edms.core.compound`.
Office files carrying a macro project are refused.
"""

from __future__ import annotations

import codecs
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
from types import MappingProxyType

from edms.core import compound

PDF = 'application/pdf'
JPEG = 'image/jpeg'
PNG = 'image/png'
TIFF = 'image/tiff'
DOC = 'application/msword'
DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
RTF = 'application/rtf'
ODT = 'application/vnd.oasis.opendocument.text'
XLS = 'application/vnd.ms-excel'
XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
ODS = 'application/vnd.oasis.opendocument.spreadsheet'
XML = 'application/xml'
TEXT = 'text/plain'

# content type: (short name shown in the list of allowed formats, extension, Russian label)
_TYPES: dict[str, tuple[str, str, str]] = {
    PDF: ('PDF', '.pdf', 'Документ PDF'),
    JPEG: ('JPEG', '.jpg', 'Изображение JPEG'),
    PNG: ('PNG', '.png', 'Изображение PNG'),
    TIFF: ('TIFF', '.tif', 'Изображение TIFF'),
    DOC: ('DOC', '.doc', 'Документ Word (DOC)'),
    DOCX: ('DOCX', '.docx', 'Документ Word (DOCX)'),
    RTF: ('RTF', '.rtf', 'Документ RTF'),
    ODT: ('ODT', '.odt', 'Документ OpenDocument (ODT)'),
    XLS: ('XLS', '.xls', 'Таблица Excel (XLS)'),
    XLSX: ('XLSX', '.xlsx', 'Таблица Excel (XLSX)'),
    ODS: ('ODS', '.ods', 'Таблица OpenDocument (ODS)'),
    XML: ('XML', '.xml', 'Документ XML'),
    TEXT: ('TXT', '.txt', 'Текстовый файл'),
}

ALLOWED_TYPES: Mapping[str, str] = MappingProxyType({ctype: label for ctype, (_, _, label) in _TYPES.items()})

HEAD_SIZE = 64 * 1024
MAX_ZIP_ENTRIES = 10_000
_MAX_ZIP_CENTRAL_DIRECTORY = MAX_ZIP_ENTRIES * 1024  # bytes; a real DOCX/ODT directory is a few KB
_OPEN_DOCUMENT_TYPES = {ODT.encode('ascii'): ODT, ODS.encode('ascii'): ODS}
# Root streams that make a compound file a Word or an Excel (BIFF8 'Workbook', BIFF5 'Book') file.
_COMPOUND_STREAMS = (('WORDDOCUMENT', DOC), ('WORKBOOK', XLS), ('BOOK', XLS))
# Root storages of a macro project: Word's 'Macros', Excel's '_VBA_PROJECT_CUR'.
_COMPOUND_MACRO_STORAGES = frozenset({'MACROS', '_VBA_PROJECT_CUR'})

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b'%PDF-', PDF),
    (b'\xff\xd8\xff', JPEG),
    (b'\x89PNG\r\n\x1a\n', PNG),
    (b'II*\x00', TIFF),
    (b'MM\x00*', TIFF),
    (b'{\\rtf', RTF),
)
_ZIP_LOCAL_HEADER = b'PK\x03\x04'
_ZIP_END_RECORD = b'PK\x05\x06'
_ZIP_END_RECORD_SIZE = 22
_ZIP_MAX_COMMENT = 0xFFFF
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    zlib.error,
)

_UTF8_BOM = b'\xef\xbb\xbf'
# C0 controls except \t \n \f \r, DEL and C1 controls: their presence means the file is not plain text.
_CONTROL_CHARS = re.compile('[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]')
# Optional declaration, then comments, processing instructions or a DOCTYPE, then the root start tag. Atomic groups
# and possessive loops keep the match linear: a file full of comments must not make the regex backtrack.
_XML_ROOT = re.compile(
    r'(?><\?xml\s[^<>]*\?>)?+'
    r'(?>\s|<!--.*?-->|<\?[A-Za-z_][^<>]*\?>|<!(?i:DOCTYPE)\s[^<>\[]*(?:\[.*?\])?\s*>)*+'
    r'<([A-Za-z_\u00c0-\uffff][-.\w:\u00b7]*)[\s/>]',
    re.DOTALL,
)
# Markup a browser would run scripts in, were it ever shown inline: not accepted as an XML attachment.
_ACTIVE_XML_ROOTS = frozenset({'html', 'svg'})


def detect_content_type(path: str | os.PathLike[str]) -> str | None:
    """The allowed content type of the file at `path` judged by its bytes, or None when the file is not allowed."""
    with open(path, 'rb') as file:
        head = file.read(HEAD_SIZE)
        complete = os.fstat(file.fileno()).st_size <= HEAD_SIZE
    if not head:
        return None
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head.startswith(_ZIP_LOCAL_HEADER):
        return _detect_zip_based(path)
    if head.startswith(compound.SIGNATURE):
        return _detect_compound(path)
    text = _decode_text(head, complete)
    if text is None:
        return None
    if text.lstrip(' \t\r\n').startswith('<'):
        root = _xml_root_name(text)
        if root is not None:
            return None if root.rpartition(':')[2].lower() in _ACTIVE_XML_ROOTS else XML
    return TEXT


def describe_allowed() -> str:
    """The allowed formats for a user-facing message: 'PDF, JPEG, PNG, TIFF, DOC, DOCX, RTF, ODT, XLS, …'."""
    return ', '.join(short for short, _, _ in _TYPES.values())


def extension_for(content_type: str) -> str:
    """The file name extension ('.pdf', …) for an allowed content type; ValueError for any other type."""
    try:
        return _TYPES[content_type][1]
    except KeyError:
        raise ValueError(f'not an allowed content type: {content_type!r}') from None


def _decode_text(head: bytes, complete: bool) -> str | None:
    """The head decoded as UTF-8 (optional BOM) or windows-1251, or None if it is not clean text in either."""
    head = head.removeprefix(_UTF8_BOM)
    for encoding in ('utf-8', 'cp1251'):
        try:
            # An incremental decoder tolerates a multibyte character cut at the end of a truncated head.
            text = codecs.getincrementaldecoder(encoding)('strict').decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return None if _CONTROL_CHARS.search(text) else text
    return None


def _xml_root_name(text: str) -> str | None:
    """The root element name if the text looks like XML (a cheap prefix check, no parsing), else None."""
    match = _XML_ROOT.match(text.lstrip(' \t\r\n'))
    return match.group(1) if match else None


def _detect_zip_based(path: str | os.PathLike[str]) -> str | None:
    """DOCX, XLSX, ODT or ODS from the ZIP's entries; None for any other, damaged, oversized or macro-carrying ZIP."""
    if not _zip_directory_is_small(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return None
            if entries and entries[0].filename == 'mimetype':
                return _OPEN_DOCUMENT_TYPES.get(_read_small_entry(archive, entries[0]) or b'')
            return _ooxml_type({entry.filename for entry in entries})
    except _ZIP_ERRORS:
        return None


def _ooxml_type(names: set[str]) -> str | None:
    """DOCX (a word/ folder) or XLSX (xl/workbook.xml); None when neither, both, or with a macro project."""
    if '[Content_Types].xml' not in names:
        return None
    found = [DOCX] if any(name.startswith('word/') for name in names) else []
    found += [XLSX] if 'xl/workbook.xml' in names else []
    # A macro project makes it a DOCM or XLSM in disguise: refused.
    if len(found) != 1 or any(name.rpartition('/')[2].lower() == 'vbaproject.bin' for name in names):
        return None
    return found[0]


def _detect_compound(path: str | os.PathLike[str]) -> str | None:
    """DOC or XLS by the streams at the root of the compound file; None for any other (an Outlook message, a
    PowerPoint presentation), for both at once, and for a malformed or macro-carrying one."""
    root = compound.read_root(path)
    if root is None or root.storages & _COMPOUND_MACRO_STORAGES:
        return None
    found = {content_type for stream, content_type in _COMPOUND_STREAMS if stream in root.streams}
    return found.pop() if len(found) == 1 else None


def _read_small_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int = 256) -> bytes | None:
    """The entry's bytes if it claims and proves to be at most `limit` bytes, else None (no zip-bomb reads)."""
    if entry.file_size > limit:
        return None
    with archive.open(entry) as member:
        data = member.read(limit + 1)
    return data if len(data) <= limit else None


def _zip_directory_is_small(path: str | os.PathLike[str]) -> bool:
    """Read the ZIP end record before zipfile does: refuse too many entries or a huge central directory."""
    with open(path, 'rb') as file:
        size = file.seek(0, os.SEEK_END)
        tail_size = min(size, _ZIP_END_RECORD_SIZE + _ZIP_MAX_COMMENT)
        file.seek(size - tail_size)
        tail = file.read(tail_size)
    position = tail.rfind(_ZIP_END_RECORD)
    if position < 0 or len(tail) - position < _ZIP_END_RECORD_SIZE:
        return False
    record = tail[position : position + _ZIP_END_RECORD_SIZE]
    # Zip64 archives store 0xFFFF / 0xFFFFFFFF here: both exceed the limits, and are refused.
    _, _, _, _, total_entries, directory_size, _, _ = struct.unpack('<4s4HLLH', record)
    return total_entries <= MAX_ZIP_ENTRIES and directory_size <= _MAX_ZIP_CENTRAL_DIRECTORY
