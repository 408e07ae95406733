"""Notification endpoints: the token user's notifications (unread first) and marking them read."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, query
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import ID_MAX, RawInput
from edms.notifications.models import Notification
from edms.notifications.operations import mark_all_read, mark_read
from edms.notifications.queries import NotificationPage, list_notifications, unread_count

#: At most this many ids in one `POST /notifications/read`.
MAX_IDS = 1000
IDS_LABEL = 'Идентификаторы уведомлений'
MAX_PAGE = 100_000


def notification_json(notification: Notification) -> dict[str, Any]:
    return {
        'id': notification.id,
        'kind': notification.kind,
        'kind_label': notification.kind_label,
        'text': notification.text,
        'url': notification.url,
        'created_at': notification.created_at.isoformat(),
        'read_at': notification.read_at.isoformat() if notification.read_at else None,
        'is_read': notification.is_read,
    }


def notification_page_json(page: NotificationPage, unread: int) -> dict[str, Any]:
    return {
        'items': [notification_json(item) for item in page.items],
        'page': page.page,
        'per_page': page.per_page,
        'has_next': page.has_next,
        'total': page.total,
        'unread': unread,
    }


@bp.get('/notifications')
def list_user_notifications() -> Response:
    form = query(('unread', 'page', 'per_page'))
    only_unread = form.boolean('unread', 'Только непрочитанные')
    page = form.integer('page', 'Страница', min_value=1, max_value=MAX_PAGE) or 1
    per_page = form.integer('per_page', 'Записей на странице', min_value=1, max_value=200)
    form.finish()
    user = api_user()
    result = list_notifications(
        user, page, only_unread=only_unread, per_page=per_page or current_app.config['PAGE_SIZE']
    )
    return jsonify(notification_page_json(result, unread_count(user)))


@bp.post('/notifications/read')
def read_notifications() -> Response:
    """`{"ids": [1, 2]}` marks those (all must be the user's, else 404), `{"all": true}` marks every one."""
    form = RawInput(json_object(), ('ids', 'all'))
    mark_every = form.boolean('all', 'Все уведомления')
    ids = _ids(form)
    form.finish()
    if mark_every == bool(ids):
        message = '«ids» или «all»: укажите либо список идентификаторов, либо "all": true.'
        raise ValidationFailed(fields={'ids': message})
    user = api_user()
    with atomic():
        marked = mark_all_read(user) if mark_every else mark_read(user, ids)
    return jsonify({'marked': marked, 'unread': unread_count(user)})


def _ids(form: RawInput) -> list[int]:
    raw = form.raw.get('ids')
    if raw is not None and not isinstance(raw, list):
        form.errors.add('ids', f'«{IDS_LABEL}»: ожидается список идентификаторов.')
        return []
    ids = form.id_list('ids', IDS_LABEL)
    if len(ids) > MAX_IDS:
        form.errors.add('ids', f'«{IDS_LABEL}»: не более {MAX_IDS} за один запрос.')
    elif any(not 0 < value <= ID_MAX for value in ids):
        form.errors.add('ids', f'«{IDS_LABEL}»: идентификатор — целое число от 1 до {ID_MAX}.')
    return ids
