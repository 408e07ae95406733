"""The content-addressed blob store: size limit, dedup, verified reads, integrity scan, path safety."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from flask import Flask

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
