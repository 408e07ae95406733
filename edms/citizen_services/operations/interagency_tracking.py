"""Watching the 5 working days of interagency requests: each working morning the requesting agency's official (or,
for an automatic request, its deciding staff) is told of every unanswered request past its due date, and the
responding agency's staff of every request due that day. Notifications are idempotent per request, recipient and
day, so a second run the same morning adds nothing.
"""

from __future__ import annotations

from datetime import date

from edms.citizen_services.models.interagency import InteragencyRequest
from edms.citizen_services.queries.interagency import officials_of, overdue_requests, requests_due
from edms.notifications.operations import Message, notify_many

KIND = 'interagency'


def remind(today: date) -> int:
    """Create the day's reminders; returns how many notifications were created."""
    messages = [message for request in overdue_requests(today) for message in _overdue(request, today)]
    messages += [message for request in requests_due(today) for message in _due(request, today)]
    return len(notify_many(messages))


def _overdue(request: InteragencyRequest, today: date) -> list[Message]:
    recipients = [request.official_id] if request.official_id is not None else []
    recipients = recipients or officials_of(request.requesting_organization_id)
    text = (
        f'Просрочен ответ на межведомственный запрос № {request.id} «{request.requested_data[:200]}» '
        f'(заявление № {request.application.number}): срок истёк {request.due_date:%d.%m.%Y}.'
    )
    url = f'/agency/applications/{request.application_id}'
    source = f'interagency:{request.id}:overdue:{today.isoformat()}'
    return [Message(user_id, KIND, text, source, url, request.requesting_organization_id) for user_id in recipients]


def _due(request: InteragencyRequest, today: date) -> list[Message]:
    text = (
        f'Сегодня, {today:%d.%m.%Y}, истекает срок ответа на межведомственный запрос № {request.id} '
        f'«{request.requested_data[:200]}».'
    )
    url = f'/interagency/incoming/{request.id}'
    source = f'interagency:{request.id}:due:{today.isoformat()}'
    organization = request.responding_organization_id
    return [Message(user_id, KIND, text, source, url, organization) for user_id in officials_of(organization)]
