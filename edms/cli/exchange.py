"""`flask --app wsgi edms exchange …`: the directory transport of МЭДО packets and the inbox as the node sees it.

edms exchange watch-inbox DIR [--loop] [--interval S]   take every packet folder or zip from DIR into the inbox
edms exchange inbox [--status S] [--limit N]            the newest received packets
edms exchange quarantine [--limit N]                    packets kept with their reason («Ошибки обмена»)
edms exchange sweep                                     re-enqueue lost processing jobs and due deliveries
edms exchange deliver [--limit N]                       one delivery pass over the due outbox rows, in this process
edms exchange outbox [--status S] [--limit N]           the newest outgoing packets and their delivery state

Taking a packet is atomic: the entry is first renamed to `.processing-<token>-<name>` (only one watcher wins the
rename), then its bytes are stored by `receive_packet` and committed, and only then removed. A watcher killed in
between leaves the processing name; it is taken again once older than STALE_SECONDS (the same bytes are the same
inbox row, so nothing is registered twice). Entries starting with a dot or ending in .tmp/.part are being written
and are left alone, as are entries changed within the last `--settle` seconds. A packet the intake refuses (empty,
too large) is renamed `.rejected-<name>` and reported.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import click
from flask.cli import AppGroup

from edms.core.clock import to_local
from edms.core.errors import DomainError
from edms.core.tx import atomic
from edms.exchange.errors import PacketTooLarge
from edms.exchange.jobs import deliver_due, sweep_inbox, sweep_outbox
from edms.exchange.models import InboxPacket, InboxStatus, OutboxPacket, OutboxStatus
from edms.exchange.operations import receive_packet
from edms.exchange.operations.common import max_packet_size, zip_files
from edms.exchange.operations.delivery import outbox_listing
from edms.exchange.queries import inbox_listing

exchange_cli = AppGroup('exchange', help='Обмен МЭДО: приём пакетов из каталога, входящие и ошибки обмена.')
PROCESSING = '.processing-'
REJECTED = '.rejected-'
STALE_SECONDS = 600
IN_PROGRESS_SUFFIXES = ('.tmp', '.part')


def register(group: AppGroup) -> None:
    group.add_command(exchange_cli)


@exchange_cli.command('watch-inbox')
@click.argument('folder', type=click.Path(exists=True, file_okay=False))
@click.option('--loop', is_flag=True, help='Проверять каталог постоянно (по умолчанию — один проход).')
@click.option('--interval', default=5.0, show_default=True, help='Пауза между проходами, секунд.')
@click.option('--settle', default=2.0, show_default=True, help='Не брать записи, изменённые за эти секунды.')
def watch_inbox_command(folder: str, loop: bool, interval: float, settle: float) -> None:
    """Take every packet (a folder or a zip of one) from the inbox folder into the inbox."""
    path = Path(folder)
    while True:
        taken = take_packets(path, settle=settle)
        if not loop:
            click.echo(f'Проход завершён, принято пакетов: {taken}.')
            return
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            return


def take_packets(folder: Path, *, settle: float = 0.0) -> int:
    """One pass over the folder; returns how many packets were stored."""
    taken = 0
    for entry in sorted(folder.iterdir()):
        if not _ready(entry, settle):
            continue
        claimed = _claim(entry)
        if claimed is not None and _take(claimed):
            taken += 1
    return taken


def _ready(entry: Path, settle: float) -> bool:
    name = entry.name
    if name.startswith(PROCESSING):
        return time.time() - entry.lstat().st_ctime > STALE_SECONDS
    if name.startswith('.') or name.endswith(IN_PROGRESS_SUFFIXES) or entry.is_symlink():
        return False
    return time.time() - entry.lstat().st_mtime >= settle


def _claim(entry: Path) -> Path | None:
    """Rename the entry to a processing name of this watcher; None when another one was faster."""
    original = entry.name.split('-', 2)[2] if entry.name.startswith(PROCESSING) else entry.name
    target = entry.with_name(f'{PROCESSING}{uuid.uuid4().hex}-{original}')
    try:
        entry.rename(target)
    except FileNotFoundError:
        return None
    return target


def _take(claimed: Path) -> bool:
    original = claimed.name.split('-', 2)[2]
    try:
        raw = _packet_bytes(claimed)
        with atomic():
            packet = receive_packet(raw, transport='directory')
            inbox_id, again = packet.id, packet.receptions > 1
    except DomainError as error:
        claimed.rename(claimed.with_name(f'{REJECTED}{original}'))
        click.echo(f'Пакет «{original}» не принят: {error.message}', err=True)
        return False
    _remove(claimed)
    click.echo(f'Пакет «{original}» принят: № {inbox_id}' + (' (получен повторно).' if again else '.'))
    return True


def _packet_bytes(path: Path) -> bytes:
    """A zip as it is; a folder zipped (its regular files, by their paths inside it; links are not followed)."""
    if path.is_file():
        return path.read_bytes()
    limit, total, files = max_packet_size(), 0, {}
    for root, _, names in os.walk(path):
        for name in names:
            item = Path(root) / name
            if item.is_symlink() or not item.is_file():
                continue
            total += item.stat().st_size
            if total > limit:
                raise PacketTooLarge(limit)
            files[item.relative_to(path).as_posix()] = item.read_bytes()
    return zip_files(files)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


@exchange_cli.command('inbox')
@click.option('--status', type=click.Choice([status.value for status in InboxStatus]), default=None)
@click.option('--limit', default=50, show_default=True)
def inbox_command(status: str | None, limit: int) -> None:
    """The newest received packets."""
    with atomic():
        rows = [_line(packet) for packet in inbox_listing(status, limit)]
    for line in rows:
        click.echo(line)
    if not rows:
        click.echo('Полученных пакетов нет.')


@exchange_cli.command('quarantine')
@click.option('--limit', default=50, show_default=True)
def quarantine_command(limit: int) -> None:
    """Packets kept with their reason («Ошибки обмена»)."""
    with atomic():
        rows = [_line(packet, reason=True) for packet in inbox_listing(InboxStatus.quarantined.value, limit)]
    for line in rows:
        click.echo(line)
    if not rows:
        click.echo('Ошибок обмена нет.')


@exchange_cli.command('sweep')
def sweep_command() -> None:
    """Enqueue again the processing of packets stuck in «received» and the delivery of due outgoing packets."""
    click.echo(f'Поставлено в обработку повторно: {sweep_inbox()}.')
    click.echo(f'Поставлено в доставку: {sweep_outbox()}.')


def _line(packet: InboxPacket, *, reason: bool = False) -> str:
    received = to_local(packet.received_at).strftime('%d.%m.%Y %H:%M:%S')
    number = f'№ {packet.sender_number}' if packet.sender_number else ''
    sender = packet.sender_name or 'отправитель неизвестен'
    text = f'{packet.id:>6}  {received}  {packet.transport:<9} {packet.status:<11} {sender} {number}'.rstrip()
    if reason and packet.reason_code:
        text += f'\n        [{packet.reason_code}] {packet.reason}'
    return text


@exchange_cli.command('deliver')
@click.option('--limit', default=500, show_default=True)
def deliver_command(limit: int) -> None:
    """Deliver the due outgoing packets now, in this process (the embedded default has no worker)."""
    outcomes = deliver_due(limit)
    labels = {'sent': 'отправлено', 'pending': 'отложено до следующей попытки', 'failed': 'не доставлено'}
    parts = [f'{labels.get(status, "пропущено")}: {number}' for status, number in sorted(outcomes.items())]
    click.echo('Доставка: ' + ('; '.join(parts) if parts else 'отправлять нечего') + '.')


@exchange_cli.command('outbox')
@click.option('--status', type=click.Choice([status.value for status in OutboxStatus]), default=None)
@click.option('--limit', default=50, show_default=True)
def outbox_command(status: str | None, limit: int) -> None:
    """The newest outgoing packets and their delivery state."""
    with atomic():
        rows = [_outbox_line(packet) for packet in outbox_listing(status, limit)]
    for line in rows:
        click.echo(line)
    if not rows:
        click.echo('Исходящих пакетов нет.')


def _outbox_line(packet: OutboxPacket) -> str:
    created = to_local(packet.created_at).strftime('%d.%m.%Y %H:%M:%S')
    destination = packet.destination.medo_address
    text = f'{packet.id:>6}  {created}  {packet.kind:<12} {packet.status:<8} {destination}  {packet.subject}'
    text += f'  попыток: {packet.attempts}'
    if packet.status == OutboxStatus.pending.value and packet.attempts:
        text += f', следующая {to_local(packet.next_attempt_at).strftime("%d.%m.%Y %H:%M:%S")}'
    if packet.last_error:
        text += f'\n        {packet.last_error}'
    return text
