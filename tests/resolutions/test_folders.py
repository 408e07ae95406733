"""The manager's cabinet: at most 8 folders with counts from one statement and pages of their items; «Мои поручения»
with due-soon and overdue flags; the decisions waiting for a user."""

from datetime import timedelta

from sqlalchemy import event, update

from edms.core.calendar import business_calendar
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.resolutions.models import Assignment
from edms.resolutions.operations import draft_resolution, request_extension, submit_report
from edms.resolutions.queries import (
    FOLDERS,
    extensions_to_decide,
    folder_counts,
    folder_page,
    my_assignment_counts,
    my_assignments,
    reports_to_decide,
)
from tests.factories import executor_item, make_card, make_resolution, resolution_data, working_day


def _past_working_day():
    return business_calendar().previous_working_day(local_today() - timedelta(days=3))


def _make_overdue(assignment):
    with atomic():
        db.session.execute(
            update(Assignment).where(Assignment.id == assignment.id).values(deadline=_past_working_day())
        )
    db.session.expire_all()


def test_there_are_at_most_eight_folders_with_the_defaults():
    assert len(FOLDERS) <= 8
    assert [folder.title for folder in FOLDERS] == [
        'На рассмотрение',
        'На подпись',
        'На контроле',
        'Просроченные',
        'Мои поручения',
        'Исполненные',
    ]


def test_folder_counts_come_from_one_statement(staff):
    user = staff.manager
    _ = user.role_rows, user.organization_id
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, 'before_cursor_execute', listener)
    try:
        counts = folder_counts(user)
    finally:
        event.remove(db.engine, 'before_cursor_execute', listener)
    assert counts == {folder.key: 0 for folder in FOLDERS}
    assert len(statements) == 1


def test_folders_count_and_list_the_users_work(staff):
    with atomic():
        second_card = make_card(staff.clerk)
        for _ in range(2):  # two drafts on one card: one card to review, two resolutions to sign
            draft_resolution(
                staff.assistant, staff.card, resolution_data(staff.responsible, author_id=staff.manager.id)
            )
        draft_resolution(staff.assistant, second_card, resolution_data(staff.responsible, author_id=staff.manager.id))
        controlled = make_resolution(
            staff.manager, staff.card, staff.responsible, is_controlled=True, controller_id=staff.controller.id
        )
        plain = make_resolution(staff.manager, second_card, staff.co_executor)
    _make_overdue(plain.responsible)

    counts = folder_counts(staff.manager)
    assert counts == {'review': 2, 'sign': 3, 'control': 1, 'overdue': 1, 'mine': 0, 'executed': 0}
    assert folder_counts(staff.controller)['control'] == 1
    assert folder_counts(staff.controller)['overdue'] == 0
    assert folder_counts(staff.responsible)['mine'] == 1
    assert folder_counts(staff.co_executor)['mine'] == 1

    review = folder_page(staff.manager, 'review')
    assert sorted(item.card.id for item in review.items) == sorted([staff.card.id, second_card.id])
    assert review.total == 2
    sign = folder_page(staff.manager, 'sign', page=1, per_page=2)
    assert (len(sign.items), sign.has_next, sign.total) == (2, True, 3)
    assert len(folder_page(staff.manager, 'sign', page=2, per_page=2).items) == 1
    assert [item.resolution.id for item in folder_page(staff.manager, 'control').items] == [controlled.id]
    overdue = folder_page(staff.manager, 'overdue')
    assert [(item.assignment.id, item.overdue) for item in overdue.items] == [(plain.responsible.id, True)]


def test_my_assignments_flag_due_soon_and_overdue(staff):
    with atomic():
        soon = make_resolution(
            staff.manager,
            staff.card,
            staff.responsible,
            executors=[executor_item(staff.responsible, responsible=True, deadline=working_day(2))],
        )
        later = make_resolution(staff.manager, staff.card, staff.responsible)
        late = make_resolution(staff.manager, staff.card, staff.responsible)
        reported = make_resolution(staff.manager, staff.card, staff.responsible)
        submit_report(staff.responsible, reported.responsible, {'text': 'Исполнено'})
    _make_overdue(late.responsible)

    page = my_assignments(staff.responsible)
    flags = {item.assignment.id: (item.due_soon, item.overdue) for item in page.items}
    assert flags == {
        late.responsible.id: (False, True),
        soon.responsible.id: (True, False),
        later.responsible.id: (False, False),
        reported.responsible.id: (False, False),
    }
    assert page.items[0].assignment.id == late.responsible.id  # nearest deadline first
    assert [item.assignment.id for item in my_assignments(staff.responsible, 'due_soon').items] == [soon.responsible.id]
    assert [item.assignment.id for item in my_assignments(staff.responsible, 'overdue').items] == [late.responsible.id]
    assert my_assignment_counts(staff.responsible) == {'open': 4, 'due_soon': 1, 'overdue': 1}
    assert my_assignments(staff.responsible, 'no-such-filter').filter == 'open'


def test_decisions_waiting_for_the_user(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible, staff.co_executor)
        co_part = next(item for item in resolution.assignments if not item.is_responsible)
        report = submit_report(staff.co_executor, co_part, {'text': 'Моя часть'})
        extension = request_extension(
            staff.responsible, resolution.responsible, {'reason': 'Ждём', 'deadline': working_day(20)}
        )
    assert reports_to_decide(staff.responsible) == [report]
    assert reports_to_decide(staff.manager) == []
    assert extensions_to_decide(staff.manager) == [extension]
    assert extensions_to_decide(staff.responsible) == []
    assert [item.pending_extension for item in my_assignments(staff.responsible).items] == [True]
