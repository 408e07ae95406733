"""Control and the end of execution: only the controller removes a resolution from control, and only once its work
is done; a card is executed when all its top-level resolutions are (cancelled ones ignored); a restricted card opens
to its executors; the author cancels a resolution with its sub-resolutions."""

import pytest

from edms.core.errors import Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import CardStatus
from edms.registry.queries import get_card
from edms.resolutions.errors import ResolutionStateConflict
from edms.resolutions.models import AssignmentStatus, ResolutionStatus
from edms.resolutions.operations import (
    accept_report,
    cancel_resolution,
    close_control,
    issue_sub_resolution,
    submit_report,
)
from edms.resolutions.queries import card_resolutions, get_assignment, get_resolution, my_assignments
from tests.factories import make_card, make_case_file, make_organization, make_resolution, make_user


def _execute(staff, resolution, decider=None):
    """The responsible reports, the decider (the author by default) accepts."""
    with atomic():
        report = submit_report(resolution.responsible.executor, resolution.responsible, {'text': 'Исполнено'})
        accept_report(decider or resolution.author, report)


def test_card_is_executed_only_when_all_top_level_resolutions_are(staff):
    with atomic():
        first = make_resolution(staff.manager, staff.card, staff.responsible)
        second = make_resolution(staff.manager, staff.card, staff.co_executor)
        cancelled = make_resolution(staff.manager, staff.card, staff.outsider)
        cancel_resolution(staff.manager, cancelled, {'reason': 'Дублирует первую'})
    _execute(staff, first)
    assert first.status == ResolutionStatus.executed
    assert staff.card.status == CardStatus.in_work
    _execute(staff, second)
    assert second.status == ResolutionStatus.executed
    assert staff.card.status == CardStatus.executed


def test_open_sub_resolution_does_not_keep_the_card_from_being_executed_by_its_parent(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible)
        sub = issue_sub_resolution(
            staff.responsible,
            resolution.responsible,
            {'text': 'Подготовить справку', 'executors': [_item(staff.subordinate, resolution)]},
        )
    _execute(staff, sub, decider=staff.responsible)
    assert sub.status == ResolutionStatus.executed
    assert staff.card.status == CardStatus.in_work  # a sub-resolution never executes the card
    _execute(staff, resolution)
    assert staff.card.status == CardStatus.executed


def _item(user, resolution):
    return {'user_id': user.id, 'responsible': True, 'deadline': resolution.responsible.deadline.isoformat()}


def test_only_the_controller_closes_control_and_only_after_the_work_is_done(staff):
    with atomic():
        resolution = make_resolution(
            staff.manager, staff.card, staff.responsible, is_controlled=True, controller_id=staff.controller.id
        )
    mark = {'execution_mark': 'Исполнено'}
    with pytest.raises(ResolutionStateConflict, match='не исполнено поручений — 1'), atomic():
        close_control(staff.controller, resolution, mark)
    _execute(staff, resolution, decider=staff.controller)
    with pytest.raises(Forbidden, match='контролёр'), atomic():
        close_control(staff.manager, resolution, mark)
    with pytest.raises(ValidationFailed) as error, atomic():
        close_control(staff.controller, resolution, {'execution_mark': ''})
    assert error.value.fields['execution_mark'] == '«Отметка об исполнении»: обязательное поле.'
    with atomic():
        foreign_case = make_case_file(make_organization('Чужое')).id
    with pytest.raises(ValidationFailed) as error, atomic():
        close_control(staff.controller, resolution, {**mark, 'case_file_id': foreign_case})
    assert error.value.fields['case_file_id'] == '«Дело»: дело не найдено в номенклатуре организации.'
    assert resolution.status == ResolutionStatus.approved
    with atomic():
        close_control(staff.controller, resolution, mark)
    assert resolution.status == ResolutionStatus.executed
    assert staff.card.status == CardStatus.executed  # no case named: executed, not filed
    with pytest.raises(ResolutionStateConflict), atomic():
        close_control(staff.controller, resolution, mark)


def test_controlled_resolution_with_the_author_as_controller(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible, is_controlled=True)
    assert resolution.controller_id == staff.manager.id
    with atomic():
        report = submit_report(staff.responsible, resolution.responsible, {'text': 'Исполнено'})
    assert report.addressee_id == staff.manager.id


def test_restricted_card_is_visible_to_its_executors_and_no_one_else(staff):
    with atomic():
        card = make_card(staff.clerk, access_mark='restricted')
        staff.manager.can_access_restricted = True
        resolution = make_resolution(staff.manager, card, staff.responsible)
    assert get_card(staff.responsible, card.id) == card
    assert get_assignment(staff.responsible, resolution.responsible.id) == resolution.responsible
    assert [item.card.id for item in my_assignments(staff.responsible).items] == [card.id]
    with pytest.raises(NotFound):
        get_card(staff.co_executor, card.id)
    with pytest.raises(NotFound):
        get_resolution(staff.co_executor, resolution.id)
    with pytest.raises(NotFound):
        card_resolutions(staff.co_executor, card)


def test_cancelling_cancels_the_assignments_and_the_sub_resolutions_below(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible, staff.co_executor)
        sub = issue_sub_resolution(
            staff.responsible,
            resolution.responsible,
            {'text': 'Часть', 'executors': [_item(staff.subordinate, resolution)]},
        )
    with pytest.raises(Forbidden, match='только её автор'), atomic():
        cancel_resolution(staff.responsible, resolution, {'reason': 'Не моё'})
    with atomic():
        cancel_resolution(staff.manager, resolution, {'reason': 'Документ отозван'})
    assert resolution.status == ResolutionStatus.cancelled
    assert {item.status for item in resolution.assignments} == {AssignmentStatus.cancelled}
    assert sub.status == ResolutionStatus.cancelled
    assert sub.responsible.status == AssignmentStatus.cancelled
    assert my_assignments(staff.subordinate).items == []
    with pytest.raises(ResolutionStateConflict), atomic():
        cancel_resolution(staff.manager, resolution, {'reason': 'Ещё раз'})


def test_executors_of_other_departments_see_public_cards_resolutions(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible)
        colleague = make_user(staff.organization, 'executor')
    assert get_resolution(colleague, resolution.id) == resolution
