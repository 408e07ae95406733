"""Plumbing shared by the benchmarks: a private PostgreSQL, the migrated app, a bench organization, machine facts.

The cluster is started by `tests.servers.start_postgres` in a temporary directory. By default it runs with the
test suite's settings (fsync=off, synchronous_commit=off, full_page_writes=off); `durable=True` starts it with
PostgreSQL's own durable defaults instead (only shared_buffers=256MB and max_connections=200 are set).
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from edms import create_app
from edms.core.db import db
from edms.core.tx import atomic
from scripts.bench.gen_cards_csv import generate
from tests import servers

WORK = Path(os.environ.get('EDMS_BENCH_DIR') or Path(tempfile.gettempdir()) / 'edms-bench')
DURABLE_SETTINGS = '-c max_connections=200 -c shared_buffers=256MB'
SHOWN_SETTINGS = (
    'server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'work_mem',
    'maintenance_work_mem', 'max_wal_size', 'wal_level', 'gin_pending_list_limit', 'jit',
)  # fmt: skip
SECRET_KEY = 'bench-secret-key-not-for-production'
#: Server options that keep statistics of every statement (`print_statement_times`); only for in-process profiles.
STATEMENT_STATS = (
    '-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all'
    ' -c pg_stat_statements.track_planning=on'
)


@dataclass(frozen=True)
class BenchOrg:
    """The organization the benchmarks work in, with a clerk who may register and see ДСП cards."""

    id: int
    short_name: str
    ogrn: str
    clerk_login: str
    clerk_id: int


def machine() -> str:
    """One line: CPUs, model, RAM, kernel, Python."""
    model = 'unknown CPU'
    with open('/proc/cpuinfo', encoding='utf-8') as cpuinfo:
        for line in cpuinfo:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    memory_kb = 0
    with open('/proc/meminfo', encoding='utf-8') as meminfo:
        memory_kb = int(meminfo.readline().split()[1])
    return (
        f'{os.cpu_count()} × {model}, RAM {memory_kb / 1024 / 1024:.1f} GiB, Linux {platform.release()}, '
        f'Python {platform.python_version()} ({interpreter()})'
    )


def interpreter() -> str:
    """Which build runs the benchmark: its executable and whether it loads libpython as a shared library (pyenv's
    default build does; Debian's python3.11 has the interpreter in its executable and runs about 20 % faster)."""
    executable = getattr(sys, '_base_executable', sys.executable)
    with open('/proc/self/maps', encoding='utf-8') as maps:
        shared = any('libpython' in line for line in maps)
    return f'{executable}, {"libpython shared" if shared else "libpython linked in"}'


@contextmanager
def postgres(durable: bool = False, url: str | None = None, settings: str = '') -> Iterator[str]:
    """The SQLAlchemy URL of an empty database: `url` as given, or a private cluster stopped afterwards (with the
    server options `settings` added, as `-c name=value …`)."""
    if url:
        yield url
        return
    saved, base = servers.PG_SETTINGS, Path(tempfile.mkdtemp(prefix='edms-bench-pg-'))
    servers.PG_SETTINGS = f'{DURABLE_SETTINGS if durable else saved} {settings}'.strip()
    try:
        server = servers.start_postgres(base)
    finally:
        servers.PG_SETTINGS = saved
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def config(url: str) -> dict[str, object]:
    blobs = WORK / 'blobs'
    blobs.mkdir(parents=True, exist_ok=True)
    return {'SECRET_KEY': SECRET_KEY, 'SQLALCHEMY_DATABASE_URI': url, 'BLOB_DIR': str(blobs)}


def migrated_app(url: str) -> Flask:
    """The application on `url`, migrated to head."""
    from flask_migrate import upgrade

    app = create_app(config(url))
    with app.app_context():
        upgrade()
    return app


def bench_organization(app: Flask) -> BenchOrg:
    """A ministry with this year's journals and a clerk (who may see ДСП cards), committed."""
    from tests.factories import make_organization, make_user

    with app.app_context(), atomic():
        organization = make_organization('Министерство нагрузочного тестирования')
        clerk = make_user(organization, 'clerk', login='bench', can_access_restricted=True)
        return BenchOrg(organization.id, organization.short_name, organization.ogrn, clerk.login, clerk.id)


def pg_settings(app: Flask) -> str:
    """The settings that matter for the numbers, as `name=value` pairs."""
    with app.app_context():
        values = [f'{name}={db.session.execute(text(f"SHOW {name}")).scalar()}' for name in SHOWN_SETTINGS]
        db.session.rollback()
    return ', '.join(values)


def set_database(app: Flask, settings: Sequence[str]) -> None:
    """`ALTER DATABASE … SET name = value` for each `name=value` (new connections see it), e.g. jit=off."""
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level='AUTOCOMMIT') as connection:
            name = connection.execute(text('SELECT current_database()')).scalar_one()
            for setting in settings:
                key, _, value = setting.partition('=')
                statement = f'ALTER DATABASE "{name}" SET {key.strip()} = :value'
                connection.execute(text(statement).bindparams(value=value.strip()))
        db.engine.dispose()


def cards_csv(rows: int, seed: int = 42) -> Path:
    """The generated CSV of `rows` cards for `seed`, made once and reused."""
    path = WORK / f'cards-{rows}-seed{seed}.csv'
    if not path.exists():
        print(f'generating {path} …', flush=True)
        partial = path.with_suffix('.part')
        generate(rows, partial, seed)
        partial.rename(path)
    return path


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews every number measured here."""
    return ' '.join(f'{value:.2f}' for value in os.getloadavg())


def wait_for_quiet(limit: float = 0.7, timeout: float | None = None) -> None:
    """Wait (up to `timeout` s, default $EDMS_BENCH_WAIT or 900) until the 1-minute load average is below `limit`."""
    timeout = float(os.environ.get('EDMS_BENCH_WAIT', 900)) if timeout is None else timeout
    deadline = time.monotonic() + timeout
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        time.sleep(10)
    print(f'load avg:   {load_average()} at start' + ('' if os.getloadavg()[0] < limit else ' (machine busy!)'))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def summary_ms(samples: Sequence[float]) -> str:
    """p50 / p95 / max of durations given in seconds, in milliseconds."""
    return (
        f'p50 {percentile(samples, 0.5) * 1000:.1f} ms, p95 {percentile(samples, 0.95) * 1000:.1f} ms, '
        f'mean {statistics.fmean(samples) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms'
    )


@contextmanager
def sampled_waits(app: Flask, every: float = 0.02, top: int = 8) -> Iterator[None]:
    """Samples what PostgreSQL's other backends are doing every `every` s over the block and prints the most frequent
    (state, wait event, statement) with their share of the samples: the row locks that serialize concurrent work
    show up as `Lock/transactionid` on the statement that waits."""
    seen: Counter[tuple[str, str, str]] = Counter()
    stop = threading.Event()
    query = text(
        "SELECT state, coalesce(wait_event_type || '/' || wait_event, 'CPU'), left(query, 70) FROM pg_stat_activity "
        "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'"
    )

    def sample() -> None:
        with app.app_context(), db.engine.connect() as connection:
            samples = 0
            while not stop.wait(every):
                samples += 1
                seen.update(tuple(row) for row in connection.execute(query))
                connection.rollback()
            seen[('samples', '', '')] = samples

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        stop.set()
        sampler.join()
        samples = max(seen.pop(('samples', '', ''), 1), 1)
        print(f'waits:      {samples} samples of the busy backends (per sample, by state / wait / statement):')
        for (state, wait, statement), count in seen.most_common(top):
            print(f'  {count / samples:5.2f}  {state} / {wait} / {" ".join(statement.split())}')


def reset_statement_times(app: Flask) -> None:
    """Start counting statements afresh (PostgreSQL started with `STATEMENT_STATS`)."""
    with app.app_context():
        db.session.execute(text('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'))
        db.session.execute(text('SELECT pg_stat_statements_reset()'))
        db.session.commit()


def print_statement_times(app: Flask, per: int, limit: int = 25) -> None:
    """PostgreSQL's own execution time of each statement since `reset_statement_times`, per `per` operations (the
    foreign-key checks' internal queries included; the protocol, parsing and the commit's WAL are not)."""
    query = text(
        "SELECT calls, total_exec_time + total_plan_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 100) "
        'FROM pg_stat_statements WHERE query NOT LIKE :own ORDER BY 2 DESC'
    )
    with app.app_context():
        rows = db.session.execute(query, {'own': '%pg_stat_statements%'}).all()
    total = sum(row[1] for row in rows)
    print(f'PostgreSQL: {1000 * total / per:.0f} µs of statement execution per operation (pg_stat_statements)')
    for calls, took, statement in rows[:limit]:
        print(f'  {calls / per:5.1f}× {1000 * took / per:6.0f} µs  {statement}')
