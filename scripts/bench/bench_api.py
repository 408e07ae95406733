"""API benchmark behind gunicorn: registration (POST /api/v1/cards) and reading one card (GET /api/v1/cards/{id}).

`python -m scripts.bench.bench_api [--workers 3] [--worker-class sync] [--threads 1] [--clients 16] [--seconds 30]
[--fast] [--preload 0]`
A private PostgreSQL with fsync and synchronous_commit on (`--fast`: the test suite's fsync=off settings), the schema
from the migrations, a bench organization with this year's journals, a token made by `flask edms create-token`,
gunicorn with sync workers (or `--worker-class gthread --threads N`, which keeps client connections alive) on a free
loopback port. 16 client threads (http.client, keep-alive when the server allows it) register cards for 30 s;
then every number is checked for duplicates and gaps; then the same clients read random cards for 30 s.
Targets: registration ≥ 300 cards/s with p95 ≤ 100 ms; reading ≥ 1,000 req/s, p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from edms.core.db import db
from scripts.bench.bench_import import import_file
from scripts.bench.common import (
    SECRET_KEY,
    WORK,
    BenchOrg,
    bench_organization,
    cards_csv,
    load_average,
    machine,
    migrated_app,
    percentile,
    pg_settings,
    postgres,
    sampled_waits,
    wait_for_quiet,
)
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
#: Makes the n-th request of a phase: (method, path, JSON body or None).
Request = Callable[[int], tuple[str, str, bytes | None]]
KINDS = ('incoming',) * 6 + ('outgoing',) * 3 + ('internal',)
SUMMARIES = (
    'О предоставлении сведений о ходе исполнения поручения',
    'О направлении информации по запросу администрации района',
    'О рассмотрении обращения граждан по вопросу благоустройства',
    'О согласовании проекта постановления правительства области',
)


@dataclass
class Tally:
    """Latencies and statuses of one phase, shared by the client threads."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    created: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int, card_id: int | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if card_id is not None:
                self.created.append(card_id)


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        'EDMS_SECRET_KEY': SECRET_KEY,
        'EDMS_SQLALCHEMY_DATABASE_URI': url,
        'EDMS_BLOB_DIR': str(WORK / 'blobs'),
    }


def create_token(env: dict[str, str], organization: BenchOrg) -> str:
    """A token for the bench clerk, issued the documented way: `flask --app wsgi edms create-token`."""
    command = [sys.executable, '-m', 'flask', '--app', 'wsgi', 'edms', 'create-token']
    command += ['--organization', organization.ogrn, '--login', organization.clerk_login, '--name', 'bench']
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


@contextmanager
def profiled(master: int | None, name: str, seconds: float) -> Iterator[None]:
    """With `--profile`: py-spy samples one gunicorn worker during the phase; the hottest frames are printed."""
    if master is None:
        yield
        return
    worker, out = _children(master)[0], WORK / f'py-spy-{name}.txt'
    command = [str(Path(sys.executable).with_name('py-spy')), 'record', '--format', 'raw', '-r', '200']
    command += ['-d', str(int(seconds) - 2), '-o', str(out), '-p', str(worker)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.wait(timeout=60)
        print(f'py-spy of worker {worker} ({out}), share of samples whose stack holds the frame:')
        for frame, share in hottest(out):
            print(f'  {share:5.1f} %  {frame}')


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path('/proc').iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / 'stat').read_text().rsplit(')', 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return sorted(found)


def hottest(path: Path, limit: int = 30) -> list[tuple[str, float]]:
    """Frames of the project and its libraries by the share of samples whose stack contains them."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(' ')
        total += int(count)
        for frame in set(stack.split(';')):
            inclusive[frame] = inclusive.get(frame, 0) + int(count)
    frames = [(frame, 100 * count / max(total, 1)) for frame, count in inclusive.items()]
    frames = [(frame, share) for frame, share in frames if share < 99 and 'gunicorn' not in frame]
    return sorted(frames, key=lambda item: -item[1])[:limit]


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn workers of `master`."""
    ticks = os.sysconf('SC_CLK_TCK')
    total = 0
    for pid in _children(master):
        try:
            fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


@contextmanager
def worker_cpu_per_request(master: int, tally: Callable[[], int]) -> Iterator[None]:
    """Prints the workers' CPU per answered request over the block: unlike the rates, it hardly depends on what else
    runs on the machine."""
    before = workers_cpu(master)
    yield
    used, answered = workers_cpu(master) - before, tally()
    print(f'workers:    {used:.1f} s CPU for {answered} requests = {1000 * used / max(answered, 1):.2f} ms a request')


@contextmanager
def gunicorn(
    env: dict[str, str], workers: int, worker_class: str = 'sync', threads: int = 1
) -> Iterator[tuple[int, int]]:
    """gunicorn with `workers` workers on a free loopback port, stopped afterwards; yields (port, master pid)."""
    port = free_port()
    command = [sys.executable, '-m', 'gunicorn', '-w', str(workers), '-k', worker_class, '-b', f'127.0.0.1:{port}']
    command += ['--no-control-socket']  # another gunicorn of this user (a second benchmark) holds ~/.gunicorn
    if worker_class == 'gthread':
        command += ['--threads', str(threads), '--keep-alive', '30']
    log = (WORK / 'gunicorn.log').open('w')
    process = subprocess.Popen([*command, 'wsgi:app'], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _answers(port):
            if process.poll() is not None:
                raise SystemExit(f'gunicorn exited, see {log.name}')
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection('127.0.0.1', port, timeout=2)
        connection.request('GET', '/api/v1/openapi.json')
        return connection.getresponse().status == 200
    except OSError:
        return False


def run_clients(
    port: int, clients: int, seconds: float, request: Request, headers: dict[str, str]
) -> tuple[Tally, float]:
    """`clients` threads sending `request(n)` in a loop for `seconds`; the tally and the wall time."""
    tally, counter, stop = Tally(), itertools.count(), time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
        while time.monotonic() < stop:
            method, path, body = request(next(counter))
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                tally.add(time.perf_counter() - started, 0, None)
                continue
            elapsed = time.perf_counter() - started
            card_id = json.loads(payload)['id'] if response.status == 201 else None
            tally.add(elapsed, response.status, card_id)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started, cpu = time.monotonic(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    print(f'client:     {time.process_time() - cpu:.1f} s CPU in {wall:.1f} s (the client shares the 2 cores)')
    return tally, wall


def answered(phase: list[Tally]) -> int:
    return sum(len(tally.latencies) for tally in phase)


def registration(n: int) -> tuple[str, str, bytes]:
    kind = KINDS[n % len(KINDS)]
    card = {'kind': kind, 'document_kind': 'Письмо', 'summary': SUMMARIES[n % len(SUMMARIES)], 'register': True}
    if kind == 'incoming':
        card.update(correspondent_name=f'Организация {n % 997}', sender_number=f'{n}-ИС', pages=2)
    return 'POST', '/api/v1/cards', json.dumps(card, ensure_ascii=False).encode()


def number_problems(app: Flask) -> str:
    """Duplicate numbers, and gaps in each journal's sequence, among the registered cards."""
    with app.app_context():
        duplicates = db.session.execute(
            text(
                'SELECT count(*) FROM (SELECT organization_id, reg_number, extract(year FROM reg_date) '
                'FROM registry_cards WHERE journal_id IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1) AS d'
            )
        ).scalar_one()
        gaps = db.session.execute(
            text(
                'SELECT coalesce(sum(max_seq - n), 0) FROM (SELECT journal_id, max(reg_seq) AS max_seq, count(*) AS n '
                'FROM registry_cards WHERE journal_id IS NOT NULL GROUP BY journal_id) AS j'
            )
        ).scalar_one()
        db.session.rollback()
    return f'duplicate numbers: {duplicates}, gaps in journal sequences: {gaps}'


def report(name: str, tally: Tally, wall: float, ok: int, rate_target: float, p95_target_ms: float) -> None:
    good = tally.statuses.get(ok, 0)
    rate, p50, p95 = good / wall, percentile(tally.latencies, 0.5) * 1000, percentile(tally.latencies, 0.95) * 1000
    verdict = 'meets' if rate >= rate_target and p95 <= p95_target_ms else 'MISSES'
    print(
        f'{name}: {good} × {ok} in {wall:.1f} s = {rate:,.0f}/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms, '
        f'statuses {dict(sorted(tally.statuses.items()))} ({verdict} ≥ {rate_target:,.0f}/s, p95 ≤ {p95_target_ms} ms)'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workers', type=int, default=3, help='gunicorn workers')
    parser.add_argument('--worker-class', default='sync', choices=('sync', 'gthread'), help='gunicorn worker class')
    parser.add_argument('--threads', type=int, default=1, help='threads per gthread worker')
    parser.add_argument('--clients', type=int, default=16)
    parser.add_argument('--seconds', type=float, default=30)
    parser.add_argument('--preload', type=int, default=0, help='import this many generated cards first')
    parser.add_argument('--fast', action='store_true', help="PostgreSQL with the test suite's fsync=off settings")
    parser.add_argument('--profile', action='store_true', help='sample one gunicorn worker with py-spy (pip install)')
    parser.add_argument('--waits', action='store_true', help="sample what PostgreSQL's backends wait on (registration)")
    args = parser.parse_args()
    with postgres(durable=not args.fast) as url:
        app = migrated_app(url)
        organization = bench_organization(app)
        if args.preload:
            import_file(app, organization, cards_csv(args.preload))
        env = environment(url)
        token = create_token(env, organization)
        headers = {'Authorization': f'Bearer {token}', 'Content-Type': 'application/json'}
        print(f'machine:    {machine()}\npostgresql: {pg_settings(app)}')
        kind = args.worker_class + (f' ×{args.threads} threads' if args.worker_class == 'gthread' else '')
        print(f'gunicorn:   {args.workers} {kind} workers; {args.clients} client threads; {args.seconds:.0f} s a phase')
        with gunicorn(env, args.workers, args.worker_class, args.threads) as (port, master):
            wait_for_quiet()
            spied = master if args.profile else None
            phase: list[Tally] = []
            waits = sampled_waits(app) if args.waits else contextlib.nullcontext()
            with profiled(spied, 'registration', args.seconds), worker_cpu_per_request(master, lambda: answered(phase)):
                with waits:
                    tally, wall = run_clients(port, args.clients, args.seconds, registration, headers)
                phase.append(tally)
            report('registration', tally, wall, 201, 300, 100)
            print(number_problems(app))
            ids = tally.created or [1]
            rng = random.Random(1)
            phase.clear()
            with profiled(spied, 'read', args.seconds), worker_cpu_per_request(master, lambda: answered(phase)):
                reads, wall = run_clients(
                    port,
                    args.clients,
                    args.seconds,
                    lambda _: ('GET', f'/api/v1/cards/{rng.choice(ids)}', None),
                    headers,
                )
                phase.append(reads)
            report('read one card', reads, wall, 200, 1000, 50)
            print(f'load avg:   {load_average()} at the end')
        with app.app_context():
            db.engine.dispose()


if __name__ == '__main__':
    main()
