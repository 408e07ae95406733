"""Bulk import of registration cards from CSV: header mapping, row validation, duplicate numbers, fast writes.

Numbers come from the file, not from the journals (a registry migrated from another system). One call is one unit
of work: the caller's `atomic()` commits every card and one audit entry `card.bulk_import`, or nothing (valid rows
are written even after a bad one so that every duplicate is still found; the rollback drops them). PostgreSQL gets
the rows through COPY, the GIN index of the summary being maintained during it; a worker thread checks and writes
batch N on the session's own connection while batches N+1 and N+2 are read, validated and encoded. SQLite gets
executemany inserts and its FTS triggers keep its index. A number already used in the organization for the same
registration year is found per batch by one query joining a temporary table of the batch's numbers to the cards; a
card found that way which this very import wrote means the number repeats in the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import bindparam, text

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
_COPY_CARDS = (
    f'COPY registry_cards ({", ".join(CARD_COLUMNS)}) FROM STDIN '
    'WITH (FORMAT csv, FORCE_NOT_NULL (correspondent_name, signer))'
)
_TEMP_TABLE = 'CREATE TEMP TABLE IF NOT EXISTS edms_bulk_batch (line integer, reg_number varchar(31), reg_year integer)'
#: A correlated subquery on purpose: one index probe per number whatever the stale statistics of a growing table say;
#: the year is an expression so that the probe uses (organization_id, reg_number), not a range of dates.
#: `from_file` is 1 when every card found was written by this import (its `created_at`), 0 when one is older.
_FIND_DUPLICATES = """
SELECT line, reg_year, from_file FROM (
    SELECT b.line, b.reg_year, (
        SELECT min(CASE WHEN c.created_at = :now THEN 1 ELSE 0 END) FROM registry_cards c
        WHERE c.organization_id = :org AND c.reg_number = b.reg_number AND {year} = b.reg_year) AS from_file
    FROM edms_bulk_batch b) AS checked
WHERE from_file IS NOT NULL
"""
_YEAR = {'postgresql': 'EXTRACT(YEAR FROM c.reg_date)', 'sqlite': "CAST(strftime('%Y', c.reg_date) AS integer)"}
_SWITCH_INTERVAL = 0.0005
_QUEUED = 2


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


@dataclass
class RejectedRow:
    """A row of the file that is not imported: its line, its cells as read, a message per field, the file's header."""

    line: int
    cells: list[str]
    fields: dict[str, str]
    header: list[str]


@dataclass
class ImportResult:
    """What an import did."""

    file_name: str
    sha256: str
    rows: int
    imported: int
    rejected: int


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

    Bad rows go to `on_reject` in line order; `on_progress` gets the bytes read since its last call. Without
    `skip_invalid` a bad row makes the call raise `ImportRejected` once the whole file is checked.
    """
    require_registrar(actor)
    require_same_organization(actor, organization_id)
    source = _HashingReader(stream)
    header, records = _open_csv(io.TextIOWrapper(io.BufferedReader(source, 1 << 20), encoding='utf-8-sig', newline=''))
    reader = _RowReader(header, organization_id, actor)
    store = _Store(organization_id, reader.now)
    totals = {'rows': 0, 'imported': 0, 'rejected': 0, 'reported': 0}

    def done(batch: _Batch, outcome: tuple[dict[int, str], int]) -> None:
        totals['rows'] += batch.size
        totals['imported'] += outcome[1]
        totals['rejected'] += _report(batch, outcome[0], on_reject, header)
        if on_progress is not None:
            on_progress(source.bytes_read - totals['reported'])
            totals['reported'] = source.bytes_read

    _write(store, _batches(records, reader, batch_size, store.postgresql), done)
    if totals['rejected'] and not skip_invalid:
        raise ImportRejected(totals['rejected'], totals['rows'])
    result = ImportResult(file_name, source.digest.hexdigest(), totals['rows'], totals['imported'], totals['rejected'])
    data = {'file': file_name, 'sha256': result.sha256, 'rows': result.rows, 'imported': result.imported}
    record(actor, 'card.bulk_import', None, {**data, 'rejected': result.rejected}, organization_id=organization_id)
    return result


class _HashingReader(io.RawIOBase):
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


def _open_csv(stream: io.TextIOWrapper) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
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


class _RowReader:
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


@dataclass
class _Batch:
    """Rows of one batch: values to write and their COPY text, numbers to check, cells, errors of rejected rows."""

    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    keys: list[tuple[int, str, int]] = field(default_factory=list)
    cells: dict[int, list[str]] = field(default_factory=dict)
    errors: dict[int, dict[str, str]] = field(default_factory=dict)
    size: int = 0
    payload: bytes = b''
    key_payload: bytes = b''


def _batches(records: Iterator[tuple[int, list[str]]], reader: _RowReader, size: int, encode: bool) -> Iterator[_Batch]:
    """Validated batches of at most `size` rows; a number repeated inside one batch is refused here."""
    batch, first_line = _Batch(), {}
    for line, cells in records:
        values, errors, key = reader.read(cells)
        batch.size += 1
        batch.cells[line] = cells
        earlier = first_line.get(key) if key is not None else None
        if earlier is not None:
            errors = {**errors, 'reg_number': _repeated(f'(строка {earlier})')}
        elif key is not None:
            batch.keys.append((line, *key))
            if not errors:  # only a row that is imported makes a later one a repetition
                first_line[key] = line
        if errors:
            batch.errors[line] = errors
        else:
            batch.rows.append((line, values))
        if batch.size >= size:
            yield _encoded(batch, encode)
            batch, first_line = _Batch(), {}
    if batch.size:
        yield _encoded(batch, encode)


def _encoded(batch: _Batch, encode: bool) -> _Batch:
    """The batch with its COPY text, made here so that the writing thread hardly needs the GIL. Rows go in by kind and
    date: neighbouring keys of the (organization, kind, date) and (organization, date) indexes then share pages."""
    batch.rows.sort(key=lambda item: (item[1][2], item[1][5]))
    if encode:
        batch.payload = _csv_text([values for _, values in batch.rows]).encode()
        batch.key_payload = _csv_text(batch.keys).encode()
    return batch


def _csv_text(rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator='\n').writerows(rows)
    return buffer.getvalue()


def _repeated(where: str) -> str:
    return f'«Регистрационный номер»: номер за этот год уже встречается в файле {where}.'


def _report(
    batch: _Batch, duplicates: dict[int, str], on_reject: Callable[[RejectedRow], None] | None, header: list[str]
) -> int:
    """Merge the duplicates found by the store into the batch's errors, report the rejected rows, count them."""
    for line, message in duplicates.items():
        batch.errors.setdefault(line, {}).setdefault('reg_number', message)
    for line in sorted(batch.errors) if on_reject is not None else ():
        on_reject(RejectedRow(line, batch.cells[line], batch.errors[line], header))
    return len(batch.errors)


class _Store:
    """Duplicate checks and writes: COPY on the session's psycopg2 connection, or executemany on SQLite."""

    def __init__(self, organization_id: int, now: datetime) -> None:
        self.postgresql = is_postgresql()
        self.raw = db.session.connection().connection.dbapi_connection if self.postgresql else None
        self.params = {'org': organization_id, 'now': now}
        self.find = _FIND_DUPLICATES.replace('{year}', _YEAR['postgresql' if self.postgresql else 'sqlite'])

    def prepare(self) -> None:
        self._execute(_TEMP_TABLE + (' ON COMMIT DROP' if self.postgresql else ''))

    def flush(self, batch: _Batch) -> tuple[dict[int, str], int]:
        """({line: message} for numbers already used, cards written)."""
        duplicates = self._duplicates(batch) if batch.keys else {}
        values = [row for line, row in batch.rows if line not in duplicates]
        if values and self.raw is not None:
            self._copy(_COPY_CARDS, _csv_text(values).encode() if duplicates else batch.payload)
        elif values:
            db.session.execute(Card.__table__.insert(), [dict(zip(CARD_COLUMNS, row, strict=True)) for row in values])
        return duplicates, len(values)

    def _duplicates(self, batch: _Batch) -> dict[int, str]:
        if self.raw is not None:
            self._execute('TRUNCATE edms_bulk_batch')  # no dead rows piling up in the one long transaction
            self._copy('COPY edms_bulk_batch FROM STDIN WITH (FORMAT csv)', batch.key_payload)
        else:
            self._execute('DELETE FROM edms_bulk_batch')
            rows = [{'line': line, 'number': number, 'year': year} for line, number, year in batch.keys]
            db.session.execute(text('INSERT INTO edms_bulk_batch VALUES (:line, :number, :year)'), rows)
        used = '«Регистрационный номер»: номер уже есть в организации за {} год.'
        return {
            line: _repeated('выше') if from_file else used.format(year)
            for line, year, from_file in self._execute(self.find, fetch=True)
        }

    def _copy(self, statement: str, payload: bytes) -> None:
        with self.raw.cursor() as cursor:
            cursor.copy_expert(statement, io.BytesIO(payload), size=max(len(payload), 1))

    def _execute(self, statement: str, *, fetch: bool = False) -> list[Any]:
        if self.raw is None:
            query = text(statement)
            if ':now' in statement:
                query = query.bindparams(bindparam('now', type_=Card.__table__.c.created_at.type))
            result = db.session.execute(query, self.params if ':now' in statement else {})
            return list(result) if fetch else []
        with self.raw.cursor() as cursor:
            cursor.execute(statement.replace(':org', '%(org)s').replace(':now', '%(now)s'), self.params)
            return cursor.fetchall() if fetch else []


def _write(store: _Store, batches: Iterator[_Batch], done: Callable[[_Batch, Any], None]) -> None:
    """Check and write the batches in order; on PostgreSQL a worker thread writes while two more batches wait ready."""
    store.prepare()
    if not store.postgresql:
        for batch in batches:
            done(batch, store.flush(batch))
        return
    pending: deque[tuple[_Batch, Future[Any]]] = deque()
    interval = sys.getswitchinterval()
    # The writer needs the GIL back after each round trip: every millisecond it waits for the parsing thread to
    # yield is a millisecond the database, the bottleneck, sits idle.
    sys.setswitchinterval(_SWITCH_INTERVAL)
    executor = ThreadPoolExecutor(1, thread_name_prefix='edms-import')
    try:
        for batch in batches:
            pending.append((batch, executor.submit(store.flush, batch)))
            while len(pending) > _QUEUED or (pending and pending[0][1].done()):
                finished, future = pending.popleft()
                done(finished, future.result())
        while pending:
            finished, future = pending.popleft()
            done(finished, future.result())
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        sys.setswitchinterval(interval)
