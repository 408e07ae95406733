"""The content-addressed blob store: size limit, dedup, verified reads, integrity scan, path safety."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
from pathlib import Path

import pytest
from flask import Flask

from edms.core import blobs
from edms.core.blobs import (
    BlobCorrupted,
    BlobMissing,
    BlobStore,
    BlobTooLarge,
    StoredBlob,
    blob_store,
)
from edms.core.errors import DomainError

DATA = 'Входящее письмо № 1'.encode() * 1000
DATA_SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(str(tmp_path / 'blobs'))


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob('*') if p.is_file())


def test_put_stream_stores_under_sha256_path(store: BlobStore, tmp_path: Path) -> None:
    blob = store.put_stream(io.BytesIO(DATA), max_size=len(DATA))
    expected_path = tmp_path / 'blobs' / DATA_SHA[:2] / DATA_SHA[2:4] / DATA_SHA
    assert blob == StoredBlob(DATA_SHA, len(DATA), str(expected_path), is_new=True)
    assert expected_path.read_bytes() == DATA
    assert files_under(tmp_path / 'blobs') == [expected_path]  # no temp file left behind


def test_put_stream_reads_in_chunks_from_a_file(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / 'big.bin'
    data = os.urandom(3 * 1024 * 1024 + 17)
    source.write_bytes(data)
    with source.open('rb') as stream:
        blob = store.put_stream(stream, max_size=len(data))
    assert (blob.sha256, blob.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert Path(blob.path).read_bytes() == data


def test_stream_over_the_size_limit_is_refused_and_nothing_kept(store: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(BlobTooLarge) as caught:
        store.put_stream(io.BytesIO(DATA), max_size=len(DATA) - 1)
    assert caught.value.max_size == len(DATA) - 1
    assert files_under(tmp_path / 'blobs') == []


def test_blob_too_large_names_the_limit_in_megabytes(store: BlobStore) -> None:
    with pytest.raises(BlobTooLarge) as caught:
        store.put_bytes(b'x' * (10 * 1024 * 1024 + 1), max_size=10 * 1024 * 1024)
    error = caught.value
    assert isinstance(error, DomainError)
    assert (error.code, error.status) == ('blob_too_large', 413)
    assert error.message == 'Файл превышает допустимый размер 10 МБ'
    assert BlobTooLarge(int(2.5 * 1024 * 1024)).message == 'Файл превышает допустимый размер 2,5 МБ'


def test_identical_content_is_stored_once(store: BlobStore, tmp_path: Path) -> None:
    first = store.put_bytes(DATA, max_size=len(DATA))
    second = store.put_stream(io.BytesIO(DATA), max_size=len(DATA))
    assert (first.is_new, second.is_new) == (True, False)
    assert (second.sha256, second.path) == (first.sha256, first.path)
    assert files_under(tmp_path / 'blobs') == [Path(first.path)]


def test_upload_of_same_content_heals_a_corrupted_copy(store: BlobStore) -> None:
    blob = store.put_bytes(DATA, max_size=len(DATA))
    Path(blob.path).write_bytes(b'damaged')
    again = store.put_bytes(DATA, max_size=len(DATA))
    assert not again.is_new  # records may already point to it: not the caller's own upload to discard
    assert store.verify(blob.sha256) is True


def test_open_verified_returns_the_content_from_the_start(store: BlobStore) -> None:
    blob = store.put_bytes(DATA, max_size=len(DATA))
    with store.open_verified(blob.sha256) as file:
        assert file.read() == DATA


def test_open_verified_refuses_corrupted_blob(store: BlobStore) -> None:
    blob = store.put_bytes(DATA, max_size=len(DATA))
    Path(blob.path).write_bytes(b'other bytes')
    with pytest.raises(BlobCorrupted) as caught:
        store.open_verified(blob.sha256)
    error = caught.value
    assert (error.sha256, error.actual) == (blob.sha256, hashlib.sha256(b'other bytes').hexdigest())
    assert (error.code, error.status) == ('blob_corrupted', 409)
    assert error.message == 'Файл вложения повреждён: контрольная сумма не совпадает, выдача запрещена'


def test_open_verified_of_missing_blob_raises_blob_missing(store: BlobStore) -> None:
    with pytest.raises(BlobMissing) as caught:
        store.open_verified(DATA_SHA)
    error = caught.value
    assert error.sha256 == DATA_SHA
    assert (error.code, error.status) == ('blob_missing', 410)
    assert error.message == 'Файл вложения не найден в хранилище'


def test_verify_reports_intact_corrupted_and_missing(store: BlobStore) -> None:
    blob = store.put_bytes(DATA, max_size=len(DATA))
    assert store.verify(blob.sha256) is True
    Path(blob.path).write_bytes(DATA[:-1] + b'!')
    assert store.verify(blob.sha256) is False
    assert store.verify(hashlib.sha256(b'never stored').hexdigest()) is None


def test_discard_removes_the_blob(store: BlobStore) -> None:
    blob = store.put_bytes(DATA, max_size=len(DATA))
    assert store.discard(blob.sha256) is True
    assert not Path(blob.path).exists()
    assert store.verify(blob.sha256) is None
    assert store.discard(blob.sha256) is False


def test_empty_content_is_a_blob_too(store: BlobStore) -> None:
    blob = store.put_bytes(b'', max_size=0)
    assert (blob.sha256, blob.size) == (hashlib.sha256(b'').hexdigest(), 0)


@pytest.mark.parametrize(
    'bad',
    [
        '',
        '../' * 21 + 'x',
        DATA_SHA.upper(),
        DATA_SHA[:-1],
        DATA_SHA + '0',
        DATA_SHA + '\n',
        'g' * 64,
        '../../etc/passwd',
    ],
)
def test_path_for_refuses_anything_but_64_lowercase_hex(store: BlobStore, bad: str) -> None:
    with pytest.raises(ValueError, match='SHA-256'):
        store.path_for(bad)
    with pytest.raises(ValueError, match='SHA-256'):
        store.open_verified(bad)
    with pytest.raises(ValueError, match='SHA-256'):
        store.discard(bad)


def test_blob_store_uses_the_app_blob_dir(tmp_path: Path) -> None:
    app = Flask(__name__)
    app.config['BLOB_DIR'] = str(tmp_path / 'app-blobs')
    with app.app_context():
        store = blob_store()
    assert store.root == str(tmp_path / 'app-blobs')


# --- how a blob is written: an unnamed file linked into place (Linux), else a temporary file renamed -----------------


def unnamed_files_work(directory: Path) -> bool:
    directory.mkdir(parents=True, exist_ok=True)
    fd = blobs._open_unnamed(str(directory))
    if fd is None:
        return False
    os.close(fd)
    return True


@pytest.fixture(params=['unnamed', 'fallback'])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Both ways of writing a blob: `O_TMPFILE` (skipped where the system has none) and the temporary file in tmp/
    (as on a system without the flag)."""
    if request.param == 'unnamed' and not unnamed_files_work(tmp_path / 'probe'):
        pytest.skip('no O_TMPFILE here')
    if request.param == 'fallback':
        monkeypatch.delattr(os, 'O_TMPFILE', raising=False)
    return str(request.param)


def blob_files(root: Path) -> list[Path]:
    """The files of the store outside tmp/ (and tmp/ must hold none)."""
    assert not (root / 'tmp').exists() or list((root / 'tmp').iterdir()) == []
    return files_under(root)


@pytest.fixture
def syscalls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The order of the store's fsyncs (of a file or of a directory) and of the links and renames that name a file."""
    calls: list[str] = []
    real_fsync, real_link, real_replace = os.fsync, os.link, os.replace

    def fsync(fd: int) -> None:
        calls.append('fsync directory' if stat.S_ISDIR(os.fstat(fd).st_mode) else 'fsync file')
        real_fsync(fd)

    def link(*args: object, **kwargs: object) -> None:
        calls.append('name')
        real_link(*args, **kwargs)  # type: ignore[arg-type]

    def replace(*args: object, **kwargs: object) -> None:
        calls.append('name')
        real_replace(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, 'fsync', fsync)
    monkeypatch.setattr(os, 'link', link)
    monkeypatch.setattr(os, 'replace', replace)
    return calls


@pytest.mark.parametrize('put', ['bytes', 'stream'])
def test_a_new_blob_is_synced_before_it_is_named_and_its_directory_after(
    mode: str, put: str, store: BlobStore, tmp_path: Path, syscalls: list[str]
) -> None:
    if put == 'bytes':
        blob = store.put_bytes(DATA, max_size=len(DATA))
    else:
        blob = store.put_stream(io.BytesIO(DATA), max_size=len(DATA))
    assert blob.is_new
    assert Path(blob.path).read_bytes() == DATA
    assert syscalls == ['fsync file', 'name', 'fsync directory']
    assert blob_files(tmp_path / 'blobs') == [Path(blob.path)]
    assert (tmp_path / 'blobs' / 'tmp').exists() == (mode == 'fallback')  # the unnamed file needs no tmp/


def test_an_unnamed_file_refused_by_the_file_system_falls_back_to_a_temporary_file(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syscalls: list[str]
) -> None:
    if not hasattr(os, 'O_TMPFILE'):
        pytest.skip('no O_TMPFILE here')
    real_open = os.open
    refused = []

    def open_(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            refused.append(path)
            raise OSError(errno.EOPNOTSUPP, 'Operation not supported')
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, 'open', open_)
    blob = store.put_bytes(DATA, max_size=len(DATA))
    assert refused
    assert blob.is_new
    assert store.verify(blob.sha256) is True
    assert syscalls == ['fsync file', 'name', 'fsync directory']
    assert blob_files(tmp_path / 'blobs') == [Path(blob.path)]
    assert (tmp_path / 'blobs' / 'tmp').is_dir()


def test_another_error_of_the_unnamed_file_is_raised(store: BlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(os, 'O_TMPFILE'):
        pytest.skip('no O_TMPFILE here')
    real_open = os.open

    def open_(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            raise OSError(errno.ENOSPC, 'No space left on device')
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, 'open', open_)
    with pytest.raises(OSError, match='No space'):
        store.put_bytes(DATA, max_size=len(DATA))


def test_content_stored_intact_is_not_written_again(mode: str, store: BlobStore, syscalls: list[str]) -> None:
    first = store.put_bytes(DATA, max_size=len(DATA))
    syscalls.clear()
    again = store.put_bytes(DATA, max_size=len(DATA))
    assert (again.is_new, again.path) == (False, first.path)
    assert syscalls == []  # nothing written, synced or named
    streamed = store.put_stream(io.BytesIO(DATA), max_size=len(DATA))
    assert streamed.is_new is False
    assert 'name' not in syscalls  # the streamed copy (hashed while written) is dropped


@pytest.mark.parametrize('damage', ['same size', 'other size'])
@pytest.mark.parametrize('put', ['bytes', 'stream'])
def test_a_corrupted_copy_is_healed_in_place(
    mode: str, put: str, damage: str, store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = store.put_bytes(DATA, max_size=len(DATA))
    Path(blob.path).write_bytes(b'!' * len(DATA) if damage == 'same size' else b'damaged')
    hashed = []
    real_hash = blobs._hash_file
    monkeypatch.setattr(blobs, '_hash_file', lambda file: hashed.append(file.name) or real_hash(file))
    if put == 'bytes':
        again = store.put_bytes(DATA, max_size=len(DATA))
    else:
        again = store.put_stream(io.BytesIO(DATA), max_size=len(DATA))
    assert again.is_new is False
    assert Path(blob.path).read_bytes() == DATA
    assert blob_files(tmp_path / 'blobs') == [Path(blob.path)]
    assert hashed == ([blob.path] if damage == 'same size' else [])  # another size is corrupted without hashing


@pytest.mark.parametrize('theirs', ['intact', 'corrupted'])
def test_a_copy_stored_by_another_writer_meanwhile_is_kept_when_intact(
    mode: str, theirs: str, store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = BlobStore(store.root)
    real_place = blobs._Upload.place

    def place(upload: blobs._Upload, path: str) -> bool:
        monkeypatch.setattr(blobs._Upload, 'place', real_place)
        stored = other.put_bytes(DATA, max_size=len(DATA))  # the other writer wins the race for the name
        assert stored.is_new
        if theirs == 'corrupted':
            Path(path).write_bytes(b'damaged')
        return real_place(upload, path)

    monkeypatch.setattr(blobs._Upload, 'place', place)
    blob = store.put_bytes(DATA, max_size=len(DATA))
    assert blob.is_new is False  # the other writer's upload: not this caller's to discard
    assert Path(blob.path).read_bytes() == DATA
    assert blob_files(tmp_path / 'blobs') == [Path(blob.path)]


def test_an_upload_over_the_limit_leaves_nothing_either_way(mode: str, store: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(BlobTooLarge):
        store.put_stream(io.BytesIO(DATA), max_size=len(DATA) - 1)
    assert blob_files(tmp_path / 'blobs') == []


# --- several blobs at once ------------------------------------------------------------------------------------------

OTHER = os.urandom(5000)


def test_put_many_syncs_every_file_before_naming_any_and_the_directories_after(
    mode: str, store: BlobStore, tmp_path: Path, syscalls: list[str]
) -> None:
    blobs_ = store.put_many([DATA, OTHER], max_size=len(DATA))
    assert [(blob.sha256, blob.size, blob.is_new) for blob in blobs_] == [
        (DATA_SHA, len(DATA), True),
        (hashlib.sha256(OTHER).hexdigest(), len(OTHER), True),
    ]
    assert [Path(blob.path).read_bytes() for blob in blobs_] == [DATA, OTHER]
    assert syscalls[:6] == ['fsync file', 'fsync file', 'name', 'name', 'fsync directory', 'fsync directory']
    assert blob_files(tmp_path / 'blobs') == sorted(Path(blob.path) for blob in blobs_)


def test_put_many_stores_a_content_given_twice_once(mode: str, store: BlobStore, tmp_path: Path) -> None:
    first, second, other = store.put_many([DATA, DATA, OTHER], max_size=len(DATA))
    assert (first.is_new, second.is_new, other.is_new) == (True, False, True)
    assert first.path == second.path
    assert blob_files(tmp_path / 'blobs') == sorted([Path(first.path), Path(other.path)])


def test_put_many_writes_nothing_for_content_stored_intact_and_heals_a_corrupted_one(
    mode: str, store: BlobStore, tmp_path: Path, syscalls: list[str]
) -> None:
    kept, damaged = store.put_bytes(DATA, max_size=len(DATA)), store.put_bytes(OTHER, max_size=len(DATA))
    Path(damaged.path).write_bytes(b'damaged')
    syscalls.clear()
    again, healed = store.put_many([DATA, OTHER], max_size=len(DATA))
    assert (again.is_new, healed.is_new) == (False, False)
    assert (again.path, healed.path) == (kept.path, damaged.path)
    assert Path(healed.path).read_bytes() == OTHER
    # only the healed copy is written (an unnamed one is named in tmp/ first, then renamed over the damaged one)
    assert syscalls in (['fsync file', 'name', 'fsync directory'], ['fsync file', 'name', 'name', 'fsync directory'])
    assert blob_files(tmp_path / 'blobs') == sorted([Path(kept.path), Path(damaged.path)])


def test_put_many_over_the_limit_writes_nothing(mode: str, store: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(BlobTooLarge):
        store.put_many([OTHER, DATA], max_size=len(DATA) - 1)
    assert not (tmp_path / 'blobs').exists() or blob_files(tmp_path / 'blobs') == []


def test_put_many_of_nothing(store: BlobStore) -> None:
    assert store.put_many([], max_size=1) == []
