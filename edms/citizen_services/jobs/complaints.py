"""Jobs of complaints: `send_reminders()`, each working morning, tells the deciding staff of each agency of the
complaints whose term of consideration ends that day or has ended (once per complaint and day, so a second run of
the same day creates nothing)."""

from __future__ import annotations

from flask import current_app

from edms.citizen_services.operations.complaints import remind
from edms.core.clock import local_today
from edms.core.tx import atomic


def send_reminders() -> int:
    """The morning reminders of complaints due and overdue; returns the notifications created."""
    with atomic():
        return remind(local_today(current_app.config['TIMEZONE']))
