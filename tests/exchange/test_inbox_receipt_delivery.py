"""With a worker, the job that processes a received packet delivers the receipt it placed itself once committed
when the sender is reached without the network (the МЭДО folder), instead of a delivery job of its own; a receipt
for a partner's HTTP endpoint still gets its own job, and one that fails unexpectedly here is enqueued instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from edms.core.db import db
from edms.core.jobs import make_queue
from edms.core.tx import atomic
from edms.exchange import jobs
from edms.exchange.jobs import process_inbox_packet
from edms.exchange.models import ExchangeParticipant
from edms.exchange.operations import receive_packet
from scripts.make_test_pki import TestPki
from tests.conftest import forget_redis
from tests.exchange.inbox_setup import Exchange, inbox_rows, make_exchange, outbox_rows, packet_zip
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI

DELIVERY_JOB = 'edms.exchange.jobs.deliver_outbox_packet'


@pytest.fixture
def worker_queue(app: Flask, redis_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Jobs go to Redis, as with a worker; the exchange queue, emptied before and after."""
    monkeypatch.setitem(app.config, 'REDIS_URL', redis_server.url)
    monkeypatch.setitem(app.config, 'JOBS_SYNC', False)
    forget_redis(app)
    queue = make_queue('exchange')
    queue.empty()
    try:
        yield queue
    finally:
        queue.empty()
        forget_redis(app)


@pytest.fixture
def exchange(app_ctx, test_pki: TestPki) -> Exchange:  # noqa: F811
    return make_exchange(test_pki)


def _by_folder(app: Flask, exchange: Exchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The partner reached through the МЭДО folder (no HTTP endpoint)."""
    folder = tmp_path / 'medo-out'
    monkeypatch.setitem(app.config, 'EXCHANGE_OUTBOX_DIR', str(folder))
    with atomic():
        db.session.get(ExchangeParticipant, exchange.partner_node.id).endpoint_url = None
    return folder


def _received(exchange: Exchange, queue: Any) -> int:
    with atomic():
        inbox = receive_packet(packet_zip(exchange), transport='http', source=exchange.partner_node)
    assert queue.count == 1  # its processing job, run here instead of by a worker
    queue.empty()
    return inbox.id


def test_the_receipt_for_the_medo_folder_is_delivered_by_the_processing_job(
    app: Flask, exchange: Exchange, worker_queue: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = _by_folder(app, exchange, tmp_path, monkeypatch)
    process_inbox_packet(_received(exchange, worker_queue))
    [inbox] = inbox_rows()
    [receipt] = outbox_rows()
    assert (inbox.status, receipt.kind, receipt.status, receipt.attempts) == ('accepted', 'receipt', 'sent', 1)
    assert (folder / exchange.partner_node.mailbox / receipt.message_uid).is_dir()
    assert worker_queue.count == 0  # no delivery job
    process_inbox_packet(inbox.id)  # the job run again: nothing more
    assert len(outbox_rows()) == 1
    assert worker_queue.count == 0


def test_a_receipt_for_an_http_endpoint_keeps_its_own_job(app: Flask, exchange: Exchange, worker_queue: Any):
    process_inbox_packet(_received(exchange, worker_queue))
    [receipt] = outbox_rows()
    assert (receipt.status, receipt.attempts) == ('pending', 0)
    [job] = worker_queue.get_jobs()
    assert (job.func_name, job.args) == (DELIVERY_JOB, [receipt.id])


def test_a_receipt_that_fails_here_unexpectedly_is_enqueued_and_the_packet_stays_accepted(
    app: Flask, exchange: Exchange, worker_queue: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _by_folder(app, exchange, tmp_path, monkeypatch)

    def broken(outbox_id: int) -> None:
        raise RuntimeError('the disk went away')

    monkeypatch.setattr(jobs, 'deliver_outbox_packet', broken)
    process_inbox_packet(_received(exchange, worker_queue))
    [inbox] = inbox_rows()
    [receipt] = outbox_rows()
    assert (inbox.status, receipt.status) == ('accepted', 'pending')
    [job] = worker_queue.get_jobs()
    assert (job.func_name, job.args) == (DELIVERY_JOB, [receipt.id])
