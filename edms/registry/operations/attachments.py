"""Attachments: size and type checked before a file counts as stored, sha256 kept, served only when intact."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from typing import BinaryIO, NamedTuple

from flask import current_app

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.blobs import BlobCorrupted, BlobMissing, BlobTooLarge, StoredBlob, blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.filetypes import ALLOWED_TYPES, describe_allowed, detect_content_type
from edms.registry.errors import CardStateConflict, FileRefused
from edms.registry.models import Attachment, Card, CardStatus
from edms.registry.permissions import require_registrar

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


class StoredFile(NamedTuple):
    """A blob already in the store, to become an attachment under `filename` with `description`; `size` and
    `content_type` when the caller stored the blob in this request and knows them (its type detected from the same
    bytes by `detect_content_type`), so the file is not opened again."""

    sha256: str
    filename: str
    description: str = ''
    size: int | None = None
    content_type: str | None = None


def clean_filename(name: str) -> str:
    """The user's file name without path parts or characters that are unsafe in headers and file systems."""
    name = unicodedata.normalize('NFC', os.path.basename(name.replace('\\', '/')))
    name = _UNSAFE.sub('_', name).strip(' .')
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext)] + ext
    return name or 'file'


def add_attachment(user: User, card: Card, stream: BinaryIO, filename: str, description: str = '') -> Attachment:
    """Store a file for the card: refused before it counts as stored when too large or of a disallowed type."""
    _require_open(user, card, description)
    blob = blob_store().put_stream(stream, current_app.config['MAX_ATTACHMENT_SIZE'])
    return _attach(user, card, blob, filename, description)


def add_stored_attachment(user: User, card: Card, sha256: str, filename: str, description: str = '') -> Attachment:
    """A blob already in the store (an application's file, say) as the card's attachment: nothing is copied, the
    type and size are checked as for an upload; `BlobMissing` when the store has no such blob."""
    return add_stored_attachments(user, card, [StoredFile(sha256, filename, description)])[0]


def add_stored_attachments(user: User, card: Card, files: Sequence[StoredFile]) -> list[Attachment]:
    """`add_stored_attachment` for several blobs at once: every file checked first, then one insert for all."""
    for file in files:
        _require_open(user, card, file.description)
    store, limit = blob_store(), current_app.config['MAX_ATTACHMENT_SIZE']
    attachments = []
    for file in files:
        if not store.exists(file.sha256):
            raise BlobMissing(file.sha256)
        path = store.path_for(file.sha256)
        size = file.size if file.size is not None else os.path.getsize(path)
        if size > limit:
            raise BlobTooLarge(limit)
        attachments.append(_new_attachment(user, card, StoredBlob(file.sha256, size, path), file))
    db.session.add_all(attachments)
    db.session.flush()
    for attachment in attachments:
        record(user, 'attachment.add', card, _describe(attachment))
    return attachments


def _require_open(user: User, card: Card, description: str) -> None:
    require_registrar(user)
    if card.status in (CardStatus.cancelled, CardStatus.filed):
        raise CardStateConflict('К аннулированной карточке или карточке в деле нельзя добавлять файлы.')
    if len(description) > 500:
        raise FileRefused(fields={'description': '«Описание файла»: не более 500 символов.'})


def _attach(user: User, card: Card, blob: StoredBlob, filename: str, description: str) -> Attachment:
    attachment = _new_attachment(user, card, blob, StoredFile(blob.sha256, filename, description))
    db.session.add(attachment)
    db.session.flush()
    record(user, 'attachment.add', card, _describe(attachment))
    return attachment


def _new_attachment(user: User, card: Card, blob: StoredBlob, file: StoredFile) -> Attachment:
    """The attachment row of a stored blob whose type is allowed; `FileRefused` (and a new blob discarded) else."""
    content_type = file.content_type or (detect_content_type(blob.path) if blob.size else None)
    if content_type is None or content_type not in ALLOWED_TYPES:
        if blob.is_new:
            blob_store().discard(blob.sha256)
        if blob.size == 0:
            raise FileRefused(fields={'file': '«Файл»: файл пустой.'})
        raise FileRefused(fields={'file': f'«Файл»: тип файла не разрешён. Допустимые форматы: {describe_allowed()}.'})
    return Attachment(
        card_id=card.id,
        sha256=blob.sha256,
        filename=clean_filename(file.filename),
        content_type=content_type,
        size=blob.size,
        description=file.description.strip(),
        created_by_id=user.id,
    )


def remove_attachment(user: User, card: Card, attachment: Attachment) -> None:
    """Remove a file from the card (kept in the store and in the history)."""
    require_registrar(user)
    if card.status in (CardStatus.cancelled, CardStatus.filed):
        raise CardStateConflict('Из аннулированной карточки или карточки в деле нельзя удалять файлы.')
    attachment.deleted_at = utcnow()
    record(user, 'attachment.remove', card, _describe(attachment))


def open_attachment(user: User, attachment: Attachment) -> BinaryIO:
    """The attachment's bytes, verified against its sha256; a mismatch raises `BlobCorrupted`, never serves."""
    return blob_store().open_verified(attachment.sha256)


def report_corrupted(user: User, card: Card, attachment: Attachment, error: BlobCorrupted) -> None:
    """Journal that a stored file no longer matches its checksum (called in its own transaction)."""
    record(user, 'attachment.corrupted', card, {**_describe(attachment), 'actual_sha256': error.actual})


def _describe(attachment: Attachment) -> dict[str, object]:
    return {
        'attachment_id': attachment.id,
        'filename': attachment.filename,
        'sha256': attachment.sha256,
        'size': attachment.size,
        'content_type': attachment.content_type,
    }
