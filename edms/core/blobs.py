"""Content-addressed blob store on the file system: attachment bytes kept under their SHA-256, verified on every read.

Layout under the root: `ab/cd/<sha256>` for stored blobs, and `tmp/` for uploads in progress where the file system
cannot hold an unnamed file. Identical content is stored once. The store knows nothing about who references a blob:
deciding that a blob may be discarded is the caller's business (e.g. when content type detection refuses a fresh
upload that no record references).

Durability: a blob's bytes are fsynced before the file gets its name, and its directory is fsynced after. On Linux
the bytes are written to an unnamed file (`O_TMPFILE`) that is then linked under its name — one directory entry
made instead of a temporary file created in a folder shared by every writer and renamed out of it; elsewhere (or
where the file system refuses `O_TMPFILE`) through a temporary file in `tmp/` renamed into place.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from edms.core.errors import DomainError

CHUNK_SIZE = 1024 * 1024
_MEGABYTE = 1024 * 1024
_SHA256 = re.compile(r'[0-9a-f]{64}')
_HEX = re.compile(r'[0-9a-f]+')


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
        with _Upload(self.root) as upload:
            sha256, size = _copy_hashing(stream, upload.file, max_size)
            upload.sync()
            return self._commit(upload, sha256, size, self._state(sha256, size))

    def put_bytes(self, data: bytes, max_size: int) -> StoredBlob:
        """Store `data`; BlobTooLarge if it exceeds `max_size` bytes. Content already stored intact is not written
        again (its hash is known before anything is written)."""
        return self.put_many([data], max_size)[0]

    def _state(self, sha256: str, size: int) -> bool | None:
        """Is the blob stored intact (True), stored corrupted (False) or missing (None)? A file of another size is
        corrupted without hashing it; one of the right size is hashed whole.

        An intact copy about to be used again is touched first (its modification time is now), then found still under
        its name: `remove_idle` removes only blobs untouched for its whole grace period, and one it has just taken
        away counts as missing here, so the caller stores the content anew instead of pointing at a removed file."""
        path = self.path_for(sha256)
        try:
            with open(path, 'rb') as file:
                if os.fstat(file.fileno()).st_size != size or _hash_file(file) != sha256:
                    return False
                os.utime(file.fileno())
                return os.stat(path).st_ino == os.fstat(file.fileno()).st_ino or None
        except FileNotFoundError:
            return None

    def put_many(self, items: Sequence[bytes], max_size: int) -> list[StoredBlob]:
        """Store several contents at once, one StoredBlob per item in order; BlobTooLarge (and nothing written) if
        one exceeds `max_size` bytes. The same guarantees as `put_bytes`, in fewer waits for the disk: the new files
        are all written before the first is synced, all synced before the first gets its name, and their directories
        synced once every name is made. A content given twice is new (at most) the first time."""
        if any(len(data) > max_size for data in items):
            raise BlobTooLarge(max_size)
        stored: dict[str, StoredBlob] = {}
        pending: dict[str, tuple[_Upload, int, bool | None]] = {}
        order: list[tuple[str, int]] = []
        with contextlib.ExitStack() as uploads:
            for data in items:
                sha256 = hashlib.sha256(data).hexdigest()
                order.append((sha256, len(data)))
                if sha256 in stored or sha256 in pending:
                    continue
                state = self._state(sha256, len(data))
                if state:
                    stored[sha256] = StoredBlob(sha256, len(data), self.path_for(sha256), is_new=False)
                    continue
                upload = uploads.enter_context(_Upload(self.root))
                upload.file.write(data)
                upload.file.flush()
                pending[sha256] = (upload, len(data), state)
            for upload, _, _ in pending.values():
                upload.sync()
            for sha256, (upload, size, state) in pending.items():
                stored[sha256] = self._name(upload, sha256, size, state)
            for directory in dict.fromkeys(os.path.dirname(stored[sha256].path) for sha256 in pending):
                _fsync_directory(directory)
        blobs = []
        for sha256, size in order:
            blob = stored[sha256]
            blobs.append(blob)
            stored[sha256] = StoredBlob(sha256, size, blob.path, is_new=False)  # new at most the first time
        return blobs

    def _commit(self, upload: _Upload, sha256: str, size: int, state: bool | None) -> StoredBlob:
        """Give a complete, fsynced upload its name (see `_name`), then make the name durable."""
        blob = self._name(upload, sha256, size, state)
        if not state:
            _fsync_directory(os.path.dirname(blob.path))
        return blob

    def _name(self, upload: _Upload, sha256: str, size: int, state: bool | None) -> StoredBlob:
        """Give a complete, fsynced upload its name, unless an intact copy is already stored (dedup); `state` is what
        `_state` found before. A corrupted copy is replaced atomically; a copy another writer stored meanwhile is
        checked like one found before. The caller syncs the directory."""
        path = self.path_for(sha256)
        if state:
            return StoredBlob(sha256, size, path, is_new=False)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if state is None:
            if upload.place(path):
                return StoredBlob(sha256, size, path, is_new=True)
            if self._state(sha256, size):
                return StoredBlob(sha256, size, path, is_new=False)
        # Stored but corrupted: the fresh copy takes its place atomically. A healed copy is not new: records may
        # already point to it, so a caller must not discard it as its own upload.
        upload.replace(path)
        return StoredBlob(sha256, size, path, is_new=False)

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

    def blobs(self) -> Iterator[tuple[str, float]]:
        """Every stored blob as (sha256, modification time); uploads in progress and foreign files are skipped."""
        for first in _subdirectories(self.root, 2):
            for second in _subdirectories(first.path, 2):
                with os.scandir(second.path) as entries:
                    for entry in entries:
                        if _SHA256.fullmatch(entry.name) and entry.name.startswith(first.name + second.name):
                            with contextlib.suppress(FileNotFoundError):
                                yield entry.name, entry.stat(follow_symlinks=False).st_mtime

    def remove_idle(self, sha256: str, idle_before: float) -> bool:
        """Remove the blob if it has not been stored or used since `idle_before` (a timestamp); True if removed.

        For unreferenced blobs only: the caller has checked that no record points to it. A writer may meanwhile be
        about to use the same content again (`_state` touches it first): the file is taken out of its name
        atomically, its time looked at again, and put back when a writer touched it in between."""
        path = self.path_for(sha256)
        try:
            if os.stat(path).st_mtime >= idle_before:
                return False
            os.makedirs(os.path.join(self.root, 'tmp'), exist_ok=True)
            taken = os.path.join(self.root, 'tmp', f'sweep-{sha256}-{os.urandom(4).hex()}')
            os.rename(path, taken)
        except FileNotFoundError:
            return False
        try:
            if os.stat(taken).st_mtime >= idle_before:
                with contextlib.suppress(FileExistsError):  # stored anew meanwhile: the same bytes
                    os.link(taken, path)
                return False
        finally:
            os.remove(taken)
        _fsync_directory(os.path.dirname(path))
        return True

    def discard(self, sha256: str) -> bool:
        """Remove a blob that nothing references (the caller decides that); True if a file was removed."""
        try:
            os.remove(self.path_for(sha256))
        except FileNotFoundError:
            return False
        return True


class _Upload:
    """The bytes of a blob on their way into the store, in a file without a name (`O_TMPFILE`) or, where that is not
    available, a temporary file in `tmp/`; the file is closed (and a temporary one removed) on leaving the block."""

    def __init__(self, root: str) -> None:
        os.makedirs(root, exist_ok=True)
        self.root = root
        self.tmp_path: str | None = None
        fd = _open_unnamed(root)
        if fd is None:
            tmp_dir = os.path.join(root, 'tmp')
            os.makedirs(tmp_dir, exist_ok=True)
            fd, self.tmp_path = tempfile.mkstemp(dir=tmp_dir, prefix='upload-')
        self.file = os.fdopen(fd, 'wb')

    def __enter__(self) -> _Upload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()
        if self.tmp_path is not None:
            _unlink_quietly(self.tmp_path)

    def sync(self) -> None:
        """The bytes on disk: done before the file gets its name."""
        self.file.flush()
        os.fsync(self.file.fileno())

    def place(self, path: str) -> bool:
        """Give the file the name `path` unless a file has it already (then False and nothing changed)."""
        try:
            if self.tmp_path is not None:
                os.link(self.tmp_path, path)
            else:
                _link_unnamed(self.file.fileno(), path)
        except FileExistsError:
            return False
        return True

    def replace(self, path: str) -> None:
        """Put the file in place of the one named `path`, atomically (an unnamed file is linked under a temporary
        name in `tmp/` first: healing a corrupted blob is rare)."""
        if self.tmp_path is not None:
            os.replace(self.tmp_path, path)
            self.tmp_path = None
            return
        tmp_dir = os.path.join(self.root, 'tmp')
        os.makedirs(tmp_dir, exist_ok=True)
        temporary = os.path.join(tmp_dir, f'heal-{os.urandom(8).hex()}')
        _link_unnamed(self.file.fileno(), temporary)
        try:
            os.replace(temporary, path)
        except BaseException:
            _unlink_quietly(temporary)
            raise


def _subdirectories(path: str, length: int) -> list[os.DirEntry[str]]:
    """The fan-out directories under `path` (`ab/`, then `cd/`): `length` lowercase hex characters each."""
    try:
        with os.scandir(path) as entries:
            return [
                entry
                for entry in entries
                if len(entry.name) == length and _HEX.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
            ]
    except FileNotFoundError:
        return []


def _link_unnamed(fd: int, path: str) -> None:
    """Link the unnamed file open as `fd` under `path` (linkat through /proc following the link: os.link calls
    plain link(2), which does not follow it, unless a directory descriptor is given — hence the one of the target's
    directory)."""
    directory = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(f'/proc/self/fd/{fd}', os.path.basename(path), dst_dir_fd=directory, follow_symlinks=True)
    finally:
        os.close(directory)


#: errno values of an `O_TMPFILE` open that mean "not here": the kernel or the file system lacks it (old kernels,
#: which do not know the flag, fail with EISDIR since it contains O_DIRECTORY).
_NO_UNNAMED = frozenset(
    code for name in ('EOPNOTSUPP', 'ENOTSUP', 'EISDIR', 'EINVAL', 'ENOSYS') if (code := getattr(errno, name, None))
)


def _open_unnamed(directory: str) -> int | None:
    """A descriptor of a new unnamed file on `directory`'s file system, or None where that cannot be had (not Linux,
    no /proc to link it by, a file system without `O_TMPFILE`)."""
    flag = getattr(os, 'O_TMPFILE', None)
    if flag is None or not _proc_fd_available():
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | getattr(os, 'O_CLOEXEC', 0), 0o600)
    except OSError as error:
        if error.errno in _NO_UNNAMED:
            return None
        raise


@functools.cache
def _proc_fd_available() -> bool:
    return os.path.isdir('/proc/self/fd')


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
