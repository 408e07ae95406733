"""Jobs of the resolutions module: delivering domain events as in-app notifications (idempotent per event)."""

from __future__ import annotations

from sqlalchemy import select

from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.tx import atomic
from edms.notifications.operations import notify
from edms.resolutions.messages import messages_for
from edms.resolutions.models import ResolutionEvent
from edms.resolutions.reminders import send_reminders

__all__ = ['deliver_events', 'send_reminders']


def deliver_events(event_ids: list[int]) -> int:
    """Turn each undelivered event into notifications and mark it delivered; returns how many were delivered now.

    Each event is handled in its own transaction under a row lock; an event already delivered is skipped, and
    `notify` is idempotent per recipient and source (`resolution_event:<id>`), so running the job twice (a retry, a
    second worker) creates nothing new.
    """
    delivered = 0
    for event_id in event_ids:
        with atomic():
            query = select(ResolutionEvent).where(ResolutionEvent.id == int(event_id)).with_for_update()
            event = db.session.execute(query).scalar_one_or_none()
            if event is None or event.delivered_at is not None:
                continue
            for message in messages_for(event):
                notify(
                    message.recipient_ids,
                    kind=message.kind,
                    text=message.text,
                    url=message.url,
                    organization_id=event.organization_id,
                    source=f'resolution_event:{event.id}',
                )
            event.delivered_at = utcnow()
            delivered += 1
    return delivered
