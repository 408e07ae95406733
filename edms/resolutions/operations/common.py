"""Helpers every resolution operation shares: row locks, the audit snapshot, and the outbox of domain events that
are written in the operation's transaction and delivered by `edms.resolutions.jobs.deliver_events` after the commit.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select

from edms.auth.models import User
from edms.core.db import db
from edms.core.jobs import enqueue
from edms.core.tx import on_commit
from edms.resolutions.models import Assignment, EventKind, Resolution, ResolutionEvent

DELIVERY_JOB = 'edms.resolutions.jobs.deliver_events'
DELIVERY_QUEUE = 'notifications'


class Outbox:
    """Domain events of one operation; `publish()` flushes them and schedules their delivery after the commit."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.events: list[ResolutionEvent] = []

    def add(
        self, kind: EventKind, resolution: Resolution, assignment: Assignment | None = None, **data: Any
    ) -> ResolutionEvent:
        event = ResolutionEvent(
            organization_id=resolution.organization_id,
            card_id=resolution.card_id,
            resolution_id=resolution.id,
            assignment_id=assignment.id if assignment is not None else None,
            kind=kind,
            actor_id=self.actor.id if self.actor is not None else None,
            data=data,
        )
        db.session.add(event)
        self.events.append(event)
        return event

    def publish(self) -> None:
        if not self.events:
            return
        db.session.flush()
        ids = [event.id for event in self.events]
        self.events = []
        on_commit(partial(enqueue, queue=DELIVERY_QUEUE), DELIVERY_JOB, ids)


def lock(obj: Resolution | Assignment | Any) -> None:
    """Re-read a stored row under a row lock, so that two clicks or two deciders cannot take the same step twice."""
    model = type(obj)
    db.session.execute(select(model.id).where(model.id == obj.id).with_for_update())
    db.session.refresh(obj)


def snapshot(resolution: Resolution) -> dict[str, Any]:
    """Plain values of a resolution and its executors, for the audit journal."""
    return {
        'card_id': resolution.card_id,
        'parent_assignment_id': resolution.parent_assignment_id,
        'author_id': resolution.author_id,
        'prepared_by_id': resolution.prepared_by_id,
        'text': resolution.text,
        'status': resolution.status.value,
        'is_controlled': resolution.is_controlled,
        'controller_id': resolution.controller_id,
        'executors': [
            {
                'user_id': item.executor_id,
                'responsible': item.is_responsible,
                'deadline': item.deadline.isoformat(),
                'status': item.status.value,
            }
            for item in resolution.assignments
        ],
    }
