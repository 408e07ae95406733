"""Bulk import of registration cards from CSV: header mapping, row validation, duplicate numbers, fast writes.

Registration numbers come from the file, not from the journals (a registry migrated from another system). One call
is one unit of work: the caller's `atomic()` commits every card and one audit entry `card.bulk_import`, or nothing.
PostgreSQL receives the rows through COPY (the GIN index of the summary is maintained during it); batch N is checked
and written by a worker thread on the session's own connection while batch N+1 is read and validated. SQLite gets
executemany inserts and its FTS triggers keep the search index. A number already used in the organization for the
same registration year, or earlier in the file, is found per batch by one join against temporary tables.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import text

from edms.audit.operations import record
from edms.core.access import Actor, require_same_organization
from edms.core.clock import utcnow
from edms.core.db import db, is_postgresql
from edms.core.errors import DomainError, ValidationFailed
from edms.core.validation import RawInput
from edms.registry.models import AccessMark, Card, CardKind, CardStatus, CorrespondentType
from edms.registry.models.enums import ACCESS_MARK_LABELS, KIND_LABELS, STATUS_LABELS
from edms.registry.operations.cards import today
from edms.registry.permissions import require_registrar
from edms.registry.validation import SUMMARY_MAX

DEFAULT_BATCH = 10_000
#: (field, Russian label, other accepted header names); the first four fields are required columns.
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
#: Columns added to a file of rejected rows; ignored on import so that file can be fixed and imported again.
SERVICE_COLUMNS = ('строка', 'ошибки')
IMPORT_STATUSES = (CardStatus.registered, CardStatus.in_work, CardStatus.executed)
DEFAULT_DOCUMENT_KIND = {
    CardKind.incoming: 'Письмо',
    CardKind.outgoing: 'Письмо',
    CardKind.internal: 'Служебная записка',
    CardKind.citizen_appeal: 'Обращение',
}
#: Columns written for each card; enums are stored by name (SQLAlchemy's non-native Enum), equal to the value here.
CARD_COLUMNS = (
    'organization_id', 'department_id', 'kind', 'status', 'reg_number', 'reg_date', 'received_date', 'document_kind',
    'summary', 'correspondent_type', 'correspondent_name', 'sender_number', 'sender_date', 'signer', 'pages',
    'access_mark', 'created_by_id', 'created_at',
)  # fmt: skip
_COPY_CARDS = (
    f'COPY registry_cards ({", ".join(CARD_COLUMNS)}) FROM STDIN '
    'WITH (FORMAT csv, FORCE_NOT_NULL (correspondent_name, signer))'
)
#: Temporary tables of one import (dropped at commit on PostgreSQL): the numbers of a batch, the numbers seen so far.
_TEMP_TABLES = (
    'CREATE TEMP TABLE IF NOT EXISTS edms_bulk_batch '
    '(line integer, reg_number varchar(31), reg_year integer, year_start date, year_end date){on_commit}',
    'CREATE TEMP TABLE IF NOT EXISTS edms_bulk_seen '
    '(reg_number varchar(31), reg_year integer, line integer){on_commit}',
    'CREATE INDEX IF NOT EXISTS ix_edms_bulk_seen ON edms_bulk_seen (reg_number, reg_year)',
    'DELETE FROM edms_bulk_seen',
)
_FIND_DUPLICATES = """
SELECT b.line, b.reg_year, s.line FROM edms_bulk_batch b
LEFT JOIN edms_bulk_seen s ON s.reg_number = b.reg_number AND s.reg_year = b.reg_year
WHERE s.line IS NOT NULL OR EXISTS (
    SELECT 1 FROM registry_cards c WHERE c.organization_id = :org AND c.reg_number = b.reg_number
    AND c.reg_date BETWEEN b.year_start AND b.year_end)
"""
_REMEMBER_NUMBERS = """
INSERT INTO edms_bulk_seen (reg_number, reg_year, line) SELECT b.reg_number, b.reg_year, b.line FROM edms_bulk_batch b
WHERE NOT EXISTS (SELECT 1 FROM edms_bulk_seen s WHERE s.reg_number = b.reg_number AND s.reg_year = b.reg_year)
"""


class _Choice:
    """Values of an enumerated column: codes and Russian labels in any case, plus a few usual synonyms."""

    def __init__(self, labels: dict[Any, str], synonyms: tuple[tuple[str, Any], ...] = ()) -> None:
        self.names = {str(member.value): member for member in labels}
        self.names.update({label.lower(): member for member, label in labels.items()})
        self.names.update(dict(synonyms))
        codes = ', '.join(str(member.value) for member in labels)
        self.allowed = f'{codes} или {", ".join(labels.values())}'


KINDS = _Choice(
    KIND_LABELS,
    (('входящее', CardKind.incoming), ('исходящее', CardKind.outgoing), ('внутреннее', CardKind.internal)),
)
STATUSES = _Choice({status: STATUS_LABELS[status] for status in IMPORT_STATUSES})
ACCESS_MARKS = _Choice(
    ACCESS_MARK_LABELS, (('общий', AccessMark.public), ('для служебного пользования', AccessMark.restricted))
)


@dataclass
class RejectedRow:
    """A row of the file that is not imported: its line, its cells as read and a message per field."""

    line: int
    cells: list[str]
    fields: dict[str, str]
    header: list[str]


@dataclass
class ImportResult:
    """What an import did; `header` is the file's header row (for writing rejected rows back)."""

    file_name: str
    sha256: str
    rows: int
    imported: int
    rejected: int
    header: list[str]


class ImportRejected(DomainError):
    """The file has bad rows and the import is all-or-nothing: the caller's transaction must store nothing."""

    code = 'import_rejected'
    status = 422

    def __init__(self, rejected: int, rows: int) -> None:
        super().__init__(f'Импорт отменён: строк с ошибками — {rejected} из {rows}; ничего не сохранено.')
        self.rejected, self.rows = rejected, rows


def import_cards(
    actor: Actor,
    organization_id: int,
    stream: BinaryIO,
    *,
    file_name: str,
    skip_invalid: bool = False,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    on_reject: Callable[[RejectedRow], None] | None = None,
) -> ImportResult:
    """Import every row of the CSV `stream` as a registered card of the organization; flushes, never commits.

    Bad rows go to `on_reject` in line order, `on_progress` gets the bytes read since its last call. Without
    `skip_invalid` any bad row makes the call raise `ImportRejected` once the whole file is checked.
    """
    require_registrar(actor)
    require_same_organization(actor, organization_id)
    source = _HashingReader(stream)
    header, records = _open_csv(io.TextIOWrapper(io.BufferedReader(source, 1 << 20), encoding='utf-8-sig', newline=''))
    reader = _RowReader(header, organization_id, actor)
    totals = {'rows': 0, 'imported': 0, 'rejected': 0, 'reported': 0}

    def done(batch: _Batch, outcome: tuple[dict[int, str], int]) -> None:
        totals['imported'] += outcome[1]
        totals['rejected'] += _report(batch, outcome[0], on_reject, header)

    with _Pipeline(_Store(organization_id)) as pipeline:
        for batch in _batches(records, reader, batch_size):
            totals['rows'] += batch.size
            pipeline.drain()
            pipeline.submit(batch, skip_invalid or not (totals['rejected'] or batch.errors), done)
            if on_progress is not None:
                on_progress(source.bytes_read - totals['reported'])
                totals['reported'] = source.bytes_read
    if totals['rejected'] and not skip_invalid:
        raise ImportRejected(totals['rejected'], totals['rows'])
    result = ImportResult(
        file_name, source.digest.hexdigest(), totals['rows'], totals['imported'], totals['rejected'], header
    )
    data = {'file': file_name, 'sha256': result.sha256, 'rows': result.rows}
    data.update(imported=result.imported, rejected=result.rejected)
    record(actor, 'card.bulk_import', None, data, organization_id=organization_id)
    return result


class _HashingReader(io.RawIOBase):
    """Passes a binary stream through while computing its sha256 and counting the bytes read."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.digest.update(data)
        self.bytes_read += len(data)
        return len(data)


def _open_csv(stream: io.TextIOWrapper) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row and an iterator of (line number, cells); the delimiter (, ; or tab) is taken from the header."""
    try:
        first = stream.readline()
    except UnicodeDecodeError:
        raise _file_error('файл должен быть в кодировке UTF-8.') from None
    if not first.strip():
        raise _file_error('в файле нет строки заголовка.')
    delimiter = max((',', ';', '\t'), key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    return header, _records(csv.reader(stream, delimiter=delimiter))


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
    """(field, column index) for every recognised column; unknown, repeated or missing required columns fail."""
    names = {}
    for name, label, aliases in COLUMNS:
        names.update(dict.fromkeys((name, label.lower(), *aliases), name))
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = ' '.join(title.strip().lower().replace('ё', 'е').split())
        if key in SERVICE_COLUMNS:
            continue
        if key not in names:
            raise _file_error(f'неизвестный столбец «{title}» (столбец {index + 1}).')
        if names[key] in found:
            raise _file_error(f'столбец «{title}» повторяется.')
        found[names[key]] = index
    missing = [label for name, label, _ in COLUMNS if name in REQUIRED and name not in found]
    if missing:
        raise _file_error(f'нет обязательных столбцов: {", ".join(missing)}.')
    return list(found.items())


class _RowReader:
    """Validates one row into the tuple of `CARD_COLUMNS`; messages name the field like the registration form."""

    def __init__(self, header: list[str], organization_id: int, actor: Actor) -> None:
        self.columns = _map_header(header)
        self.width = len(header)
        self.today = today()
        self.constant = (organization_id, getattr(actor, 'department_id', None), actor.id, utcnow())

    def read(self, cells: list[str]) -> tuple[tuple[Any, ...] | None, dict[str, str], tuple[str, int] | None]:
        """(values, errors, (number, year) or None when the number or the date is unusable)."""
        if len(cells) != self.width:
            return None, {'row': f'«Строка»: полей {len(cells)}, а в заголовке {self.width}.'}, None
        form = RawInput({name: cells[index] for name, index in self.columns})
        number = form.text('reg_number', 'Регистрационный номер', required=True, max_length=31)
        reg_date = form.date('reg_date', 'Дата регистрации', required=True)
        key = (number, reg_date.year) if number and reg_date and 'reg_number' not in form.errors.fields else None
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
        received = reg_date if kind != CardKind.outgoing else None
        party = _party(kind, correspondent)
        return (
            (org, department, kind.name, status.name, number, reg_date, received, document_kind
             or DEFAULT_DOCUMENT_KIND[kind], summary, party, correspondent, sender_number, sender_date, signer, pages,
             access.name, author, now),
            {},
            key,
        )  # fmt: skip

    def _check(self, form: RawInput, kind: Any, name: str, reg_date: date | None, sender: date | None) -> None:
        if kind in (CardKind.incoming, CardKind.citizen_appeal) and not name:
            form.errors.add(
                'correspondent_name', '«Корреспондент»: обязательное поле для входящих документов и обращений.'
            )
        if reg_date is not None and reg_date > self.today:
            form.errors.add('reg_date', '«Дата регистрации»: дата не может быть в будущем.')
        if sender is not None and reg_date is not None and sender > reg_date:
            form.errors.add('sender_date', '«Дата документа отправителя»: не может быть позже даты регистрации.')


def _choice(form: RawInput, name: str, label: str, choice: _Choice) -> Any:
    """A value given by its code or its Russian label (any case); None when empty or refused."""
    value = form.text(name, label, required=name == 'kind')
    if not value:
        return None
    member = choice.names.get(value.lower())
    if member is None:
        form.errors.add(name, f'«{label}»: недопустимое значение «{value}» (допустимо: {choice.allowed}).')
    return member


def _party(kind: CardKind, correspondent: str) -> str | None:
    if not correspondent:
        return None
    return (CorrespondentType.person if kind == CardKind.citizen_appeal else CorrespondentType.organization).name


@dataclass
class _Batch:
    """Rows of one batch: values to write, numbers to check, cells of every row, errors of rejected rows."""

    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    keys: list[tuple[int, str, int]] = field(default_factory=list)
    cells: dict[int, list[str]] = field(default_factory=dict)
    errors: dict[int, dict[str, str]] = field(default_factory=dict)
    size: int = 0


def _batches(records: Iterator[tuple[int, list[str]]], reader: _RowReader, size: int) -> Iterator[_Batch]:
    """Validated batches of at most `size` rows; a number repeated inside one batch is refused here."""
    batch: _Batch = _Batch()
    first_line: dict[tuple[str, int], int] = {}
    for line, cells in records:
        values, errors, key = reader.read(cells)
        batch.size += 1
        batch.cells[line] = cells
        if key is not None:
            earlier = first_line.setdefault(key, line)
            if earlier != line:
                errors = {**errors, 'reg_number': _repeated(earlier)}
            else:
                batch.keys.append((line, *key))
        if errors:
            batch.errors[line] = errors
        else:
            batch.rows.append((line, values))
        if batch.size >= size:
            yield batch
            batch, first_line = _Batch(), {}
    if batch.size:
        yield batch


def _repeated(line: int) -> str:
    return f'«Регистрационный номер»: номер за этот год уже встречается в файле (строка {line}).'


def _report(
    batch: _Batch, duplicates: dict[int, str], on_reject: Callable[[RejectedRow], None] | None, header: list[str]
) -> int:
    """Merge the duplicates found by the store into the batch's errors, report the rejected rows, count them."""
    for line, message in duplicates.items():
        batch.errors.setdefault(line, {}).setdefault('reg_number', message)
    if on_reject is not None:
        for line in sorted(batch.errors):
            on_reject(RejectedRow(line, batch.cells[line], batch.errors[line], header))
    return len(batch.errors)


class _Store:
    """Duplicate checks and writes: COPY on the session's psycopg2 connection, or executemany on SQLite."""

    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id
        self.postgresql = is_postgresql()
        self.raw = db.session.connection().connection.dbapi_connection if self.postgresql else None

    def prepare(self) -> None:
        for statement in _TEMP_TABLES:
            self._execute(statement.format(on_commit=' ON COMMIT DROP' if self.postgresql else ''))

    def flush(self, keys: list[tuple[int, str, int]], rows: list[tuple[int, Any]], write: bool) -> tuple[Any, int]:
        """({line: message} for numbers already used, cards written); writes only when `write`."""
        duplicates = self._duplicates(keys) if keys else {}
        values = [row for line, row in rows if line not in duplicates] if write else []
        if values and self.raw is not None:
            with self.raw.cursor() as cursor:
                cursor.copy_expert(_COPY_CARDS, _csv_buffer(values))
        elif values:
            db.session.execute(Card.__table__.insert(), [dict(zip(CARD_COLUMNS, row, strict=True)) for row in values])
        return duplicates, len(values)

    def _duplicates(self, keys: list[tuple[int, str, int]]) -> dict[int, str]:
        batch = [(line, number, year, f'{year:04d}-01-01', f'{year:04d}-12-31') for line, number, year in keys]
        if self.raw is not None:
            with self.raw.cursor() as cursor:
                cursor.execute('TRUNCATE edms_bulk_batch')  # no dead rows piling up in the one long transaction
                cursor.copy_expert('COPY edms_bulk_batch FROM STDIN WITH (FORMAT csv)', _csv_buffer(batch))
        else:
            self._execute('DELETE FROM edms_bulk_batch')
            names = ('line', 'reg_number', 'reg_year', 'year_start', 'year_end')
            statement = 'INSERT INTO edms_bulk_batch VALUES (:line, :reg_number, :reg_year, :year_start, :year_end)'
            db.session.execute(text(statement), [dict(zip(names, row, strict=True)) for row in batch])
        found = self._execute(_FIND_DUPLICATES, fetch=True)
        self._execute(_REMEMBER_NUMBERS)
        return {
            line: _repeated(first) if first else f'«Регистрационный номер»: номер уже есть в организации за {year} год.'
            for line, year, first in found
        }

    def _execute(self, statement: str, *, fetch: bool = False) -> list[Any]:
        if self.raw is None:
            result = db.session.execute(text(statement), {'org': self.organization_id})
            return list(result) if fetch else []
        with self.raw.cursor() as cursor:
            cursor.execute(statement.replace(':org', '%(org)s'), {'org': self.organization_id})
            return cursor.fetchall() if fetch else []


def _csv_buffer(rows: list[tuple[Any, ...]]) -> io.StringIO:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator='\n').writerows(rows)
    buffer.seek(0)
    return buffer


class _Pipeline:
    """Hands batches to the store, on PostgreSQL in a worker thread; at most one batch is in flight."""

    def __init__(self, store: _Store) -> None:
        self._store = store
        self._executor = ThreadPoolExecutor(1, thread_name_prefix='edms-import') if store.postgresql else None
        self._pending: tuple[_Batch, Future[Any], Callable[[_Batch, Any], None]] | None = None

    def __enter__(self) -> _Pipeline:
        self._store.prepare()
        return self

    def submit(self, batch: _Batch, write: bool, done: Callable[[_Batch, Any], None]) -> None:
        """Queue the batch once the previous one is through; `done(batch, (duplicates, written))` runs here."""
        self.drain()
        if self._executor is None:
            future: Future[Any] = Future()
            future.set_result(self._store.flush(batch.keys, batch.rows, write))
        else:
            future = self._executor.submit(self._store.flush, batch.keys, batch.rows, write)
        self._pending = (batch, future, done)

    def drain(self) -> None:
        if self._pending is not None:
            batch, future, done = self._pending
            self._pending = None
            done(batch, future.result())

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            if exc_type is None:
                self.drain()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
