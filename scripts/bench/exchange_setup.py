"""Plumbing of the exchange benchmarks (`bench_exchange`, `reliability_exchange`): a private Redis, the app on it,
the two parties of `tests/exchange/inbox_setup.py` (the ministry served here, the partner agency that sends) with
the test PKI's hierarchies and CRLs in the trust store, packets built in advance by the project's own writer, real
RQ worker processes (`flask --app wsgi edms worker`) started, killed and stopped by process group, and counts read
from the database.

Receipts go back to the partner by the directory transport (`EXCHANGE_OUTBOX_DIR` under the work folder): the
partner has no HTTP endpoint here, so no delivery waits on the network.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO
from uuid import uuid4

from flask import Flask
from sqlalchemy import text

from edms import create_app
from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.models import ExchangeParticipant
from edms.exchange.operations.common import zip_files
from edms.exchange.packets.writer import OutgoingDocument, Participant, Signatory, SignerMaterial, build_packet
from scripts.bench.common import WORK, config
from scripts.make_test_pki import TestPki, build_test_pki
from tests import servers

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name('flask')
QUEUES = ('exchange', 'default')
#: The worker command as operators run it.
WORKER = [str(FLASK), '--app', 'wsgi', 'edms', 'worker', *QUEUES]


@dataclass
class Stack:
    """What the benchmark runs on: the app (in this process), the settings the workers get, and the parties."""

    app: Flask
    env: dict[str, str]
    pki: TestPki
    sender: Participant
    addressee: Participant
    partner_id: int
    folder: Path


@contextmanager
def redis_url() -> Iterator[str]:
    """A private Redis with AOF on (as production runs it), stopped afterwards."""
    base = Path(tempfile.mkdtemp(prefix='edms-bench-redis-'))
    server = servers.start_redis(base, appendonly=True)
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def exchange_stack(database_url: str, redis: str, **settings: object) -> Iterator[Stack]:
    """The migrated app on the database and Redis, the parties, the trust store; the work folder removed after."""
    from flask_migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix='exchange-', dir=_work()))
    outbox = folder / 'medo-out'
    values = {**config(database_url), 'BLOB_DIR': str(folder / 'blobs'), 'REDIS_URL': redis}
    values |= {'EXCHANGE_OUTBOX_DIR': str(outbox), **settings}
    app = create_app(values)
    with app.app_context():
        upgrade()
    try:
        yield _parties(app, folder, values)
    finally:
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _work() -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    return WORK


def _parties(app: Flask, folder: Path, values: dict[str, object]) -> Stack:
    from tests.exchange.inbox_setup import make_exchange
    from tests.signatures.store_setup import install_trust

    pki = build_test_pki(folder / 'pki')
    with app.app_context():
        exchange = make_exchange(pki, trust=False)
        install_trust(pki, crls=True)
        with atomic():
            db.session.get(ExchangeParticipant, exchange.partner_node.id).endpoint_url = None
        sender, addressee = exchange.partner_identity, exchange.ministry_identity
        partner_id = exchange.partner_node.id
    env = {**os.environ, **{f'EDMS_{key}': str(value) for key, value in values.items()}}
    env['EDMS_EMBEDDED_DEFAULTS'] = 'false'
    return Stack(app, env, pki, sender, addressee, partner_id, folder)


# --- packets --------------------------------------------------------------------------------------------------------


def signer_material(pki: TestPki, user: str) -> SignerMaterial:
    from tests.exchange.inbox_setup import signer

    return signer(pki, user)


def document(number: str, material: SignerMaterial, main_kb: int, annex_kb: int) -> OutgoingDocument:
    """A letter with a PDF of `main_kb` KiB and an annex of `annex_kb` KiB (incompressible, as real PDFs mostly are)."""
    from edms.exchange.packets.writer import PacketFile
    from tests.exchange.inbox_setup import outgoing

    main = PacketFile('letter.pdf', b'%PDF-1.7\n' + os.urandom(main_kb * 1024), 'Письмо')
    annex = PacketFile('annex.pdf', b'%PDF-1.7\n' + os.urandom(annex_kb * 1024), 'Приложение')
    signatory = Signatory(material.name, material.post)
    return outgoing(number, main_file=main, attachments=(annex,), signatories=(signatory,))


def build_one(stack: Stack, material: SignerMaterial, number: str, main_kb: int, annex_kb: int) -> bytes:
    """One packet from the partner to the ministry, zipped as a partner system posts it."""
    built = build_packet(
        document(number, material, main_kb, annex_kb),
        sender=stack.sender,
        addressees=[stack.addressee],
        signers=[material],
        created=datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1),
        uid=uuid4(),
    )
    return zip_files(built.files)


def build_many(stack: Stack, user: str, count: int, main_kb: int, annex_kb: int, prefix: str) -> list[bytes]:
    material = signer_material(stack.pki, user)
    with stack.app.app_context():
        return [build_one(stack, material, f'{prefix}-{n}', main_kb, annex_kb) for n in range(1, count + 1)]


# --- workers --------------------------------------------------------------------------------------------------------


@dataclass
class Workers:
    """RQ worker processes, each in its own process group (so that its scheduler process dies with it)."""

    env: dict[str, str]
    log_dir: Path
    command: list[str] = field(default_factory=lambda: list(WORKER))
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)
    started: int = 0

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            self.started += 1
            log = open(self.log_dir / f'worker-{self.started}.log', 'wb')  # noqa: SIM115 - closed in stop_all
            process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            self.processes.append(process)
            self.logs.append(log)

    def kill(self, index: int) -> int:
        """SIGKILL worker `index` with its process group (its scheduler too); returns its pid."""
        process = self.processes.pop(index)
        _signal_group(process, signal.SIGKILL)
        process.wait()
        return process.pid

    def alive(self) -> list[subprocess.Popen[bytes]]:
        return [process for process in self.processes if process.poll() is None]

    def stop_all(self, grace: float = 20.0) -> None:
        for process in self.processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            _signal_group(process, signal.SIGKILL)
            process.wait()
        self.processes.clear()
        for log in self.logs:
            log.close()
        self.logs.clear()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def registered_workers(app: Flask) -> int:
    from rq import Worker

    from edms.core.jobs import redis_connection

    with app.app_context():
        return len(Worker.all(connection=redis_connection()))


def wait_for_workers(app: Flask, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while registered_workers(app) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f'{count} workers did not register within {timeout:.0f} s (see the worker logs)')
        time.sleep(0.1)


# --- counts -----------------------------------------------------------------------------------------------------------

_PRIMARY = 'parent_id IS NULL AND duplicate_of_id IS NULL'
COUNTS = {
    'received': f'SELECT count(*) FROM exchange_inbox WHERE {_PRIMARY}',
    'receptions': f'SELECT coalesce(sum(receptions), 0) FROM exchange_inbox WHERE {_PRIMARY}',
    'pending': "SELECT count(*) FROM exchange_inbox WHERE status = 'received'",
    'accepted': "SELECT count(*) FROM exchange_inbox WHERE status = 'accepted' AND duplicate_of_id IS NULL",
    'quarantined': "SELECT count(*) FROM exchange_inbox WHERE status = 'quarantined'",
    'folded duplicates': 'SELECT count(*) FROM exchange_inbox WHERE duplicate_of_id IS NOT NULL',
    'drafts': "SELECT count(*) FROM registry_cards WHERE status = 'draft'",
    'receipts queued': "SELECT count(*) FROM exchange_outbox WHERE kind = 'receipt'",
    'receipts sent': "SELECT count(*) FROM exchange_outbox WHERE kind = 'receipt' AND status = 'sent'",
}  # fmt: skip


def counts(app: Flask, *names: str) -> dict[str, int]:
    with app.app_context():
        with db.engine.connect() as connection:
            return {name: int(connection.execute(text(COUNTS[name])).scalar_one()) for name in names or COUNTS}


def wait_until(app: Flask, name: str, target: int, timeout: float, poll: float = 0.25) -> float | None:
    """The monotonic time when count `name` reached `target`, or None after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if counts(app, name)[name] >= target:
            return time.monotonic()
        time.sleep(poll)
    return None


def quarantine_reasons(app: Flask, limit: int = 5) -> list[str]:
    query = 'SELECT reason_code, left(reason, 300) FROM exchange_inbox WHERE status = :status ORDER BY id LIMIT :n'
    with app.app_context():
        with db.engine.connect() as connection:
            rows = connection.execute(text(query), {'status': 'quarantined', 'n': limit})
            return [f'{code}: {reason}' for code, reason in rows]
