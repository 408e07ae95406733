"""When an outbox row is handed to the workers: after the commit that placed it.

With a worker (Redis) every row is enqueued at once, except inside `delivered_here()`: a job that places rows (the
processing of a received packet places its receipt) collects the ones for a destination without an HTTP endpoint
(the МЭДО folder, or an organization served here: no network wait) and delivers them itself after its commit,
which saves a job per receipt. A worker killed in between loses nothing: the row is committed `pending`, and the
outbox sweep enqueues it. The embedded default runs jobs in the request, so there a row
for a partner waits for `flask edms exchange deliver` (unless EXCHANGE_DELIVER_INLINE is set), while a row for an
organization served here is delivered in the request: no network is involved and the clerk sees the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app
from sqlalchemy import inspect

from edms.core.db import db
from edms.core.jobs import enqueue
from edms.core.tx import on_commit
from edms.exchange.models import ExchangeParticipant, OutboxPacket

JOB = 'edms.exchange.jobs.deliver_outbox_packet'
QUEUE = 'exchange'


_COLLECTED: ContextVar[list[int] | None] = ContextVar('edms_exchange_delivered_here', default=None)


def schedule_delivery(row: OutboxPacket) -> None:
    """Enqueue the delivery of a new outbox row once the transaction commits (the row need not be flushed yet)."""
    with db.session.no_autoflush:
        destination = db.session.get(ExchangeParticipant, row.destination_id)
    local = destination is not None and destination.is_local
    offline = destination is not None and (local or not destination.endpoint_url)
    on_commit(_enqueue_row, row, local, offline)


@contextmanager
def delivered_here() -> Iterator[list[int]]:
    """Within the block, the rows for a destination without an HTTP endpoint are not enqueued once committed but
    listed here, for the caller to deliver (`deliver_here` in edms.exchange.jobs) after its commit."""
    collected: list[int] = []
    token = _COLLECTED.set(collected)
    try:
        yield collected
    finally:
        _COLLECTED.reset(token)


def _enqueue_row(row: OutboxPacket, local: bool, offline: bool = False) -> None:
    identity = inspect(row).identity  # the key survives the commit: no query here
    if identity is None:
        return
    config = current_app.config
    if config['JOBS_SYNC'] and not (local or config.get('EXCHANGE_DELIVER_INLINE')):
        return  # no worker: `edms exchange deliver` sends it
    collected = _COLLECTED.get()
    if collected is not None and offline and not config['JOBS_SYNC']:
        collected.append(int(identity[0]))
        return
    enqueue_delivery(int(identity[0]))


def enqueue_delivery(outbox_id: int) -> None:
    enqueue(JOB, outbox_id, queue=QUEUE)
