"""The e-mail job: one notification, one plain-text Russian letter through the configured SMTP server.

Idempotent: a notification whose `emailed_at` is set is never mailed again, and the row is locked while it is sent,
so two workers cannot both send it. A failure is kept in `email_error`; a temporary one (connection, timeout, SMTP
4xx) is raised again for RQ's `Retry` while retries are left, a permanent one (5xx, refused address, bad settings)
is only recorded: the job never crash-loops.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import select

from edms.core.clock import utcnow
from edms.core.db import db, is_postgresql
from edms.core.tx import atomic
from edms.notifications.models import EMAIL_ERROR_MAX, Notification, kind_label

SUBJECT_TEXT_MAX = 100


class MailDeliveryFailed(Exception):
    """A temporary delivery failure, raised so that RQ retries the job."""


def send_notification_mail(notification_id: int) -> bool:
    """Mail the notification to its user once; True when it was sent by this run."""
    config = current_app.config
    if not config.get('SMTP_HOST'):
        return False
    error: Exception | None = None
    with atomic():
        notification = _locked(notification_id)
        if notification is None or notification.emailed_at is not None:
            return False
        user = notification.user
        if not user.email or not user.is_active:
            return False
        try:
            deliver(build_message(notification, config), config)
        except (smtplib.SMTPException, OSError, ValueError) as problem:
            error = problem
            notification.email_error = describe(problem)[:EMAIL_ERROR_MAX]
        else:
            notification.emailed_at, notification.email_error = utcnow(), None
    if error is not None and is_temporary(error) and _retries_left():
        raise MailDeliveryFailed(describe(error)) from error
    return error is None


def _locked(notification_id: int) -> Notification | None:
    """The row, locked for the time of the send; None when another worker is sending it right now."""
    query = select(Notification).where(Notification.id == notification_id)
    if is_postgresql():
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query).first()


def build_message(notification: Notification, config: Mapping[str, Any]) -> EmailMessage:
    """The plain-text letter: the notification text, the link into the app, and where to see all notifications."""
    user = notification.user
    base_url = str(config.get('BASE_URL') or '').rstrip('/')
    name = ' '.join(part for part in (user.first_name, user.middle_name) if part)
    lines = [f'Здравствуйте, {name}!' if name else 'Здравствуйте!', '', notification.text, '']
    if notification.url:
        lines += [f'Открыть в МСЭД: {base_url}{notification.url}', '']
    lines += [
        f'Все уведомления: {base_url}/notifications/',
        '',
        '—',
        'Это письмо отправлено МСЭД автоматически, отвечать на него не нужно.',
    ]
    message = EmailMessage()
    message['Subject'] = subject(notification)
    message['From'] = str(config['MAIL_FROM'])
    message['To'] = user.email
    message['Date'] = formatdate(localtime=False)
    # The domain is taken from the sender's address: make_msgid() would otherwise ask DNS for this host's name.
    domain = parseaddr(message['From'])[1].rpartition('@')[2] or 'localhost'
    message['Message-ID'] = make_msgid(idstring=f'notification-{notification.id}', domain=domain)
    message['Auto-Submitted'] = 'auto-generated'
    message.set_content('\n'.join(lines))
    return message


def subject(notification: Notification) -> str:
    """«МСЭД: <kind>: <start of the text>» on one line."""
    text = ' '.join(notification.text.split())
    if len(text) > SUBJECT_TEXT_MAX:
        text = text[: SUBJECT_TEXT_MAX - 1] + '…'
    return f'МСЭД: {kind_label(notification.kind)}: {text}'


def deliver(message: EmailMessage, config: Mapping[str, Any]) -> None:
    """Send through `SMTP_HOST:SMTP_PORT`, with STARTTLS and login when configured."""
    timeout = float(config.get('SMTP_TIMEOUT') or 30)
    with smtplib.SMTP(str(config['SMTP_HOST']), int(config['SMTP_PORT']), timeout=timeout) as smtp:
        if config.get('SMTP_STARTTLS'):
            smtp.starttls(context=ssl.create_default_context())
        if config.get('SMTP_USER'):
            smtp.login(str(config['SMTP_USER']), str(config.get('SMTP_PASSWORD') or ''))
        smtp.send_message(message)


def is_temporary(error: Exception) -> bool:
    """Connection problems and SMTP 4xx answers may pass on a later try; 5xx and bad data will not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPNotSupportedError | ValueError):
        return False
    return isinstance(error, smtplib.SMTPException | OSError)


def describe(error: Exception) -> str:
    """A one-line description of the failure for `email_error`."""
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode(errors='replace') if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f'SMTP {error.smtp_code}: {reply}'
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return 'SMTP: адрес получателя отклонён: ' + '; '.join(
            f'{address} ({code})' for address, (code, _) in error.recipients.items()
        )
    return f'{type(error).__name__}: {error}'


def _retries_left() -> bool:
    """True inside an RQ job that RQ will run again if it fails (never in the synchronous embedded mode)."""
    from rq import get_current_job

    job = get_current_job()
    return bool(job is not None and job.retries_left)
