"""Tracking the 5 working days of interagency requests: overdue is derived from the due date (an answered request is
never overdue), the morning reminders tell the requesting official of overdue requests and the responding agency of
requests due today, once per request and day, and the periodic job is declared."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from edms.citizen_services.jobs import interagency as jobs
from edms.citizen_services.models.interagency import InteragencyRequest
from edms.citizen_services.operations.interagency_answers import answer_request
from edms.citizen_services.operations.interagency_tracking import remind
from edms.citizen_services.queries.interagency import get_request
from edms.core.db import db
from edms.core.schedule import get_periodic_job
from edms.core.tx import atomic
from edms.notifications.models import Notification
from tests.citizen_services.conftest import World, world  # noqa: F401
from tests.citizen_services.test_interagency import file_legal_entity, ia, send_manual  # noqa: F401


def texts(user_id: int) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification.text).where(Notification.user_id == user_id)))


def moved(request: InteragencyRequest, days: int) -> InteragencyRequest:
    """The request as if its due date were `days` from its current one."""
    with atomic():
        row = db.session.get(InteragencyRequest, request.id)
        row.due_date = row.due_date + timedelta(days=days)
    return row


def test_overdue_is_an_unanswered_request_past_its_due_date(ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    assert not request.overdue_on(request.due_date)
    assert request.overdue_on(request.due_date + timedelta(days=1))
    with atomic():
        answer_request(ia.executor, get_request(ia.executor, request.id, 'incoming'), {'text': 'Да.'})
    db.session.expire_all()
    assert not db.session.get(InteragencyRequest, request.id).overdue_on(request.due_date + timedelta(days=1))


def test_the_requesting_official_is_reminded_of_an_overdue_request_once_a_day(ia: World) -> None:  # noqa: F811
    request = moved(send_manual(ia, file_legal_entity(ia)), -30)
    today = request.due_date + timedelta(days=30)
    with atomic():
        created = remind(today)
    assert created == 1
    [text] = [item for item in texts(ia.ministry_executor.id) if 'Просрочен' in item]
    assert f'№ {request.id}' in text
    with atomic():
        assert remind(today) == 0


def test_the_responder_is_reminded_of_a_request_due_today(ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    with atomic():
        remind(request.due_date)
    assert any('истекает срок ответа' in text for text in texts(ia.executor.id))
    assert not any('Просрочен' in text for text in texts(ia.ministry_executor.id))


def test_an_answered_request_is_not_reminded(ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    with atomic():
        answer_request(ia.executor, get_request(ia.executor, request.id, 'incoming'), {'text': 'Да.'})
    with atomic():
        assert remind(request.due_date + timedelta(days=1)) == 0


def test_the_reminders_run_each_working_morning() -> None:
    job = get_periodic_job('interagency_reminders')
    assert job.func_path == 'edms.citizen_services.jobs.interagency.send_reminders'
    assert job.working_days_only
    assert get_periodic_job('interagency_needs_sweep').func_path.endswith('jobs.interagency.sweep_needs')


def test_the_reminder_job_runs_in_its_own_transaction(ia: World) -> None:  # noqa: F811
    moved(send_manual(ia, file_legal_entity(ia)), -30)
    assert jobs.send_reminders() == 1
