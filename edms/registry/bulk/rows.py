"""Reading the CSV of a bulk import: encoding and delimiter, header mapping, one row validated into card columns."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import date
from typing import Any, BinaryIO

from edms.core.access import Actor
from edms.core.clock import utcnow
from edms.core.errors import ValidationFailed
from edms.core.validation import RawInput
from edms.registry.models import AccessMark, CardKind, CardStatus, CorrespondentType
from edms.registry.models.enums import ACCESS_MARK_LABELS, KIND_LABELS, STATUS_LABELS
from edms.registry.operations.cards import today
from edms.registry.validation import SUMMARY_MAX

#: (field, Russian label, other accepted header names).
COLUMNS = (
    ('reg_number', 'Регистрационный номер', ('рег. номер', 'номер')),
    ('reg_date', 'Дата регистрации', ('дата',)),
    ('kind', 'Вид карточки', ('тип карточки',)),
    ('summary', 'Краткое содержание', ('содержание',)),
    ('document_kind', 'Вид документа', ()),
    ('correspondent_name', 'Корреспондент', ()),
    ('sender_number', 'Исходящий номер отправителя', ('исх. номер',)),
    ('sender_date', 'Дата документа отправителя', ('исх. дата',)),
    ('signer', 'Подписал', ()),
    ('pages', 'Количество листов', ('листов',)),
    ('access_mark', 'Гриф доступа', ('гриф',)),
    ('status', 'Статус', ()),
)
REQUIRED = ('reg_number', 'reg_date', 'kind', 'summary')
#: Columns added to a file of rejected rows; skipped on import, so that file can be fixed and imported again.
SERVICE_COLUMNS = ('строка', 'ошибки')
IMPORT_STATUSES = (CardStatus.registered, CardStatus.in_work, CardStatus.executed)
DEFAULT_DOCUMENT_KIND = {
    CardKind.incoming: 'Письмо',
    CardKind.outgoing: 'Письмо',
    CardKind.internal: 'Служебная записка',
    CardKind.citizen_appeal: 'Обращение',
}
#: Columns written per card. Enums are stored by name (SQLAlchemy's non-native Enum); names equal values here.
CARD_COLUMNS = (
    'organization_id', 'department_id', 'kind', 'status', 'reg_number', 'reg_date', 'received_date', 'document_kind',
    'summary', 'correspondent_type', 'correspondent_name', 'sender_number', 'sender_date', 'signer', 'pages',
    'access_mark', 'created_by_id', 'created_at',
)  # fmt: skip


class _Choice:
    """Values of an enumerated column: codes and Russian labels in any case, plus a few usual synonyms."""

    def __init__(self, labels: dict[Any, str], synonyms: tuple[tuple[str, Any], ...] = ()) -> None:
        self.names = {str(member.value): member for member in labels}
        self.names.update({label.lower(): member for member, label in labels.items()})
        self.names.update(dict(synonyms))
        self.allowed = f'{", ".join(str(member.value) for member in labels)} или {", ".join(labels.values())}'


KINDS = _Choice(
    KIND_LABELS,
    (('входящее', CardKind.incoming), ('исходящее', CardKind.outgoing), ('внутреннее', CardKind.internal)),
)
STATUSES = _Choice({status: STATUS_LABELS[status] for status in IMPORT_STATUSES})
ACCESS_MARKS = _Choice(
    ACCESS_MARK_LABELS, (('общий', AccessMark.public), ('для служебного пользования', AccessMark.restricted))
)


class HashingReader(io.RawIOBase):
    """Passes a binary stream through while computing its sha256 and counting the bytes read."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw, self.digest, self.bytes_read = raw, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.digest.update(data)
        self.bytes_read += len(data)
        return len(data)


def open_csv(stream: io.TextIOWrapper) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row and an iterator of (line number, cells); the delimiter (, ; or tab) is taken from the header."""
    try:
        first = stream.readline()
    except UnicodeDecodeError:
        raise _file_error('файл должен быть в кодировке UTF-8.') from None
    if not first.strip():
        raise _file_error('в файле нет строки заголовка.')
    delimiter = max((',', ';', '\t'), key=first.count)
    return next(csv.reader([first], delimiter=delimiter)), _records(csv.reader(stream, delimiter=delimiter))


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Non-empty records with the number of the line each starts on (the header is line 1)."""
    last = 1
    try:
        for cells in reader:
            line, last = last + 1, reader.line_num + 1
            if any(cells):
                yield line, cells
    except UnicodeDecodeError:
        raise _file_error(f'файл должен быть в кодировке UTF-8 (ошибка около строки {last + 1}).') from None
    except csv.Error as error:
        raise _file_error(f'строка {last + 1} не разбирается как CSV ({error}).') from None


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed(f'Файл не может быть импортирован: {message}', fields={'file': f'«Файл»: {message}'})


def _map_header(header: list[str]) -> list[tuple[str, int]]:
    """(field, column index) of every column; an unknown, repeated or missing required column refuses the file."""
    names = {alias: name for name, label, aliases in COLUMNS for alias in (name, label.lower(), *aliases)}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = ' '.join(title.strip().lower().replace('ё', 'е').split())
        if key in SERVICE_COLUMNS:
            continue
        if key not in names or names[key] in found:
            problem = 'повторяется' if key in names else 'неизвестен'
            raise _file_error(f'столбец «{title}» (№ {index + 1}) {problem}.')
        found[names[key]] = index
    missing = [label for name, label, _ in COLUMNS if name in REQUIRED and name not in found]
    if missing:
        raise _file_error(f'нет обязательных столбцов: {", ".join(missing)}.')
    return list(found.items())


class RowReader:
    """Validates one row into the tuple of `CARD_COLUMNS`; messages name the field like the registration form."""

    def __init__(self, header: list[str], organization_id: int, actor: Actor) -> None:
        self.columns, self.width = _map_header(header), len(header)
        self.today, self.now = today(), utcnow()
        self.constant = (organization_id, getattr(actor, 'department_id', None), actor.id, self.now)

    def read(self, cells: list[str]) -> tuple[tuple[Any, ...] | None, dict[str, str], tuple[str, int] | None]:
        """(values, errors, (number, year) or None when the number or the date is unusable)."""
        if len(cells) != self.width:
            return None, {'row': f'«Строка»: полей {len(cells)}, а в заголовке {self.width}.'}, None
        form = RawInput({name: cells[index] for name, index in self.columns})
        number = form.text('reg_number', 'Регистрационный номер', required=True, max_length=31)
        reg_date = form.date('reg_date', 'Дата регистрации', required=True)
        key = (number, reg_date.year) if reg_date and number and 'reg_number' not in form.errors.fields else None
        kind = _choice(form, 'kind', 'Вид карточки', KINDS)
        status = _choice(form, 'status', 'Статус', STATUSES) or CardStatus.registered
        access = _choice(form, 'access_mark', 'Гриф доступа', ACCESS_MARKS) or AccessMark.public
        summary = form.text('summary', 'Краткое содержание', required=True, max_length=SUMMARY_MAX)
        document_kind = form.text('document_kind', 'Вид документа', max_length=100)
        correspondent = form.text('correspondent_name', 'Корреспондент', max_length=511)
        sender_number = form.text('sender_number', 'Исходящий номер отправителя', max_length=64) or None
        sender_date = form.date('sender_date', 'Дата документа отправителя')
        signer = form.text('signer', 'Подписал', max_length=255)
        pages = form.integer('pages', 'Количество листов', min_value=1, max_value=100000)
        self._check(form, kind, correspondent, reg_date, sender_date)
        if form.errors:
            return None, form.errors.fields, key
        org, department, author, now = self.constant
        party = (CorrespondentType.person if kind == CardKind.citizen_appeal else CorrespondentType.organization).name
        return (
            (org, department, kind.name, status.name, number, reg_date, reg_date if kind != CardKind.outgoing else None,
             document_kind or DEFAULT_DOCUMENT_KIND[kind], summary, party if correspondent else None, correspondent,
             sender_number, sender_date, signer, pages, access.name, author, now),
            {},
            key,
        )  # fmt: skip

    def _check(self, form: RawInput, kind: Any, name: str, reg_date: date | None, sender: date | None) -> None:
        if kind in (CardKind.incoming, CardKind.citizen_appeal) and not name:
            message = '«Корреспондент»: обязательное поле для входящих документов и обращений.'
            form.errors.add('correspondent_name', message)
        if reg_date is not None and reg_date > self.today:
            form.errors.add('reg_date', '«Дата регистрации»: дата не может быть в будущем.')
        if sender is not None and reg_date is not None and sender > reg_date:
            form.errors.add('sender_date', '«Дата документа отправителя»: не может быть позже даты регистрации.')


def _choice(form: RawInput, name: str, label: str, choice: _Choice) -> Any:
    """A value given by its code or its Russian label (any case); None when empty or refused."""
    value = form.text(name, label, required=name == 'kind')
    member = choice.names.get(value.lower()) if value else None
    if value and member is None:
        form.errors.add(name, f'«{label}»: недопустимое значение «{value}» (допустимо: {choice.allowed}).')
    return member
