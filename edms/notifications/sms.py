"""Sending one-time confirmation codes: `send_code` issues the code (`edms.auth.confirmation_codes.issue_code`) and,
after the commit, `deliver_confirmation_code` hands the SMS to the gateway (`edms.core.sms`).

Where the plain code travels: it is never written to the database (the row keeps its keyed hash). The delivery job
receives the code id and the plain code as its two arguments: in the embedded default they stay in the request's
memory; with a worker they sit in the RQ job in Redis, which is no worse than the SMS itself and useless once the
code is dead (5 minutes, 3 attempts). The job checks the digits against the stored hash and that the code is still
live before sending, and marks the row delivered, so a retried or repeated job sends nothing twice.

Without `SMS_GATEWAY_URL` (the embedded default, `make run`) the code is delivered for development: as an in-app
notification to the user and in the log at INFO, both saying that no SMS was sent. A gateway failure is kept in the
row's `delivery_error` and logged; a temporary one is raised again while RQ has retries left (the code request stays).
"""

from __future__ import annotations

import logging
from functools import partial

from flask import current_app
from sqlalchemy import select

from edms.auth.confirmation import LIFETIME_SECONDS, ConfirmationCode, code_matches, shown_phone
from edms.auth.confirmation_codes import issue_code, masked
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db, is_postgresql
from edms.core.jobs import enqueue
from edms.core.sms import SmsFailure, SmsTemporaryFailure, gateway_configured, send_sms
from edms.core.tx import atomic, on_commit
from edms.notifications.models import EMAIL_ERROR_MAX
from edms.notifications.operations import notify

JOB = 'edms.notifications.sms.deliver_confirmation_code'
QUEUE = 'notifications'
GATEWAY, DEVELOPMENT = 'gateway', 'development'
KIND = 'confirmation_code'
log = logging.getLogger(__name__)


class SmsDeliveryFailed(Exception):
    """A temporary gateway failure, raised so that RQ retries the job."""


def send_code(user: User, purpose: str, phone: str) -> ConfirmationCode:
    """Issue a code of `user` for `purpose` and send it to `phone` after the commit (`TooManyCodes` when asked too
    often, `ValidationFailed` for a wrong number)."""
    issued = issue_code(user, purpose, phone)
    on_commit(partial(enqueue, queue=QUEUE), JOB, issued.row.id, issued.code)
    return issued.row


def message_text(code: str) -> str:
    return f'Код подтверждения: {code}. Действует {LIFETIME_SECONDS // 60} минут. Никому не сообщайте код.'


def deliver_confirmation_code(code_id: int, code: str) -> bool:
    """Send the code's SMS once; True when this run delivered it."""
    config = current_app.config
    error: SmsFailure | None = None
    with atomic():
        row = _locked(code_id)
        if row is None or row.delivered_at is not None or not code_matches(row, code):
            return False
        if not row.is_live(utcnow()):
            row.delivery_error = 'Код стал недействителен до доставки.'
            return False
        if not gateway_configured(config):
            _deliver_for_development(row, code)
            return True
        try:
            send_sms(config, row.phone, message_text(code))
        except SmsFailure as problem:
            error, row.delivery_error = problem, str(problem)[:EMAIL_ERROR_MAX]
            log.error('Confirmation code %s to %s not delivered: %s', row.id, masked(row.phone), problem)
        else:
            row.delivered_via, row.delivered_at, row.delivery_error = GATEWAY, utcnow(), None
    if isinstance(error, SmsTemporaryFailure) and _retries_left():
        raise SmsDeliveryFailed(str(error)) from error
    return error is None


def _deliver_for_development(row: ConfirmationCode, code: str) -> None:
    text = (
        f'{message_text(code)} Доставка для разработки: SMS-шлюз не настроен, СМС на {shown_phone(row.phone)} '
        'не отправлялось.'
    )
    notify([row.user_id], kind=KIND, text=text, source=f'{KIND}:{row.id}')
    log.info('DEVELOPMENT delivery (no SMS gateway): confirmation code %s for user %s: %s', row.id, row.user_id, code)
    row.delivered_via, row.delivered_at, row.delivery_error = DEVELOPMENT, utcnow(), None


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
