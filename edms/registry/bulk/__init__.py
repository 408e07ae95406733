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

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from edms.audit.operations import record
from edms.core.access import Actor, require_same_organization
from edms.core.errors import DomainError
from edms.registry.bulk.rows import COLUMNS, REQUIRED, HashingReader, RowReader, open_csv
from edms.registry.bulk.store import Batch, Store, batches, write_batches
from edms.registry.permissions import require_registrar

__all__ = ['COLUMNS', 'DEFAULT_BATCH', 'REQUIRED', 'ImportRejected', 'ImportResult', 'RejectedRow', 'import_cards']

DEFAULT_BATCH = 10_000


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
    source = HashingReader(stream)
    header, records = open_csv(io.TextIOWrapper(io.BufferedReader(source, 1 << 20), encoding='utf-8-sig', newline=''))
    reader = RowReader(header, organization_id, actor)
    store = Store(organization_id, reader.now)
    totals = {'rows': 0, 'imported': 0, 'rejected': 0, 'reported': 0}

    def done(batch: Batch, outcome: tuple[dict[int, str], int]) -> None:
        totals['rows'] += batch.size
        totals['imported'] += outcome[1]
        totals['rejected'] += _report(batch, outcome[0], on_reject, header)
        if on_progress is not None:
            on_progress(source.bytes_read - totals['reported'])
            totals['reported'] = source.bytes_read

    write_batches(store, batches(records, reader, batch_size, store.postgresql), done)
    if totals['rejected'] and not skip_invalid:
        raise ImportRejected(totals['rejected'], totals['rows'])
    result = ImportResult(file_name, source.digest.hexdigest(), totals['rows'], totals['imported'], totals['rejected'])
    data = {'file': file_name, 'sha256': result.sha256, 'rows': result.rows, 'imported': result.imported}
    record(actor, 'card.bulk_import', None, {**data, 'rejected': result.rejected}, organization_id=organization_id)
    return result


def _report(
    batch: Batch, duplicates: dict[int, str], on_reject: Callable[[RejectedRow], None] | None, header: list[str]
) -> int:
    """Merge the duplicates found by the store into the batch's errors, report the rejected rows, count them."""
    for line, message in duplicates.items():
        batch.errors.setdefault(line, {}).setdefault('reg_number', message)
    for line in sorted(batch.errors) if on_reject is not None else ():
        on_reject(RejectedRow(line, batch.cells[line], batch.errors[line], header))
    return len(batch.errors)
