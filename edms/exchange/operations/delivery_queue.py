"""When an outbox row is handed to the workers: after the commit that placed it.

With a worker (Redis) every row is enqueued at once. The embedded default runs jobs in the request, so there a row
for a partner waits for `flask edms exchange deliver` (unless EXCHANGE_DELIVER_INLINE is set), while a row for an
organization served here is delivered in the request: no network is involved and the clerk sees the result.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import inspect

from edms.core.db import db
from edms.core.jobs import enqueue
from edms.core.tx import on_commit
from edms.exchange.models import ExchangeParticipant, OutboxPacket

JOB = 'edms.exchange.jobs.deliver_outbox_packet'
QUEUE = 'exchange'


def schedule_delivery(row: OutboxPacket) -> None:
    """Enqueue the delivery of a new outbox row once the transaction commits (the row need not be flushed yet)."""
    with db.session.no_autoflush:
        destination = db.session.get(ExchangeParticipant, row.destination_id)
    on_commit(_enqueue_row, row, destination is not None and destination.is_local)


def _enqueue_row(row: OutboxPacket, local: bool) -> None:
    identity = inspect(row).identity  # the key survives the commit: no query here
    if identity is None:
        return
    config = current_app.config
    if config['JOBS_SYNC'] and not (local or config.get('EXCHANGE_DELIVER_INLINE')):
        return  # no worker: `edms exchange deliver` sends it
    enqueue_delivery(int(identity[0]))


def enqueue_delivery(outbox_id: int) -> None:
    enqueue(JOB, outbox_id, queue=QUEUE)
