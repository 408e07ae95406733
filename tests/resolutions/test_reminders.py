"""The morning reminders: one grouped notification per person and day (due soon and overdue for executors, overdue
under control for authors and controllers), nothing on a day off, nothing new on a second run, e-mail through a real
local SMTP server (aiosmtpd)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from edms.core.calendar import business_calendar
from edms.core.db import db
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.resolutions.operations import issue_resolution, issue_sub_resolution, submit_report
from edms.resolutions.reminders import send_reminders
from tests.factories import executor_item, make_card, working_day
from tests.notifications.conftest import MailBox
from tests.resolutions.conftest import notifications_of
from tests.servers import start_smtp

#: Deadlines in working days from today, and the reminder run day: D_OVERDUE < RUN < D_SOON ≤ RUN + 3 < D_LATER.
D_OVERDUE, RUN, D_SOON, D_LATER = 2, 8, 10, 20


def _issue(author, card, responsible, deadline, *co_executors, **extra):
    executors = [executor_item(responsible, responsible=True, deadline=deadline)]
    executors += [executor_item(user, deadline=deadline) for user in co_executors]
    with atomic():
        return issue_resolution(author, card, {'text': 'Подготовить ответ', 'executors': executors, **extra})


@pytest.fixture
def overdue_world(staff):
    """The responsible: two overdue, one due soon, one later; the co-executor: one overdue (controlled by the
    controller); the subordinate: an overdue part of the responsible's sub-resolution."""
    overdue, soon, later = working_day(D_OVERDUE), working_day(D_SOON), working_day(D_LATER)
    with atomic():
        second_card = make_card(staff.clerk)
    first = _issue(staff.manager, staff.card, staff.responsible, overdue)
    _issue(staff.manager, staff.card, staff.responsible, overdue)
    _issue(staff.manager, second_card, staff.responsible, soon)
    _issue(staff.manager, second_card, staff.responsible, later)
    controlled = {'is_controlled': True, 'controller_id': staff.controller.id}
    _issue(staff.manager, second_card, staff.co_executor, overdue, **controlled)
    with atomic():
        sub = {
            'text': 'Подготовить справку',
            'executors': [executor_item(staff.subordinate, responsible=True, deadline=overdue)],
        }
        issue_sub_resolution(staff.responsible, first.responsible, sub)
    return staff


def _reminders(user):
    return [item for item in notifications_of(user) if item.source.startswith('reminders:')]


def _count_reminders():
    query = select(func.count()).select_from(Notification).where(Notification.source.like('reminders:%'))
    return db.session.execute(query).scalar_one()


def test_each_person_gets_one_grouped_notification(overdue_world):
    staff, run = overdue_world, working_day(RUN)
    assert send_reminders(run.isoformat()) == 5
    db.session.expire_all()
    [executor] = _reminders(staff.responsible)
    assert executor.kind == 'overdue'
    assert executor.source == f'reminders:{run.isoformat()}:user:{staff.responsible.id}'
    assert f'Напоминание на {run:%d.%m.%Y}.' in executor.text
    assert f'У вас 2 просроченных поручения (самый ранний срок — {working_day(D_OVERDUE):%d.%m.%Y})' in executor.text
    assert f'1 поручение; ближайший срок — {working_day(D_SOON):%d.%m.%Y}.' in executor.text
    # The responsible is also the author of the sub-resolution whose part is overdue.
    assert 'поручениям на вашем контроле — 1 просроченное поручение' in executor.text
    assert executor.url == '/assignments/?filter=overdue'
    [manager] = _reminders(staff.manager)
    assert 'поручениям на вашем контроле — 3 просроченных поручения' in manager.text
    assert 'У вас' not in manager.text
    assert manager.url == '/cabinet/overdue'
    [controller] = _reminders(staff.controller)
    assert 'на вашем контроле — 1 просроченное поручение' in controller.text
    assert [item.kind for item in _reminders(staff.co_executor)] == ['overdue']
    assert [item.kind for item in _reminders(staff.subordinate)] == ['overdue']
    assert _reminders(staff.outsider) == []


def test_due_soon_only_is_a_reminder_and_later_deadlines_are_not_announced(staff):
    _issue(staff.manager, staff.card, staff.responsible, working_day(D_SOON))
    _issue(staff.manager, staff.card, staff.co_executor, working_day(D_LATER))
    run = working_day(RUN)
    assert send_reminders(run.isoformat()) == 1
    db.session.expire_all()
    [reminder] = _reminders(staff.responsible)
    assert reminder.kind == 'reminder'
    assert 'просроч' not in reminder.text
    horizon = business_calendar().add_working_days(run, 3).date
    assert f'Скоро срок (3 рабочих дня, до {horizon:%d.%m.%Y} включительно): 1 поручение' in reminder.text
    assert reminder.url == '/assignments/?filter=due_soon'
    assert _reminders(staff.co_executor) == []
    assert _reminders(staff.manager) == []  # nothing overdue under the author's control


def test_the_horizon_follows_the_reminder_days_setting(staff, app, monkeypatch):
    _issue(staff.manager, staff.card, staff.responsible, working_day(D_SOON))
    monkeypatch.setitem(app.config, 'REMINDER_DAYS', 1)
    assert send_reminders(working_day(RUN).isoformat()) == 0
    monkeypatch.setitem(app.config, 'REMINDER_DAYS', 2)
    assert send_reminders(working_day(RUN).isoformat()) == 1


def test_a_reported_assignment_is_not_overdue_for_its_executor(staff):
    resolution = _issue(staff.manager, staff.card, staff.responsible, working_day(D_OVERDUE))
    with atomic():
        submit_report(staff.responsible, resolution.responsible, {'text': 'Ответ подготовлен'})
    assert send_reminders(working_day(RUN).isoformat()) == 0
    assert _count_reminders() == 0


def test_nothing_on_a_day_off(overdue_world):
    calendar, day = business_calendar(), working_day(RUN)
    while calendar.is_working_day(day):
        day += timedelta(days=1)
    assert send_reminders(day.isoformat()) == 0
    assert _count_reminders() == 0


def test_a_second_run_the_same_day_sends_nothing_new_but_the_next_day_does(overdue_world):
    run = working_day(RUN)
    assert send_reminders(run.isoformat()) == 5
    assert send_reminders(run.isoformat()) == 0
    assert _count_reminders() == 5
    assert send_reminders(business_calendar().add_working_days(run, 1).date.isoformat()) == 5
    assert _count_reminders() == 10


def test_without_a_day_the_run_is_for_today(staff):
    _issue(staff.manager, staff.card, staff.responsible, working_day(1))
    sent = send_reminders()
    if business_calendar().is_working_day(_today()):
        assert sent == 1
        assert _reminders(staff.responsible)[0].source.startswith(f'reminders:{_today().isoformat()}:')
    else:
        assert sent == 0


def _today():
    from edms.resolutions import deadlines

    return deadlines.today()


@pytest.fixture
def mailbox(app, monkeypatch) -> Iterator[MailBox]:
    """A real SMTP server on a free loopback port; the app mails to it."""
    box = MailBox()
    controller = start_smtp(box)
    monkeypatch.setitem(app.config, 'SMTP_HOST', '127.0.0.1')
    monkeypatch.setitem(app.config, 'SMTP_PORT', controller.port)
    monkeypatch.setitem(app.config, 'SMTP_TIMEOUT', 5)
    monkeypatch.setitem(app.config, 'BASE_URL', 'https://edms.example.ru')
    try:
        yield box
    finally:
        controller.stop()


def test_reminders_are_mailed_once_to_people_with_an_address(overdue_world, mailbox):
    staff = overdue_world
    with atomic():
        staff.responsible.email = 'responsible@example.ru'
        staff.manager.email = 'manager@example.ru'
    run = working_day(RUN).isoformat()
    assert send_reminders(run) == 5
    assert send_reminders(run) == 0
    assert sorted(message['To'] for message in mailbox.messages) == ['manager@example.ru', 'responsible@example.ru']
    letter = next(message for message in mailbox.messages if message['To'] == 'responsible@example.ru')
    assert letter['Subject'].startswith('МСЭД: Просрочено исполнение: Напоминание на')
    body = letter.get_content()
    assert 'У вас 2 просроченных поручения' in body
    assert 'https://edms.example.ru/assignments/?filter=overdue' in body
