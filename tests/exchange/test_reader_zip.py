"""Packets delivered as zips: entry names in cp866 (no UTF-8 flag, as Russian Windows writes them), in UTF-8 with
and without the flag, the packet folder zipped with its top folder, and the limits that let ordinary files through."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from edms.exchange.packets.reader import read_packet, read_packet_zip
from edms.exchange.packets.zipsafe import ZipLimits, open_zip
from tests.exchange.builders import PDF, classic_folder, raw_zip, zip_folder


def _legacy_zip(files: Mapping[str, bytes], encoding: str) -> bytes:
    """A zip whose names are stored in `encoding` without the UTF-8 flag (placeholders patched afterwards)."""
    encoded = {name: name.encode(encoding) for name in files}
    placeholders = {name: f'~{index}~'.ljust(len(encoded[name]), 'Q') for index, name in enumerate(files)}
    data = raw_zip({placeholders[name]: content for name, content in files.items()})
    for name, placeholder in placeholders.items():
        assert data.count(placeholder.encode()) == 2  # the local header and the central directory
        data = data.replace(placeholder.encode(), encoded[name])
    return data


def test_cp866_names_without_the_utf8_flag_are_decoded():
    files = classic_folder()
    data = _legacy_zip(files, 'cp866')
    assert all(not info.flag_bits & 0x800 for info in zipfile.ZipFile(io.BytesIO(data)).infolist())

    packet = read_packet_zip(data)

    assert packet.document is not None
    assert packet.document.main_file is not None
    assert packet.document.main_file.name == 'Письмо.pdf'
    assert [item.name for item in packet.document.attachments] == ['Приложение.pdf']


def test_utf8_names_with_or_without_the_flag_are_decoded():
    flagged = zip_folder({'Письмо.pdf': PDF})
    unflagged = _legacy_zip({'Письмо.pdf': PDF}, 'utf-8')

    assert list(open_zip(flagged, what='архив')) == list(open_zip(unflagged, what='архив')) == ['Письмо.pdf']


def test_a_zipped_packet_folder_is_read_like_the_folder():
    files = classic_folder()

    assert read_packet_zip(zip_folder(files, root='9E57088E-00DB-4A67-A4F7-F4B734B39264')) == read_packet(files)


def test_only_one_top_folder_is_stripped():
    names = list(open_zip(raw_zip({'packet/': b'', 'packet/a.xml': b'1', 'packet/b.pdf': b'2'}), what='архив',
                          strip_root_folder=True))  # fmt: skip

    assert names == ['a.xml', 'b.pdf']


def test_small_files_compress_freely_and_the_archive_order_is_kept():
    archive = zip_folder({'z.txt': b'\x00' * 100_000, 'a.txt': b'text'})

    files = open_zip(archive, what='архив', limits=ZipLimits(ratio_from=1024 * 1024))

    assert list(files) == ['z.txt', 'a.txt']
    assert files['z.txt'] == b'\x00' * 100_000
