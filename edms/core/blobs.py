"""Content-addressed blob store on the file system: attachment bytes kept under their SHA-256, verified on every read.

Layout under the root: `tmp/` for uploads in progress and `ab/cd/<sha256>` for stored blobs. Identical content is
stored once. The store knows nothing about who references a blob: deciding that a blob may be discarded is the
caller's business (e.g. when content type detection refuses a fresh upload that no record references).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from edms.core.errors import DomainError

CHUNK_SIZE = 1024 * 1024
_MEGABYTE = 1024 * 1024
_SHA256 = re.compile(r'[0-9a-f]{64}')


class BlobTooLarge(DomainError):
    """The uploaded file is larger than the limit; nothing is kept."""

    code = 'blob_too_large'
    status = 413

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        super().__init__(f'Файл превышает допустимый размер {_megabytes(max_size)} МБ')


class BlobMissing(DomainError):
    """The blob a record points to is not in the store."""

    code = 'blob_missing'
    status = 410
    message = 'Файл вложения не найден в хранилище'

    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        super().__init__()


class BlobCorrupted(DomainError):
    """The stored bytes no longer hash to the blob's name: they must not be handed out."""

    code = 'blob_corrupted'
    status = 409
    message = 'Файл вложения повреждён: контрольная сумма не совпадает, выдача запрещена'

    def __init__(self, sha256: str, actual: str) -> None:
        self.sha256 = sha256
        self.actual = actual
        super().__init__()


@dataclass(frozen=True)
class StoredBlob:
    """A blob in the store; `is_new` is True only when no file of this content existed before this call."""

    sha256: str
    size: int
    path: str
    is_new: bool = False


class BlobStore:
    """Blobs under `root`, named by the SHA-256 of their content."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.fspath(root)

    def path_for(self, sha256: str) -> str:
        """The file path of a blob; ValueError unless `sha256` is 64 lowercase hex characters."""
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise ValueError(f'not a lowercase hex SHA-256 digest: {sha256!r}')
        return os.path.join(self.root, sha256[:2], sha256[2:4], sha256)

    def put_stream(self, stream: BinaryIO, max_size: int) -> StoredBlob:
        """Store the stream's bytes; BlobTooLarge (and nothing kept) if they exceed `max_size` bytes."""
        tmp_dir = os.path.join(self.root, 'tmp')
        os.makedirs(tmp_dir, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(dir=tmp_dir, prefix='upload-')
        try:
            with os.fdopen(fd, 'wb') as tmp:
                sha256, size = _copy_hashing(stream, tmp, max_size)
                tmp.flush()
                os.fsync(tmp.fileno())
            return self._commit(tmp_path, sha256, size)
        except BaseException:
            _unlink_quietly(tmp_path)
            raise

    def put_bytes(self, data: bytes, max_size: int) -> StoredBlob:
        """Store `data`; BlobTooLarge if it exceeds `max_size` bytes."""
        if len(data) > max_size:
            raise BlobTooLarge(max_size)
        return self.put_stream(io.BytesIO(data), max_size)

    def _commit(self, tmp_path: str, sha256: str, size: int) -> StoredBlob:
        """Move a complete upload to its final name, unless an intact copy is already stored (dedup)."""
        path = self.path_for(sha256)
        state = self.verify(sha256)
        if state:
            _unlink_quietly(tmp_path)
            return StoredBlob(sha256, size, path, is_new=False)
        # Missing, or stored but corrupted: the fresh copy (already fsynced) takes its place atomically. A healed
        # copy is not new: records may already point to it, so a caller must not discard it as its own upload.
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.replace(tmp_path, path)
        _fsync_directory(os.path.dirname(path))
        return StoredBlob(sha256, size, path, is_new=state is None)

    def open_verified(self, sha256: str) -> BinaryIO:
        """A binary file object positioned at the start, returned only after its content hashed to `sha256`.

        The hash is computed through the returned handle itself, so a concurrent replacement of the file cannot
        slip unverified bytes in between the check and the read.
        """
        path = self.path_for(sha256)
        try:
            file = open(path, 'rb')  # noqa: SIM115 - handed to the caller, who closes it
        except FileNotFoundError:
            raise BlobMissing(sha256) from None
        try:
            actual = _hash_file(file)
            if actual != sha256:
                raise BlobCorrupted(sha256, actual)
            file.seek(0)
        except BaseException:
            file.close()
            raise
        return file

    def verify(self, sha256: str) -> bool | None:
        """Integrity scan of one blob: True intact, False corrupted, None missing."""
        path = self.path_for(sha256)
        try:
            with open(path, 'rb') as file:
                return _hash_file(file) == sha256
        except FileNotFoundError:
            return None

    def exists(self, sha256: str) -> bool:
        """Whether a file for the blob is present (its integrity is not checked)."""
        return os.path.isfile(self.path_for(sha256))

    def discard(self, sha256: str) -> bool:
        """Remove a blob that nothing references (the caller decides that); True if a file was removed."""
        try:
            os.remove(self.path_for(sha256))
        except FileNotFoundError:
            return False
        return True


def blob_store() -> BlobStore:
    """The blob store of the current Flask application (`BLOB_DIR`)."""
    from flask import current_app

    return BlobStore(current_app.config['BLOB_DIR'])


def _copy_hashing(source: BinaryIO, target: BinaryIO, max_size: int) -> tuple[str, int]:
    """Copy in chunks, hashing on the way; BlobTooLarge as soon as more than `max_size` bytes have been read."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK_SIZE):
        size += len(chunk)
        if size > max_size:
            raise BlobTooLarge(max_size)
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest(), size


def _hash_file(file: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := file.read(CHUNK_SIZE):
        digest.update(chunk)
    return digest.hexdigest()


def _megabytes(size: int) -> str:
    """A byte count in megabytes for a Russian message: '10', '2,5', '0,001' (never a misleading '0')."""
    if size % _MEGABYTE == 0:
        return str(size // _MEGABYTE)
    value = size / _MEGABYTE
    decimals = 2
    while round(value, decimals) == 0 and decimals < 9:
        decimals += 1
    return f'{value:.{decimals}f}'.rstrip('0').rstrip('.').replace('.', ',')


def _fsync_directory(path: str) -> None:
    """Make a rename durable; directories cannot be opened for fsync on Windows, where this is skipped."""
    if os.name != 'posix':
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
