"""Writing a bulk import: batches, the duplicate-number check per batch, COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import csv
import io
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text

from edms.core.db import db, is_postgresql
from edms.registry.bulk.rows import CARD_COLUMNS, RowReader
from edms.registry.models import Card

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


@dataclass
class Batch:
    """Rows of one batch: values to write and their COPY text, numbers to check, cells, errors of rejected rows."""

    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    keys: list[tuple[int, str, int]] = field(default_factory=list)
    cells: dict[int, list[str]] = field(default_factory=dict)
    errors: dict[int, dict[str, str]] = field(default_factory=dict)
    size: int = 0
    payload: bytes = b''
    key_payload: bytes = b''


def batches(records: Iterator[tuple[int, list[str]]], reader: RowReader, size: int, encode: bool) -> Iterator[Batch]:
    """Validated batches of at most `size` rows; a number repeated inside one batch is refused here."""
    batch, first_line = Batch(), {}
    for line, cells in records:
        values, errors, key = reader.read(cells)
        batch.size += 1
        batch.cells[line] = cells
        earlier = first_line.get(key) if key is not None else None
        if earlier is not None:
            errors = {**errors, 'reg_number': repeated_number(f'(строка {earlier})')}
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
            batch, first_line = Batch(), {}
    if batch.size:
        yield _encoded(batch, encode)


def _encoded(batch: Batch, encode: bool) -> Batch:
    """The batch with its COPY text, made here so that the writing thread hardly needs the GIL. Rows go in by kind and
    date: neighbouring keys of the (organization, kind, date) and (organization, date) indexes then share pages."""
    batch.rows.sort(key=lambda item: (item[1][2], item[1][5]))
    if encode:
        batch.payload = csv_text([values for _, values in batch.rows]).encode()
        batch.key_payload = csv_text(batch.keys).encode()
    return batch


def csv_text(rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator='\n').writerows(rows)
    return buffer.getvalue()


def repeated_number(where: str) -> str:
    return f'«Регистрационный номер»: номер за этот год уже встречается в файле {where}.'


class Store:
    """Duplicate checks and writes: COPY on the session's psycopg connection, or executemany on SQLite."""

    def __init__(self, organization_id: int, now: datetime) -> None:
        self.postgresql = is_postgresql()
        self.raw = db.session.connection().connection.dbapi_connection if self.postgresql else None
        self.params = {'org': organization_id, 'now': now}
        self.find = _FIND_DUPLICATES.replace('{year}', _YEAR['postgresql' if self.postgresql else 'sqlite'])

    def prepare(self) -> None:
        self._execute(_TEMP_TABLE + (' ON COMMIT DROP' if self.postgresql else ''))

    def flush(self, batch: Batch) -> tuple[dict[int, str], int]:
        """({line: message} for numbers already used, cards written)."""
        duplicates = self._duplicates(batch) if batch.keys else {}
        values = [row for line, row in batch.rows if line not in duplicates]
        if values and self.raw is not None:
            self._copy(_COPY_CARDS, csv_text(values).encode() if duplicates else batch.payload)
        elif values:
            db.session.execute(Card.__table__.insert(), [dict(zip(CARD_COLUMNS, row, strict=True)) for row in values])
        return duplicates, len(values)

    def _duplicates(self, batch: Batch) -> dict[int, str]:
        if self.raw is not None:
            self._execute('TRUNCATE edms_bulk_batch')  # no dead rows piling up in the one long transaction
            self._copy('COPY edms_bulk_batch FROM STDIN WITH (FORMAT csv)', batch.key_payload)
        else:
            self._execute('DELETE FROM edms_bulk_batch')
            rows = [{'line': line, 'number': number, 'year': year} for line, number, year in batch.keys]
            db.session.execute(text('INSERT INTO edms_bulk_batch VALUES (:line, :number, :year)'), rows)
        used = '«Регистрационный номер»: номер уже есть в организации за {} год.'
        return {
            line: repeated_number('выше') if from_file else used.format(year)
            for line, year, from_file in self._execute(self.find, fetch=True)
        }

    def _copy(self, statement: str, payload: bytes) -> None:
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(payload)

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


def write_batches(store: Store, batches: Iterator[Batch], done: Callable[[Batch, Any], None]) -> None:
    """Check and write the batches in order; on PostgreSQL a worker thread writes while two more batches wait ready."""
    store.prepare()
    if not store.postgresql:
        for batch in batches:
            done(batch, store.flush(batch))
        return
    pending: deque[tuple[Batch, Future[Any]]] = deque()
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
