"""Exchange benchmark (issue 5): building and signing outgoing packets, and the intake of signed packets by 2 workers.

`python -m scripts.bench.bench_exchange [--packets 2000] [--gost-packets 1000] [--e2e-packets 1000] [--workers 2]
[--main-kb 100] [--annex-kb 30] [--durable] [--profile 200 [--profile-only] [--profile-sql]] [--no-wait]`

On a private PostgreSQL and Redis (AOF on), with the parties of the exchange tests (a partner agency sends to the
ministry served here; the test PKI's RSA and GOST hierarchies and their CRLs in the trust store):

1. build: the packets of the intake runs are built in advance by `build_packet` (message.xml, container with the
   PDF, the annex, one CAdES signature per file, the stamps, envelope.ltr) and zipped as a partner posts them —
   timed: the rate of building and signing outgoing packets (target ≥ 50/s, one core), RSA and GOST (engine);
2. intake by the workers: `--workers` real worker processes (`flask --app wsgi edms worker exchange default`) are
   started and suspended (RQ's suspension), every packet is received by `receive_packet` in this process (stored,
   journaled, its job queued after the commit), then the workers are resumed and timed until every packet is
   accepted — read, validated against the XSDs, every signature verified with chain and CRL, the incoming draft
   made with its files, the receipt placed in the outbox — and until every receipt is delivered (written to the
   outbox folder). Targets: ≥ 50 packets/s RSA, ≥ 30/s GOST on 2 workers;
3. end to end: fresh RSA packets received by this process while the workers run, timed from the first reception
   to the last acceptance (reception shares the two cores).
Then the counts are checked: every packet accepted once, a draft and a receipt for each, nothing quarantined.
`--profile N` also processes 2N RSA and 2N GOST packets in this process as a worker would (the processing job, then
the delivery jobs it enqueued): N of each plain, printing per packet the CPU of this process and of PostgreSQL, the
SQL statements (an engine `before_cursor_execute` listener), commits, fsyncs and Redis round trips (`--profile-sql`
lists one packet's statements), and N under cProfile (`--profile-clock cpu|wall`; the stats are saved for pstats);
`--profile-only` skips the workers' runs. `--py-spy` samples one worker with py-spy during the RSA intake (CPU only)
and prints the functions that take the most.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from rq.suspension import resume, suspend
from sqlalchemy import event, text

from edms.core.db import db
from edms.core.jobs import make_queue, redis_connection
from edms.core.tx import atomic
from edms.exchange.models import ExchangeParticipant
from edms.exchange.operations.intake import receive_packet
from scripts.bench.common import WORK, load_average, machine, pg_settings, postgres, wait_for_quiet
from scripts.bench.exchange_setup import (
    Stack,
    Workers,
    build_many,
    counts,
    exchange_stack,
    quarantine_reasons,
    redis_url,
    wait_for_workers,
    wait_until,
)

TARGETS = {'build rsa': 50, 'intake rsa': 50, 'intake gost': 30}


def timed_build(stack: Stack, user: str, count: int, args: argparse.Namespace, prefix: str) -> list[bytes]:
    started = time.perf_counter()
    packets = build_many(stack, user, count, args.main_kb, args.annex_kb, prefix)
    seconds = time.perf_counter() - started
    size = sum(len(packet) for packet in packets) / len(packets) / 1024
    what = f'built and signed {count} packets ({size:.0f} KiB each) in {seconds:.1f} s'
    verdict(f'build {user}', what, count / seconds)
    return packets


def verdict(name: str, what: str, rate: float) -> None:
    key = name.replace('gost256', 'gost')
    target = TARGETS.get(key)
    judged = f'target ≥ {target}/s: {"met" if rate >= target else "NOT met"}' if target else 'for information'
    print(f'{name:18} {what}: {rate:7.1f}/s  ({judged})', flush=True)


def receive_all(stack: Stack, packets: list[bytes]) -> float:
    """Receive every packet in its own transaction, as the HTTP endpoint does; returns the rate."""
    started = time.perf_counter()
    with stack.app.app_context():
        for raw in packets:
            with atomic():
                source = db.session.get(ExchangeParticipant, stack.partner_id)
                receive_packet(raw, transport='http', source=source)
    return len(packets) / (time.perf_counter() - started)


def intake(stack: Stack, workers: Workers, packets: list[bytes], name: str, spy: bool = False) -> None:
    """Receive while the workers are suspended, then time them until every packet is accepted and answered."""
    app = stack.app
    before = counts(app, 'accepted', 'receipts sent')
    with app.app_context():
        suspend(redis_connection())
    time.sleep(1.0)
    reception = receive_all(stack, packets)
    total = before['accepted'] + len(packets)
    head = counts(app, 'accepted')['accepted']
    with app.app_context():
        queued = make_queue('exchange').count
        resume(redis_connection())
    started, machine_before, workers_before = time.monotonic(), machine_jiffies(), workers_cpu(workers)
    postgres_before = postgres_cpu(app)
    sampler = start_spy(workers.processes[0].pid, name) if spy else None
    print(f'{name:18} received {len(packets)} in this process at {reception:.0f}/s; {queued} jobs queued', flush=True)
    done = wait_until(app, 'accepted', total, timeout=max(300.0, len(packets)))
    if done is None:
        raise SystemExit(f'{name}: not every packet was accepted: {counts(app)}; {quarantine_reasons(app)}')
    busy, cpu = machine_busy(machine_before), workers_cpu(workers) - workers_before
    database = postgres_cpu(app) - postgres_before
    if sampler is not None:
        stop_spy(*sampler)
    answered = wait_until(app, 'receipts sent', before['receipts sent'] + len(packets), timeout=300.0)
    processed, seconds = total - head, done - started
    what = f'{processed} packets accepted by {len(workers.alive())} workers in {seconds:.1f} s'
    verdict(f'intake {name}', what, processed / seconds)
    worker_ms, database_ms = 1000 * cpu / processed, 1000 * database / processed
    ceiling = 2000 / (worker_ms + database_ms)
    print(
        f'{"":18} CPU per packet: the workers {worker_ms:.1f} ms, PostgreSQL {database_ms:.1f} ms (two cores doing '
        f'nothing else: {ceiling:.0f}/s); the machine was {busy:.0f} % busy',
        flush=True,
    )
    if answered is not None:
        seconds = answered - started
        print(f'{"":18} and every receipt delivered after {seconds:.1f} s: {processed / seconds:.1f}/s', flush=True)


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    with open('/proc/stat', encoding='ascii') as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def machine_busy(before: tuple[int, int]) -> float:
    busy, total = machine_jiffies()
    return 100 * (busy - before[0]) / max(1, total - before[1])


def workers_cpu(workers: Workers) -> float:
    """CPU seconds (user and system) used so far by the living worker processes."""
    return sum(process_cpu(process.pid)[0] for process in workers.alive())


def postgres_cpu(app: Flask) -> float:
    """CPU seconds used so far by the PostgreSQL server (the postmaster and its living children)."""
    with app.app_context():
        folder = db.session.execute(text('SHOW data_directory')).scalar_one()
        db.session.rollback()
    postmaster = int(Path(folder, 'postmaster.pid').read_text().split()[0])
    total = process_cpu(postmaster)[0]
    for entry in Path('/proc').iterdir():
        if entry.name.isdigit():
            seconds, parent = process_cpu(int(entry.name))
            total += seconds if parent == postmaster else 0.0
    return total


def process_cpu(pid: int) -> tuple[float, int]:
    """(CPU seconds, parent pid) of a process; (0, 0) when it is gone."""
    try:
        with open(f'/proc/{pid}/stat', encoding='ascii') as stat:
            fields = stat.read().rpartition(')')[2].split()
    except OSError:
        return 0.0, 0
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK'), int(fields[1])  # utime + stime, ppid


def start_spy(pid: int, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    """py-spy sampling one worker's busy stacks (the threads it sees idle left out), aggregated by function."""
    path = WORK / f'exchange-worker-{name}.collapsed'
    spy = Path(sys.executable).with_name('py-spy')
    command = [str(spy), 'record', '--format', 'raw', '--function', '--nonblocking', '-r', '200', '-o', str(path)]
    process = subprocess.Popen([*command, '--pid', str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, path


def stop_spy(process: subprocess.Popen[bytes], path: Path, top: int = 30) -> None:
    """Stop the sampler and print the functions by inclusive and by own share of the busy samples."""
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    inclusive, own, total = Counter[str](), Counter[str](), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(' ')
        frames, samples = stack.split(';'), int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    print(f"py-spy:     {total} busy samples of one worker ({path}); inclusive share of the project's functions:")
    ours = [(frame, n) for frame, n in inclusive.most_common() if '(edms/' in frame or '/edms/' in frame]
    for frame, samples in ours[:top]:
        print(f'  {100 * samples / total:5.1f} %  {_short(frame)}')
    print('            own share (the innermost frame: computing, or waiting for the disk, PostgreSQL, Redis):')
    for frame, samples in own.most_common(top):
        print(f'  {100 * samples / total:5.1f} %  {_short(frame)}')


def _short(frame: str) -> str:
    for marker in ('/site-packages/', '/lib/python3', '/edms/'):
        head, found, tail = frame.partition(marker)
        if found:
            return f'{head.split(" (")[0]} ({marker.strip("/")}/{tail}'
    return frame


def end_to_end(stack: Stack, packets: list[bytes]) -> None:
    app = stack.app
    total = counts(app, 'accepted')['accepted'] + len(packets)
    started = time.monotonic()
    reception = receive_all(stack, packets)
    done = wait_until(app, 'accepted', total, timeout=max(300.0, len(packets)))
    if done is None:
        raise SystemExit(f'end to end: not every packet was accepted: {counts(app)}')
    verdict(
        'end to end rsa',
        f'{len(packets)} received here ({reception:.0f}/s) and accepted by the workers in {done - started:.1f} s',
        len(packets) / (done - started),
    )


def check(stack: Stack, expected: int) -> None:
    found = counts(stack.app)
    print('counts:     ' + ', '.join(f'{name} {value}' for name, value in found.items()))
    wanted = {'received': expected, 'accepted': expected, 'quarantined': 0, 'drafts': expected}
    wanted |= {'receipts queued': expected, 'pending': 0}
    wrong = {name: (found[name], value) for name, value in wanted.items() if found[name] != value}
    if wrong:
        print(f'CHECK FAILED (found, expected): {wrong}; {quarantine_reasons(stack.app)}')
    else:
        print(f'check:      every one of {expected} packets accepted once, one draft and one receipt each')


@dataclass
class Costs:
    """What one pass over some packets cost this process: CPU, SQL statements, commits, fsyncs, Redis round trips."""

    cpu: float = 0.0
    statements: int = 0
    commits: int = 0
    fsyncs: int = 0
    redis: int = 0
    sql: list[str] = field(default_factory=list)
    samples: list[float] = field(default_factory=list)

    def per(self, count: int) -> str:
        median = 1000 * statistics.median(self.samples) if self.samples else 0.0
        return (
            f'{1000 * self.cpu / count:6.1f} ms CPU (median {median:5.1f}), '
            f'{self.statements / count:5.1f} SQL statements, '
            f'{self.commits / count:4.1f} commits, {self.fsyncs / count:4.1f} fsyncs, '
            f'{self.redis / count:4.1f} Redis round trips'
        )


@contextmanager
def counting(app: Flask, costs: Costs) -> Iterator[None]:
    """Count into `costs` while the block runs in this process: the statements of the app's engine (a
    `before_cursor_execute` listener), its commits, the `os.fsync` calls and the Redis commands sent (a pipeline is
    one round trip); the CPU time of this process (`time.process_time`)."""
    from redis.connection import AbstractConnection

    def statement(_connection: object, _cursor: object, sql: str, *_: object) -> None:
        costs.statements += 1
        costs.sql.append(' '.join(sql.split())[:160])

    def commit(*_: object) -> None:
        costs.commits += 1

    real_fsync, real_send = os.fsync, AbstractConnection.send_packed_command

    def fsync(fd: int) -> None:
        costs.fsyncs += 1
        real_fsync(fd)

    def send(self: AbstractConnection, *args: object, **kwargs: object) -> None:
        costs.redis += 1
        real_send(self, *args, **kwargs)

    with app.app_context():
        engine = db.engine
    event.listen(engine, 'before_cursor_execute', statement)
    event.listen(engine, 'commit', commit)
    os.fsync, AbstractConnection.send_packed_command = fsync, send  # type: ignore[method-assign]
    started = time.process_time()
    try:
        yield
    finally:
        costs.samples.append(time.process_time() - started)
        costs.cpu += costs.samples[-1]
        os.fsync, AbstractConnection.send_packed_command = real_fsync, real_send  # type: ignore[method-assign]
        event.remove(engine, 'before_cursor_execute', statement)
        event.remove(engine, 'commit', commit)


def received_ids(stack: Stack, packets: list[bytes]) -> list[int]:
    """The packets received in this process (their processing jobs are dropped from the queue)."""
    with stack.app.app_context():
        ids = []
        for raw in packets:
            with atomic():
                source = db.session.get(ExchangeParticipant, stack.partner_id)
                ids.append(receive_packet(raw, transport='http', source=source).id)
        make_queue('exchange').empty()
    return ids


def queued_deliveries(stack: Stack) -> list[int]:
    """The outbox ids whose delivery jobs wait in the exchange queue (emptied)."""
    with stack.app.app_context():
        queue = make_queue('exchange')
        jobs = [job for job in queue.get_jobs() if job.func_name == 'edms.exchange.jobs.deliver_outbox_packet']
        queue.empty()
    return [int(job.args[0]) for job in jobs]


def process_in_process(
    stack: Stack, ids: list[int], costs: Costs, deliveries: Costs, profiler: cProfile.Profile | None = None
) -> None:
    """Run each packet's processing job, then the delivery jobs of what it queued, as a worker would."""
    from edms.exchange.jobs import deliver_outbox_packet, process_inbox_packet

    app = stack.app
    for inbox_id in ids:
        with counting(app, costs), app.app_context():
            profiler and profiler.enable()
            process_inbox_packet(inbox_id)
            profiler and profiler.disable()
        outbox = queued_deliveries(stack)
        with counting(app, deliveries), app.app_context():
            profiler and profiler.enable()
            for outbox_id in outbox:
                deliver_outbox_packet(outbox_id)
            profiler and profiler.disable()


def profile(stack: Stack, name: str, packets: list[bytes], top: int, clock: str, sql: bool) -> None:
    """Process the packets in this process, half plain (the costs per packet: CPU of this process and of
    PostgreSQL, statements, commits, fsyncs, Redis round trips), half under cProfile (where the time goes)."""
    app = stack.app
    warm, plain, profiled = (
        packets[:5],
        packets[5 : 5 + (len(packets) - 5) // 2],
        packets[5 + (len(packets) - 5) // 2 :],
    )
    process_in_process(stack, received_ids(stack, warm), Costs(), Costs())
    ids = received_ids(stack, plain)
    costs, deliveries = Costs(), Costs()
    database = postgres_cpu(app)
    process_in_process(stack, ids, costs, deliveries)
    database = (postgres_cpu(app) - database) / len(ids)
    print(f'profile {name}: {len(ids)} packets processed in this process, per packet:')
    print(f'  processing job:  {costs.per(len(ids))}')
    print(f'  receipt delivery: {deliveries.per(len(ids))}')
    print(f'  PostgreSQL server: {1000 * database:.1f} ms CPU (both jobs; /proc, other clients included)')
    if sql:
        one = Costs()
        process_in_process(stack, received_ids(stack, profiled[:1]), one, one)
        print(f'  the statements of one packet (both jobs, {one.commits} commits):')
        for number, statement in enumerate(one.sql, 1):
            print(f'  {number:3}. {statement}')
        profiled = profiled[1:]
    profiler = cProfile.Profile(time.process_time) if clock == 'cpu' else cProfile.Profile()
    ids = received_ids(stack, profiled)
    process_in_process(stack, ids, Costs(), Costs(), profiler)
    print(f'cProfile {name}: {len(ids)} packets (both jobs; {clock} time)')
    stats = pstats.Stats(profiler)
    stats.dump_stats(WORK / f'exchange-profile-{name}.pstats')
    print(f'(saved to {WORK / f"exchange-profile-{name}.pstats"} for pstats)')
    stats.sort_stats('cumulative').print_stats(top)
    stats.sort_stats('tottime').print_stats(top)


def run(args: argparse.Namespace, stack: Stack) -> None:
    app = stack.app
    print(f'machine:    {machine()}\npostgresql: {pg_settings(app)}')
    if args.profile_only:
        profile_all(args, stack)
        return
    args.no_wait or wait_for_quiet()
    rsa = timed_build(stack, 'rsa', args.packets, args, 'RSA')
    gost = timed_build(stack, 'gost256', args.gost_packets, args, 'GOST') if args.gost_packets else []
    fresh = build_many(stack, 'rsa', args.e2e_packets, args.main_kb, args.annex_kb, 'E2E') if args.e2e_packets else []
    workers = Workers(stack.env, stack.folder)
    try:
        args.no_wait or wait_for_quiet()
        workers.start(args.workers)
        wait_for_workers(app, args.workers)
        intake(stack, workers, rsa, 'rsa', spy=args.py_spy)
        if gost:
            intake(stack, workers, gost, 'gost')
        if fresh:
            end_to_end(stack, fresh)
        print(f'load avg:   {load_average()} at the end of the intake')
    finally:
        workers.stop_all()
    check(stack, len(rsa) + len(gost) + len(fresh))


def profile_all(args: argparse.Namespace, stack: Stack) -> None:
    count = 5 + 2 * args.profile
    for name, user in (('rsa', 'rsa'), ('gost', 'gost256')):
        packets = build_many(stack, user, count, args.main_kb, args.annex_kb, f'PROF-{name}')
        profile(stack, name, packets, args.profile_top, args.profile_clock, args.profile_sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--packets', type=int, default=2000, help='RSA-signed packets for the intake run')
    parser.add_argument('--gost-packets', type=int, default=1000, help='GOST-signed packets (0: none)')
    parser.add_argument('--e2e-packets', type=int, default=1000, help='RSA packets received while workers run')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--main-kb', type=int, default=100, help='KiB of the main PDF')
    parser.add_argument('--annex-kb', type=int, default=30, help='KiB of the annex')
    parser.add_argument('--durable', action='store_true', help='PostgreSQL with fsync and synchronous_commit on')
    parser.add_argument('--profile', type=int, default=0, metavar='N', help='profile N packets in this process')
    parser.add_argument('--profile-only', action='store_true', help='only --profile (no workers, no intake runs)')
    parser.add_argument('--profile-top', type=int, default=40, help='functions listed by cProfile')
    parser.add_argument('--profile-clock', choices=('cpu', 'wall'), default='cpu', help="cProfile's clock")
    parser.add_argument('--profile-sql', action='store_true', help="print one packet's SQL statements")
    parser.add_argument('--py-spy', action='store_true', help='sample one worker during the RSA intake')
    parser.add_argument('--no-wait', action='store_true', help='do not wait for a quiet machine')
    args = parser.parse_args()
    with postgres(durable=args.durable) as url, redis_url() as redis, exchange_stack(url, redis) as stack:
        run(args, stack)
        if args.profile and not args.profile_only:
            profile_all(args, stack)


if __name__ == '__main__':
    main()
