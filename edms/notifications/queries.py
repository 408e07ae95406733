"""Reading a user's notifications: the unread count of the navbar badge and the paginated list (unread first)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from edms.auth.models import User
from edms.core.db import db
from edms.core.validation import ID_MAX
from edms.notifications.errors import NotificationNotFound
from edms.notifications.models import Notification


@dataclass(frozen=True)
class NotificationPage:
    """One page of a user's notifications."""

    items: list[Notification]
    page: int
    per_page: int
    has_next: bool
    total: int


def unread_count(user: User) -> int:
    """How many notifications the user has not read (one COUNT on the partial index of unread rows)."""
    query = select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return int(db.session.execute(query).scalar_one())


def list_notifications(user: User, page: int = 1, only_unread: bool = False, per_page: int = 50) -> NotificationPage:
    """The user's notifications, unread first, newest first within each group."""
    page = max(page, 1)
    conditions = [Notification.user_id == user.id]
    if only_unread:
        conditions.append(Notification.read_at.is_(None))
    query = (
        select(Notification)
        .where(*conditions)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    rows = list(db.session.scalars(query))
    total = db.session.execute(select(func.count()).where(*conditions)).scalar_one()
    return NotificationPage(rows[:per_page], page, per_page, len(rows) > per_page, int(total))


def get_notification(user: User, notification_id: int) -> Notification:
    """The user's own notification; someone else's is not found (404)."""
    if not 0 < notification_id <= ID_MAX:
        raise NotificationNotFound()
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotificationNotFound()
    return notification
