"""RQ jobs of the exchange; they take ids only and are idempotent (RQ delivers at least once, and a worker killed
mid-job makes RQ run it again — see ../shared/notes/reliability-security-performance.md §2).

`process_inbox_packet(inbox_id)`: the attempt is counted in a transaction of its own, then the packet is processed
under its row lock in one transaction; when making the drafts is refused (a domain error), that transaction is
rolled back whole and the packet is quarantined in a new one — nothing is half-registered. Any other error fails
the job, and RQ retries it. The receipt it places for the МЭДО folder or an organization served here is delivered
by the same job once committed (`deliver_here`), not by a job of its own; if the worker dies in between, the outbox
sweep finds the row still pending.

The sweeps run every minute from the worker (interval jobs of edms/core/schedule.py); each is one indexed query
(at most 500 ids), a look at the head of the exchange queue and an enqueue per id, and enqueues only jobs that are
idempotent themselves, so a sweep run twice changes nothing but no-op jobs. `sweep_inbox()` re-enqueues packets
still `received` STUCK_AFTER (EXCHANGE_STUCK_AFTER seconds) after their reception or retry: their job was lost
(Redis is not the record) or kept failing; `sweep_outbox()` the pending outbox rows whose next attempt came
OUTBOX_GRACE ago: the delivery job enqueued on commit had that long to take a new row, and a row waiting out its
backoff gets its next attempt from the sweep. Neither takes a packet or row newer than the oldest job still waiting
in the queue: its job was enqueued after that one and is still waiting too (the queue is first in, first out), so
a backlog of thousands of jobs is not doubled by no-op copies every minute.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app

from edms.core.clock import utcnow
from edms.core.errors import DomainError
from edms.core.jobs import make_queue
from edms.core.tx import atomic
from edms.exchange.operations.delivery import deliver_packet, due_packets
from edms.exchange.operations.delivery_queue import delivered_here, enqueue_delivery
from edms.exchange.operations.intake import QUEUE, schedule_processing
from edms.exchange.operations.processing import begin_attempt, process_packet, quarantine_failed
from edms.exchange.queries import stuck_packets

logger = logging.getLogger(__name__)
#: A packet still `received` after this long has lost its job (unless EXCHANGE_STUCK_AFTER says otherwise).
STUCK_AFTER = timedelta(minutes=15)
#: A due outbox row is swept once its next attempt is this old (a new row's own job normally takes it first).
OUTBOX_GRACE = timedelta(minutes=1)
#: How many jobs at the head of the queue are read for the oldest waiting one (the interval runs go to the front).
HEAD_JOBS = 5
#: A job is enqueued after the commit that stamped its packet or row: this much earlier than it is safely before.
ENQUEUE_MARGIN = timedelta(minutes=1)


def process_inbox_packet(inbox_id: int) -> None:
    with atomic():
        attempt = begin_attempt(inbox_id)
    if attempt is None:
        return
    with delivered_here() as receipts:
        try:
            with atomic():
                process_packet(inbox_id, attempt.sha256)
        except DomainError as error:
            with atomic():
                quarantine_failed(inbox_id, error)
    deliver_here(receipts)


def deliver_here(outbox_ids: list[int]) -> None:
    """Deliver committed outbox rows in this job, each in its own transaction (as its own job would); one that
    fails unexpectedly is enqueued for a job of its own instead, and this job goes on."""
    for outbox_id in outbox_ids:
        try:
            deliver_outbox_packet(outbox_id)
        except Exception:
            logger.exception('outbox packet %s could not be delivered by the job that placed it', outbox_id)
            enqueue_delivery(outbox_id)


def sweep_inbox() -> int:
    """Enqueue the processing of every packet stuck in `received`; returns how many."""
    with atomic():
        ids = stuck_packets(not_waiting_before(utcnow() - stuck_after()))
    for inbox_id in ids:
        schedule_processing(inbox_id)
    return len(ids)


def stuck_after() -> timedelta:
    seconds = current_app.config.get('EXCHANGE_STUCK_AFTER')
    return timedelta(seconds=int(seconds)) if seconds else STUCK_AFTER


def not_waiting_before(moment: datetime) -> datetime:
    """`moment`, or the enqueue time of the oldest job still waiting in the exchange queue (less ENQUEUE_MARGIN) when
    that is earlier: a packet or row of a later time has its job still waiting (or lost with the others, and found
    once they are done)."""
    if current_app.config['JOBS_SYNC']:
        return moment
    from rq.job import Job

    queue = make_queue(QUEUE)
    head = Job.fetch_many(queue.get_job_ids(0, HEAD_JOBS), connection=queue.connection, serializer=queue.serializer)
    times = [job.enqueued_at for job in head if job is not None and job.enqueued_at is not None]
    return min([moment, *(enqueued - ENQUEUE_MARGIN for enqueued in times)])


# --- delivering the outbox (see edms.exchange.operations.delivery) ---------------------------------------------------


def deliver_outbox_packet(outbox_id: int) -> str | None:
    """One delivery attempt of an outbox row, in one transaction holding its row lock; the new status or None."""
    with atomic():
        return deliver_packet(outbox_id)


def sweep_outbox() -> int:
    """Enqueue the delivery of every pending row due OUTBOX_GRACE ago (its job was lost, or its next attempt came)."""
    with atomic():
        ids = due_packets(not_waiting_before(utcnow() - OUTBOX_GRACE))
    for outbox_id in ids:
        enqueue_delivery(outbox_id)
    return len(ids)


def deliver_due(limit: int = 500) -> dict[str, int]:
    """One pass over the due rows in this process (the embedded default has no worker): counts by outcome."""
    with atomic():
        ids = due_packets(utcnow(), limit)
    outcomes: dict[str, int] = {}
    for outbox_id in ids:
        status = deliver_outbox_packet(outbox_id) or 'skipped'
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


# --- exporting resolution events as МЭДО notifications (see edms.exchange.operations.exports) ----------------------

#: An event not exported this long after it was written lost its delivery job (or the export failed in it).
EXPORT_AFTER = timedelta(minutes=5)


def export_resolution_events(limit: int = 500) -> int:
    """Export the events the resolutions' delivery job did not (each in its own transaction; one that fails here
    too is logged and given up, journaled, so it never holds back newer ones); returns how many were exported now."""
    import logging

    from edms.exchange.operations.exports import export_event_by_id, give_up_event, unexported_events

    with atomic():
        ids = unexported_events(utcnow() - EXPORT_AFTER, limit)
    exported = 0
    for event_id in ids:
        try:
            with atomic():
                exported += export_event_by_id(event_id)
        except Exception as error:
            logging.getLogger(__name__).exception('resolution event %s could not be exported', event_id)
            with atomic():
                give_up_event(event_id, error)
    return exported
