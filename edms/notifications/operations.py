"""Creating notifications (idempotent per user and source) and marking them read.

`notify` is called by other modules' operations and jobs inside their transaction; it flushes only and schedules the
e-mail after the commit. Notifications are derived from actions that are already in the audit journal, so creating
or reading one writes no audit entry of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import DateTime, Integer, Row, String, Text, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.jobs import enqueue
from edms.core.tx import on_commit
from edms.core.validation import ID_MAX
from edms.notifications.errors import NotificationNotFound
from edms.notifications.models import KIND_MAX, SOURCE_MAX, TEXT_MAX, URL_MAX, Notification

MAIL_JOB = 'edms.notifications.jobs.send_notification_mail'
MAIL_QUEUE = 'notifications'
#: Users read and rows inserted per statement.
CHUNK = 1000
_VALUE_COLUMNS = (
    ('user_id', Integer()),
    ('organization_id', Integer()),
    ('kind', String()),
    ('text', Text()),
    ('url', String()),
    ('source', String()),
    ('created_at', DateTime(timezone=True)),
)
#: The rows are written with Core statements: the ORM's bulk-insert machinery cost more than the insert itself.
_TABLE = Notification.__table__
#: A notification created now: a row of the table's columns (`id`, `user_id`, `source`, `text`…).
Created = Row[Any]


@dataclass(frozen=True)
class Message:
    """One notification to create: see `notify`."""

    recipient_id: int
    kind: str
    text: str
    source: str
    url: str = ''
    organization_id: int | None = None


def notify(
    recipient_ids: Iterable[int],
    *,
    kind: str,
    text: str,
    url: str = '',
    organization_id: int | None = None,
    source: str,
) -> list[Created]:
    """Notify each active recipient once per `source`; returns the notifications created now (their columns).

    Recipients that already have a notification with this `source`, and inactive users, are skipped, so a job may
    call it again safely. After the commit an e-mail is scheduled for each new notification when SMTP is configured
    and the recipient has an address.
    """
    return notify_many(Message(user_id, kind, text, source, url, organization_id) for user_id in recipient_ids)


def notify_many(messages: Iterable[Message]) -> list[Created]:
    """`notify` for many messages at once (the morning reminders): one statement per thousand rows."""
    pending = list({(message.recipient_id, message.source): message for message in messages}.values())
    for message in pending:
        _check_arguments(message)
    created: list[Created] = []
    insert = _insert_for_active if db.session.get_bind().dialect.name == 'postgresql' else _insert_checked
    for start in range(0, len(pending), CHUNK):
        created += insert(pending[start : start + CHUNK])
    _schedule_mail(created)
    return created


def _insert_for_active(messages: list[Message]) -> list[Created]:
    """PostgreSQL, one statement: INSERT … SELECT FROM unnest(the messages' columns as arrays) JOIN the active
    recipients … ON CONFLICT (user_id, source) DO NOTHING RETURNING. An inactive user gets nothing, a repeated source
    is skipped, even by a concurrent job."""
    columns = zip(*(_values_row(message) for message in messages), strict=True)
    params = {f'{name}s': list(values) for (name, _), values in zip(_VALUE_COLUMNS, columns, strict=True)}
    if db.session.autoflush:  # as the ORM would before a query: a recipient added in this transaction is found
        db.session.flush()
    return list(db.session.execute(_INSERT_FOR_ACTIVE, params))


def _insert_for_active_statement() -> Any:
    """The statement of `_insert_for_active`, built once: the arrays are bound values and the users a Core table, so
    each call only binds the values (no statement to build, no cache key to compute, no ORM compilation)."""
    arrays = (bindparam(f'{name}s', type_=postgresql.ARRAY(type_)) for name, type_ in _VALUE_COLUMNS)
    sent = func.unnest(*arrays).table_valued(*(name for name, _ in _VALUE_COLUMNS)).render_derived(name='sent')
    users = User.__table__
    organization = func.coalesce(sent.c.organization_id, users.c.organization_id)
    rows = (
        select(sent.c.user_id, organization, sent.c.kind, sent.c.text, sent.c.url, sent.c.source, sent.c.created_at)
        .join_from(sent, users, users.c.id == sent.c.user_id)
        .where(users.c.is_active.is_(True))
    )
    statement = postgresql.insert(_TABLE).from_select([_TABLE.c[name] for name, _ in _VALUE_COLUMNS], rows)
    return statement.on_conflict_do_nothing(index_elements=['user_id', 'source']).returning(*_TABLE.c)


_INSERT_FOR_ACTIVE = _insert_for_active_statement()


def _insert_checked(messages: list[Message]) -> list[Created]:
    """Other databases (the embedded default's SQLite): the active recipients read first, then the rows inserted."""
    recipients = {message.recipient_id for message in messages}
    active = select(User.id, User.organization_id).where(User.id.in_(recipients), User.is_active.is_(True))
    organizations: dict[int, int] = {row.id: row.organization_id for row in db.session.execute(active)}
    names = [name for name, _ in _VALUE_COLUMNS]
    rows = [dict(zip(names, _values_row(message), strict=True)) for message in messages]
    rows = [row for row in rows if row['user_id'] in organizations]
    if not rows:
        return []
    for row in rows:
        if row['organization_id'] is None:
            row['organization_id'] = organizations[row['user_id']]
    statement = sqlite.insert(_TABLE).values(rows).on_conflict_do_nothing(index_elements=['user_id', 'source'])
    return list(db.session.execute(statement.returning(*_TABLE.c)))


def _values_row(message: Message) -> tuple[Any, ...]:
    """The message as the values of `_VALUE_COLUMNS` (the organization None: the recipient's own)."""
    text = _shortened(message.text.strip())
    return (message.recipient_id, message.organization_id, message.kind, text, message.url, message.source, utcnow())


def mark_read(user: User, notification_ids: Iterable[int]) -> int:
    """Mark the user's notifications read; any id that is not theirs refuses the whole request (404)."""
    ids = set(notification_ids)
    if not ids:
        return 0
    if not all(0 < notification_id <= ID_MAX for notification_id in ids):
        raise NotificationNotFound()
    own = set(
        db.session.scalars(select(Notification.id).where(Notification.id.in_(ids), Notification.user_id == user.id))
    )
    if own != ids:
        raise NotificationNotFound()
    return _mark(Notification.id.in_(ids), Notification.user_id == user.id)


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return _mark(Notification.user_id == user.id)


def _mark(*conditions: Any) -> int:
    statement = (
        update(Notification)
        .where(*conditions, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session='fetch')
    )
    result = db.session.execute(statement)
    db.session.flush()
    return int(result.rowcount or 0)


def _check_arguments(message: Message) -> None:
    """Programming errors of the calling module, not user input: refused loudly."""
    kind, source, url = message.kind, message.source, message.url
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f'notification kind must be 1..{KIND_MAX} characters: {kind!r}')
    if not source or len(source) > SOURCE_MAX:
        raise ValueError(f'notification source must be 1..{SOURCE_MAX} characters: {source!r}')
    if url and (not is_relative_url(url) or len(url) > URL_MAX):
        raise ValueError(f'notification url must be a relative link into the app: {url!r}')


def is_relative_url(url: str) -> bool:
    """A path inside this application: starts with one '/', no scheme, no host, no backslash or control characters."""
    return (
        url.startswith('/')
        and not url.startswith('//')
        and '\\' not in url
        and not any(ord(char) < 32 or ord(char) == 127 for char in url)
    )


def _shortened(text: str) -> str:
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + '…'


def _schedule_mail(created: list[Created]) -> None:
    """An e-mail after the commit for each new notification whose recipient has an address (when SMTP is set)."""
    if not created or not current_app.config.get('SMTP_HOST'):
        return
    ids = sorted({notification.user_id for notification in created})
    with_email = set(db.session.scalars(select(User.id).where(User.id.in_(ids), User.email != '')))
    for notification in created:
        if notification.user_id in with_email:
            on_commit(_enqueue_mail, notification.id)


def _enqueue_mail(notification_id: int) -> None:
    enqueue(MAIL_JOB, notification_id, queue=MAIL_QUEUE)
