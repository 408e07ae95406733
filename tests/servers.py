"""Throwaway PostgreSQL and Redis servers for the test suite.

Plain helpers, not fixtures: `start_postgres` and `start_redis` start a private server on a free loopback port
in a temporary directory and return a `RunningServer` whose `stop()` shuts it down. When the binaries are not
installed they raise `ServerUnavailable`, so a fixture can `pytest.skip(str(exc))`; any other failure to start
raises `ServerStartError` with the tail of the server log, because that is a bug to see, not a test to skip.

PostgreSQL refuses to run as root, so under root every PostgreSQL command runs as the `postgres` system user
(`runuser -u postgres --`) and its directories are owned by that user.
"""

import atexit
import contextlib
import errno
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import psycopg
import redis
from psycopg import sql

__all__ = [
    'PostgresServer',
    'RunningServer',
    'ServerStartError',
    'ServerUnavailable',
    'free_port',
    'refused_port',
    'start_postgres',
    'start_redis',
    'start_smtp',
]

PG_ROOT = Path('/usr/lib/postgresql')
PG_USER = 'postgres'
PG_DATABASE = 'edms_test'
REDIS_FALLBACK = Path('/usr/bin/redis-server')
PG_SETTINGS = (
    '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB'
)
START_ATTEMPTS = 3
COMMAND_TIMEOUT = 120.0
REDIS_START_TIMEOUT = 20.0
LOG_TAIL_CHARS = 4000


class ServerUnavailable(Exception):
    """The server cannot be started on this machine (binaries or system user missing); tests should skip."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ServerStartError(RuntimeError):
    """The binaries are there but the server did not start; the message carries the log tail."""


class RunningServer:
    """A started server: where to reach it and how to stop it. `stop()` is idempotent."""

    def __init__(
        self, name: str, url: str, *, port: int, directory: Path, startup_seconds: float, stopper: Callable[[], None]
    ) -> None:
        self.name = name
        self.url = url
        self.port = port
        self.host = '127.0.0.1'
        self.directory = directory
        self.startup_seconds = startup_seconds
        self._stopper: Callable[[], None] | None = stopper
        atexit.register(self.stop)

    @property
    def running(self) -> bool:
        return self._stopper is not None

    def stop(self) -> None:
        stopper, self._stopper = self._stopper, None
        if stopper is not None:
            atexit.unregister(self.stop)
            stopper()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = 'running' if self.running else 'stopped'
        return f'<{type(self).__name__} {self.name} {self.url} {state}>'


class PostgresServer(RunningServer):
    """A running PostgreSQL cluster with the `edms_test` database; `admin_url` points at `postgres`."""

    def __init__(self, port: int, directory: Path, startup_seconds: float, stopper: Callable[[], None]) -> None:
        super().__init__(
            'postgresql', '', port=port, directory=directory, startup_seconds=startup_seconds, stopper=stopper
        )
        self.url = self.database_url(PG_DATABASE)
        self.admin_url = self.database_url('postgres')

    def database_url(self, name: str) -> str:
        """SQLAlchemy URL of database `name` on this server."""
        return f'postgresql+psycopg://{PG_USER}@{self.host}:{self.port}/{name}'

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database `name` (optionally as a copy of `template`) and return its SQLAlchemy URL."""
        statement = sql.SQL('CREATE DATABASE {} ENCODING {}').format(sql.Identifier(name), sql.Literal('UTF8'))
        if template is not None:
            statement = sql.SQL('{} TEMPLATE {}').format(statement, sql.Identifier(template))
        self._execute_admin(statement)
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        """Drop database `name` if it exists, disconnecting its sessions first."""
        self._execute_admin(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(sql.Identifier(name)))

    def _execute_admin(self, statement: sql.Composable) -> None:
        with psycopg.connect(host=self.host, port=self.port, user=PG_USER, dbname='postgres', autocommit=True) as conn:
            conn.execute(statement)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections for the block: bound but not listening, so that no other process (a
    parallel test run's server) can take it meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        yield int(sock.getsockname()[1])


def start_smtp(handler: object, **options: object) -> Any:
    """An aiosmtpd `Controller` for `handler` started on a free loopback port (another is tried when a parallel test
    process took that one first); the caller stops it."""
    from aiosmtpd.controller import Controller

    for attempt in range(START_ATTEMPTS):
        controller = Controller(handler, hostname='127.0.0.1', port=free_port(), **options)
        try:
            controller.start()
        except OSError as error:
            if error.errno != errno.EADDRINUSE or attempt == START_ATTEMPTS - 1:
                raise
            continue
        return controller
    raise AssertionError('unreachable')


# --- PostgreSQL -------------------------------------------------------------------------------------------------


def postgres_bindir() -> Path:
    """The bin directory of the highest PostgreSQL version installed, or `ServerUnavailable`."""
    candidates = []
    if PG_ROOT.is_dir():
        for child in PG_ROOT.iterdir():
            if re.fullmatch(r'\d+(\.\d+)?', child.name) and (child / 'bin' / 'initdb').is_file():
                candidates.append(child)
    if candidates:
        newest = max(candidates, key=lambda path: tuple(int(part) for part in path.name.split('.')))
        return newest / 'bin'
    initdb = shutil.which('initdb')
    if initdb is not None and Path(initdb).with_name('pg_ctl').is_file():
        return Path(initdb).parent
    raise ServerUnavailable(
        f'PostgreSQL is not installed (no {PG_ROOT}/<version>/bin/initdb); run scripts/install-test-deps.sh'
    )


def start_postgres(base_dir: Path) -> PostgresServer:
    """Initialise a cluster under `base_dir`, start it on a free loopback port and create `edms_test`."""
    bindir = postgres_bindir()
    as_postgres = _postgres_prefix()
    started = time.monotonic()
    base_dir = Path(base_dir).resolve()
    directory = _postgres_directory(base_dir, as_postgres)
    socket_dir = Path(tempfile.mkdtemp(prefix='edms-pgsock-'))  # short path: unix socket names are limited
    owned = [socket_dir] if directory.parent == base_dir else [socket_dir, directory]
    try:
        _chown_to_postgres(socket_dir, as_postgres)
        _initdb(bindir, directory / 'data', as_postgres)
        port = _pg_ctl_start(bindir, directory, socket_dir, as_postgres)
    except BaseException:
        _remove_trees(owned)
        raise
    stopper = _postgres_stopper(bindir, directory, as_postgres, owned)
    server = PostgresServer(port, directory, time.monotonic() - started, stopper)
    try:
        server.create_database(PG_DATABASE)
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server


def _postgres_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        raise ServerUnavailable(f'running as root but there is no {PG_USER!r} system user to run PostgreSQL') from None
    runuser = shutil.which('runuser')
    if runuser is None:
        raise ServerUnavailable('running as root but runuser is missing, cannot drop privileges for PostgreSQL')
    return [runuser, '-u', PG_USER, '--']


def _postgres_directory(base_dir: Path, as_postgres: list[str]) -> Path:
    """A fresh directory for the cluster: under `base_dir` when the postgres user can reach it, else in /tmp."""
    base_dir.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix='postgres-', dir=base_dir))
    _chown_to_postgres(directory, as_postgres)
    if not as_postgres or _run([*as_postgres, 'test', '-w', str(directory)], check=False).returncode == 0:
        return directory
    # pytest's tmp_path lives under a 0700 root-only directory that the postgres user cannot traverse.
    shutil.rmtree(directory, ignore_errors=True)
    directory = Path(tempfile.mkdtemp(prefix='edms-postgres-'))
    _chown_to_postgres(directory, as_postgres)
    return directory


def _chown_to_postgres(path: Path, as_postgres: list[str]) -> None:
    if as_postgres:
        shutil.chown(path, user=PG_USER, group=pwd.getpwnam(PG_USER).pw_gid)
        path.chmod(0o700)


def _initdb(bindir: Path, data_dir: Path, as_postgres: list[str]) -> None:
    base = [str(bindir / 'initdb'), '-D', str(data_dir), '-U', PG_USER, '-A', 'trust', '-E', 'UTF8', '--no-sync']
    result = _run([*as_postgres, *base, '--locale=C.UTF-8'], cwd=data_dir.parent, check=False)
    if result.returncode != 0:
        shutil.rmtree(data_dir, ignore_errors=True)
        result = _run([*as_postgres, *base, '--locale=C'], cwd=data_dir.parent, check=False)
    if result.returncode != 0:
        raise ServerStartError(f'initdb failed ({result.returncode}):\n{_tail(result.stdout + result.stderr)}')


def _pg_ctl_start(bindir: Path, directory: Path, socket_dir: Path, as_postgres: list[str]) -> int:
    log = directory / 'log'
    output = ''
    for _attempt in range(START_ATTEMPTS):
        port = free_port()
        options = f'-k {socket_dir} -h 127.0.0.1 -p {port} {PG_SETTINGS}'
        command = [str(bindir / 'pg_ctl'), '-D', str(directory / 'data'), '-o', options, '-l', str(log), '-w', 'start']
        result = _run([*as_postgres, *command], cwd=directory, check=False)
        if result.returncode == 0:
            return port
        output = f'{result.stdout}{result.stderr}\n--- {log} ---\n{_read_tail(log)}'
        if 'already in use' not in output:
            break
    raise ServerStartError(f'pg_ctl start failed:\n{_tail(output)}')


def _postgres_stopper(bindir: Path, directory: Path, as_postgres: list[str], owned: list[Path]) -> Callable[[], None]:
    def stop() -> None:
        command = [str(bindir / 'pg_ctl'), '-D', str(directory / 'data'), '-m', 'fast', '-w', 'stop']
        try:
            _run([*as_postgres, *command], cwd=directory, check=False)
        finally:
            _remove_trees(owned)

    return stop


# --- Redis ------------------------------------------------------------------------------------------------------


def redis_binary() -> str:
    """Path of redis-server, or `ServerUnavailable`."""
    binary = shutil.which('redis-server') or (str(REDIS_FALLBACK) if REDIS_FALLBACK.is_file() else None)
    if binary is None:
        raise ServerUnavailable('redis-server is not installed; run scripts/install-test-deps.sh')
    return binary


def start_redis(base_dir: Path, appendonly: bool = False) -> RunningServer:
    """Start redis-server in a fresh directory under `base_dir` on a free loopback port; wait for PING."""
    binary = redis_binary()
    started = time.monotonic()
    base_dir = Path(base_dir).resolve()
    base_dir.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix='redis-', dir=base_dir))
    output = ''
    for _attempt in range(START_ATTEMPTS):
        port = free_port()
        log_path = directory / f'redis-{port}.log'
        process, log = _spawn_redis(binary, directory, port, appendonly, log_path)
        failure = _wait_for_redis(process, port)
        if failure is None:
            stopper = _redis_stopper(process, log)
            url = f'redis://127.0.0.1:{port}/0'
            elapsed = time.monotonic() - started
            return RunningServer('redis', url, port=port, directory=directory, startup_seconds=elapsed, stopper=stopper)
        _redis_stopper(process, log)()
        output = f'{failure}\n--- {log_path} ---\n{_read_tail(log_path)}'
        if 'already in use' not in output:
            break
    raise ServerStartError(f'redis-server did not start:\n{_tail(output)}')


def _spawn_redis(
    binary: str, directory: Path, port: int, appendonly: bool, log_path: Path
) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    command = [
        binary,
        '--port', str(port),
        '--bind', '127.0.0.1',
        '--dir', str(directory),
        '--save', '',
        '--appendonly', 'yes' if appendonly else 'no',
        '--daemonize', 'no',
    ]  # fmt: skip
    log = open(log_path, 'wb')  # noqa: SIM115 - closed by the stopper
    process = subprocess.Popen(command, cwd=directory, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    return process, log


def _wait_for_redis(process: subprocess.Popen[bytes], port: int) -> str | None:
    """None once the server answers PING, else why it did not."""
    deadline = time.monotonic() + REDIS_START_TIMEOUT
    client = redis.Redis(host='127.0.0.1', port=port, socket_connect_timeout=1, socket_timeout=1)
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return f'redis-server exited with code {process.returncode}'
            try:
                if client.ping():
                    # Another test process's Redis may have taken the port between free_port() and the bind: it
                    # answers the PING before ours has found out and exited.
                    if client.info('server')['process_id'] != process.pid:
                        return f'port {port} already in use by another redis-server'
                    return None
            except redis.exceptions.RedisError:
                time.sleep(0.05)
        return f'redis-server did not answer PING within {REDIS_START_TIMEOUT:.0f}s'
    finally:
        client.close()


def _redis_stopper(process: subprocess.Popen[bytes], log: IO[bytes]) -> Callable[[], None]:
    def stop() -> None:
        try:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        finally:
            log.close()

    return stop


# --- plumbing ---------------------------------------------------------------------------------------------------


def _run(command: Sequence[str], cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    # Output goes to temporary files, not pipes: a daemonised postmaster must not keep a pipe of ours open.
    with tempfile.TemporaryFile('w+') as out, tempfile.TemporaryFile('w+') as err:
        try:
            returncode = subprocess.run(
                list(command),
                check=False,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                timeout=COMMAND_TIMEOUT,
            ).returncode
        except subprocess.TimeoutExpired as exc:
            raise ServerStartError(f'{" ".join(command)} timed out after {COMMAND_TIMEOUT:.0f}s') from exc
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(list(command), returncode, out.read(), err.read())
    if check:
        result.check_returncode()
    return result


def _remove_trees(paths: Sequence[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def _read_tail(path: Path) -> str:
    try:
        return path.read_text(errors='replace')[-LOG_TAIL_CHARS:]
    except OSError as exc:
        return f'(cannot read {path}: {exc})'


def _tail(text: str) -> str:
    return text[-LOG_TAIL_CHARS:]
