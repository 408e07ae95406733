"""Exchange reliability (issue 5): packets received while a worker is killed with SIGKILL every few seconds.

`python -m scripts.bench.reliability_exchange [--packets 10000] [--workers 2] [--rate 20] [--kill-every 3 6]
[--resend 0.02] [--refold 0.01] [--stuck-after 120] [--durable] [--no-wait]`

On a private PostgreSQL and Redis (AOF on), with the parties of the exchange benchmark, `--packets` RSA-signed
packets (built in advance, small files) are received by `receive_packet` in this process at `--rate` per second;
some are received a second time with the same bytes (`--resend`), some as a second copy of the same message with
other bytes (`--refold`). Meanwhile `--workers` real workers (`flask --app wsgi edms worker exchange default`, each
in its own process group) process them, and every few seconds one of them is killed with SIGKILL together with its
scheduler process and a new one started in its place. The script never re-enqueues anything: what a killed worker
was doing comes back through RQ's own handling of abandoned jobs and the system's minute sweeps
(`exchange_inbox_sweep`, `exchange_outbox_sweep`; packets count as stuck after `--stuck-after` seconds, the
EXCHANGE_STUCK_AFTER setting). The kills go on until every packet is received and processed; then the script
waits for the system to settle and reports the counts:
received, processed (accepted), quarantined, duplicates, receipts (exactly one per reception, per message), drafts
(exactly one per message) and delivered receipts; lost or duplicated messages are listed, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import text

from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.models import ExchangeParticipant
from edms.exchange.operations.common import zip_files
from edms.exchange.operations.intake import receive_packet
from edms.exchange.packets.writer import build_packet
from scripts.bench.common import load_average, machine, pg_settings, postgres, wait_for_quiet
from scripts.bench.exchange_setup import (
    Stack,
    Workers,
    counts,
    document,
    exchange_stack,
    redis_url,
    signer_material,
    wait_for_workers,
)


@dataclass
class Ledger:
    """What this script sent: every message GUID, and how many times each was received."""

    receptions: Counter[str] = field(default_factory=Counter)
    resent: int = 0
    refolded: int = 0


@dataclass
class Chaos:
    """Kills a random worker (with its process group) every few seconds and starts another in its place."""

    workers: Workers
    pause: tuple[float, float]
    kills: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    rng: random.Random = field(default_factory=lambda: random.Random(5))

    def run(self) -> None:
        while not self.stop.wait(self.rng.uniform(*self.pause)):
            if not self.workers.processes:
                continue
            self.workers.kill(self.rng.randrange(len(self.workers.processes)))
            self.kills += 1
            self.workers.start(1)


@dataclass
class Sweeps:
    """The results of the minute sweeps, read from Redis while their finished runs are kept there."""

    inbox: dict[str, int] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)

    def sample(self, stack: Stack) -> None:
        from rq.job import Job
        from rq.serializers import JSONSerializer

        from edms.core.jobs import redis_connection

        with stack.app.app_context():
            connection = redis_connection()
            for key in connection.scan_iter(match='rq:job:exchange_*_sweep-*', count=1000):
                job_id = key.decode().removeprefix('rq:job:')
                value = _result(Job, job_id, connection, JSONSerializer)
                if isinstance(value, int):
                    (self.inbox if job_id.startswith('exchange_inbox') else self.outbox)[job_id] = value


def _result(job_class: Any, job_id: str, connection: Any, serializer: Any) -> object:
    """The return value of a finished run; None while it is queued or running, or when it failed or expired."""
    try:
        return job_class.fetch(job_id, connection=connection, serializer=serializer).return_value()
    except Exception:  # expired between the scan and the fetch: the next sample does without it
        return None


def build_all(stack: Stack, args: argparse.Namespace) -> list[tuple[str, bytes]]:
    """(message GUID, packet zip) of every packet to send; a `--refold` share gets a second copy with other bytes."""
    material = signer_material(stack.pki, 'rsa')
    rng, result = random.Random(7), []
    with stack.app.app_context():
        for n in range(1, args.packets + 1):
            doc, uid = document(f'R-{n}', material, args.main_kb, args.annex_kb), uuid4()
            result.append((str(uid), _zip(stack, doc, material, uid, 0)))
            if rng.random() < args.refold:
                result.append((str(uid), _zip(stack, doc, material, uid, 1)))
    return result


def _zip(stack: Stack, doc: object, material: object, uid: UUID, minutes: int) -> bytes:
    created = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2 + minutes)
    built = build_packet(
        doc,  # type: ignore[arg-type]
        sender=stack.sender,
        addressees=[stack.addressee],
        signers=[material],  # type: ignore[list-item]
        created=created,
        uid=uid,
    )
    return zip_files(built.files)


def receive(stack: Stack, packets: list[tuple[str, bytes]], args: argparse.Namespace, ledger: Ledger) -> None:
    """Receive each packet at `--rate` per second; a `--resend` share once more with the same bytes, later."""
    rng, again = random.Random(11), []
    interval = 1.0 / args.rate if args.rate else 0.0
    started = time.monotonic()
    seen: set[str] = set()
    with stack.app.app_context():
        for index, (uid, raw) in enumerate(packets):
            _receive_one(stack, raw)
            ledger.receptions[uid] += 1
            if uid in seen:
                ledger.refolded += 1
            seen.add(uid)
            if rng.random() < args.resend:
                again.append((uid, raw))
            if again and rng.random() < 0.1:
                uid_again, raw_again = again.pop(0)
                _receive_one(stack, raw_again)
                ledger.receptions[uid_again] += 1
                ledger.resent += 1
            if index % 1000 == 999:
                print(f'received {index + 1} packets in {time.monotonic() - started:.0f} s', flush=True)
            delay = started + (index + 1) * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        for uid, raw in again:
            _receive_one(stack, raw)
            ledger.receptions[uid] += 1
            ledger.resent += 1


def _receive_one(stack: Stack, raw: bytes) -> None:
    for attempt in range(3):  # this process is not under test: a lost database connection is retried
        try:
            with atomic():
                receive_packet(raw, transport='http', source=db.session.get(ExchangeParticipant, stack.partner_id))
            return
        except Exception:
            if attempt == 2:
                raise
            time.sleep(1)


def settled(stack: Stack, ledger: Ledger) -> bool:
    found = counts(stack.app, 'pending', 'receipts queued', 'receipts sent', 'receptions')
    receptions = sum(ledger.receptions.values())
    return found['pending'] == 0 and found['receipts sent'] == found['receipts queued'] == receptions


def wait_settled(stack: Stack, ledger: Ledger, sweeps: Sweeps, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        sweeps.sample(stack)
        if settled(stack, ledger):
            return time.monotonic() - started
        time.sleep(5)
    return None


CHECKS = {
    'messages with receipts != receptions': """
        SELECT count(*) FROM exchange_inbox i WHERE parent_id IS NULL AND duplicate_of_id IS NULL
        AND receptions <> (SELECT count(*) FROM exchange_outbox o WHERE o.inbox_id = i.id AND o.kind = 'receipt')""",
    'messages with more than one draft': """
        SELECT count(*) FROM (SELECT message_uid FROM exchange_inbox i JOIN registry_cards c ON c.id = i.card_id
        WHERE i.parent_id IS NULL AND i.duplicate_of_id IS NULL GROUP BY message_uid HAVING count(*) > 1) d""",
    'drafts not made from a received packet': """
        SELECT count(*) FROM registry_cards c
        WHERE NOT EXISTS (SELECT 1 FROM exchange_inbox i WHERE i.card_id = c.id)""",
    'packets processed more than once (attempts > 1)': "SELECT count(*) FROM exchange_inbox WHERE attempts > 1",
}  # fmt: skip


def leftovers(stack: Stack) -> dict[str, int]:
    """What the kills left behind: jobs RQ gave up on, receipt folders written, half-written folders."""
    from rq.registry import FailedJobRegistry

    from edms.core.jobs import make_queue

    with stack.app.app_context():
        failed = sum(FailedJobRegistry(queue=make_queue(name)).count for name in ('exchange', 'default'))
    folders = [path for box in (stack.folder / 'medo-out').glob('*') for path in box.iterdir()]
    return {
        'RQ failed jobs (given up; the sweeps stand in)': failed,
        'receipt folders in the МЭДО outbox folder': sum(not path.name.startswith('.') for path in folders),
        'half-written folders left by a kill (.tmp-*)': sum(path.name.startswith('.tmp-') for path in folders),
    }


def report(stack: Stack, ledger: Ledger, chaos: Chaos, sweeps: Sweeps) -> bool:
    found = counts(stack.app)
    with stack.app.app_context(), db.engine.connect() as connection:
        accepted = {row[0] for row in connection.execute(text(
            "SELECT message_uid FROM exchange_inbox WHERE status = 'accepted' AND parent_id IS NULL "
            'AND duplicate_of_id IS NULL AND card_id IS NOT NULL'
        ))}  # fmt: skip
        checks = {name: int(connection.execute(text(query)).scalar_one()) for name, query in CHECKS.items()}
    messages = len(ledger.receptions)
    lost = sorted(set(ledger.receptions) - accepted)
    print(f'sent:       {messages} messages, {sum(ledger.receptions.values())} receptions '
          f'({ledger.resent} the same bytes again, {ledger.refolded} a second copy with other bytes)')  # fmt: skip
    print(f'chaos:      {chaos.kills} workers killed with SIGKILL (with their scheduler processes)')
    print(f'sweeps:     {len(sweeps.inbox)} inbox sweep runs seen, {sum(sweeps.inbox.values())} packets re-enqueued; '
          f'{len(sweeps.outbox)} outbox sweep runs, {sum(sweeps.outbox.values())} deliveries re-enqueued')  # fmt: skip
    for name, value in found.items():
        print(f'  {name:48} {value}')
    for name, value in checks.items():
        print(f'  {name:48} {value}')
    for name, value in leftovers(stack).items():
        print(f'  {name:48} {value}')
    print(f'  {"messages lost (sent, not accepted with a draft)":48} {len(lost)} {lost[:5]}')
    good = (
        not lost and found['quarantined'] == 0 and found['drafts'] == messages and found['accepted'] == messages
        and found['receipts queued'] == sum(ledger.receptions.values()) == found['receptions']
        and checks['messages with receipts != receptions'] == 0 and checks['messages with more than one draft'] == 0
        and checks['drafts not made from a received packet'] == 0
    )  # fmt: skip
    print('result:     ' + ('no packet lost or duplicated' if good else 'FAILED'))
    return good


def run(args: argparse.Namespace, stack: Stack) -> bool:
    print(f'machine:    {machine()}\npostgresql: {pg_settings(stack.app)}')
    started = time.monotonic()
    packets = build_all(stack, args)
    print(f'built:      {len(packets)} packets in {time.monotonic() - started:.0f} s', flush=True)
    args.no_wait or wait_for_quiet()
    workers, ledger, sweeps = Workers(stack.env, stack.folder), Ledger(), Sweeps()
    chaos = Chaos(workers, tuple(args.kill_every))
    thread = threading.Thread(target=chaos.run, daemon=True)
    try:
        workers.start(args.workers)
        wait_for_workers(stack.app, args.workers)
        thread.start()
        started = time.monotonic()
        receive(stack, packets, args, ledger)
        print(f'received:   all in {time.monotonic() - started:.0f} s; the kills go on until they are processed')
        while counts(stack.app, 'pending')['pending'] and time.monotonic() - started < args.timeout:
            sweeps.sample(stack)
            time.sleep(5)
        chaos.stop.set()
        thread.join()
        print(f'processed:  {time.monotonic() - started:.0f} s after the first reception, {chaos.kills} kills; '
              f'load avg {load_average()}', flush=True)  # fmt: skip
        waited = wait_settled(stack, ledger, sweeps, args.timeout)
        print('settled:    ' + (f'{waited:.0f} s after the last kill' if waited is not None else 'NOT in time'))
    finally:
        chaos.stop.set()
        if thread.is_alive():
            thread.join()
        workers.stop_all()
    return report(stack, ledger, chaos, sweeps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--packets', type=int, default=10_000)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--rate', type=float, default=20.0, help='receptions per second (0: as fast as possible)')
    parser.add_argument('--kill-every', type=float, nargs=2, default=(3.0, 6.0), metavar=('MIN', 'MAX'))
    parser.add_argument('--resend', type=float, default=0.02, help='share received twice with the same bytes')
    parser.add_argument('--refold', type=float, default=0.01, help='share sent twice as other bytes')
    parser.add_argument('--stuck-after', type=int, default=120, help='EXCHANGE_STUCK_AFTER for the run, seconds')
    parser.add_argument('--main-kb', type=int, default=8)
    parser.add_argument('--annex-kb', type=int, default=4)
    parser.add_argument('--timeout', type=float, default=1800.0, help='seconds to wait for processing and settling')
    parser.add_argument('--durable', action='store_true', help='PostgreSQL with fsync and synchronous_commit on')
    parser.add_argument('--no-wait', action='store_true', help='do not wait for a quiet machine')
    args = parser.parse_args()
    settings = {'EXCHANGE_STUCK_AFTER': args.stuck_after}
    with postgres(durable=args.durable) as url, redis_url() as redis, exchange_stack(url, redis, **settings) as stack:
        good = run(args, stack)
    raise SystemExit(0 if good else 1)


if __name__ == '__main__':
    main()
