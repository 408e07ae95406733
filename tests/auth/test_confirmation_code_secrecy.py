"""Where a confirmation code's plain digits are and are not: the delivery job carries only the code's id (nothing in
Redis, even for a failed job, nor in RQ's log holds the digits); the row keeps them sealed under a key derived from
SECRET_KEY, bound to the row, only until the SMS is handed over or the code dies (the sweep wipes the rest); without an
SMS gateway codes are refused unless the development delivery is allowed by its setting."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask

from edms.auth.confirmation import ConfirmationCode, seal_code, unseal_code
from edms.auth.models import User
from edms.core.db import db
from edms.core.schedule import PERIODIC_JOBS
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.notifications.sms import SmsUnavailable, deliver_confirmation_code, send_code, wipe_dead_codes
from tests.auth.sms_gateway import Gateway, sms_gateway
from tests.auth.test_confirmation_codes import PHONE, PURPOSE, attempt, backdate, people, send, user

__all__ = ['people', 'sms_gateway', 'user']
#: A fixed code, so that its digits can be looked for in Redis and in the log.
CODE = '918273'


@pytest.fixture
def fixed_code(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr('edms.auth.confirmation_codes.new_code', lambda: CODE)
    return CODE


def stored(row_id: int) -> ConfirmationCode:
    db.session.expire_all()
    return db.session.get(ConfirmationCode, row_id)


def redis_dump(connection: Any) -> bytes:
    """Every key and value of the Redis database, as bytes."""
    parts: list[bytes] = []
    for key in connection.scan_iter():
        kind = connection.type(key)
        parts.append(key)
        if kind == b'string':
            parts.append(connection.get(key) or b'')
        elif kind == b'hash':
            parts.extend(item for pair in connection.hgetall(key).items() for item in pair)
        elif kind == b'list':
            parts.extend(connection.lrange(key, 0, -1))
        elif kind == b'set':
            parts.extend(connection.smembers(key))
        elif kind == b'zset':
            parts.extend(connection.zrange(key, 0, -1))
    return b'\n'.join(parts)


def test_the_job_carries_only_the_id_and_neither_redis_nor_the_worker_log_holds_the_code(
    user: User,
    fixed_code: str,
    sms_gateway: Gateway,
    redis_jobs: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rq import SimpleWorker
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from edms.core.jobs import make_queue

    sms_gateway.status = 503  # the job fails and stays in Redis (RQ keeps a failed job for a year)
    row = send(user)
    queue = make_queue('notifications')
    [job_id] = queue.job_ids
    assert Job.fetch(job_id, connection=redis_jobs, serializer=JSONSerializer).args == [row.id]
    for name in ('rq.worker', 'edms.notifications.sms'):  # the migrations' logging configuration disabled them
        monkeypatch.setattr(logging.getLogger(name), 'disabled', False)
    with caplog.at_level(logging.DEBUG):
        SimpleWorker([queue], connection=redis_jobs, serializer=JSONSerializer).work(burst=True)

    assert 'deliver_confirmation_code' in caplog.text  # RQ did log the job's description
    assert fixed_code not in caplog.text
    assert fixed_code.encode() not in redis_dump(redis_jobs)
    assert stored(row.id).code_sealed is not None  # kept sealed for RQ's retry

    sms_gateway.status = 200
    assert deliver_confirmation_code(row.id) is True
    assert sms_gateway.code() == fixed_code
    assert stored(row.id).code_sealed is None  # delivered: the digits are gone from the database
    assert attempt(user, fixed_code) is None


def test_the_row_keeps_the_code_sealed_under_a_key_of_the_secret_and_bound_to_the_row(
    people: tuple[User, User], fixed_code: str, redis_jobs: Any, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = send(people[0])
    other = send(people[1])
    assert row.code_sealed is not None
    assert fixed_code not in row.code_sealed
    assert unseal_code(row) == fixed_code

    with atomic():
        moved = stored(other.id)
        moved.code_sealed = row.code_sealed  # another row's seal does not open here
    assert unseal_code(stored(other.id)) is None
    assert seal_code(row, fixed_code) != row.code_sealed  # a fresh nonce each time
    monkeypatch.setitem(app.config, 'SECRET_KEY', 'another-key')
    assert unseal_code(stored(row.id)) is None


def test_a_row_that_cannot_be_unsealed_is_not_sent_and_is_wiped(
    user: User, sms_gateway: Gateway, redis_jobs: Any, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = send(user)
    monkeypatch.setitem(app.config, 'SECRET_KEY', 'another-key')
    assert deliver_confirmation_code(row.id) is False
    assert sms_gateway.messages == []
    assert stored(row.id).code_sealed is None
    assert stored(row.id).delivery_error.startswith('Код не удалось раскрыть для отправки')


def test_the_sweep_wipes_the_sealed_digits_of_dead_codes_only(people: tuple[User, User], redis_jobs: Any) -> None:
    dead, live = send(people[0]), send(people[1])  # their delivery jobs wait in Redis, never run
    backdate(dead.id, 11 * 60)

    assert wipe_dead_codes() == 1

    assert stored(dead.id).code_sealed is None
    assert stored(live.id).code_sealed is not None
    sweep = {job.name: job for job in PERIODIC_JOBS}['confirmation_codes_sweep']
    assert sweep.func_path == 'edms.notifications.sms.wipe_dead_codes'


def test_without_a_gateway_codes_are_refused_unless_development_delivery_is_allowed(
    user: User, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, 'SMS_DEVELOPMENT_DELIVERY', False)
    with pytest.raises(SmsUnavailable) as refused, atomic():
        send_code(user, PURPOSE, PHONE)
    assert refused.value.message == (
        'SMS-шлюз не настроен: подтверждение по SMS недоступно, подпишите заявление электронной подписью.'
    )
    assert refused.value.status == 409
    assert db.session.query(ConfirmationCode).count() == 0
    assert db.session.query(Notification).count() == 0

    monkeypatch.setitem(app.config, 'SMS_DEVELOPMENT_DELIVERY', True)
    assert send(user).delivered_via == 'development'


def test_the_development_delivery_is_off_by_default() -> None:
    from edms.settings import Defaults

    assert Defaults.SMS_DEVELOPMENT_DELIVERY is False
