"""Delivering the outbox: HTTP POST to a partner's endpoint (a real server on loopback) with retries and exponential
backoff kept in the row, a permanent refusal, timeouts, idempotent jobs, the directory transport's atomic write, the
72-hour failure told to the clerks, the sweeper, the on-commit enqueue and the command line."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from uuid import uuid4

import pytest
from flask import Flask
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.core.access import SYSTEM
from edms.core.blobs import blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.exchange import jobs, transports
from edms.exchange.models import ExchangeParticipant, OutboxPacket
from edms.exchange.operations import create_participant, receive_packet
from edms.exchange.operations.common import stored_bytes, zip_files
from edms.exchange.operations.delivery import backoff
from edms.notifications.models import Notification
from scripts.make_test_pki import TestPki
from tests.exchange.inbox_setup import make_exchange, outbox_rows, packet_zip
from tests.factories import make_card, make_organization, make_user

PARTNER_GUID = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'
FILES = {'envelope.ltr': b'[\xcf\xc8\xd1\xdc\xcc\xce]\r\n', 'message.xml': b'<message/>', 'sub/container.edc.zip': b'z'}
TOKEN = 'partner-secret-token'


@dataclass
class Partner:
    """A partner system on loopback: answers with the scripted statuses in turn (then 200), records every POST."""

    answers: list[int | str] = field(default_factory=list)
    requests: list[dict[str, object]] = field(default_factory=list)
    url: str = ''


@pytest.fixture
def partner() -> Iterator[Partner]:
    state = Partner()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
            state.requests.append({'path': self.path, 'headers': dict(self.headers), 'body': body})
            answer = state.answers.pop(0) if state.answers else 200
            if answer == 'slow':
                time.sleep(1.5)
                answer = 200
            self.send_response(int(answer))
            self.send_header('Content-Length', '7')
            self.end_headers()
            self.wfile.write(b'answer.')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f'http://127.0.0.1:{server.server_address[1]}/api/v1/exchange/packets'
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Nodes:
    ministry: Organization
    ours: ExchangeParticipant
    destination: ExchangeParticipant
    clerk_ids: list[int]


def make_nodes(endpoint: str | None, *, medo_address: str = 'AGENCY_S~MEDOGU') -> Nodes:
    with atomic():
        ministry = make_organization('Минцифры')
        partner = make_organization('Агентство', kind='partner')
        ours = create_participant(
            SYSTEM, {'organization_id': ministry.id, 'guid': str(uuid4()), 'medo_address': 'MINCIFRY_S'}
        )
        values = {'organization_id': partner.id, 'guid': PARTNER_GUID, 'medo_address': medo_address, 'is_local': False}
        destination = create_participant(SYSTEM, {**values, 'endpoint_url': endpoint or ''})
        clerks = [make_user(ministry, 'clerk').id, make_user(ministry, 'clerk').id]
        make_user(ministry, 'manager')
    return Nodes(ministry, ours, destination, clerks)


def queue_packet(
    nodes: Nodes, *, kind: str = 'receipt', card_id: int | None = None, age: timedelta | None = None
) -> int:
    blob = blob_store().put_bytes(zip_files(FILES), 10**6)
    with atomic():
        row = OutboxPacket(
            kind=kind,
            event='receipt' if kind == 'receipt' else 'document',
            destination_id=nodes.destination.id,
            sender_participant_id=nodes.ours.id,
            organization_id=nodes.ministry.id,
            card_id=card_id,
            message_uid=str(uuid4()),
            subject='Квитанция: 01-02/77',
            sha256=blob.sha256,
            size=blob.size,
            next_attempt_at=utcnow(),
        )
        if age is not None:
            row.created_at = utcnow() - age
        db.session.add(row)
        db.session.flush()
        return row.id


def outbox(outbox_id: int) -> OutboxPacket:
    with atomic():
        return db.session.get(OutboxPacket, outbox_id)


def make_due(outbox_id: int) -> None:
    with atomic():
        db.session.get(OutboxPacket, outbox_id).next_attempt_at = utcnow() - timedelta(seconds=1)


@pytest.fixture
def settings(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, 'EXCHANGE_TOKENS', f'{{"{PARTNER_GUID.upper()}": "{TOKEN}"}}')
    monkeypatch.setitem(app.config, 'EXCHANGE_DELIVERY_TIMEOUT', 0.5)
    return app


def test_a_packet_is_posted_once_with_the_partner_token(app_ctx: Flask, settings: Flask, partner: Partner):
    nodes = make_nodes(partner.url)
    outbox_id = queue_packet(nodes)
    assert jobs.deliver_outbox_packet(outbox_id) == 'sent'
    [request] = partner.requests
    assert request['path'] == '/api/v1/exchange/packets'
    assert request['body'] == zip_files(FILES)
    headers = request['headers']
    assert isinstance(headers, dict)
    assert headers['Authorization'] == f'Bearer {TOKEN}'
    assert headers['Content-Type'] == 'application/zip'
    row = outbox(outbox_id)
    assert (row.status, row.attempts, row.last_error) == ('sent', 1, None)
    assert row.sent_at is not None


def test_the_job_run_twice_sends_once(app_ctx: Flask, settings: Flask, partner: Partner):
    outbox_id = queue_packet(make_nodes(partner.url))
    assert jobs.deliver_outbox_packet(outbox_id) == 'sent'
    assert jobs.deliver_outbox_packet(outbox_id) is None
    assert len(partner.requests) == 1
    assert outbox(outbox_id).attempts == 1


def test_a_503_is_retried_with_backoff_then_delivered(app_ctx: Flask, settings: Flask, partner: Partner):
    partner.answers = [503, 200]
    outbox_id = queue_packet(make_nodes(partner.url))
    before = utcnow()
    assert jobs.deliver_outbox_packet(outbox_id) == 'pending'
    row = outbox(outbox_id)
    assert row.attempts == 1
    assert '503' in (row.last_error or '')
    assert before + timedelta(minutes=2) <= row.next_attempt_at <= utcnow() + timedelta(minutes=2)
    assert jobs.deliver_outbox_packet(outbox_id) is None  # not due yet: nothing sent
    assert len(partner.requests) == 1
    make_due(outbox_id)
    assert jobs.deliver_outbox_packet(outbox_id) == 'sent'
    assert len(partner.requests) == 2
    assert outbox(outbox_id).attempts == 2


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n) for n in (1, 2, 3, 5)] == [timedelta(minutes=m) for m in (2, 4, 8, 32)]
    assert backoff(6) == backoff(40) == timedelta(hours=1)


def test_a_400_fails_at_once_and_is_not_retried(app_ctx: Flask, settings: Flask, partner: Partner):
    partner.answers = [400]
    outbox_id = queue_packet(make_nodes(partner.url))
    assert jobs.deliver_outbox_packet(outbox_id) == 'failed'
    make_due(outbox_id)
    assert jobs.deliver_outbox_packet(outbox_id) is None
    assert jobs.sweep_outbox() == 0
    assert len(partner.requests) == 1
    row = outbox(outbox_id)
    assert row.status == 'failed'
    assert '400' in (row.last_error or '')


def test_a_timeout_is_retried(app_ctx: Flask, settings: Flask, partner: Partner):
    partner.answers = ['slow']
    outbox_id = queue_packet(make_nodes(partner.url))
    assert jobs.deliver_outbox_packet(outbox_id) == 'pending'
    row = outbox(outbox_id)
    assert row.attempts == 1
    assert 'Нет ответа' in (row.last_error or '')
    assert row.next_attempt_at > utcnow()


def test_a_refused_connection_is_retried(app_ctx: Flask, settings: Flask, partner: Partner):
    outbox_id = queue_packet(make_nodes('http://127.0.0.1:9/api/v1/exchange/packets'))
    assert jobs.deliver_outbox_packet(outbox_id) == 'pending'
    assert 'Нет соединения' in (outbox(outbox_id).last_error or '')


def test_undelivered_after_72_hours_fails_and_tells_the_clerks(app_ctx: Flask, settings: Flask, partner: Partner):
    partner.answers = [503]
    nodes = make_nodes(partner.url)
    with atomic():
        card_id = make_card(make_user(nodes.ministry, 'clerk')).id
    outbox_id = queue_packet(nodes, kind='document', card_id=card_id, age=timedelta(hours=72, minutes=1))
    assert jobs.deliver_outbox_packet(outbox_id) == 'failed'
    assert '503' in (outbox(outbox_id).last_error or '')
    with atomic():
        notified = db.session.execute(select(Notification).where(Notification.kind == 'exchange_delivery_failed'))
        rows = list(notified.scalars())
        on_card = db.session.execute(
            select(AuditEntry).where(
                AuditEntry.action == 'exchange.delivery.failed', AuditEntry.object_id == str(card_id)
            )
        ).scalar_one()
    assert set(nodes.clerk_ids) <= {row.user_id for row in rows}
    assert all(row.url == f'/cards/{card_id}' and 'не доставлен' in row.text for row in rows)
    assert on_card.data['message_uid'] == outbox(outbox_id).message_uid


def test_a_young_packet_is_not_failed_by_a_503(app_ctx: Flask, settings: Flask, partner: Partner):
    partner.answers = [503]
    outbox_id = queue_packet(make_nodes(partner.url), age=timedelta(hours=71))
    assert jobs.deliver_outbox_packet(outbox_id) == 'pending'


def test_the_directory_transport_writes_the_folder_atomically(
    app_ctx: Flask, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(app.config, 'EXCHANGE_OUTBOX_DIR', str(tmp_path))
    outbox_id = queue_packet(make_nodes(None))
    uid = outbox(outbox_id).message_uid
    renames: list[tuple[str, str]] = []
    original = Path.rename

    def watched(self: Path, target: Path) -> Path:
        assert not Path(target).exists()  # the final name appears only by the rename, complete
        assert {p.name for p in self.rglob('*') if p.is_file()} == {'envelope.ltr', 'message.xml', 'container.edc.zip'}
        renames.append((self.name, Path(target).name))
        return original(self, target)

    monkeypatch.setattr(Path, 'rename', watched)
    assert jobs.deliver_outbox_packet(outbox_id) == 'sent'
    [(temporary, final)] = renames
    assert temporary.startswith('.tmp-')
    assert final == uid
    folder = tmp_path / 'AGENCY_S' / uid
    assert {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob('*') if p.is_file()} == FILES
    assert [p.name for p in (tmp_path / 'AGENCY_S').iterdir()] == [uid]  # no temporary left


def test_the_directory_transport_removes_temporary_folders_left_by_killed_writers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    box = tmp_path / 'AGENCY_S'
    stale, fresh = box / '.tmp-killed-an-hour-ago', box / '.tmp-being-written-now'
    for folder in (stale, fresh):
        (folder / 'documents').mkdir(parents=True)
        (folder / 'documents' / 'message.xml').write_bytes(b'<half/>')
    two_hours_ago = time.time() - 2 * transports.STALE_TEMPORARY_SECONDS
    os.utime(stale, (two_hours_ago, two_hours_ago))
    monkeypatch.setattr(transports, '_last_sweep', {})

    transports.write_packet_folder(tmp_path, 'AGENCY_S', 'packet-1', zip_files({'message.xml': b'<m/>'}))

    assert sorted(p.name for p in box.iterdir()) == ['.tmp-being-written-now', 'packet-1']
    os.utime(fresh, (two_hours_ago, two_hours_ago))
    transports.write_packet_folder(tmp_path, 'AGENCY_S', 'packet-2', zip_files({'message.xml': b'<m/>'}))
    assert fresh.exists()  # the mailbox was looked at a moment ago: not again for a while


def test_without_endpoint_or_outbox_folder_the_packet_waits(
    app_ctx: Flask, app: Flask, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(app.config, 'EXCHANGE_OUTBOX_DIR', '')
    outbox_id = queue_packet(make_nodes(None))
    assert jobs.deliver_outbox_packet(outbox_id) == 'pending'
    assert 'EDMS_EXCHANGE_OUTBOX_DIR' in (outbox(outbox_id).last_error or '')


def test_the_sweep_enqueues_due_packets_only(app_ctx: Flask, settings: Flask, monkeypatch: pytest.MonkeyPatch):
    nodes = make_nodes('http://127.0.0.1:9/')
    due = [queue_packet(nodes), queue_packet(nodes)]
    later, sent = queue_packet(nodes), queue_packet(nodes)
    with atomic():
        db.session.get(OutboxPacket, later).next_attempt_at = utcnow() + timedelta(minutes=5)
        db.session.get(OutboxPacket, sent).status = 'sent'
    enqueued: list[int] = []
    monkeypatch.setattr(jobs, 'enqueue_delivery', enqueued.append)
    monkeypatch.setattr(jobs, 'OUTBOX_GRACE', timedelta(0))
    assert jobs.sweep_outbox() == 2
    assert sorted(enqueued) == sorted(due)


def test_the_sweep_leaves_a_new_row_to_its_own_job(app_ctx: Flask, settings: Flask, monkeypatch: pytest.MonkeyPatch):
    nodes = make_nodes('http://127.0.0.1:9/')
    fresh, late = queue_packet(nodes), queue_packet(nodes)
    with atomic():
        db.session.get(OutboxPacket, late).next_attempt_at = utcnow() - jobs.OUTBOX_GRACE - timedelta(seconds=1)
    enqueued: list[int] = []
    monkeypatch.setattr(jobs, 'enqueue_delivery', enqueued.append)
    assert jobs.sweep_outbox() == 1
    assert enqueued == [late]
    assert fresh not in enqueued


def test_deliver_and_outbox_commands(app_ctx: Flask, app: Flask, settings: Flask, partner: Partner):
    partner.answers = [200, 500]
    nodes = make_nodes(partner.url)
    first, second = queue_packet(nodes), queue_packet(nodes)
    result = app.test_cli_runner().invoke(args=['edms', 'exchange', 'deliver'])
    assert result.exit_code == 0, result.output
    assert 'отправлено: 1' in result.output
    assert 'отложено до следующей попытки: 1' in result.output
    assert (outbox(first).status, outbox(second).status) == ('sent', 'pending')
    listing = app.test_cli_runner().invoke(args=['edms', 'exchange', 'outbox', '--status', 'pending'])
    assert listing.exit_code == 0, listing.output
    assert f'{second:>6}' in listing.output
    assert 'AGENCY_S~MEDOGU' in listing.output
    assert '500' in listing.output
    assert f'{first:>6} ' not in listing.output


def test_a_receipt_placed_by_the_intake_is_delivered_after_the_commit(
    app_ctx: Flask, app: Flask, test_pki: TestPki, partner: Partner, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(app.config, 'EXCHANGE_DELIVER_INLINE', True)
    exchange = make_exchange(test_pki)
    with atomic():
        db.session.get(ExchangeParticipant, exchange.partner_node.id).endpoint_url = partner.url
    with atomic():
        receive_packet(packet_zip(exchange), transport='http')
    [receipt] = outbox_rows()
    assert (receipt.kind, receipt.status, receipt.attempts) == ('receipt', 'sent', 1)
    [request] = partner.requests
    assert request['body'] == stored_bytes(receipt.sha256)


def test_without_a_worker_the_receipt_waits_for_the_deliver_command(
    app_ctx: Flask, app: Flask, test_pki: TestPki, partner: Partner
):
    assert app.config['JOBS_SYNC']
    assert not app.config.get('EXCHANGE_DELIVER_INLINE')
    exchange = make_exchange(test_pki)
    with atomic():
        db.session.get(ExchangeParticipant, exchange.partner_node.id).endpoint_url = partner.url
    with atomic():
        receive_packet(packet_zip(exchange), transport='http')
    [receipt] = outbox_rows()
    assert (receipt.status, receipt.attempts, partner.requests) == ('pending', 0, [])
    assert jobs.deliver_due() == {'sent': 1}
    assert len(partner.requests) == 1


def test_the_sweep_command_enqueues_due_deliveries(app_ctx: Flask, app: Flask, monkeypatch: pytest.MonkeyPatch):
    outbox_id = queue_packet(make_nodes('http://127.0.0.1:9/'))
    enqueued: list[int] = []
    monkeypatch.setattr(jobs, 'enqueue_delivery', enqueued.append)
    monkeypatch.setattr(jobs, 'OUTBOX_GRACE', timedelta(0))
    result = app.test_cli_runner().invoke(args=['edms', 'exchange', 'sweep'])
    assert result.exit_code == 0, result.output
    assert 'Поставлено в доставку: 1.' in result.output
    assert enqueued == [outbox_id]


def test_the_directory_transport_syncs_the_files_and_folders_before_the_rename_and_the_mailbox_after(
    app_ctx: Flask, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(app.config, 'EXCHANGE_OUTBOX_DIR', str(tmp_path))
    outbox_id = queue_packet(make_nodes(None))
    uid = outbox(outbox_id).message_uid
    events: list[str] = []
    real_fsync, real_rename = os.fsync, Path.rename

    def fsync(descriptor: int) -> None:
        events.append(os.readlink(f'/proc/self/fd/{descriptor}').removeprefix(str(tmp_path / 'AGENCY_S')))
        real_fsync(descriptor)

    def rename(self: Path, target: Path) -> Path:
        events.append('rename')
        return real_rename(self, target)

    monkeypatch.setattr(os, 'fsync', fsync)
    monkeypatch.setattr(Path, 'rename', rename)
    assert jobs.deliver_outbox_packet(outbox_id) == 'sent'
    synced = [event for event in events if event.startswith('/.tmp-')]
    temporary = synced[0].split('/')[1]
    assert events[: len(synced)] == synced  # nothing of the mailbox before the packet's own folder is complete
    assert sorted(synced[:3]) == sorted(f'/{temporary}/{name}' for name in FILES)
    assert synced[3:] == [f'/{temporary}/sub', f'/{temporary}']
    assert events[len(synced) :] == ['rename', '']  # then the mailbox, once, with the final name in it
    assert (tmp_path / 'AGENCY_S' / uid).is_dir()
