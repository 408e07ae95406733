"""Failures while processing: a refusal in the middle of making the draft rolls the whole draft back and quarantines
the packet (nothing half-registered); a crash leaves the packet stored as received, counted, and the sweeper sends
it through again once it has been stuck EXCHANGE_STUCK_AFTER; a packet that keeps crashing the job is quarantined
instead of being tried forever."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.jobs import make_queue
from edms.core.tx import atomic
from edms.exchange import jobs
from edms.exchange.jobs import process_inbox_packet, sweep_inbox
from edms.exchange.models import InboxPacket
from edms.exchange.operations import drafts, processing, receive_packet
from edms.registry.errors import FileRefused
from edms.registry.models import Attachment, Card
from edms.registry.operations.attachments import StoredFile
from edms.signatures.models import AttachmentSignature
from scripts.make_test_pki import TestPki
from tests.conftest import forget_redis
from tests.exchange.inbox_setup import Exchange, count, inbox_rows, make_exchange, outbox_rows, packet_zip
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI


@pytest.fixture
def exchange(app_ctx, test_pki: TestPki) -> Exchange:  # noqa: F811
    return make_exchange(test_pki)


def test_a_refusal_while_making_the_draft_keeps_nothing_of_it(exchange: Exchange, monkeypatch: pytest.MonkeyPatch):
    real = drafts.add_stored_attachments
    calls: list[str] = []

    def second_file_refused(actor: Any, card: Card, files: list[StoredFile]) -> list[Attachment]:
        calls.extend(file.filename for file in files)
        real(actor, card, files[:1])  # the first file is stored, then the second is refused
        raise FileRefused(fields={'file': '«Файл»: отказано.'})

    monkeypatch.setattr(drafts, 'add_stored_attachments', second_file_refused)

    with atomic():
        receive_packet(packet_zip(exchange), transport='http', source=exchange.partner_node)

    assert len(calls) == 2  # the first file had been stored when the second was refused
    [inbox] = inbox_rows()
    assert (inbox.status, inbox.reason_code) == ('quarantined', 'unsupported')
    assert '«Файл»: отказано.' in (inbox.reason or '')
    assert inbox.card_id is None
    assert inbox.message_uid is not None  # noted again after the rollback: the receipt names the message
    assert (count(Card), count(Attachment), count(AttachmentSignature)) == (0, 0, 0)
    [receipt] = outbox_rows()
    assert receipt.kind == 'receipt'


def test_a_crash_leaves_the_packet_received_and_the_sweeper_sends_it_through_again(
    exchange: Exchange, monkeypatch: pytest.MonkeyPatch
):
    real = processing.read_packet_zip

    def crash(data: bytes) -> Any:
        raise RuntimeError('the worker lost its database connection')

    monkeypatch.setattr(processing, 'read_packet_zip', crash)
    with pytest.raises(RuntimeError), atomic():
        receive_packet(packet_zip(exchange), transport='http', source=exchange.partner_node)
    [inbox] = inbox_rows()
    assert (inbox.status, inbox.attempts) == ('received', 1)
    monkeypatch.setattr(processing, 'read_packet_zip', real)
    monkeypatch.setattr(jobs, 'STUCK_AFTER', jobs.STUCK_AFTER * 0)

    assert sweep_inbox() == 1

    [inbox] = inbox_rows()
    assert (inbox.status, inbox.attempts) == ('accepted', 2)
    assert count(Card) == 1
    assert len(outbox_rows()) == 1


def test_the_sweep_waits_for_the_stuck_after_setting(app: Flask, exchange: Exchange, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(processing, 'read_packet_zip', lambda data: 1 / 0)
    with pytest.raises(ZeroDivisionError), atomic():
        receive_packet(packet_zip(exchange), transport='http', source=exchange.partner_node)
    [inbox] = inbox_rows()
    enqueued: list[int] = []
    monkeypatch.setattr(jobs, 'schedule_processing', enqueued.append)
    monkeypatch.setitem(app.config, 'EXCHANGE_STUCK_AFTER', 600)
    assert sweep_inbox() == 0  # received a moment ago: its job may still be queued
    with atomic():
        db.session.execute(
            update(InboxPacket).where(InboxPacket.id == inbox.id).values(received_at=utcnow() - timedelta(seconds=601))
        )
    assert sweep_inbox() == 1
    assert enqueued == [inbox.id]


def test_the_sweep_leaves_a_packet_whose_job_still_waits_in_the_queue(
    app: Flask, exchange: Exchange, redis_server: Any, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(app.config, 'REDIS_URL', redis_server.url)
    monkeypatch.setitem(app.config, 'JOBS_SYNC', False)
    monkeypatch.setattr(jobs, 'STUCK_AFTER', timedelta(0))
    forget_redis(app)
    queue = make_queue('exchange')
    queue.empty()
    try:
        with atomic():
            receive_packet(packet_zip(exchange), transport='http', source=exchange.partner_node)
        assert queue.count == 1  # its processing job waits behind nothing, as it would behind a backlog
        assert sweep_inbox() == 0
        queue.empty()  # the job is lost
        assert sweep_inbox() == 1
        assert queue.count == 1
    finally:
        queue.empty()
        forget_redis(app)


def test_a_packet_that_keeps_crashing_the_job_is_quarantined(exchange: Exchange, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(processing, 'read_packet_zip', lambda data: 1 / 0)
    with pytest.raises(ZeroDivisionError), atomic():
        receive_packet(packet_zip(exchange), transport='http', source=exchange.partner_node)
    [inbox] = inbox_rows()
    with atomic():
        db.session.execute(
            update(InboxPacket).where(InboxPacket.id == inbox.id).values(attempts=processing.MAX_ATTEMPTS)
        )

    process_inbox_packet(inbox.id)

    [inbox] = inbox_rows()
    assert (inbox.status, inbox.reason_code) == ('quarantined', 'unsupported')
    assert 'попыток' in (inbox.reason or '')
    assert count(Card) == 0
