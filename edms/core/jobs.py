"""Background jobs on RQ: enqueue by dotted path with ids only; run synchronously when no Redis is configured.

Jobs must be idempotent. Enqueue them through `on_commit(enqueue, ...)` so that a worker never sees an id whose row
is not committed yet. Payloads are JSON (never pickle): a job receives only ids and plain values.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from werkzeug.utils import import_string

QUEUES = ('default', 'exchange', 'signatures', 'search', 'notifications')


def enqueue(path: str, *args: str | int, queue: str = 'default') -> None:
    """Run the job at dotted `path` with primitive arguments, now (embedded default) or on an RQ worker."""
    if current_app.config['JOBS_SYNC']:
        import_string(path)(*args)
        return
    from rq import Retry

    make_queue(queue).enqueue(
        path, *args, result_ttl=3600, failure_ttl=365 * 86400, retry=Retry(max=3, interval=[10, 60, 300])
    )


def make_queue(name: str) -> Any:
    """An RQ queue on this app's Redis with the JSON serializer."""
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(name, connection=redis_connection(), serializer=JSONSerializer)


def redis_connection() -> Any:
    """The Redis connection of this app, created on first use from `REDIS_URL`."""
    from redis import Redis

    ext = current_app.extensions
    if 'edms_redis' not in ext:
        ext['edms_redis'] = Redis.from_url(current_app.config['REDIS_URL'])
    return ext['edms_redis']
