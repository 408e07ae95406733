"""Errors of the notifications module."""

from __future__ import annotations

from edms.core.errors import NotFound


class NotificationNotFound(NotFound):
    """The notification does not exist or belongs to someone else (never a hint which)."""

    code = 'notification_not_found'
    message = 'Уведомление не найдено.'
