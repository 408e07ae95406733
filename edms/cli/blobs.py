"""`flask --app wsgi edms blobs …`: the blob store checked against every record that points into it, and the files
no record points to found and removed.

    edms blobs verify                          re-hash every file a record needs; list the missing and damaged ones
    edms blobs sweep [--idle-days 7] [--delete]
                                               list the files no record points to that nobody has stored or used for
                                               the grace period; with --delete remove them (journaled)

`edms verify-blobs` is the older name of `blobs verify`. Unreferenced files come from work that was refused or rolled
back after its files were stored (a refused signing's draft, a failed filing's upload); they are never served.

Which columns point into the store is said here for the whole application: `NEEDED` (the record's file must be
there), `KEPT` (hashes that may name a stored file: the sweep keeps those files too, the check does not ask for
them). A column pointing into the store is named `…sha256`; a test checks that every such column of the schema is in
one of the two, so that a new kind of stored file cannot be swept away unnoticed.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from edms.audit.operations import record
from edms.citizen_services.models import ApplicationFile
from edms.citizen_services.models.complaints import ComplaintFile
from edms.citizen_services.models.legal_cabinets import StaffChangeSignature
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.models import InboxPacket, OutboxPacket
from edms.registry.models import Attachment
from edms.resolutions.models import ReportFile
from edms.signatures.models import AttachmentSignature, CertificateRevocationList, UserCertificate, VerificationRecord

blobs_cli = AppGroup('blobs', help='Хранилище файлов: проверка целостности и удаление файлов без ссылок.')

#: Columns whose value names a file that must be in the store.
NEEDED: tuple[InstrumentedAttribute[str] | InstrumentedAttribute[str | None], ...] = (
    Attachment.sha256,
    ApplicationFile.sha256,
    ComplaintFile.sha256,
    ReportFile.sha256,
    AttachmentSignature.signature_sha256,
    StaffChangeSignature.signature_sha256,
    UserCertificate.container_sha256,
    InboxPacket.sha256,
    OutboxPacket.sha256,
)
#: Hashes of content that may also be stored: the signed file of a signature (an attachment's), the file and signature
#: a verification was made of (uploaded ones are not kept), a CRL (kept in its row).
KEPT: tuple[InstrumentedAttribute[str], ...] = (
    AttachmentSignature.file_sha256,
    VerificationRecord.file_sha256,
    VerificationRecord.signature_sha256,
    CertificateRevocationList.sha256,
)
DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Idle:
    """A stored file no record points to, untouched since `mtime`."""

    sha256: str
    mtime: float


def register(group: AppGroup) -> None:
    group.add_command(blobs_cli)


def hashes(columns: tuple[InstrumentedAttribute[str] | InstrumentedAttribute[str | None], ...]) -> Iterator[str]:
    """The distinct values of the columns (a file shared by several records comes once per column)."""
    for column in columns:
        yield from (value for value in db.session.execute(select(column).distinct()).scalars() if value)


def verify() -> int:
    """Re-hash every file a record needs, print the missing and damaged ones; how many there are."""
    store, bad = blob_store(), 0
    for sha256 in dict.fromkeys(hashes(NEEDED)):
        state = store.verify(sha256)
        if state is not True:
            bad += 1
            click.echo(f'{sha256}: {"отсутствует" if state is None else "повреждён"}')
    return bad


def idle_unreferenced(idle_before: float) -> list[Idle]:
    """The stored files untouched since `idle_before` that no record points to. The files are listed before the
    records are read: a record committed meanwhile is either read, or points to a file its writer has just stored or
    touched (`BlobStore._state`), hence not idle."""
    old = [Idle(sha256, mtime) for sha256, mtime in blob_store().blobs() if mtime < idle_before]
    referenced = set(hashes(NEEDED + KEPT))
    return [blob for blob in old if blob.sha256 not in referenced]


@blobs_cli.command('verify')
def verify_command() -> None:
    """Re-hash every stored file a record needs (attachments, application and complaint files, reports, signatures,
    key containers, exchange packets) and list those missing or damaged."""
    bad = verify()
    click.echo(f'Проверка хранилища завершена, проблемных файлов: {bad}.')
    sys.exit(1 if bad else 0)


@blobs_cli.command('sweep')
@click.option('--idle-days', type=click.IntRange(min=1), default=7, show_default=True, help='Срок, дней.')
@click.option('--delete', is_flag=True, help='Удалить найденные файлы (без флага — только список).')
def sweep_command(idle_days: int, delete: bool) -> None:
    """List the stored files no record points to that nobody has stored or used for `--idle-days` days; with
    `--delete`, remove them (a file used again meanwhile stays) and journal how many and how much."""
    idle_before = time.time() - idle_days * DAY
    found = idle_unreferenced(idle_before)
    store, removed, size = blob_store(), 0, 0
    for blob in found:
        stamp = time.strftime('%d.%m.%Y %H:%M', time.localtime(blob.mtime))
        if not delete:
            click.echo(f'{blob.sha256}  {stamp}')
            continue
        bytes_ = _size(store.path_for(blob.sha256))
        if store.remove_idle(blob.sha256, idle_before):
            removed, size = removed + 1, size + bytes_
            click.echo(f'{blob.sha256}  {stamp}  удалён')
    if not delete:
        click.echo(f'Файлов без ссылок, не использовавшихся {idle_days} дн.: {len(found)}. Удалить: --delete.')
        return
    with atomic():
        facts = {'idle_days': idle_days, 'found': len(found), 'removed': removed, 'bytes': size}
        record(None, 'blobs.sweep', None, facts)
    click.echo(f'Удалено файлов без ссылок: {removed} ({size} байт).')


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0
