"""Launching application nodes for the two-node test: each node is an agency's own installation — its PostgreSQL
cluster, its Redis, its blob folder, an HTTP server (gunicorn, as in production) and an RQ worker
(`flask --app wsgi edms worker`) on loopback, configured only by `EDMS_*` environment variables.

`launch_pair` brings two nodes up: the servers, the migrations (`flask edms init --no-demo`), the seeding
(tests/twonode/seed.py) with both agencies in each node's directory — the local one and the partner at the other
node's endpoint — and then the processes, each node holding the token the other node issued for it in
EXCHANGE_TOKENS; it returns when both answer /health, the API and their worker is registered in Redis. Whatever
fails, everything started so far is stopped. `Node.logs()` gives the tail of the worker's and the HTTP server's logs
and the node's inbox and outbox rows for a failure report.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import redis
import sqlalchemy
from rq import Worker

from edms.core.jobs import QUEUES
from tests.servers import PostgresServer, RunningServer, free_port, start_postgres, start_redis

REPO = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 120.0
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
LOG_TAIL = 6000
#: Every queue of the application, the exchange's first (the periodic jobs scheduled at the start go to `default`).
WORKER_QUEUES = ('exchange', *(name for name in QUEUES if name != 'exchange'))
T = TypeVar('T')


@dataclass(frozen=True)
class Agency:
    """An agency as both nodes know it: its organization's requisites and its place in the МЭДО exchange."""

    key: str
    name: str
    short_name: str
    ogrn: str
    inn: str
    kpp: str
    guid: str
    mailbox: str
    kind: str = 'ministry'

    def as_spec(self, endpoint_url: str = '') -> dict[str, Any]:
        return {**self.__dict__, 'endpoint_url': endpoint_url}


@dataclass
class Node:
    """One agency's installation; `seeded` holds what the seeding returned (ids and tokens)."""

    agency: Agency
    directory: Path
    http_port: int
    postgres: PostgresServer | None = None
    redis: RunningServer | None = None
    secret_key: str = field(default_factory=lambda: 'k-' + secrets.token_hex(24))
    seeded: dict[str, Any] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: list[IO[bytes]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f'http://127.0.0.1:{self.http_port}'

    @property
    def endpoint_url(self) -> str:
        return f'{self.base_url}/api/v1/exchange/packets'

    def token(self, login: str) -> str:
        token: str = self.seeded['users'][login]['token']
        return token

    def env(self, exchange_tokens: dict[str, str] | None = None) -> dict[str, str]:
        """The process environment: the caller's without any EDMS_*/FLASK_* setting, plus this node's settings."""
        assert self.postgres is not None
        assert self.redis is not None
        env = {key: value for key, value in os.environ.items() if not key.startswith(('EDMS_', 'FLASK_'))}
        env.update(
            PYTHONPATH=str(REPO),
            PYTHONUNBUFFERED='1',
            EDMS_EMBEDDED_DEFAULTS='false',
            EDMS_SECRET_KEY=self.secret_key,
            EDMS_SQLALCHEMY_DATABASE_URI=self.postgres.url,
            EDMS_REDIS_URL=self.redis.url,
            EDMS_BLOB_DIR=str(self.directory / 'blobs'),
            EDMS_BASE_URL=self.base_url,
            EDMS_EXCHANGE_TOKENS=json.dumps(exchange_tokens or {}),
            EDMS_EXCHANGE_DELIVERY_TIMEOUT='10',
            # The worker's start may run the nightly CRL refresh (catch-up); the test PKI's points do not exist.
            EDMS_CRL_FETCH_TIMEOUT='2',
        )
        return env

    # --- commands and processes -------------------------------------------------------------------------------------

    def run(self, name: str, *args: str) -> str:
        """Run `python -m …` under the node's environment; its output, or RuntimeError with the output."""
        log = self.directory / f'{name}.log'
        with open(log, 'wb') as out:
            result = subprocess.run(
                [sys.executable, '-m', *args],
                cwd=REPO,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        output = log.read_text(errors='replace')
        if result.returncode != 0:
            raise RuntimeError(
                f'node {self.agency.key}: {" ".join(args)} exited {result.returncode}:\n{output[-4000:]}'
            )
        return output

    def migrate(self) -> None:
        self.run('migrate', 'flask', '--app', 'wsgi', 'edms', 'init', '--no-demo')

    def seed(self, spec: dict[str, Any]) -> dict[str, Any]:
        spec_path, result_path = self.directory / 'seed-spec.json', self.directory / 'seed-result.json'
        spec_path.write_text(json.dumps(spec, ensure_ascii=False))
        self.run('seed', 'tests.twonode.seed', str(spec_path), str(result_path))
        self.seeded = json.loads(result_path.read_text())
        return self.seeded

    def start(self, exchange_tokens: dict[str, str]) -> None:
        """The HTTP server and the worker, each in its own process group."""
        env = self.env(exchange_tokens)
        gunicorn = ['gunicorn', '--bind', f'127.0.0.1:{self.http_port}', '--workers', '1', '--threads', '4']
        gunicorn += ['--graceful-timeout', '5', '--no-control-socket', '--access-logfile', '-', 'wsgi:app']
        self._spawn('http', gunicorn, env)
        self._spawn('worker', ['flask', '--app', 'wsgi', 'edms', 'worker', *WORKER_QUEUES], env)

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = open(self.directory / f'{name}.log', 'wb')  # noqa: SIM115 - closed by stop()
        self._logs.append(log)
        self.processes[name] = subprocess.Popen(
            [sys.executable, '-m', *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Until /health, an API call as the first seeded user and the worker's registration all answer."""
        assert self.redis is not None
        first_login = next(iter(self.seeded['users']))
        deadline = time.monotonic() + timeout
        connection = redis.Redis.from_url(self.redis.url)
        try:
            while True:
                problem = self._not_ready(connection, self.token(first_login))
                if problem is None:
                    return
                if time.monotonic() > deadline:
                    message = f'node {self.agency.key} not ready after {timeout:.0f} s: {problem}'
                    raise RuntimeError(f'{message}\n{self.logs()}')
                time.sleep(0.2)
        finally:
            connection.close()

    def _not_ready(self, connection: redis.Redis, token: str) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                message = f'node {self.agency.key}: {name} exited with code {process.returncode}'
                raise RuntimeError(f'{message}\n{self.logs()}')
        for path, headers in (('/health', {}), ('/api/v1/me', {'Authorization': f'Bearer {token}'})):
            request = urllib.request.Request(self.base_url + path, headers=headers)  # noqa: S310 - loopback
            try:
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    response.read()
            except (urllib.error.URLError, OSError) as error:
                return f'{path}: {error}'
        if Worker.count(connection=connection) < 1:
            return 'no RQ worker registered'
        return None

    def stop(self) -> None:
        """SIGTERM to each process group, SIGKILL after STOP_TIMEOUT; then the servers."""
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)
        for log in self._logs:
            log.close()
        for server in (self.redis, self.postgres):
            if server is not None:
                server.stop()

    def logs(self) -> str:
        """The tail of each log of the running node: worker, HTTP server, PostgreSQL (a failed migration or seeding
        reports its own output)."""
        paths = [self.directory / f'{name}.log' for name in ('worker', 'http')]
        if self.postgres is not None:
            paths.append(self.postgres.directory / 'log')
        parts = []
        for path in paths:
            if path.is_file():
                text = path.read_text(errors='replace')[-LOG_TAIL:]
                parts.append(f'----- node {self.agency.key}: {path.name} -----\n{text}')
        parts.append(f'----- node {self.agency.key}: exchange -----\n{self.exchange_state()}')
        return '\n'.join(parts)

    def exchange_state(self) -> str:
        """The node's inbox and outbox rows (status, attempts, error), read from its database."""
        if self.postgres is None:
            return '(no database)'
        queries = (
            'SELECT id, status, message_kind, attempts, reason FROM exchange_inbox ORDER BY id',
            'SELECT id, kind, status, attempts, next_attempt_at, last_error FROM exchange_outbox ORDER BY id',
        )
        try:
            engine = sqlalchemy.create_engine(self.postgres.url, poolclass=sqlalchemy.pool.NullPool)
            with engine.connect() as connection:
                rows = '\n'.join(
                    f'{query.split(" FROM ")[1].split()[0]}: {list(row)}'
                    for query in queries
                    for row in connection.execute(sqlalchemy.text(query))
                )
                return rows or '(no rows)'
        except sqlalchemy.exc.SQLAlchemyError as error:
            return f'(not read: {error})'


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


@contextmanager
def launch_pair(
    base_dir: Path, agencies: tuple[Agency, Agency], specs: Callable[[Node, Node], dict[str, Any]]
) -> Iterator[tuple[Node, Node]]:
    """Two nodes up and seeded; `specs(node, partner)` gives the seeding spec's extra parts (users, trust) for a node.

    On exit (or any failure on the way) every process and server of both nodes is stopped."""
    a, b = (_node(base_dir, agency) for agency in agencies)
    try:
        _both(_provision, a, b)
        _both(lambda node: node.seed(_seed_spec(node, b if node is a else a, specs)), a, b)
        a.start({b.agency.guid: b.seeded['partner_token']})
        b.start({a.agency.guid: a.seeded['partner_token']})
        _both(Node.wait_ready, a, b)
        yield a, b
    finally:
        _both(Node.stop, a, b)


def _node(base_dir: Path, agency: Agency) -> Node:
    directory = base_dir / f'node-{agency.key}'
    (directory / 'blobs').mkdir(parents=True)
    return Node(agency, directory, free_port())


def _provision(node: Node) -> None:
    node.postgres = start_postgres(node.directory / 'postgres')
    node.redis = start_redis(node.directory / 'redis')
    node.migrate()


def _seed_spec(node: Node, partner: Node, specs: Callable[[Node, Node], dict[str, Any]]) -> dict[str, Any]:
    return {
        'local': node.agency.as_spec(),
        'partner': partner.agency.as_spec(partner.endpoint_url),
        **specs(node, partner),
    }


def _both(step: Callable[[Node], T], a: Node, b: Node) -> tuple[T, T]:
    """The step for both nodes at once (each in its own thread); the first failure is raised."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(step, a), pool.submit(step, b)]
        results = [future.result() for future in futures]
    return results[0], results[1]
