"""Consumers of domain events registered by higher layers (the exchange sends МЭДО notifications from them), so that
the resolutions module calls them without importing them.

A consumer is registered once per application (`register_event_consumer(app, fn)`, at app creation) and called by
`edms.resolutions.jobs.deliver_events` with each event, in the event's own transaction, while the event's row is
locked. A consumer must be idempotent (a retried job offers an event again) and keeps its own mark of what it has done
(the exchange: `ResolutionEvent.exported_at`). A consumer that fails does not cost the in-app notifications: the event
is delivered without the consumers, which catch up by a sweep of their own.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from edms.resolutions.models import ResolutionEvent

EventConsumer = Callable[[ResolutionEvent], object]
_EXTENSION = 'edms_resolution_event_consumers'


def register_event_consumer(app: Flask, consumer: EventConsumer) -> None:
    """Call `consumer(event)` for every delivered event of this application (registering it twice is harmless)."""
    consumers: list[EventConsumer] = app.extensions.setdefault(_EXTENSION, [])
    if consumer not in consumers:
        consumers.append(consumer)


def event_consumers() -> tuple[EventConsumer, ...]:
    """The consumers of the current application, in the order they were registered."""
    return tuple(current_app.extensions.get(_EXTENSION, ()))
