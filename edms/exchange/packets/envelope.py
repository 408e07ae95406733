"""The transport envelope of the МЭДО mail client (`envelope.ini` / `envelope.ltr`): an INI file in windows-1251.

Sections (FORMAT.md §1): `[ПИСЬМО КП ПС СЗИ]` (ТЕМА=, flags АВТООТПРАВКА/ШИФРОВАНИЕ/ЭЦП/ДОСТАВЛЕНО/ПРОЧТЕНО as 0|1,
ДАТА=ДД.ММ.ГГГГ ЧЧ:ММ:СС), `[АДРЕСАТЫ]` (N=<mailbox>~<server>), `[ТЕКСТ]` (ФАЙЛ=<letter body>) and `[ФАЙЛЫ]` (N=<file
name> for every file of the packet). Reading is tolerant (a UTF-8 BOM or UTF-8 text, CRLF/LF/CR, any case and spacing
of section names and keys, empty list entries); writing is strict (windows-1251 only, CRLF, no line breaks or
separators inside values, the 255-byte subject limit). `check_envelope_files` compares [ФАЙЛЫ] with the files present.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date as date_type
from datetime import datetime

from edms.exchange.packets.errors import PacketRejected

SECTION_LETTER = 'ПИСЬМО КП ПС СЗИ'
SECTION_ADDRESSES = 'АДРЕСАТЫ'
SECTION_TEXT = 'ТЕКСТ'
SECTION_FILES = 'ФАЙЛЫ'
KEY_SUBJECT = 'ТЕМА'
KEY_DATE = 'ДАТА'
KEY_TEXT_FILE = 'ФАЙЛ'

FLAG_AUTO_SEND = 'АВТООТПРАВКА'
FLAG_ENCRYPTION = 'ШИФРОВАНИЕ'
FLAG_SIGNATURE = 'ЭЦП'
FLAG_DELIVERY_RECEIPT = 'ДОСТАВЛЕНО'
FLAG_READ_RECEIPT = 'ПРОЧТЕНО'
#: the flags in the order the mail client writes them
FLAGS: tuple[str, ...] = (FLAG_AUTO_SEND, FLAG_ENCRYPTION, FLAG_SIGNATURE, FLAG_DELIVERY_RECEIPT, FLAG_READ_RECEIPT)
#: the flags of every real 2.7/2.7.1 packet: not encrypted, signed, delivery and read receipts wanted
DEFAULT_FLAGS: dict[str, bool] = {
    FLAG_ENCRYPTION: False,
    FLAG_SIGNATURE: True,
    FLAG_DELIVERY_RECEIPT: True,
    FLAG_READ_RECEIPT: True,
}
#: envelope file names (compared case-insensitively)
ENVELOPE_NAMES: tuple[str, ...] = ('envelope.ltr', 'envelope.ini')
MAX_ENVELOPE_SIZE = 64 * 1024
MAX_SUBJECT_BYTES = 255
ENCODING = 'cp1251'
DATE_FORMAT = '%d.%m.%Y %H:%M:%S'

_TRUE = {'1', 'да', 'true', 'yes'}
_FALSE = {'0', 'нет', 'false', 'no'}
_DATE_FORMATS = ('%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y')
_SPACES = re.compile(r'\s+')


@dataclass(frozen=True)
class Envelope:
    """An envelope as read: the subject, the addresses of [АДРЕСАТЫ] and the files of [ФАЙЛЫ] in their order, the
    flags (keys are the INI names: ЭЦП, ДОСТАВЛЕНО…), the date, every section as read (upper-cased names and keys),
    and the letter body file of [ТЕКСТ]."""

    subject: str
    addresses: list[str]
    files: list[str]
    flags: dict[str, bool]
    date: datetime | None
    raw_sections: dict[str, dict[str, str]] = field(default_factory=dict)
    text_file: str | None = None


# --- reading --------------------------------------------------------------------------------------------------------


def read_envelope(data: bytes, *, max_size: int = MAX_ENVELOPE_SIZE) -> Envelope:
    """The envelope in `data`, or PacketRejected (oversize, or unsupported when it is not a МЭДО envelope)."""
    if len(data) > max_size:
        raise PacketRejected('oversize', f'Конверт пакета больше допустимых {max_size} байт.')
    if b'\x00' in data:
        raise PacketRejected('unsupported', 'Конверт пакета не является текстовым файлом.')
    sections, lists = _parse_ini(_decode(data))
    letter = sections.get(SECTION_LETTER)
    if letter is None:
        raise PacketRejected('unsupported', f'Конверт пакета не распознан: нет раздела [{SECTION_LETTER}].')
    flags = {name: value for name in FLAGS if (value := _flag(letter.get(name))) is not None}
    return Envelope(
        subject=letter.get(KEY_SUBJECT, ''),
        addresses=lists.get(SECTION_ADDRESSES, []),
        files=lists.get(SECTION_FILES, []),
        flags=flags,
        date=_date(letter.get(KEY_DATE)),
        raw_sections=sections,
        text_file=sections.get(SECTION_TEXT, {}).get(KEY_TEXT_FILE) or None,
    )


def _decode(data: bytes) -> str:
    if data.startswith(b'\xef\xbb\xbf'):
        return data[3:].decode('utf-8', errors='replace')
    if data.startswith((b'\xff\xfe', b'\xfe\xff')):
        return data.decode('utf-16', errors='replace')
    try:
        return data.decode('utf-8')  # a real cp1251 text with Cyrillic letters is practically never valid UTF-8
    except UnicodeDecodeError:
        return data.decode(ENCODING, errors='replace')


def _normalize_name(value: str) -> str:
    return _SPACES.sub(' ', value.strip()).upper()


def _parse_ini(text: str) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """Sections (name -> key -> value, the last value of a repeated key wins) and, per section, the non-empty
    values of numbered keys ordered by number (every one kept, even under a repeated number)."""
    sections: dict[str, dict[str, str]] = {}
    numbered: dict[str, list[tuple[int, int, str]]] = {}
    current: str | None = None
    for position, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line or line[0] in ';#':
            continue
        if line.startswith('[') and line.endswith(']'):
            current = _normalize_name(line[1:-1])
            sections.setdefault(current, {})
            continue
        if current is None or '=' not in line:
            continue
        key, value = (part.strip() for part in line.split('=', 1))
        key = _normalize_name(key)
        sections[current][key] = value
        if key.isascii() and key.isdigit() and value:
            numbered.setdefault(current, []).append((int(key), position, value))
    lists = {name: [value for _, _, value in sorted(entries)] for name, entries in numbered.items()}
    return sections, lists


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    text = _SPACES.sub(' ', value.strip())
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)  # the envelope carries local time, no zone
        except ValueError:
            continue
    return None


# --- checking the files ---------------------------------------------------------------------------------------------


def is_envelope_name(name: str) -> bool:
    return name.lower() in ENVELOPE_NAMES


def find_envelope(names: Iterable[str]) -> str | None:
    """The name of the envelope among `names` (envelope.ltr preferred over envelope.ini), or None."""
    by_lower = {name.lower(): name for name in names}
    return next((by_lower[candidate] for candidate in ENVELOPE_NAMES if candidate in by_lower), None)


def file_key(name: str) -> str:
    """How file names are compared: Unicode NFC, case-insensitive (МЭДО clients run on case-insensitive systems)."""
    return unicodedata.normalize('NFC', name).casefold()


def check_envelope_files(envelope: Envelope, present: Iterable[str]) -> None:
    """PacketRejected(files_mismatch) naming the files listed in [ФАЙЛЫ] but absent and the files present but not
    listed; the envelope itself may be listed or not."""
    listed = {file_key(name): name for name in envelope.files if not is_envelope_name(name)}
    found = {file_key(name): name for name in present if not is_envelope_name(name)}
    missing = [listed[key] for key in listed if key not in found]
    extra = sorted(found[key] for key in found if key not in listed)
    if not missing and not extra:
        return
    parts = []
    if missing:
        parts.append(f'нет файлов, перечисленных в конверте: {", ".join(missing)}')
    if extra:
        parts.append(f'лишние файлы, не перечисленные в конверте: {", ".join(extra)}')
    raise PacketRejected(
        'files_mismatch',
        f'Состав пакета не совпадает с разделом [ФАЙЛЫ] конверта: {"; ".join(parts)}.',
        names=[*missing, *extra],
    )


# --- writing --------------------------------------------------------------------------------------------------------


def envelope_subject(number: str, registered: date_type | None, document_kind: str | None) -> str:
    """The subject real senders write: «№ <number> от DD/MM/YYYY <kind>», made writable: characters windows-1251
    lacks become «?», line breaks spaces, and it is cut to 255 bytes."""
    parts = [f'№ {number}']
    if registered is not None:
        parts.append(f'от {registered:%d/%m/%Y}')
    if document_kind:
        parts.append(document_kind)
    text = _SPACES.sub(' ', ' '.join(parts)).strip()
    encoded = text.encode(ENCODING, errors='replace')[:MAX_SUBJECT_BYTES]
    return encoded.decode(ENCODING, errors='ignore')


def write_envelope(
    *,
    subject: str,
    addresses: list[str],
    files: list[str],
    date: datetime | None,
    flags: Mapping[str, bool] | None = None,
    text_file: str | None = None,
) -> bytes:
    """The envelope as windows-1251 bytes with CRLF line ends; ValueError on anything a mail client would misread.

    `flags` defaults to DEFAULT_FLAGS (keys are the INI names of FLAGS); `date` is written as given (local time).
    """
    chosen = dict(DEFAULT_FLAGS if flags is None else flags)
    unknown = sorted(set(chosen) - set(FLAGS))
    if unknown:
        raise ValueError(f'unknown envelope flags: {unknown}')
    _check_value('subject', subject, allow_empty=True)
    if len(subject.encode(ENCODING, errors='replace')) > MAX_SUBJECT_BYTES:
        raise ValueError(f'the envelope subject is longer than {MAX_SUBJECT_BYTES} bytes in windows-1251')
    if not addresses:
        raise ValueError('an envelope needs at least one address')
    if not files:
        raise ValueError('an envelope needs at least one file')
    for address in addresses:
        _check_value('address', address)
    _check_file_names([*files, *([text_file] if text_file else [])])
    lines = [f'[{SECTION_LETTER}]', f'{KEY_SUBJECT}={subject}']
    lines += [f'{name}={int(chosen[name])}' for name in FLAGS if name in chosen]
    if date is not None:
        lines.append(f'{KEY_DATE}={date.strftime(DATE_FORMAT)}')
    lines.append(f'[{SECTION_ADDRESSES}]')
    lines += [f'{index}={address}' for index, address in enumerate(addresses)]
    if text_file:
        lines += [f'[{SECTION_TEXT}]', f'{KEY_TEXT_FILE}={text_file}']
    lines.append(f'[{SECTION_FILES}]')
    lines += [f'{index}={name}' for index, name in enumerate(files)]
    return ('\r\n'.join(lines) + '\r\n').encode(ENCODING)


def _check_value(what: str, value: str, *, allow_empty: bool = False) -> None:
    if not isinstance(value, str) or (not value.strip() and not allow_empty):
        raise ValueError(f'the envelope {what} must be a non-empty string')
    if value != value.strip() or any(unicodedata.category(char) == 'Cc' for char in value):
        raise ValueError(f'the envelope {what} {value!r} has surrounding spaces or control characters')
    try:
        value.encode(ENCODING)
    except UnicodeEncodeError:
        raise ValueError(f'the envelope {what} {value!r} is not representable in windows-1251') from None


def _check_file_names(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        _check_value('file name', name)
        if name in {'.', '..'} or any(char in name for char in '/\\:*?"<>|') or len(name) > 255:
            raise ValueError(f'the envelope file name {name!r} is not a plain file name')
        if file_key(name) in seen:
            raise ValueError(f'the envelope lists the file {name!r} twice')
        seen.add(file_key(name))
