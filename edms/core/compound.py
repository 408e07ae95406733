"""The entries at the root of an OLE2 compound file (legacy Word, Excel, PowerPoint, Outlook files), read with hard
bounds so that a malformed or hostile file is refused, never a hang or an exception.

Only the header, the DIFAT and FAT sectors the directory chain needs and the directory sectors are read: at most
`MAX_SECTORS` sectors in all and `MAX_DIRECTORY_SECTORS` of the directory, every chain checked for cycles, every
sector number checked against the file's size. The sector size comes from the header and must be one of the two the
format defines (512 bytes for version 3, 4096 for version 4). No stream is read.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

SIGNATURE = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
MAX_SECTORS = 2048
MAX_DIRECTORY_SECTORS = 1024

_HEADER_SIZE = 512
# signature, CLSID, minor and major version, byte order, sector shift, mini sector shift, reserved, directory sector
# count, FAT sector count, first directory sector, transaction, mini stream cutoff, first mini FAT sector, mini FAT
# sector count, first DIFAT sector, DIFAT sector count; then 109 DIFAT entries.
_HEADER = struct.Struct('<8s16sHHHHH6s9L')
_DIFAT_IN_HEADER = 109
_BYTE_ORDER = 0xFFFE
_SECTOR_SHIFTS = {3: 9, 4: 12}  # major version: sector shift
_MAX_REGULAR_SECTOR = 0xFFFFFFFA
_END_OF_CHAIN = 0xFFFFFFFE
_NO_STREAM = 0xFFFFFFFF
_ENTRY_SIZE = 128
_ENTRY_LINKS = struct.Struct('<HBBLLL')  # name length, object type, colour, left sibling, right sibling, child
_STORAGE, _STREAM, _ROOT = 1, 2, 5


class _Malformed(Exception):
    """The file breaks the format or one of the bounds."""


@dataclass(frozen=True)
class CompoundRoot:
    """The names (upper-cased: the format compares them without case) of the root storage's direct children."""

    streams: frozenset[str]
    storages: frozenset[str]


@dataclass(frozen=True)
class _Entry:
    name: str | None
    kind: int
    left: int
    right: int
    child: int


def read_root(path: str | os.PathLike[str]) -> CompoundRoot | None:
    """The streams and storages directly under the root of the compound file at `path`; None if it is malformed."""
    with open(path, 'rb') as file:
        try:
            reader = _Reader(file)
            return _root_children(_entries(reader.directory()))
        except _Malformed:
            return None


class _Reader:
    """Sectors of one compound file, counted against the bounds; FAT sectors cached as they are read."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.size = file.seek(0, os.SEEK_END)
        file.seek(0)
        header = file.read(_HEADER_SIZE)
        if len(header) < _HEADER_SIZE:
            raise _Malformed
        fields = _HEADER.unpack_from(header)
        signature, _, _, major, byte_order, shift = fields[:6]
        if signature != SIGNATURE or byte_order != _BYTE_ORDER or _SECTOR_SHIFTS.get(major) != shift:
            raise _Malformed
        self.sector_size = 1 << shift
        self.fat_count, self.first_directory = fields[9], fields[10]
        self.next_difat, self.difat_count = fields[15], fields[16]
        self.difat = list(struct.unpack_from(f'<{_DIFAT_IN_HEADER}L', header, _HEADER.size))
        self.difat_seen: set[int] = set()
        self.fat: dict[int, tuple[int, ...]] = {}
        self.sectors_read = 0

    def directory(self) -> bytes:
        """The directory stream: its chain followed through the FAT, refused on a cycle or past the bounds."""
        chunks, seen, sector = [], set(), self.first_directory
        while sector != _END_OF_CHAIN:
            if sector in seen or len(seen) >= MAX_DIRECTORY_SECTORS:
                raise _Malformed
            seen.add(sector)
            chunks.append(self.sector(sector))
            sector = self.next_sector(sector)
        return b''.join(chunks)

    def next_sector(self, sector: int) -> int:
        fat_index, slot = divmod(sector, self.sector_size // 4)
        if fat_index >= self.fat_count:
            raise _Malformed
        if fat_index not in self.fat:
            self.fat[fat_index] = self._sector_numbers(self._fat_sector(fat_index))
        return self.fat[fat_index][slot]

    def sector(self, number: int) -> bytes:
        if number > _MAX_REGULAR_SECTOR or self.sectors_read >= MAX_SECTORS:
            raise _Malformed
        offset = (number + 1) * self.sector_size
        if offset >= self.size:
            raise _Malformed
        self.sectors_read += 1
        self.file.seek(offset)
        # Some writers cut the file's last sector short: what is missing reads as zeros (unused entries).
        return self.file.read(self.sector_size).ljust(self.sector_size, b'\x00')

    def _fat_sector(self, fat_index: int) -> int:
        while fat_index >= len(self.difat):
            self._read_difat_sector()
        return self.difat[fat_index]

    def _read_difat_sector(self) -> None:
        """The next DIFAT sector's FAT sector numbers; its last slot names the DIFAT sector after it."""
        number = self.next_difat
        if number in self.difat_seen or len(self.difat_seen) >= self.difat_count:
            raise _Malformed
        self.difat_seen.add(number)
        *fat_sectors, self.next_difat = self._sector_numbers(number)
        self.difat.extend(fat_sectors)

    def _sector_numbers(self, number: int) -> tuple[int, ...]:
        return struct.unpack(f'<{self.sector_size // 4}L', self.sector(number))


def _entries(directory: bytes) -> list[_Entry]:
    entries = []
    for offset in range(0, len(directory), _ENTRY_SIZE):
        name_length, kind, _, left, right, child = _ENTRY_LINKS.unpack_from(directory, offset + 64)
        entries.append(_Entry(_entry_name(directory[offset : offset + name_length]), kind, left, right, child))
    return entries


def _entry_name(raw: bytes) -> str | None:
    """The name without its terminating NUL; None when the length or the UTF-16 is not valid."""
    if len(raw) < 2 or len(raw) > 64 or len(raw) % 2:
        return None
    try:
        return raw[:-2].decode('utf-16-le')
    except UnicodeDecodeError:
        return None


def _root_children(entries: list[_Entry]) -> CompoundRoot:
    """Walk the root's tree of children without recursion; an entry met twice or out of range is refused."""
    if not entries or entries[0].kind != _ROOT:
        raise _Malformed
    streams, storages = set(), set()
    pending, seen = [entries[0].child], {0}
    while pending:
        index = pending.pop()
        if index == _NO_STREAM:
            continue
        if index >= len(entries) or index in seen:
            raise _Malformed
        seen.add(index)
        entry = entries[index]
        if entry.name is not None and entry.kind == _STREAM:
            streams.add(entry.name.upper())
        elif entry.name is not None and entry.kind == _STORAGE:
            storages.add(entry.name.upper())
        pending += (entry.left, entry.right)
    return CompoundRoot(frozenset(streams), frozenset(storages))
