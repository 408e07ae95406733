"""Sub-resolutions: a tree of any depth under executors' assignments; a child's deadline never after its parent's,
the responsible of a child from the issuing executor's department or below; the card's tree read without N+1."""

import pytest
from sqlalchemy import event

from edms.auth.models import User
from edms.core.db import db
from edms.core.errors import Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Card
from edms.resolutions.errors import ResolutionStateConflict
from edms.resolutions.models import Resolution
from edms.resolutions.operations import issue_sub_resolution, request_extension, submit_report
from edms.resolutions.queries import card_resolutions
from tests.factories import executor_item, make_resolution, make_user, working_day


@pytest.fixture
def parent(staff):
    """A resolution with the responsible executor of «Департамент» and a deadline 10 working days ahead."""
    with atomic():
        return make_resolution(staff.manager, staff.card, staff.responsible, staff.co_executor).responsible


def _sub(user, assignment, responsible, *, deadline=None, co=()):
    data = {
        'text': 'Подготовить справку',
        'executors': [executor_item(responsible, responsible=True, deadline=deadline or assignment.deadline)]
        + [executor_item(user_, deadline=assignment.deadline) for user_ in co],
    }
    with atomic():
        return issue_sub_resolution(user, assignment, data)


def test_executor_issues_sub_resolutions_to_any_depth(staff, parent):
    child = _sub(staff.responsible, parent, staff.subordinate, co=[staff.co_executor])
    assert child.parent_assignment_id == parent.id
    assert child.author_id == staff.responsible.id
    assert child.status.value == 'approved'
    with atomic():
        deeper_executor = make_user(staff.organization, 'executor', department_id=staff.section.id)
    grandchild = _sub(staff.subordinate, child.responsible, deeper_executor)
    assert grandchild.parent_assignment.resolution_id == child.id


def test_child_deadline_after_the_parents_is_refused(staff, parent):
    later = working_day(15)
    with pytest.raises(ValidationFailed) as error:
        _sub(staff.responsible, parent, staff.subordinate, deadline=later)
    assert error.value.fields['executors.0.deadline'] == (
        f'«Срок исполнения (1)»: не позже срока вышестоящего поручения ({parent.deadline:%d.%m.%Y}).'
    )
    assert db.session.query(Resolution).count() == 1


def test_responsible_outside_the_department_subtree_is_refused(staff, parent):
    with pytest.raises(ValidationFailed) as error:
        _sub(staff.responsible, parent, staff.outsider)
    assert error.value.fields['executors.0.user_id'] == (
        '«Ответственный исполнитель»: должен работать в подразделении «Департамент» '
        'или в подчинённом ему подразделении.'
    )
    # A co-executor from elsewhere is allowed; only the responsible is bound to the subtree.
    child = _sub(staff.responsible, parent, staff.subordinate, co=[staff.outsider])
    assert len(child.assignments) == 2


def test_only_the_executor_of_an_assignment_in_work_issues_under_it(staff, parent):
    with pytest.raises(Forbidden):
        _sub(staff.co_executor, parent, staff.subordinate)
    with atomic():
        submit_report(staff.responsible, parent, {'text': 'Исполнено'})
    with pytest.raises(ResolutionStateConflict, match='направлен отчёт'):
        _sub(staff.responsible, parent, staff.subordinate)


def test_sub_resolution_extension_beyond_the_parent_deadline_is_refused(staff, parent):
    child = _sub(staff.responsible, parent, staff.subordinate, deadline=working_day(5))
    with pytest.raises(ValidationFailed) as error, atomic():
        request_extension(staff.subordinate, child.responsible, {'reason': 'Долго', 'deadline': working_day(15)})
    assert 'не позже срока вышестоящего поручения' in error.value.fields['deadline']
    with atomic():
        request_extension(staff.subordinate, child.responsible, {'reason': 'Чуть позже', 'deadline': working_day(8)})


def test_card_tree_is_read_in_a_fixed_number_of_queries(staff, parent):
    child = _sub(staff.responsible, parent, staff.subordinate, co=[staff.co_executor])
    child_co_part = next(item for item in child.assignments if not item.is_responsible)
    with atomic():
        submit_report(staff.co_executor, child_co_part, {'text': 'Справка готова'})
    small = _count_statements(staff, card_resolutions)

    with atomic():
        deeper = make_user(staff.organization, 'executor', department_id=staff.section.id)
    grandchild = _sub(staff.subordinate, child.responsible, deeper, co=[staff.outsider])
    parent_co_part = next(item for item in parent.resolution.assignments if not item.is_responsible)
    with atomic():
        submit_report(deeper, grandchild.responsible, {'text': 'Часть готова'})
        submit_report(staff.co_executor, parent_co_part, {'text': 'Моя часть'})
    big = _count_statements(staff, card_resolutions)
    assert big == small

    tree = card_resolutions(staff.manager, staff.card)
    assert len(tree) == 1
    responsible_node = next(node for node in tree[0].assignments if node.assignment.is_responsible)
    assert [node.resolution.id for node in responsible_node.children] == [child.id]
    child_node = responsible_node.children[0]
    assert child_node.depth == 1
    co_node = next(node for node in child_node.assignments if not node.assignment.is_responsible)
    assert [report.text for report in co_node.reports] == ['Справка готова']
    sub_node = next(node for node in child_node.assignments if node.assignment.is_responsible)
    assert [(node.resolution.id, node.depth) for node in sub_node.children] == [(grandchild.id, 2)]


def _count_statements(staff, work):
    """Statements of `work(user, card)` on freshly loaded objects (nothing left in the identity map)."""
    db.session.expire_all()
    user, card = db.session.get(User, staff.manager.id), db.session.get(Card, staff.card.id)
    _ = user.role_rows, user.can_access_restricted, card.status
    count = 0

    def counter(*args):
        nonlocal count
        count += 1

    event.listen(db.engine, 'before_cursor_execute', counter)
    try:
        work(user, card)
    finally:
        event.remove(db.engine, 'before_cursor_execute', counter)
    return count
