"""The RQ worker command `flask --app wsgi edms worker [queues…]`, running jobs inside the app context with RQ's
scheduler, and `run-periodic NAME`, running one periodic job now (the embedded default has no scheduler).

The worker is RQ's `SimpleWorker` (no fork per job). It registers with a 60-second TTL, so even when idle it wakes
every 45 s to run RQ's maintenance (every 30 s at most): the jobs of a worker that was killed are found abandoned
and retried, and the scheduler's lock of a dead worker is taken over once it expires (a minute), so the periodic
and interval jobs go on. A killed worker leaves its RQ scheduler process running unless its whole process group
is killed (as a service manager does): start workers in their own process group.
"""

from __future__ import annotations

import gc

import click
from flask import current_app
from flask.cli import AppGroup

from edms.core.jobs import QUEUES, make_queue, redis_connection
from edms.core.schedule import PERIODIC_JOBS, UnknownPeriodicJob, run_now, schedule_periodic_jobs
from edms.core.tx import atomic

#: Seconds a worker's registration lives without a heartbeat; an idle worker blocks at most this minus 15 s.
WORKER_TTL = 60
#: Seconds between RQ's maintenance runs (abandoned jobs, scheduler locks, registries).
MAINTENANCE_INTERVAL = 30


def register(group: AppGroup) -> None:
    group.add_command(worker_command)
    group.add_command(run_periodic_command)


@click.command('worker')
@click.argument('queues', nargs=-1)
@click.option('--burst', is_flag=True, help='Выполнить задания из очереди и завершиться.')
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker for the given queues (all by default) with the scheduler, inside the app context.

    On start it schedules the due runs of the periodic jobs (`edms.core.schedule`); a run already scheduled for a
    date or an interval's slot is never added twice, however many workers start.
    """
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer
    from sqlalchemy.orm import configure_mappers

    if current_app.config['JOBS_SYNC']:
        raise click.ClickException('EDMS_REDIS_URL не задан: задания выполняются синхронно, рабочий не нужен.')
    configure_mappers()
    with atomic():
        scheduled = schedule_periodic_jobs()
    for job_id in scheduled:
        click.echo(f'Запланировано периодическое задание {job_id}.')
    gc.collect()  # as `wsgi.py` does: the start's objects out of the collector's full collections, garbage first
    gc.freeze()
    worker = SimpleWorker(
        [make_queue(name) for name in queues or QUEUES],
        connection=redis_connection(),
        serializer=JSONSerializer,
        worker_ttl=WORKER_TTL,
        maintenance_interval=MAINTENANCE_INTERVAL,
    )
    worker.work(burst=burst, with_scheduler=True)


@click.command('run-periodic')
@click.argument('name')
def run_periodic_command(name: str) -> None:
    """Run one periodic job now, in this process (without Redis nothing runs them on schedule)."""
    try:
        result = run_now(name)
    except UnknownPeriodicJob:
        names = ', '.join(job.name for job in PERIODIC_JOBS)
        raise click.ClickException(f'Неизвестное периодическое задание «{name}». Есть: {names}.') from None
    click.echo(f'Периодическое задание {name} выполнено' + (f': {result}.' if result is not None else '.'))
