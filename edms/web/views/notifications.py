"""Notifications in the browser: the list (unread first), opening one (marks it read, then goes to its object),
marking read, and the unread badge of the navbar (one COUNT per page, through a context processor)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.db import db
from edms.core.tx import atomic
from edms.core.validation import RawInput
from edms.notifications.operations import is_relative_url, mark_all_read, mark_read
from edms.notifications.queries import get_notification, list_notifications, unread_count
from edms.web.session import current_user, login_required

bp = Blueprint('notifications', __name__, url_prefix='/notifications')


@bp.app_context_processor
def _badge() -> dict[str, Any]:
    return {'unread_notifications': unread_badge}


def unread_badge() -> int | None:
    """The logged-in user's unread count, counted once per request; None for visitors or a failed transaction."""
    user = g.get('user')
    if user is None:
        return None
    if 'unread_notifications' not in g:
        # An error page after a database error must not fail again while drawing the navbar.
        g.unread_notifications = unread_count(user) if db.session.is_active else None
    count: int | None = g.unread_notifications
    return count


@bp.get('/')
@login_required
def index() -> str:
    form = RawInput(request.args)
    page_number = form.integer('page', 'Страница', min_value=1, max_value=100_000) or 1
    only_unread = form.boolean('unread', 'Только непрочитанные')
    if form.errors:
        page_number, only_unread = 1, False
    page = list_notifications(
        current_user(), page_number, only_unread=only_unread, per_page=current_app.config['PAGE_SIZE']
    )
    return render_template('notifications/list.html', page=page, only_unread=only_unread, page_url=_page_url)


def _page_url(number: int, only_unread: bool) -> str:
    return url_for('notifications.index', page=number, unread='1' if only_unread else None)


@bp.post('/<int:notification_id>/open')
@login_required
def open_notification(notification_id: int) -> Response:
    """Mark the notification read and go to its object (or back to the list when it has no link)."""
    user = current_user()
    with atomic():
        notification = get_notification(user, notification_id)
        mark_read(user, [notification.id])
        target = notification.url
    if target and is_relative_url(target):
        return redirect(target)
    return redirect(url_for('notifications.index'))


@bp.post('/<int:notification_id>/read')
@login_required
def read(notification_id: int) -> Response:
    with atomic():
        mark_read(current_user(), [notification_id])
    return redirect(_back())


@bp.post('/read-all')
@login_required
def read_all() -> Response:
    with atomic():
        count = mark_all_read(current_user())
    flash(f'Отмечено прочитанными: {count}.' if count else 'Непрочитанных уведомлений нет.', 'success')
    return redirect(_back())


def _back() -> str:
    """The list page the form was sent from (only this list, never another site)."""
    back = request.form.get('next', '')
    if back.startswith(url_for('notifications.index')) and is_relative_url(back):
        return back
    return url_for('notifications.index')
