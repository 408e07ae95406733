"""The directory transport `edms exchange watch-inbox DIR`: packet folders and zips are taken from the inbox folder
(renamed to a processing name first, removed once stored), those being written are left alone, a packet left behind
by a killed watcher is taken again and is the same inbox row; `edms exchange inbox` and `quarantine` list them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from edms.cli import exchange as exchange_cli
from edms.exchange.operations.common import zip_files
from scripts.make_test_pki import TestPki
from tests.exchange.inbox_setup import Exchange, cards, inbox_rows, make_exchange, outbox_rows, packet_zip, unzip
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI


@pytest.fixture
def exchange(app_ctx, test_pki: TestPki) -> Exchange:  # noqa: F811
    return make_exchange(test_pki)


def run(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=['edms', 'exchange', *args])
    assert result.exit_code == 0, result.output
    return result.output


def write_folder(path: Path, files: dict[str, bytes]) -> None:
    path.mkdir()
    for name, data in files.items():
        (path / name).write_bytes(data)


def test_packet_folders_and_zips_are_taken_into_the_inbox(app, exchange: Exchange, tmp_path: Path):
    write_folder(tmp_path / 'packet-1', unzip(packet_zip(exchange)))
    (tmp_path / 'packet-2.zip').write_bytes(packet_zip(exchange))

    output = run(app, 'watch-inbox', str(tmp_path), '--settle', '0')

    assert 'принято пакетов: 2' in output
    assert list(tmp_path.iterdir()) == []
    rows = inbox_rows()
    assert [(row.transport, row.status) for row in rows] == [('directory', 'accepted')] * 2
    assert len(cards()) == 2
    assert [row.destination_id for row in outbox_rows()] == [exchange.partner_node.id] * 2


def test_entries_being_written_are_left_alone(app, exchange: Exchange, tmp_path: Path):
    (tmp_path / 'packet.zip.part').write_bytes(packet_zip(exchange))
    (tmp_path / '.hidden.zip').write_bytes(packet_zip(exchange))

    run(app, 'watch-inbox', str(tmp_path), '--settle', '0')

    assert sorted(item.name for item in tmp_path.iterdir()) == ['.hidden.zip', 'packet.zip.part']
    assert inbox_rows() == []


def test_a_packet_left_by_a_killed_watcher_is_taken_again_as_the_same_row(
    app, exchange: Exchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    files = unzip(packet_zip(exchange))
    write_folder(tmp_path / 'packet', files)
    run(app, 'watch-inbox', str(tmp_path), '--settle', '0')
    write_folder(tmp_path / '.processing-0123abcd-packet', files)  # stored, but not removed before the kill
    monkeypatch.setattr(exchange_cli, 'STALE_SECONDS', -1)

    output = run(app, 'watch-inbox', str(tmp_path), '--settle', '0')

    assert '(получен повторно)' in output
    assert list(tmp_path.iterdir()) == []
    [row] = inbox_rows()
    assert (row.receptions, row.receipts) == (2, 2)
    assert len(cards()) == 1


def test_a_fresh_processing_entry_belongs_to_another_watcher(app, exchange: Exchange, tmp_path: Path):
    write_folder(tmp_path / '.processing-0123abcd-packet', unzip(packet_zip(exchange)))

    run(app, 'watch-inbox', str(tmp_path), '--settle', '0')

    assert [item.name for item in tmp_path.iterdir()] == ['.processing-0123abcd-packet']
    assert inbox_rows() == []


def test_an_empty_file_is_set_aside_as_rejected(app, exchange: Exchange, tmp_path: Path):
    (tmp_path / 'empty.zip').write_bytes(b'')

    result = app.test_cli_runner().invoke(args=['edms', 'exchange', 'watch-inbox', str(tmp_path), '--settle', '0'])

    assert 'не принят' in result.output
    assert [item.name for item in tmp_path.iterdir()] == ['.rejected-empty.zip']
    assert inbox_rows() == []


def test_the_listings_show_the_inbox_and_the_quarantine(app, exchange: Exchange, tmp_path: Path):
    (tmp_path / 'good.zip').write_bytes(packet_zip(exchange))
    (tmp_path / 'bad.zip').write_bytes(zip_files({'message.xml': b'not xml'}))
    run(app, 'watch-inbox', str(tmp_path), '--settle', '0')

    inbox = run(app, 'inbox')
    quarantine = run(app, 'quarantine')

    assert 'accepted' in inbox
    assert 'quarantined' in inbox
    assert exchange.partner.name in inbox
    assert '[not_xml]' in quarantine
    assert exchange.partner.name not in quarantine
