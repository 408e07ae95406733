"""A small writer of OLE2 compound files (MS-CFB) for the tests, and offsets to damage them by.

Streams are stored in regular sectors, a non-empty one padded to the mini stream cutoff (4096 bytes), so no mini
stream is needed and the file is valid as the format defines it. Layout: the FAT sectors first, then the directory,
then the streams; siblings form a binary search tree ordered as the format orders names (length, then upper case).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SIGNATURE = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
END_OF_CHAIN = 0xFFFFFFFE
FREE = 0xFFFFFFFF
FAT_SECTOR = 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF
MINI_STREAM_CUTOFF = 4096
ENTRY_SIZE = 128
# offsets in the header
SECTOR_SHIFT = 30
FAT_COUNT = 44
FIRST_DIRECTORY = 48
FIRST_DIFAT = 68
DIFAT_COUNT = 72
# offsets in a directory entry
RIGHT_SIBLING = 72
CHILD = 76


@dataclass(frozen=True)
class Stream:
    name: str
    data: bytes = b''


@dataclass(frozen=True)
class Storage:
    name: str
    children: tuple[Stream | Storage, ...] = ()


@dataclass
class CompoundFile:
    """The bytes of a written file and where its parts are, to damage it in a test."""

    data: bytearray
    sector_size: int
    fat_sectors: list[int]
    directory_sectors: list[int]
    entry_count: int

    def sector_offset(self, sector: int) -> int:
        return (sector + 1) * self.sector_size

    def fat_entry_offset(self, sector: int) -> int:
        fat_index, slot = divmod(sector, self.sector_size // 4)
        return self.sector_offset(self.fat_sectors[fat_index]) + 4 * slot

    def entry_offset(self, index: int) -> int:
        per_sector = self.sector_size // ENTRY_SIZE
        sector, slot = divmod(index, per_sector)
        return self.sector_offset(self.directory_sectors[sector]) + ENTRY_SIZE * slot

    def put(self, offset: int, value: int, fmt: str = '<L') -> CompoundFile:
        struct.pack_into(fmt, self.data, offset, value)
        return self


@dataclass
class _Row:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b''
    left: int = NO_STREAM
    right: int = NO_STREAM
    child: int = NO_STREAM
    start: int = END_OF_CHAIN
    children: list[int] = field(default_factory=list)


def compound_file(*children: Stream | Storage, major: int = 3) -> CompoundFile:
    """A compound file (version 3: 512-byte sectors, or 4: 4096-byte) whose root holds `children`."""
    sector_size = 512 if major == 3 else 4096
    rows = [_Row('Root Entry', 5)]
    _add_children(rows, 0, children)
    for row in rows:
        row.child = _tree(rows, row.children)
    per_sector = sector_size // 4
    directory_count = -(-len(rows) * ENTRY_SIZE // sector_size)
    stream_counts = [-(-len(row.data) // sector_size) for row in rows]
    fat_count = 1
    while fat_count * per_sector < fat_count + directory_count + sum(stream_counts):
        fat_count += 1
    fat = [FAT_SECTOR] * fat_count
    directory = _chain(fat, directory_count)
    for row, count in zip(rows, stream_counts, strict=True):
        if count:
            row.start = _chain(fat, count)[0]
    fat += [FREE] * (fat_count * per_sector - len(fat))
    body = b''.join(struct.pack(f'<{per_sector}L', *fat[i : i + per_sector]) for i in range(0, len(fat), per_sector))
    entries = b''.join(_entry(row, major) for row in rows)
    body += entries.ljust(directory_count * sector_size, b'\x00')
    for row, count in zip(rows, stream_counts, strict=True):
        body += row.data.ljust(count * sector_size, b'\x00')
    header = _header(major, sector_size, fat_count, directory_count, directory[0])
    return CompoundFile(bytearray(header + body), sector_size, list(range(fat_count)), directory, len(rows))


def _add_children(rows: list[_Row], parent: int, children: tuple[Stream | Storage, ...]) -> None:
    for child in children:
        rows[parent].children.append(len(rows))
        if isinstance(child, Stream):
            data = child.data.ljust(MINI_STREAM_CUTOFF, b'\x00') if child.data else b''
            rows.append(_Row(child.name, 2, data))
        else:
            rows.append(_Row(child.name, 1))
            _add_children(rows, len(rows) - 1, child.children)


def _tree(rows: list[_Row], ids: list[int]) -> int:
    """The root of a balanced search tree over the siblings `ids`."""
    if not ids:
        return NO_STREAM
    ordered = sorted(ids, key=lambda i: (len(rows[i].name), rows[i].name.upper()))
    middle = len(ordered) // 2
    rows[ordered[middle]].left = _tree(rows, ordered[:middle])
    rows[ordered[middle]].right = _tree(rows, ordered[middle + 1 :])
    return ordered[middle]


def _chain(fat: list[int], count: int) -> list[int]:
    """Allocate `count` consecutive sectors chained in the FAT."""
    sectors = list(range(len(fat), len(fat) + count))
    fat += [*sectors[1:], END_OF_CHAIN]
    return sectors


def _entry(row: _Row, major: int) -> bytes:
    name = (row.name + '\x00').encode('utf-16-le')
    size = len(row.data) if row.kind == 2 else 0
    return (
        name.ljust(64, b'\x00')
        + struct.pack('<HBBLLL', len(name), row.kind, 1, row.left, row.right, row.child)
        + b'\x00' * 36  # CLSID, state bits, creation and modification times
        + struct.pack('<LQ' if major == 4 else '<LL4x', row.start, size)
    )


def _header(major: int, sector_size: int, fat_count: int, directory_count: int, first_directory: int) -> bytes:
    shift = sector_size.bit_length() - 1
    difat = list(range(fat_count)) + [FREE] * (109 - fat_count)
    header = struct.pack(
        '<8s16sHHHHH6s9L109L',
        SIGNATURE,
        b'\x00' * 16,
        0x3E,
        major,
        0xFFFE,
        shift,
        6,
        b'\x00' * 6,
        directory_count if major == 4 else 0,
        fat_count,
        first_directory,
        0,
        MINI_STREAM_CUTOFF,
        END_OF_CHAIN,
        0,
        END_OF_CHAIN,
        0,
        *difat,
    )
    return header.ljust(sector_size, b'\x00')
