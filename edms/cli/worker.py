"""The RQ worker command: `flask --app wsgi edms worker [queues…]`, running jobs inside the app context."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from edms.core.jobs import QUEUES, make_queue, redis_connection


def register(group: AppGroup) -> None:
    group.add_command(worker_command)


@click.command('worker')
@click.argument('queues', nargs=-1)
@click.option('--burst', is_flag=True, help='Выполнить задания из очереди и завершиться.')
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker for the given queues (all by default) with the scheduler, inside the app context."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer
    from sqlalchemy.orm import configure_mappers

    if current_app.config['JOBS_SYNC']:
        raise click.ClickException('EDMS_REDIS_URL не задан: задания выполняются синхронно, рабочий не нужен.')
    configure_mappers()
    worker = SimpleWorker(
        [make_queue(name) for name in queues or QUEUES],
        connection=redis_connection(),
        serializer=JSONSerializer,
    )
    worker.work(burst=burst, with_scheduler=True, maintenance_interval=30)
