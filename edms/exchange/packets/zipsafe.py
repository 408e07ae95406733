"""Opening untrusted zip archives (the `*.edc.zip` container, a packet folder delivered as a zip) safely.

Everything is decided from the central directory before a byte is inflated: the archive size, the number of entries,
each entry's declared size, the total and the compression ratio (→ zip_bomb), absolute names, `..`, backslashes,
drive letters, control characters, subfolders and symbolic links (→ zip_path), names repeated up to case (→ zip_path),
encrypted entries and unknown compression methods (→ unsupported). Inflating is then capped at the declared size, so a
lying header cannot grow past the limits either. Names without the UTF-8 flag are decoded as UTF-8 when they are
valid UTF-8, otherwise as cp866 (what Russian Windows writes); zipfile's cp437 reading is undone first.
"""

from __future__ import annotations

import io
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from edms.exchange.packets.errors import PacketRejected

_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_DRIVE = re.compile(r'^[A-Za-z]:')
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """Limits of one archive: its own size, entries, each entry's and the total uncompressed size, and the largest
    compression ratio allowed for entries bigger than `ratio_from` bytes (small files compress freely)."""

    max_archive_size: int = 256 * 1024 * 1024
    max_entries: int = 500
    max_file_size: int = 128 * 1024 * 1024
    max_total_size: int = 256 * 1024 * 1024
    max_ratio: int = 100
    ratio_from: int = 1024 * 1024


DEFAULT_LIMITS = ZipLimits()


def open_zip(
    data: bytes, *, what: str, limits: ZipLimits = DEFAULT_LIMITS, strip_root_folder: bool = False
) -> dict[str, bytes]:
    """The files of the archive `data` by name, in archive order; PacketRejected on anything unsafe.

    `what` names the archive in messages, in the nominative («архив «container.edc.zip»»). With
    `strip_root_folder`, an archive whose
    every entry lies in one top folder (a zipped packet folder) is read as if that folder were the root.
    """
    if len(data) > limits.max_archive_size:
        raise PacketRejected('oversize', f'{_cap(what)}: размер больше допустимых {limits.max_archive_size} байт.')
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError) as error:
        raise PacketRejected('unsupported', f'{_cap(what)}: не является zip-архивом или повреждён ({error}).') from None
    if len(infos) > limits.max_entries:
        raise PacketRejected(
            'zip_bomb', f'{_cap(what)}: {len(infos)} файлов, допустимо не больше {limits.max_entries}.'
        )
    entries = [(info, _entry_name(info)) for info in infos]
    for info, name in entries:
        _check_entry(info, name, what, limits)
    names = _relative_names([name for _, name in entries], what, strip_root_folder)
    files = [(info, name) for (info, _), name in zip(entries, names, strict=True) if name is not None]
    _check_totals(files, what, limits)
    with archive:
        return {name: _read_entry(archive, info, name, what) for info, name in files}


def _cap(what: str) -> str:
    return what[:1].upper() + what[1:]


def _entry_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode('cp437')
    except UnicodeEncodeError:  # zipfile was given another metadata encoding: keep its reading
        return info.filename
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        return raw.decode('cp866')


def _check_entry(info: zipfile.ZipInfo, name: str, what: str, limits: ZipLimits) -> None:
    problem = _name_problem(name)
    if problem is None and stat.S_ISLNK(info.external_attr >> 16):
        problem = 'символическая ссылка'
    if problem:
        raise PacketRejected('zip_path', f'{_cap(what)}: недопустимое имя «{_shown(name)}» — {problem}.', names=[name])
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise PacketRejected(
            'unsupported', f'{_cap(what)}: файл «{name}» зашифрован, это не поддерживается.', names=[name]
        )
    if info.compress_type not in _METHODS:
        raise PacketRejected(
            'unsupported', f'{_cap(what)}: файл «{name}» сжат неизвестным методом {info.compress_type}.', names=[name]
        )
    if info.file_size > limits.max_file_size:
        raise PacketRejected(
            'zip_bomb',
            f'{_cap(what)}: файл «{name}» распаковывается в {info.file_size} байт, допустимо {limits.max_file_size}.',
            names=[name],
        )
    if info.file_size > limits.ratio_from and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise PacketRejected(
            'zip_bomb',
            f'{_cap(what)}: файл «{name}» сжат более чем в {limits.max_ratio} раз — признак архивной бомбы.',
            names=[name],
        )


def _name_problem(name: str) -> str | None:
    if not name.strip('/'):
        return 'пустое имя'
    if any(unicodedata.category(char) in {'Cc', 'Cs'} for char in name):
        return 'управляющие символы в имени'
    if name.startswith(('/', '\\')) or _DRIVE.match(name):
        return 'абсолютный путь'
    if '\\' in name:
        return 'обратная косая черта в пути'
    if '..' in name.split('/'):
        return 'переход в родительскую папку («..»)'
    return None


def _shown(name: str) -> str:
    return ''.join(char if unicodedata.category(char) not in {'Cc', 'Cs'} else '?' for char in name)[:200]


def _relative_names(names: list[str], what: str, strip_root_folder: bool) -> list[str | None]:
    """Each entry's name relative to the archive root (None for the stripped root folder's own entry); folders and
    names inside folders are refused, names repeated up to case too."""
    root = _common_root(names) if strip_root_folder else None
    result: list[str | None] = []
    seen: dict[str, str] = {}
    for name in names:
        relative = name[len(root) + 1 :] if root is not None else name
        if root is not None and relative in {'', '/'}:
            result.append(None)
            continue
        if '/' in relative:
            raise PacketRejected(
                'zip_path', f'{_cap(what)}: вложенные папки не допускаются («{_shown(name)}»).', names=[name]
            )
        key = unicodedata.normalize('NFC', relative).casefold()
        if key in seen:
            raise PacketRejected(
                'zip_path',
                f'{_cap(what)}: файл «{relative}» встречается дважды (с точностью до регистра).',
                names=[name],
            )
        seen[key] = relative
        result.append(relative)
    return result


def _common_root(names: list[str]) -> str | None:
    """The single top folder every name lies in, when there is one and nothing lies deeper than one level in it."""
    tops = {name.split('/', 1)[0] for name in names}
    if len(tops) != 1 or not all('/' in name for name in names):
        return None
    root = tops.pop()
    inner = [name[len(root) + 1 :] for name in names]
    return root if all('/' not in part.rstrip('/') or part == '' for part in inner) else None


def _check_totals(files: list[tuple[zipfile.ZipInfo, str]], what: str, limits: ZipLimits) -> None:
    total = sum(info.file_size for info, _ in files)
    if total > limits.max_total_size:
        raise PacketRejected(
            'zip_bomb', f'{_cap(what)}: распаковывается в {total} байт, допустимо {limits.max_total_size}.'
        )


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, what: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > info.file_size:
                    raise PacketRejected(
                        'zip_bomb',
                        f'{_cap(what)}: файл «{name}» распаковывается больше заявленного размера.',
                        names=[name],
                    )
                chunks.append(chunk)
    except PacketRejected:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as error:
        raise PacketRejected(
            'unsupported', f'{_cap(what)}: файл «{name}» не удалось распаковать ({error}).', names=[name]
        ) from None
    return b''.join(chunks)
