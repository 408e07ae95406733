"""How an outgoing packet leaves the node: HTTP POST of the packet zip to a partner system's endpoint, or the packet
folder written into the outbox folder of the МЭДО mail client (directory transport). No database here.

Each transport either returns (delivered) or raises: `PermanentFailure` when sending again cannot help (the partner
refused the packet: a 4xx other than 408/429, a redirect, a bad address), `TemporaryFailure` when a later attempt
may succeed (5xx, 408, 429, a timeout, a refused or broken connection, a full disk).
"""

from __future__ import annotations

import http.client
import io
import os
import re
import shutil
import time
import urllib.error
import uuid
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from edms.core.http_post import ANSWER_EXCERPT, NetworkFailure, post

#: HTTP answers that mean "try again later", although they are 4xx.
RETRYABLE_CLIENT_ERRORS = frozenset({408, 429})
_MAILBOX = re.compile(r'^[A-Za-z0-9_.-]{1,128}$')
_SAFE_NAME = re.compile(r'^[A-Za-z0-9_.-]{1,128}$')
_TEMPORARY_PREFIX = '.tmp-'
#: A temporary packet folder older than this was left by a writer killed mid-write (a write takes milliseconds).
STALE_TEMPORARY_SECONDS = 3600
#: How often one process looks for such leftovers in a mailbox it writes to.
_SWEEP_EVERY_SECONDS = 600.0
_last_sweep: dict[Path, float] = {}


class DeliveryFailure(Exception):
    """A packet was not delivered; `message` is Russian, for the clerk and the journal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermanentFailure(DeliveryFailure):
    """Sending the same packet again cannot succeed."""


class TemporaryFailure(DeliveryFailure):
    """A later attempt may succeed."""


def post_packet(url: str, data: bytes, *, token: str | None, timeout: float, filename: str) -> int:
    """POST the packet zip to the partner's endpoint; returns the HTTP status of a 2xx answer."""
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise PermanentFailure(f'Адрес HTTP-приёма участника недопустим: «{url}» (нужен http или https).')
    headers = {
        'Content-Type': 'application/zip',
        'Content-Disposition': f'attachment; filename="{filename}"',
        'Accept': 'application/xml, application/json, */*',
    }
    if token:
        headers['Authorization'] = f'Bearer {token}'
    try:
        return post(url, data, headers, timeout)
    except urllib.error.HTTPError as error:
        raise _http_failure(error) from None
    except NetworkFailure as failure:
        raise TemporaryFailure(_unanswered(failure, parts.hostname, timeout)) from None


def _unanswered(failure: NetworkFailure, host: str, timeout: float) -> str:
    if failure.kind == 'timeout':
        return f'Нет ответа от {host} за {timeout:g} с.'
    if failure.kind == 'connection':
        return f'Нет соединения с {host}: {failure.detail}.'
    return f'Обмен с {host} прерван: {failure.detail}.'


def _http_failure(error: urllib.error.HTTPError) -> DeliveryFailure:
    code = error.code
    try:
        answer = error.read(ANSWER_EXCERPT).decode('utf-8', 'replace').strip()
    except (OSError, http.client.HTTPException):
        answer = ''
    text = f'Получатель ответил {code} {error.reason}' + (f': {answer}' if answer else '') + '.'
    if code >= 500 or code in RETRYABLE_CLIENT_ERRORS:
        return TemporaryFailure(text)
    return PermanentFailure(text)


def write_packet_folder(root: str | os.PathLike[str], mailbox: str, name: str, data: bytes) -> Path:
    """Unpack the packet zip as the folder `<root>/<mailbox>/<name>` atomically: written under a hidden temporary
    name in the same folder, its files and the folder synced, then renamed and the mailbox synced (the mail client
    never sees half a packet, and a folder it sees survives a crash). A folder already there is the same packet
    delivered before a crash: it is left as it is."""
    if not _MAILBOX.match(mailbox):
        raise PermanentFailure(f'Почтовый ящик МЭДО «{mailbox}» нельзя использовать как имя каталога.')
    if not _SAFE_NAME.match(name) or name.startswith('.'):
        raise PermanentFailure(f'Недопустимое имя пакета «{name}».')
    box = Path(root) / mailbox
    target = box / name
    if target.is_dir():
        return target
    _remove_stale_temporaries(box)
    temporary = box / f'{_TEMPORARY_PREFIX}{uuid.uuid4().hex}-{name}'
    try:
        box.mkdir(parents=True, exist_ok=True)
        temporary.mkdir()
        _unpack(data, temporary)
        temporary.rename(target)
        _fsync(box)
    except OSError as error:
        shutil.rmtree(temporary, ignore_errors=True)
        if target.is_dir():
            return target
        raise TemporaryFailure(f'Пакет не записан в каталог МЭДО: {error.strerror or error}.') from None
    return target


def _remove_stale_temporaries(box: Path) -> None:
    """Remove the half-written temporary folders that writers killed mid-write left in the mailbox (the mail client
    skips hidden names, so they only take space); at most once per `_SWEEP_EVERY_SECONDS` per mailbox and process."""
    now = time.monotonic()
    if now - _last_sweep.get(box, -_SWEEP_EVERY_SECONDS) < _SWEEP_EVERY_SECONDS:
        return
    _last_sweep[box] = now
    oldest = time.time() - STALE_TEMPORARY_SECONDS
    try:
        entries = [entry for entry in os.scandir(box) if entry.name.startswith(_TEMPORARY_PREFIX)]
    except FileNotFoundError:
        return
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_mtime < oldest:
                shutil.rmtree(entry.path, ignore_errors=True)
        except FileNotFoundError:
            continue  # another process removed it first


def _unpack(data: bytes, folder: Path) -> None:
    """Our own packet zip (built by this node) into the folder; still, only plain relative names are written. Every
    file is written before the first is synced (the file system then commits their data together rather than one
    file after the other), then the folders holding them are synced, the innermost first."""
    written = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            relative = PurePosixPath(info.filename)
            if relative.is_absolute() or '..' in relative.parts or '\\' in info.filename:
                raise PermanentFailure(f'Недопустимое имя файла в пакете: «{info.filename}».')
            path = folder.joinpath(*relative.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, 'wb') as file:
                file.write(archive.read(info))
            written.append(path)
    folders = {parent for path in written for parent in path.parents if parent.is_relative_to(folder)}
    for path in [*written, *sorted(folders, key=lambda item: len(item.parts), reverse=True)]:
        _fsync(path)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
