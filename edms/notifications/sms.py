"""Sending one-time confirmation codes: `send_code` issues the code (`edms.auth.confirmation_codes.issue_code`) and,
after the commit, `deliver_confirmation_code` hands the SMS to the gateway (`edms.core.sms`).

Where the plain code travels: the row keeps its keyed hash, and the digits sealed (AES-GCM under a key derived from
SECRET_KEY, `edms.auth.confirmation`) only until the SMS is handed over. The delivery job receives the code's id
alone, so neither the RQ job in Redis (a failed one is kept there for a year) nor RQ's log of the job's description
holds the digits. The job opens the sealed digits, checks that the code is still live, sends them, marks the row
delivered and wipes the sealed digits, so a retried or repeated job sends nothing twice. A permanent failure, a
temporary one without retries left and a code dead before its delivery wipe them too, and the sweep
`wipe_dead_codes` (every minute on a worker) wipes those of codes that died while their job was lost. The code is
never logged.

Without `SMS_GATEWAY_URL` a code is delivered only for development, and only where `SMS_DEVELOPMENT_DELIVERY` is set
(config/development.py of `make run`, the tests): as an in-app notification to the same account, saying that no SMS
was sent. That proves nothing about a phone, so it is off by default: without a gateway asking for a code is refused
with `SmsUnavailable` (409: sign the application with an electronic signature instead). A gateway failure is kept in
the row's `delivery_error` and logged; a temporary one is raised again while RQ has retries left.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from flask import current_app
from sqlalchemy import select

from edms.auth.confirmation import LIFETIME_SECONDS, ConfirmationCode, shown_phone, unseal_code
from edms.auth.confirmation_codes import issue_code, masked, wipe_sealed
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db, is_postgresql
from edms.core.errors import Conflict
from edms.core.jobs import enqueue
from edms.core.sms import SmsFailure, SmsTemporaryFailure, gateway_configured, send_sms
from edms.core.tx import atomic, on_commit
from edms.notifications.models import EMAIL_ERROR_MAX
from edms.notifications.operations import notify

JOB = 'edms.notifications.sms.deliver_confirmation_code'
QUEUE = 'notifications'
GATEWAY, DEVELOPMENT = 'gateway', 'development'
KIND = 'confirmation_code'
UNAVAILABLE = 'SMS-шлюз не настроен: подтверждение по SMS недоступно, подпишите заявление электронной подписью.'
DEAD = 'Код стал недействителен до доставки.'
NO_GATEWAY = 'SMS-шлюз не настроен: код не отправлен.'
UNREADABLE = 'Код не удалось раскрыть для отправки (изменён SECRET_KEY?): запросите новый код.'
log = logging.getLogger(__name__)


class SmsUnavailable(Conflict):
    """No SMS gateway is configured (and no development delivery allowed): codes cannot be sent."""

    code = 'sms_unavailable'
    message = UNAVAILABLE


class SmsDeliveryFailed(Exception):
    """A temporary gateway failure, raised so that RQ retries the job."""


def delivery_mode(config: Mapping[str, Any]) -> str | None:
    """How codes are delivered: GATEWAY, DEVELOPMENT (allowed by `SMS_DEVELOPMENT_DELIVERY`) or None (not at all)."""
    if gateway_configured(config):
        return GATEWAY
    return DEVELOPMENT if config.get('SMS_DEVELOPMENT_DELIVERY') else None


def send_code(user: User, purpose: str, phone: str) -> ConfirmationCode:
    """Issue a code of `user` for `purpose` and send it to `phone` after the commit (`SmsUnavailable` without a way to
    deliver it, `TooManyCodes` when asked too often, `ValidationFailed` for a wrong number)."""
    if delivery_mode(current_app.config) is None:
        raise SmsUnavailable
    row = issue_code(user, purpose, phone)
    on_commit(partial(enqueue, queue=QUEUE), JOB, row.id)
    return row


def message_text(code: str) -> str:
    return f'Код подтверждения: {code}. Действует {LIFETIME_SECONDS // 60} минут. Никому не сообщайте код.'


def deliver_confirmation_code(code_id: int) -> bool:
    """Send the code's SMS once; True when this run delivered it."""
    config = current_app.config
    error: SmsFailure | None = None
    retry = False
    with atomic():
        row = _locked(code_id)
        if row is None or row.delivered_at is not None or row.code_sealed is None:
            return False
        code, problem = unseal_code(row), _undeliverable(row, config)
        if code is None or problem is not None:
            row.delivery_error, row.code_sealed = problem or UNREADABLE, None
            return False
        if delivery_mode(config) == DEVELOPMENT:
            _deliver_for_development(row, code)
            return True
        try:
            send_sms(config, row.phone, message_text(code))
        except SmsFailure as failure:
            error, retry = failure, _failed(row, failure)
        else:
            row.delivered_via, row.delivered_at, row.delivery_error, row.code_sealed = GATEWAY, utcnow(), None, None
    if retry:
        raise SmsDeliveryFailed(str(error)) from error
    return error is None


def _undeliverable(row: ConfirmationCode, config: Mapping[str, Any]) -> str | None:
    if not row.is_live(utcnow()):
        return DEAD
    if delivery_mode(config) is None:
        return NO_GATEWAY
    return None


def _failed(row: ConfirmationCode, failure: SmsFailure) -> bool:
    """Keep the gateway's error; True when RQ will try again (only then do the sealed digits stay)."""
    row.delivery_error = str(failure)[:EMAIL_ERROR_MAX]
    retry = isinstance(failure, SmsTemporaryFailure) and _retries_left()
    if not retry:
        row.code_sealed = None
    log.error('Confirmation code %s to %s not delivered: %s', row.id, masked(row.phone), failure)
    return retry


def _deliver_for_development(row: ConfirmationCode, code: str) -> None:
    text = (
        f'{message_text(code)} Доставка для разработки: SMS-шлюз не настроен, СМС на {shown_phone(row.phone)} '
        'не отправлялось.'
    )
    notify([row.user_id], kind=KIND, text=text, source=f'{KIND}:{row.id}')
    log.info(
        'DEVELOPMENT delivery (no SMS gateway): confirmation code %s is in the notifications of user %s',
        row.id,
        row.user_id,
    )
    row.delivered_via, row.delivered_at, row.delivery_error, row.code_sealed = DEVELOPMENT, utcnow(), None, None


def wipe_dead_codes() -> int:
    """The sweep: forget the sealed digits of codes that died undelivered (their job lost); the number wiped."""
    with atomic():
        return wipe_sealed(utcnow())


def _locked(code_id: int) -> ConfirmationCode | None:
    """The row, locked while it is sent; None when another worker is sending it right now."""
    query = select(ConfirmationCode).where(ConfirmationCode.id == code_id)
    if is_postgresql():
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query).first()


def _retries_left() -> bool:
    """True inside an RQ job that RQ will run again if it fails (never in the synchronous embedded mode)."""
    from rq import get_current_job

    job = get_current_job()
    return bool(job is not None and job.retries_left)
