"""Resolutions benchmark (issue 3): 1,000,000 cards and 2,000,000 resolutions in one organization of 200 users.

`python -m scripts.bench.bench_resolutions [--cards 1000000] [--resolutions 2000000] [--runs 200] [--explain]`
Imports the generated cards with `import-cards` (as `bench_list` does), creates the staff and COPYs the resolutions
(`scripts.bench.gen_resolutions` documents the shape), then measures, over `--runs` random requests each:
- the manager's cabinet: `folder_counts` (all folders in one statement), and the first page of each folder
  (`folder_page`), for a random manager; targets p95 ≤ 100 ms;
- «Мои поручения» of a random executor as the page runs it: `my_assignment_counts`, `my_assignments(…, 'open')` and
  the reports and extensions to decide (the bench writes no reports: those two stay empty), and the other filters;
  target p95 ≤ 100 ms;
- the execution-discipline report of a random «Департамент N» (with its sections) over the last 365 days; ≤ 1 s;
- one run of the morning reminders (`send_reminders`) over every overdue assignment; ≤ 60 s.
`--explain` prints EXPLAIN (ANALYZE, BUFFERS) of every SELECT one request of each kind runs.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select, text

from edms.auth.models import User
from edms.core.calendar import business_calendar
from edms.core.clock import local_today
from edms.core.db import db
from edms.resolutions.discipline import DisciplineFilter, discipline_report
from edms.resolutions.models import Assignment, AssignmentStatus
from edms.resolutions.queries import (
    FOLDERS,
    extensions_to_decide,
    folder_counts,
    folder_page,
    my_assignment_counts,
    my_assignments,
    reports_to_decide,
)
from edms.resolutions.reminders import send_reminders
from scripts.bench.bench_import import import_file
from scripts.bench.common import (
    bench_organization,
    cards_csv,
    load_average,
    machine,
    migrated_app,
    percentile,
    pg_settings,
    postgres,
    set_database,
    summary_ms,
    wait_for_quiet,
)
from scripts.bench.gen_resolutions import Staff, load, make_staff

TARGETS_MS = {'cabinet': 100, 'mine': 100, 'report': 1000}
REMINDERS_TARGET_S = 60


def timed(app: Flask, runs: int, users: list[int], work: Callable[[User], Any]) -> list[float]:
    """Durations of `work(user)` for random users, each in its own transaction (as a request would)."""
    rng, samples = random.Random(len(users) * runs), []
    with app.app_context():
        for _ in range(runs):
            user = db.session.get(User, users[rng.randrange(len(users))])
            user.roles  # noqa: B018 - loaded as the login session would have it
            started = time.perf_counter()
            work(user)
            samples.append(time.perf_counter() - started)
            db.session.rollback()
            db.session.expunge_all()
    return samples


def report_line(name: str, samples: list[float], target_ms: int) -> None:
    p95 = percentile(samples, 0.95) * 1000
    verdict = 'meets' if p95 <= target_ms else 'MISSES'
    print(f'{name:44} {summary_ms(samples)} ({verdict} p95 ≤ {target_ms} ms)', flush=True)


def scenarios(staff: Staff, today: date) -> list[tuple[str, str, list[int], Callable[[User], Any]]]:
    """(name, target key, users, work) of every measured request."""
    year = DisciplineFilter(today - timedelta(days=364), today)

    def page(folder: str) -> Callable[[User], Any]:
        return lambda user: [item.card.reg_number for item in folder_page(user, folder).items]

    def mine(flt: str) -> Callable[[User], Any]:
        def run(user: User) -> Any:
            my_assignment_counts(user)
            reports_to_decide(user, 20)  # empty here: the bench writes no reports or extension requests
            extensions_to_decide(user, 20)
            return [item.card.reg_number for item in my_assignments(user, flt).items]

        return run

    def counts_and(folder: str) -> Callable[[User], Any]:
        return lambda user: (folder_counts(user), page(folder)(user))

    result: list[tuple[str, str, list[int], Callable[[User], Any]]] = [
        ('cabinet: folder_counts', 'cabinet', staff.managers, folder_counts),
    ]
    result += [(f'cabinet: page «{f.title}»', 'cabinet', staff.managers, page(f.key)) for f in FOLDERS]
    result += [
        ('cabinet: counts + page «На рассмотрение»', 'cabinet', staff.managers, counts_and('review')),
        ('cabinet: counts + page «Просроченные»', 'cabinet', staff.managers, counts_and('overdue')),
        ("«Мои поручения»: counts + 'open' page", 'mine', staff.all_executors, mine('open')),
        ("«Мои поручения»: counts + 'overdue' page", 'mine', staff.all_executors, mine('overdue')),
        ("«Мои поручения»: counts + 'executed' page", 'mine', staff.all_executors, mine('executed')),
        ("«Мои поручения»: counts + 'all' page", 'mine', staff.all_executors, mine('all')),
    ]  # fmt: skip
    departments = itertools.cycle(staff.top)

    def report(user: User) -> Any:
        flt = DisciplineFilter(year.date_from, year.date_to, next(departments))
        return discipline_report(staff.organization_id, flt, today).total

    result.append(('discipline report: one department, a year', 'report', staff.managers, report))
    return result


@contextmanager
def captured() -> Iterator[list[tuple[str, Any]]]:
    """The statements (with parameters) sent to the database inside the block."""
    statements: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, 'before_cursor_execute', listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, 'before_cursor_execute', listener)


def explain(app: Flask, name: str, user_id: int, work: Callable[[User], Any]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT that one run of `work` sends."""
    with app.app_context():
        user = db.session.get(User, user_id)
        user.roles  # noqa: B018
        with captured() as statements:
            work(user)
        db.session.rollback()
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith('SELECT'):
                continue
            plan = db.session.connection().exec_driver_sql('EXPLAIN (ANALYZE, BUFFERS) ' + statement, parameters)
            print(f'--- {name}\n{statement}\n{parameters}\n' + '\n'.join(row[0] for row in plan), flush=True)
            db.session.rollback()


def run_reminders(app: Flask, today: date) -> None:
    """One run of the morning job for the last working day up to today, with the overdue items it covers."""
    with app.app_context():
        calendar, day = business_calendar(), today
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
        overdue = db.session.execute(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.status == AssignmentStatus.in_work, Assignment.deadline < day)
        ).scalar_one()
        db.session.rollback()
        started = time.perf_counter()
        created = send_reminders(day.isoformat())
        seconds = time.perf_counter() - started
        again = time.perf_counter()
        repeated = send_reminders(day.isoformat())
        verdict = 'meets' if seconds <= REMINDERS_TARGET_S else 'MISSES'
        print(
            f'{"reminders: send_reminders(" + day.isoformat() + ")":44} {seconds:.2f} s for {overdue} overdue '
            f'assignments, {created} notifications ({verdict} ≤ {REMINDERS_TARGET_S} s); second run '
            f'{time.perf_counter() - again:.2f} s, {repeated} new',
            flush=True,
        )


def sizes(app: Flask) -> str:
    with app.app_context():
        row = db.session.execute(
            text(
                'SELECT (SELECT count(*) FROM resolutions_resolutions), '
                '(SELECT count(*) FROM resolutions_assignments), '
                "pg_size_pretty(pg_table_size('resolutions_resolutions')), "
                "pg_size_pretty(pg_indexes_size('resolutions_resolutions')), "
                "pg_size_pretty(pg_table_size('resolutions_assignments')), "
                "pg_size_pretty(pg_indexes_size('resolutions_assignments'))"
            )
        ).one()
        db.session.rollback()
    return f'{row[0]} resolutions ({row[2]}, indexes {row[3]}), {row[1]} assignments ({row[4]}, indexes {row[5]})'


def prepare(app: Flask, args: argparse.Namespace, today: date) -> Staff:
    organization = bench_organization(app)
    wait_for_quiet()
    seconds = import_file(app, organization, cards_csv(args.cards, args.seed))
    print(f'imported {args.cards} cards in {seconds:.1f} s', flush=True)
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level='AUTOCOMMIT') as connection:
            connection.execute(text('VACUUM ANALYZE registry_cards'))
    started = time.perf_counter()
    staff = make_staff(app, organization.id, args.seed)
    print(f'staff: 200 users in 20 departments in {time.perf_counter() - started:.1f} s', flush=True)
    started = time.perf_counter()
    counter = load(app, staff, args.resolutions, args.seed, today)
    print(
        f'resolutions: {counter.resolutions} ({counter.by_status}) and {counter.assignments} assignments '
        f'generated, COPYed, indexed and analyzed in {time.perf_counter() - started:.1f} s',
        flush=True,
    )
    print(f'sizes:      {sizes(app)}')
    return staff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--cards', type=int, default=1_000_000)
    parser.add_argument('--resolutions', type=int, default=2_000_000)
    parser.add_argument('--runs', type=int, default=200)
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--explain', action='store_true', help='print EXPLAIN ANALYZE of one request of each kind')
    parser.add_argument('--database-url', help='use this empty database instead of a private cluster')
    parser.add_argument('--set', action='append', default=[], help='a database setting to try, e.g. --set jit=off')
    args = parser.parse_args()
    with postgres(url=args.database_url) as url:
        app = migrated_app(url)
        with app.app_context():
            today = local_today(app.config['TIMEZONE'])
        staff = prepare(app, args, today)
        set_database(app, args.set)
        print(f'machine:    {machine()}\npostgresql: {pg_settings(app)}')
        wait_for_quiet()
        for name, target, users, work in scenarios(staff, today):
            report_line(name, timed(app, args.runs, users, work), TARGETS_MS[target])
            if args.explain:
                explain(app, name, users[0], work)
        run_reminders(app, today)
        print(f'load avg:   {load_average()} at the end')
        with app.app_context():
            db.engine.dispose()


if __name__ == '__main__':
    main()
