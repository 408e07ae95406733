"""Legacy Word (DOC) and Excel (XLS) files: OLE2 compound files told apart by the streams at their root, read with
hard bounds so that a malformed or hostile one is refused quickly, never a hang or an exception."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from edms.core import compound
from edms.core.filetypes import DOC, XLS, detect_content_type
from tests.core.compound_writer import (
    CHILD,
    DIFAT_COUNT,
    END_OF_CHAIN,
    FAT_COUNT,
    FIRST_DIFAT,
    FIRST_DIRECTORY,
    RIGHT_SIBLING,
    SECTOR_SHIFT,
    CompoundFile,
    Storage,
    Stream,
    compound_file,
)

# The head of a Word 97 FIB (wIdent 0xA5EC) and of a BIFF8 BOF record: real streams begin so; detection ignores it.
WORD_STREAM = Stream('WordDocument', b'\xec\xa5\xc1\x00' + b'\x00' * 60)
TABLE_STREAM = Stream('1Table', b'\x00' * 64)
SUMMARY = Stream('\x05SummaryInformation', b'\xfe\xff' + b'\x00' * 46)
WORKBOOK_STREAM = Stream('Workbook', b'\x09\x08\x10\x00\x00\x06\x05\x00' + b'\x00' * 56)
#: a refusal of a hostile file must come at once
REFUSAL_SECONDS = 0.5


def doc_file() -> CompoundFile:
    return compound_file(WORD_STREAM, TABLE_STREAM, SUMMARY)


def write(tmp_path: Path, data: bytes | bytearray, name: str = 'upload.bin') -> Path:
    path = tmp_path / name
    path.write_bytes(bytes(data))
    return path


def refused_quickly(path: Path) -> None:
    started = time.perf_counter()
    assert detect_content_type(path) is None
    elapsed = time.perf_counter() - started
    assert elapsed < REFUSAL_SECONDS, f'refused in {elapsed:.2f} s'


def test_a_compound_file_with_a_word_document_stream_is_doc(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, doc_file().data, 'letter.pdf')) == DOC


def test_a_version_4_compound_file_with_4096_byte_sectors_is_read_too(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, compound_file(WORD_STREAM, TABLE_STREAM, major=4).data)) == DOC


@pytest.mark.parametrize('stream', [WORKBOOK_STREAM, Stream('Book', b'\x09\x08' + b'\x00' * 14)])
def test_a_compound_file_with_a_workbook_or_an_excel_5_book_stream_is_xls(tmp_path: Path, stream: Stream) -> None:
    assert detect_content_type(write(tmp_path, compound_file(stream, SUMMARY).data)) == XLS


def test_a_directory_of_several_sectors_is_walked_through_the_fat(tmp_path: Path) -> None:
    fillers = [Stream(f'Filler{n}') for n in range(12)]
    built = compound_file(*fillers, WORKBOOK_STREAM)
    assert len(built.directory_sectors) == 4
    assert detect_content_type(write(tmp_path, built.data)) == XLS


def test_a_name_in_another_case_still_counts(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, compound_file(Stream('WORKBOOK', b'\x09\x08')).data)) == XLS


@pytest.mark.parametrize(
    'children',
    [
        # an Outlook message
        (Stream('__substg1.0_0037001F', 'Тема'.encode('utf-16-le')), Stream('__properties_version1.0', b'\x00')),
        # a PowerPoint presentation with a Word document embedded: its stream is not at the root
        (
            Stream('PowerPoint Document', b'\x00' * 16),
            Stream('Current User', b'\x00' * 16),
            Storage('MBD0001', (WORD_STREAM, TABLE_STREAM)),
        ),
        # a storage named like the stream
        (Storage('WordDocument'),),
    ],
    ids=['msg', 'ppt', 'storage'],
)
def test_a_compound_file_that_is_neither_word_nor_excel_is_refused(tmp_path: Path, children: tuple) -> None:
    assert detect_content_type(write(tmp_path, compound_file(*children).data)) is None


def test_a_compound_file_with_both_word_and_excel_streams_at_its_root_is_refused(tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, compound_file(WORD_STREAM, WORKBOOK_STREAM).data)) is None


@pytest.mark.parametrize(
    ('main', 'project'),
    [
        (WORD_STREAM, Storage('Macros', (Stream('PROJECT', b'ID="{0}"'),))),
        (WORKBOOK_STREAM, Storage('_VBA_PROJECT_CUR')),
    ],
    ids=['doc', 'xls'],
)
def test_a_document_carrying_a_macro_project_is_refused(tmp_path: Path, main: Stream, project: Storage) -> None:
    assert detect_content_type(write(tmp_path, compound_file(main, project).data)) is None


def test_a_word_document_with_an_embedded_workbook_is_still_doc(tmp_path: Path) -> None:
    embedded = Storage('ObjectPool', (Storage('_1234567890', (WORKBOOK_STREAM, Stream('\x01Ole', b'\x01'))),))
    assert detect_content_type(write(tmp_path, compound_file(WORD_STREAM, embedded).data)) == DOC


@pytest.fixture
def unbounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounds too high to stop a loop: only its detection does."""
    monkeypatch.setattr(compound, 'MAX_SECTORS', 10**9)
    monkeypatch.setattr(compound, 'MAX_DIRECTORY_SECTORS', 10**9)


@pytest.mark.timeout(10)
@pytest.mark.usefixtures('unbounded')
def test_a_fat_loop_in_the_directory_chain_is_refused(tmp_path: Path) -> None:
    built = compound_file(*[Stream(f'Filler{n}') for n in range(6)], WORD_STREAM)
    first, second = built.directory_sectors
    built.put(built.fat_entry_offset(second), first)
    refused_quickly(write(tmp_path, built.data))


@pytest.mark.timeout(10)
@pytest.mark.usefixtures('unbounded')
def test_a_directory_sector_chained_to_itself_is_refused(tmp_path: Path) -> None:
    built = doc_file()
    [only] = built.directory_sectors
    refused_quickly(write(tmp_path, built.put(built.fat_entry_offset(only), only).data))


@pytest.mark.parametrize('shift', [0, 7, 12, 30, 0xFFFF])
def test_a_sector_shift_other_than_the_versions_own_is_refused(tmp_path: Path, shift: int) -> None:
    refused_quickly(write(tmp_path, doc_file().put(SECTOR_SHIFT, shift, '<H').data))


@pytest.mark.parametrize('sector', [0x00FFFFFF, 0xFFFFFFFA, 0xFFFFFFFD, END_OF_CHAIN, 0xFFFFFFFF])
def test_a_directory_pointing_outside_the_file_or_at_a_special_sector_is_refused(tmp_path: Path, sector: int) -> None:
    refused_quickly(write(tmp_path, doc_file().put(FIRST_DIRECTORY, sector).data))


def test_a_directory_chain_running_into_a_free_sector_is_refused(tmp_path: Path) -> None:
    built = doc_file()
    [only] = built.directory_sectors
    refused_quickly(write(tmp_path, built.put(built.fat_entry_offset(only), 0xFFFFFFFF).data))


def test_a_directory_sector_beyond_the_fat_the_header_counts_is_refused(tmp_path: Path) -> None:
    refused_quickly(write(tmp_path, doc_file().put(FAT_COUNT, 0).data))


@pytest.mark.timeout(10)
def test_a_sibling_pointing_back_into_the_tree_is_refused(tmp_path: Path) -> None:
    built = doc_file()
    top = int.from_bytes(built.data[built.entry_offset(0) + CHILD : built.entry_offset(0) + CHILD + 4], 'little')
    refused_quickly(write(tmp_path, built.put(built.entry_offset(top) + RIGHT_SIBLING, top).data))


def test_a_sibling_outside_the_directory_is_refused(tmp_path: Path) -> None:
    built = doc_file()
    refused_quickly(write(tmp_path, built.put(built.entry_offset(0) + CHILD, 10_000).data))


def test_a_header_cut_short_is_refused(tmp_path: Path) -> None:
    refused_quickly(write(tmp_path, doc_file().data[:300]))


def test_a_file_cut_before_its_directory_is_refused(tmp_path: Path) -> None:
    built = doc_file()
    refused_quickly(write(tmp_path, built.data[: built.sector_offset(built.directory_sectors[0])]))


def far_directory(tmp_path: Path, *, difat_loop: bool) -> Path:
    """A version 3 file whose directory sits at sector 30208 (15 MB in, a sparse file): the FAT sector for it is the
    237th, named in the second DIFAT sector. The last three sectors of the file (zeros of the summary stream) become
    the two DIFAT sectors and that FAT sector. With `difat_loop` the first DIFAT sector names itself as the next one;
    as it names the FAT sector in every slot, a walk that missed the loop would read it again and accept the file."""
    built = doc_file()
    per_sector = built.sector_size // 4
    fat_index = 109 + per_sector - 1
    far = fat_index * per_sector
    last = len(built.data) // built.sector_size - 2
    first_difat, second_difat, fat_sector = last - 2, last - 1, last
    for slot in range(per_sector - 1):
        built.put(built.sector_offset(first_difat) + 4 * slot, fat_sector)
    built.put(built.sector_offset(first_difat) + built.sector_size - 4, first_difat if difat_loop else second_difat)
    built.put(built.sector_offset(second_difat), fat_sector)
    built.put(built.sector_offset(second_difat) + built.sector_size - 4, END_OF_CHAIN)
    built.put(built.sector_offset(fat_sector), END_OF_CHAIN)
    built.put(FIRST_DIRECTORY, far).put(FAT_COUNT, fat_index + 1).put(FIRST_DIFAT, first_difat)
    built.put(DIFAT_COUNT, 0xFFFFFFFF if difat_loop else 2)
    path = write(tmp_path, built.data)
    directory = built.sector_offset(built.directory_sectors[0])
    with path.open('r+b') as file:
        file.seek(built.sector_offset(far))
        file.write(bytes(built.data[directory : directory + built.sector_size]))
    return path


def test_a_directory_found_through_the_difat_chain_is_read(tmp_path: Path) -> None:
    assert detect_content_type(far_directory(tmp_path, difat_loop=False)) == DOC


@pytest.mark.timeout(10)
@pytest.mark.usefixtures('unbounded')
def test_a_loop_in_the_difat_chain_is_refused(tmp_path: Path) -> None:
    refused_quickly(far_directory(tmp_path, difat_loop=True))


def test_a_directory_longer_than_the_bound_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = compound_file(*[Stream(f'Filler{n}') for n in range(12)], WORD_STREAM)
    path = write(tmp_path, built.data)
    assert detect_content_type(path) == DOC
    monkeypatch.setattr(compound, 'MAX_DIRECTORY_SECTORS', len(built.directory_sectors) - 1)
    assert detect_content_type(path) is None


def test_reading_more_sectors_than_the_bound_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = compound_file(*[Stream(f'Filler{n}') for n in range(12)], WORD_STREAM)
    path = write(tmp_path, built.data)
    monkeypatch.setattr(compound, 'MAX_SECTORS', len(built.directory_sectors))  # the FAT sector makes one more
    assert detect_content_type(path) is None
