"""`flask edms blobs verify` and `blobs sweep`: the store checked against every record that points into it, and the
files no record points to listed, then removed only with `--delete`, only after the grace period, never one a writer
uses again meanwhile; every `…sha256` column of the schema is known to the sweep as a file it needs or keeps."""

from __future__ import annotations

import io
import os
import time

import pytest
from flask import Flask
from sqlalchemy import String, select

from edms.audit.models import AuditEntry
from edms.cli.blobs import KEPT, NEEDED
from edms.core.blobs import BlobStore, blob_store
from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.models import InboxPacket
from edms.exchange.operations.intake import receive_packet
from edms.registry.models import Attachment
from edms.registry.operations import add_attachment
from tests.factories import make_card, make_organization, make_user

#: Hash-named columns that do not point into the store, and why.
NOT_FILES = {
    'audit_entries.hash': 'the chain hash of an audit entry',
    'audit_entries.prev_hash': 'the chain hash of the entry before',
    'audit_head.last_hash': 'the chain head',
}
WEEK = 7 * 24 * 60 * 60


def invoke(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=['edms', 'blobs', *args])


def attachment(content: bytes) -> Attachment:
    with atomic():
        clerk = make_user(make_organization('Министерство'), 'clerk')
        return add_attachment(clerk, make_card(clerk), io.BytesIO(content), 'письмо.txt', 'Письмо')


def orphan(content: bytes, age: float = 2 * WEEK) -> str:
    """A stored file no record points to, last touched `age` seconds ago."""
    blob = blob_store().put_bytes(content, 1024 * 1024)
    then = time.time() - age
    os.utime(blob.path, (then, then))
    return blob.sha256


def make_old(sha256: str) -> None:
    then = time.time() - 2 * WEEK
    os.utime(blob_store().path_for(sha256), (then, then))


def test_every_hash_named_column_is_a_needed_or_kept_file_or_known_not_to_be_one(app_ctx: Flask) -> None:
    listed = {f'{column.class_.__table__.name}.{column.key}' for column in NEEDED + KEPT}
    hashed = {
        f'{table.name}.{column.name}'
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String) and column.name.endswith(('sha256', '_hash')) and column.type.length == 64
    }
    unknown = hashed - listed - set(NOT_FILES) - {'auth_api_tokens.token_hash', 'auth_sessions.token_hash'}
    assert unknown == set(), 'a new hash column: is it a stored file? add it to NEEDED or KEPT in edms/cli/blobs.py'
    assert 'registry_attachments.sha256' in listed
    assert 'exchange_outbox.sha256' in listed


def test_verify_lists_missing_and_damaged_files_of_every_kind_of_record(app_ctx: Flask) -> None:
    letter = attachment(b'letter ' + os.urandom(16).hex().encode())
    with atomic():
        packet = receive_packet(b'not a packet ' + os.urandom(16), transport='http')
    assert db.session.get(InboxPacket, packet.id) is not None
    result = invoke(app_ctx, 'verify')
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        0,
        'Проверка хранилища завершена, проблемных файлов: 0.',
    )

    store = blob_store()
    with open(store.path_for(letter.sha256), 'ab') as file:
        file.write(b'tampered')
    os.remove(store.path_for(packet.sha256))
    result = invoke(app_ctx, 'verify')
    assert result.exit_code == 1
    assert f'{letter.sha256}: повреждён' in result.output
    assert f'{packet.sha256}: отсутствует' in result.output
    assert 'проблемных файлов: 2.' in result.output
    old = app_ctx.test_cli_runner().invoke(args=['edms', 'verify-blobs'])  # the older name
    assert (old.exit_code, old.output) == (1, result.output)


def test_sweep_lists_only_old_unreferenced_files_and_deletes_only_when_asked(app_ctx: Flask) -> None:
    kept = attachment(b'kept ' + os.urandom(16).hex().encode())
    make_old(kept.sha256)
    old, recent = orphan(b'old orphan ' + os.urandom(16)), orphan(b'recent orphan ' + os.urandom(16), age=60)
    store = blob_store()

    listed = invoke(app_ctx, 'sweep')
    assert listed.exit_code == 0
    assert old in listed.output
    assert recent not in listed.output
    assert kept.sha256 not in listed.output
    assert store.exists(old)  # a list only

    removed = invoke(app_ctx, 'sweep', '--delete')
    assert removed.exit_code == 0, removed.output
    assert f'{old}' in removed.output
    assert not store.exists(old)
    assert store.exists(recent)
    assert store.verify(kept.sha256) is True
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == 'blobs.sweep')).scalar_one()
    assert entry.data['removed'] >= 1
    assert entry.data['idle_days'] == 7
    assert invoke(app_ctx, 'sweep', '--idle-days', '0').exit_code == 2  # at least a day


def test_storing_the_same_content_again_touches_the_file_so_the_sweep_keeps_it(tmp_path) -> None:
    store = BlobStore(tmp_path)
    content = b'reused ' + os.urandom(16)
    blob = store.put_bytes(content, 1024)
    then = time.time() - 2 * WEEK
    os.utime(blob.path, (then, then))
    again = store.put_stream(io.BytesIO(content), 1024)
    assert again.is_new is False
    assert os.stat(blob.path).st_mtime > time.time() - 60
    assert store.remove_idle(blob.sha256, time.time() - WEEK) is False
    assert store.verify(blob.sha256) is True


def test_a_file_touched_after_the_sweep_took_it_is_put_back(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race the removal guards against: a writer finds the content (and touches it) between the sweep's first
    look and the moment the file leaves its name; the sweep sees the new time and puts the file back."""
    store = BlobStore(tmp_path)
    blob = store.put_bytes(b'raced ' + os.urandom(16), 1024)
    then = time.time() - 2 * WEEK
    os.utime(blob.path, (then, then))
    real_rename = os.rename

    def rename_then_touch(source: str, target: str) -> None:
        real_rename(source, target)
        os.utime(target)  # the writer's touch through its open descriptor lands on the moved file

    monkeypatch.setattr(os, 'rename', rename_then_touch)
    assert store.remove_idle(blob.sha256, time.time() - WEEK) is False
    assert store.verify(blob.sha256) is True
    assert [name for name in os.listdir(tmp_path / 'tmp') if name.startswith('sweep-')] == []


def test_a_writer_that_finds_the_file_gone_after_touching_it_stores_the_content_anew(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other order: the sweep removes the file while a writer is hashing it; the writer, finding no file under
    the name once it has touched its copy, stores the content again rather than pointing at a removed file."""
    store = BlobStore(tmp_path)
    content = b'gone ' + os.urandom(16)
    blob = store.put_bytes(content, 1024)
    real_utime = os.utime

    def utime_after_removal(target: object, *args: object) -> None:
        real_utime(target, *args)  # type: ignore[arg-type]
        if os.path.exists(blob.path):
            os.remove(blob.path)  # the sweep, just after the writer's touch

    monkeypatch.setattr(os, 'utime', utime_after_removal)
    again = store.put_bytes(content, 1024)
    monkeypatch.undo()
    assert again.is_new is True
    assert store.verify(blob.sha256) is True
