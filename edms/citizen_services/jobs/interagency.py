"""Jobs of interagency requests; each takes ids (or nothing), runs in its own transaction and does nothing twice:

- `send_needed(application_id)`: the requests the service declares, sent after filing;
- `deliver(request_id)`: the responding agency receives the request (and the register answers it);
- `receive(request_id)`: the requesting agency reads the answer;
- `sweep_needs()`: applications of the last days whose declared requests were never sent (their job was lost, or
  filing scheduled none) get them now; a service none of whose kinds of data has a provider is left alone until one
  is appointed (its «not sent» is journaled once, by the job after filing);
- `send_reminders()`: each working morning the requesting agency hears of its overdue requests and the responding
  agency of the requests due today (once per request and day).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from edms.citizen_services.catalogue.definition import IN_PROGRESS, ServiceDefinition
from edms.citizen_services.catalogue.registry import all_services
from edms.citizen_services.interagency_kinds import kind_of_need
from edms.citizen_services.models import Application
from edms.citizen_services.models.interagency import InteragencyRequest
from edms.citizen_services.operations import interagency_answers
from edms.citizen_services.operations.interagency import SEND_NEEDED_JOB, send_needed_requests
from edms.citizen_services.operations.interagency_tracking import remind
from edms.citizen_services.queries.interagency import active_interagency_provider, lock_request
from edms.core.clock import local_today, utcnow
from edms.core.db import db
from edms.core.jobs import enqueue
from edms.core.tx import atomic

#: How far back the sweep looks for applications without their declared requests.
SWEEP_WINDOW = timedelta(days=3)
SWEEP_LIMIT = 500


def send_needed(application_id: int) -> int:
    """Send the application's declared requests not sent yet; returns how many were sent now."""
    with atomic():
        query = select(Application).where(Application.id == application_id).with_for_update()
        application = db.session.execute(query).scalar_one_or_none()
        if application is None:
            return 0
        return len(send_needed_requests(application))


def deliver(request_id: int) -> None:
    with atomic():
        request = lock_request(request_id)
        if request is not None:
            interagency_answers.deliver(request)


def receive(request_id: int) -> None:
    with atomic():
        request = lock_request(request_id)
        if request is not None:
            interagency_answers.receive(request)


def sweep_needs() -> int:
    """Enqueue `send_needed` for recent applications in progress of services with needs some provider answers and
    no request yet."""
    with atomic():
        codes = [service.code for service in all_services() if _provided(service)]
    if not codes:
        return 0
    requested = select(InteragencyRequest.id).where(InteragencyRequest.application_id == Application.id).exists()
    query = (
        select(Application.id)
        .where(
            Application.service_code.in_(codes),
            Application.status == IN_PROGRESS,
            Application.submitted_at >= utcnow() - SWEEP_WINDOW,
            ~requested,
        )
        .order_by(Application.id)
        .limit(SWEEP_LIMIT)
    )
    with atomic():
        ids = list(db.session.scalars(query))
    for application_id in ids:
        enqueue(SEND_NEEDED_JOB, application_id)
    return len(ids)


def _provided(service: ServiceDefinition) -> bool:
    """Whether an active provider answers some kind of data the service declares."""
    return any(active_interagency_provider(kind_of_need(need).key) for need in service.interagency)


def send_reminders() -> int:
    """The morning reminders of overdue and due requests; returns the notifications created."""
    with atomic():
        return remind(local_today(current_app.config['TIMEZONE']))
