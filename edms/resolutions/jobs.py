"""Jobs of the resolutions module: delivering domain events as in-app notifications (idempotent per event) and
offering each event to the consumers registered by higher layers (`edms.resolutions.consumers`)."""

from __future__ import annotations

import logging

from sqlalchemy import select

from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.tx import atomic
from edms.notifications.operations import notify
from edms.resolutions.consumers import event_consumers
from edms.resolutions.messages import messages_for
from edms.resolutions.models import ResolutionEvent
from edms.resolutions.reminders import send_reminders

__all__ = ['deliver_events', 'send_reminders']
logger = logging.getLogger(__name__)


def deliver_events(event_ids: list[int]) -> int:
    """Turn each undelivered event into notifications and mark it delivered; returns how many were delivered now.

    Each event is handled in its own transaction under a row lock; an event already delivered is skipped, and
    `notify` is idempotent per recipient and source (`resolution_event:<id>`), so running the job twice (a retry, a
    second worker) creates nothing new. The registered consumers get every event in the same transaction (they are
    idempotent themselves); when one of them fails, the transaction is rolled back and the event delivered again
    without them — the consumer's own sweep takes it up later.
    """
    delivered = 0
    for event_id in event_ids:
        try:
            with atomic():
                delivered += _deliver(int(event_id), consumers=True)
        except Exception:
            if not event_consumers():
                raise
            logger.exception('a consumer of resolution event %s failed; delivered without consumers', event_id)
            with atomic():
                delivered += _deliver(int(event_id), consumers=False)
    return delivered


def _deliver(event_id: int, *, consumers: bool) -> int:
    query = select(ResolutionEvent).where(ResolutionEvent.id == event_id).with_for_update()
    event = db.session.execute(query).scalar_one_or_none()
    if event is None:
        return 0
    fresh = event.delivered_at is None
    if fresh:
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
    for consumer in event_consumers() if consumers else ():
        consumer(event)
    return int(fresh)
