"""One-time confirmation codes: the right code consumed once, wrong codes counting the attempts down (the third kills
the code), an expired (after 10 minutes, seed 003), a reused, a superseded and another user's code refused, the rate
limit with the time to wait, the keyed hash, the phone's format, the SMS received by a real gateway on loopback, the
development delivery in the app (never logged), and a gateway that is down (the error kept on the code, the job
retried by RQ, nothing sent twice). Where the plain code may and may not be: test_confirmation_code_secrecy."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.auth.confirmation import (
    LIFETIME_SECONDS,
    CodeRejected,
    ConfirmationCode,
    TooManyCodes,
    hash_code,
    normalize_phone,
)
from edms.auth.confirmation_codes import confirm_code
from edms.auth.models import Role, User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.notifications.sms import deliver_confirmation_code, send_code
from tests.auth.sms_gateway import Gateway, notified_code, sms_gateway
from tests.factories import make_organization, make_user

PURPOSE = 'application:taxpayer_cabinet'
PHONE = '+79123456789'
__all__ = ['sms_gateway']


@pytest.fixture
def people(app_ctx: Flask) -> tuple[User, User]:
    with atomic():
        organization = make_organization('Портал госуслуг', with_journals=False)
        users = (make_user(organization, Role.applicant), make_user(organization, Role.applicant))
    return users


@pytest.fixture
def user(people: tuple[User, User]) -> User:
    return people[0]


def send(user: User, purpose: str = PURPOSE, phone: str = PHONE) -> ConfirmationCode:
    with atomic():
        row = send_code(user, purpose, phone)
    return db.session.get(ConfirmationCode, row.id)


def attempt(user: User, code: str, purpose: str = PURPOSE) -> str | None:
    """Confirm as an entry point does (a refusal is committed, then raised); the refusal's message or None."""
    rejected: CodeRejected | None = None
    with atomic():
        try:
            confirm_code(user, purpose, code)
        except CodeRejected as error:
            rejected = error
    return rejected.fields['code'] if rejected else None


def backdate(row_id: int, seconds: int) -> None:
    """Move the code's creation (and expiry) into the past, as if it had been requested `seconds` ago."""
    with atomic():
        row = db.session.get(ConfirmationCode, row_id)
        row.created_at -= timedelta(seconds=seconds)
        row.expires_at -= timedelta(seconds=seconds)
    db.session.expire_all()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> pytest.LogCaptureFixture:
    """The module's log lines (the migrations' logging configuration disables loggers created before it ran)."""
    monkeypatch.setattr(logging.getLogger('edms.notifications.sms'), 'disabled', False)
    return caplog


def wrong(code: str) -> str:
    return f'{(int(code) + 1) % 1_000_000:06d}'


def test_right_code_is_consumed_and_journaled_without_the_code(user: User) -> None:
    row = send(user)
    code = notified_code(user)

    assert attempt(user, f' {code[:3]} {code[3:]} ') is None

    db.session.expire_all()
    assert db.session.get(ConfirmationCode, row.id).used_at is not None
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == 'auth_confirmation_codes')).all()
    assert [entry.action for entry in entries] == ['confirmation_code.send', 'confirmation_code.confirm']
    assert all(code not in str(entry.data) for entry in entries)
    assert entries[0].data['phone'] == entries[1].data['phone'] == '+7 912 ***-**-89'


def test_wrong_codes_count_the_attempts_down_and_the_third_kills_the_code(user: User) -> None:
    row = send(user)
    code = notified_code(user)

    assert attempt(user, wrong(code)) == '«Код подтверждения»: неверный код, осталось 2 попытки.'
    assert attempt(user, wrong(code)) == '«Код подтверждения»: неверный код, осталась 1 попытка.'
    third = attempt(user, wrong(code))
    assert third == '«Код подтверждения»: неверный код; попытки ввода исчерпаны — запросите новый код.'
    assert attempt(user, code) == '«Код подтверждения»: попытки ввода исчерпаны — запросите новый код.'
    db.session.expire_all()
    stored = db.session.get(ConfirmationCode, row.id)
    assert (stored.attempts, stored.used_at) == (3, None)
    rejected = db.session.scalars(select(AuditEntry).where(AuditEntry.action == 'confirmation_code.reject')).all()
    assert len(rejected) == 4  # every refused attempt is journaled, without the digits typed
    assert all(code not in str(entry.data) and wrong(code) not in str(entry.data) for entry in rejected)


def test_a_code_of_wrong_form_is_refused_without_costing_an_attempt(user: User) -> None:
    row = send(user)
    assert attempt(user, '12345') == '«Код подтверждения»: код состоит из 6 цифр.'
    assert attempt(user, '') == '«Код подтверждения»: введите код из СМС.'
    db.session.expire_all()
    assert db.session.get(ConfirmationCode, row.id).attempts == 0


def test_expired_code_is_refused(user: User) -> None:
    row = send(user)
    code = notified_code(user)
    backdate(row.id, LIFETIME_SECONDS)
    assert attempt(user, code) == '«Код подтверждения»: срок действия кода истёк — запросите новый код.'


def test_code_expires_ten_minutes_after_it_was_sent(user: User) -> None:
    """Seed 003: «Код действителен 10 минут»."""
    row = send(user)
    assert timedelta(minutes=9, seconds=59) < row.expires_at - row.created_at <= timedelta(minutes=10)
    assert 'Действует 10 минут.' in db.session.query(Notification.text).scalar()
    backdate(row.id, 9 * 60 + 30)
    assert attempt(user, notified_code(user)) is None


def test_used_code_cannot_be_used_again(user: User) -> None:
    send(user)
    code = notified_code(user)
    assert attempt(user, code) is None
    assert attempt(user, code) == '«Код подтверждения»: код уже использован — запросите новый код.'


def test_only_the_latest_code_counts(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = iter(['111111', '222222'])
    monkeypatch.setattr('edms.auth.confirmation_codes.new_code', lambda: next(codes))
    first = send(user)
    backdate(first.id, 61)
    send(user)
    assert attempt(user, '111111') == '«Код подтверждения»: неверный код, осталось 2 попытки.'
    assert attempt(user, '222222') is None


def test_another_users_code_is_refused(people: tuple[User, User]) -> None:
    owner, other = people
    send(owner)
    code = notified_code(owner)
    assert attempt(other, code) == '«Код подтверждения»: код не запрашивался — запросите новый код.'
    assert attempt(owner, code, purpose='application:temporary_registration') == (
        '«Код подтверждения»: код не запрашивался — запросите новый код.'
    )
    assert attempt(owner, code) is None


def test_a_new_code_at_most_once_a_minute(user: User) -> None:
    first = send(user)
    with pytest.raises(TooManyCodes) as refused, atomic():
        send_code(user, PURPOSE, PHONE)
    assert 58 <= refused.value.retry_after <= 61
    assert refused.value.message.startswith('«Код подтверждения»: новый код можно запросить через ')
    assert refused.value.status == 429
    backdate(first.id, 61)
    assert send(user).id != first.id


def test_at_most_five_codes_an_hour(user: User) -> None:
    for minutes_ago in (50, 40, 30, 20, 10):
        row = send(user, purpose=f'application:p{minutes_ago}')
        backdate(row.id, minutes_ago * 60)
    with pytest.raises(TooManyCodes) as refused, atomic():
        send_code(user, PURPOSE, PHONE)
    assert 9 * 60 < refused.value.retry_after <= 10 * 60 + 1
    assert 'через 10 мин' in refused.value.message or 'через 9 мин' in refused.value.message
    assert db.session.query(ConfirmationCode).count() == 5


def test_limits_are_per_user(people: tuple[User, User]) -> None:
    send(people[0])
    assert send(people[1]).user_id == people[1].id


def test_the_code_is_stored_as_a_keyed_hash(user: User, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    row = send(user)
    code = notified_code(user)
    salt, _, digest = row.code_hash.partition('$')
    assert code not in row.code_hash
    assert len(digest) == 64
    assert hash_code(code, salt) == row.code_hash
    monkeypatch.setitem(app.config, 'SECRET_KEY', 'another-key')
    assert hash_code(code, salt) != row.code_hash


@pytest.mark.parametrize(
    ('raw', 'expected'),
    [('+7 912 345-67-89', PHONE), ('8 (912) 345-67-89', PHONE), ('+79123456789', PHONE)],
)
def test_phone_is_normalized(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize('raw', ['', '+7 495 123-45-67', '912 345 67 89', '+7 912 345-67-8x', 12345])
def test_wrong_phone_is_refused_with_the_field_named(user: User, raw: Any) -> None:
    with pytest.raises(ValidationFailed) as refused, atomic():
        send_code(user, PURPOSE, raw)
    assert refused.value.fields == {'phone': '«Номер телефона»: мобильный номер в формате +7 9XX XXX-XX-XX.'}
    assert db.session.query(ConfirmationCode).count() == 0


def test_wrong_purpose_is_refused(user: User) -> None:
    with pytest.raises(ValidationFailed) as refused, atomic():
        send_code(user, 'Заявление!', PHONE)
    assert 'purpose' in refused.value.fields


def test_gateway_receives_the_phone_and_a_text_with_the_code(user: User, sms_gateway: Gateway) -> None:
    row = send(user)

    [message] = sms_gateway.messages
    assert message['phone'] == PHONE
    code = sms_gateway.code()
    assert f'Код подтверждения: {code}.' in message['text']
    assert sms_gateway.headers[0]['Authorization'] == 'Bearer gateway-token'
    db.session.expire_all()
    stored = db.session.get(ConfirmationCode, row.id)
    assert (stored.delivered_via, stored.delivery_error) == ('gateway', None)
    assert db.session.query(Notification).count() == 0  # no development delivery with a gateway
    assert attempt(user, code) is None


def test_development_delivery_is_an_in_app_notification_and_the_code_is_not_logged(
    user: User, logs: pytest.LogCaptureFixture
) -> None:
    with logs.at_level(logging.DEBUG):
        row = send(user)
    code = notified_code(user)
    [notification] = db.session.query(Notification).all()
    assert 'Доставка для разработки: SMS-шлюз не настроен, СМС на +7 912 345-67-89 не отправлялось.' in (
        notification.text
    )
    assert any('DEVELOPMENT delivery' in line for line in logs.messages)
    assert code not in logs.text
    assert db.session.get(ConfirmationCode, row.id).delivered_via == 'development'


def test_job_run_twice_sends_one_sms(user: User, sms_gateway: Gateway) -> None:
    row = send(user)
    assert deliver_confirmation_code(row.id) is False
    assert len(sms_gateway.messages) == 1
    assert attempt(user, sms_gateway.code()) is None


def test_gateway_down_keeps_the_code_request_and_records_the_error(
    user: User, sms_gateway: Gateway, logs: pytest.LogCaptureFixture
) -> None:
    sms_gateway.status = 503
    with logs.at_level(logging.ERROR, logger='edms.notifications.sms'):
        row = send(user)
    db.session.expire_all()
    stored = db.session.get(ConfirmationCode, row.id)
    assert stored.delivered_at is None
    assert stored.delivery_error == 'SMS-шлюз ответил 503 Service Unavailable.'
    assert stored.code_sealed is None  # no retry without a worker: nothing left to send
    assert any('not delivered' in line for line in logs.messages)


def test_gateway_down_the_job_is_retried_by_rq_and_delivers_later(
    user: User, sms_gateway: Gateway, redis_jobs: Any
) -> None:
    from rq import SimpleWorker
    from rq.job import Job, JobStatus
    from rq.serializers import JSONSerializer

    from edms.core.jobs import make_queue

    sms_gateway.status = 502
    row = send(user)
    queue = make_queue('notifications')
    [job_id] = queue.job_ids
    SimpleWorker([queue], connection=redis_jobs, serializer=JSONSerializer).work(burst=True)
    job = Job.fetch(job_id, connection=redis_jobs, serializer=JSONSerializer)
    assert (job.get_status(), job.retries_left) == (JobStatus.SCHEDULED, 2)
    db.session.expire_all()
    assert db.session.get(ConfirmationCode, row.id).delivery_error == 'SMS-шлюз ответил 502 Bad Gateway.'
    assert job.args == [row.id]

    sms_gateway.status = 200
    assert deliver_confirmation_code(*job.args) is True
    assert sms_gateway.messages[0]['phone'] == PHONE
    assert attempt(user, sms_gateway.code()) is None


def test_a_dead_code_is_not_sent(user: User, sms_gateway: Gateway, redis_jobs: Any) -> None:
    from edms.core.jobs import make_queue

    row = send(user)
    [job_id] = make_queue('notifications').job_ids
    job = make_queue('notifications').fetch_job(job_id)
    backdate(row.id, LIFETIME_SECONDS)
    assert deliver_confirmation_code(*job.args) is False
    assert sms_gateway.messages == []
    db.session.expire_all()
    assert db.session.get(ConfirmationCode, row.id).delivery_error == 'Код стал недействителен до доставки.'
    assert db.session.get(ConfirmationCode, row.id).code_sealed is None
    assert utcnow() > db.session.get(ConfirmationCode, row.id).expires_at
