"""Bad input is refused with a Russian message naming the field, and nothing is half-saved: two responsibles, an
executor of another organization, a deadline in the past or on a holiday, a report on a closed assignment, someone
else's draft (403), someone else's assignment (403), another organization's objects (404)."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from edms.core.calendar import business_calendar
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.errors import Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import CardStatus
from edms.resolutions.errors import AssignmentClosed, ExtensionPending, ResolutionStateConflict
from edms.resolutions.models import Assignment, AssignmentStatus, Resolution, ResolutionEvent
from edms.resolutions.operations import (
    accept_report,
    approve_draft,
    cancel_resolution,
    decide_extension,
    draft_resolution,
    issue_resolution,
    request_extension,
    submit_report,
)
from edms.resolutions.queries import get_assignment, get_report, get_resolution
from tests.factories import executor_item, make_card, make_resolution, make_user, resolution_data, working_day


def _nothing_saved():
    assert db.session.execute(select(func.count()).select_from(Resolution)).scalar() == 0
    assert db.session.execute(select(func.count()).select_from(Assignment)).scalar() == 0
    assert db.session.execute(select(func.count()).select_from(ResolutionEvent)).scalar() == 0


def _refused(user, card, data):
    with pytest.raises(ValidationFailed) as error, atomic():
        issue_resolution(user, card, data)
    _nothing_saved()
    return error.value.fields


def _next_holiday():
    calendar, day = business_calendar(), local_today()
    for _ in range(400):
        day += timedelta(days=1)
        if calendar.day_info(day).kind == 'holiday':
            return day
    pytest.skip('no public holiday in the shipped calendar within 400 days')


def test_two_responsibles_are_refused(staff):
    data = resolution_data(staff.responsible, staff.co_executor)
    data['executors'][1]['responsible'] = True
    fields = _refused(staff.manager, staff.card, data)
    assert fields['executors'] == '«Исполнители»: должен быть ровно один ответственный исполнитель (отмечено: 2).'


def test_no_responsible_and_a_repeated_executor_are_refused(staff):
    data = {'text': 'Текст', 'executors': [executor_item(staff.co_executor), executor_item(staff.co_executor)]}
    fields = _refused(staff.manager, staff.card, data)
    assert 'отмечено: 0' in fields['executors']
    assert fields['executors.1.user_id'] == '«Исполнитель (2)»: указан дважды.'


def test_executor_of_another_organization_reads_like_an_unknown_id(staff, foreign):
    foreign_fields = _refused(staff.manager, staff.card, resolution_data(foreign.executor))
    unknown = resolution_data(staff.responsible)
    unknown['executors'][0]['user_id'] = 999_999
    unknown_fields = _refused(staff.manager, staff.card, unknown)
    assert foreign_fields['executors.0.user_id'] == '«Исполнитель (1)»: пользователь не найден в организации.'
    assert foreign_fields == unknown_fields


def test_deadline_in_the_past_is_refused(staff):
    yesterday = local_today() - timedelta(days=1)
    data = {'text': 'Текст', 'executors': [executor_item(staff.responsible, responsible=True, deadline=yesterday)]}
    fields = _refused(staff.manager, staff.card, data)
    assert fields['executors.0.deadline'] == f'«Срок исполнения (1)»: дата {yesterday:%d.%m.%Y} уже прошла.'


def test_deadline_on_a_holiday_is_refused_with_the_next_working_day(staff):
    holiday = _next_holiday()
    data = {'text': 'Текст', 'executors': [executor_item(staff.responsible, responsible=True, deadline=holiday)]}
    message = _refused(staff.manager, staff.card, data)['executors.0.deadline']
    following = business_calendar().next_working_day(holiday)
    assert message.startswith(f'«Срок исполнения (1)»: {holiday:%d.%m.%Y} — нерабочий день (')
    assert message.endswith(f'ближайший рабочий день — {following:%d.%m.%Y}.')


def test_deadline_in_working_days_is_counted_from_registration_with_its_explanation(staff):
    data = {'text': 'Текст', 'executors': [executor_item(staff.responsible, responsible=True, days=10)]}
    with atomic():
        resolution = issue_resolution(staff.manager, staff.card, data)
    expected = business_calendar().add_working_days(staff.card.reg_date, 10, basis='дата регистрации')
    assert resolution.assignments[0].deadline == expected.date
    assert resolution.assignments[0].deadline_explanation == expected.explanation


def test_text_and_deadline_are_required_and_unknown_fields_refused(staff):
    data = {'text': '', 'executors': [{'user_id': staff.responsible.id, 'responsible': True}], 'colour': 'red'}
    fields = _refused(staff.manager, staff.card, data)
    assert fields['text'] == '«Текст резолюции»: обязательное поле.'
    assert fields['executors.0.deadline'].startswith('«Срок исполнения (1)»: обязательное поле')
    assert fields['colour'] == 'Неизвестное поле «colour».'


def test_controller_must_hold_the_controller_role(staff):
    data = resolution_data(staff.responsible, is_controlled=True, controller_id=staff.co_executor.id)
    fields = _refused(staff.manager, staff.card, data)
    assert fields['controller_id'] == '«Контролёр»: у пользователя нет роли контролёра (или укажите себя).'


def test_only_a_manager_issues_and_only_on_a_registered_card(staff):
    with pytest.raises(Forbidden, match='только руководитель'), atomic():
        issue_resolution(staff.responsible, staff.card, resolution_data(staff.co_executor))
    with atomic():
        unregistered = make_card(staff.clerk, register=False)
    with pytest.raises(ResolutionStateConflict), atomic():
        issue_resolution(staff.manager, unregistered, resolution_data(staff.responsible))
    _nothing_saved()


def test_approving_someone_elses_draft_is_forbidden(staff):
    with atomic():
        other_manager = make_user(staff.organization, 'manager')
        draft = draft_resolution(
            staff.assistant, staff.card, resolution_data(staff.responsible, author_id=staff.manager.id)
        )
    for intruder in (other_manager, staff.assistant):
        with pytest.raises(Forbidden) as error, atomic():
            approve_draft(intruder, get_resolution(intruder, draft.id))
        assert error.value.message == 'Проект резолюции адресован другому руководителю: утвердить его может только он.'
    with pytest.raises(NotFound):
        get_resolution(staff.responsible, draft.id)  # executors do not see drafts
    with pytest.raises(NotFound), atomic():
        approve_draft(staff.responsible, draft)
    assert draft.status.value == 'draft'
    assert db.session.execute(select(func.count()).select_from(ResolutionEvent)).scalar() == 1  # drafted only


def test_qualified_signature_without_certificate_and_password_saves_nothing(staff):
    with pytest.raises(ValidationFailed) as refused, atomic():
        issue_resolution(
            staff.manager, staff.card, resolution_data(staff.responsible), signature={'method': 'qualified'}
        )
    assert set(refused.value.fields) == {'certificate_id', 'password'}
    _nothing_saved()
    assert staff.card.status == CardStatus.registered


def test_report_on_a_closed_assignment_is_refused(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible)
        report = submit_report(staff.responsible, resolution.responsible, {'text': 'Исполнено'})
        accept_report(staff.manager, report)
    assert resolution.responsible.status == AssignmentStatus.executed
    with pytest.raises(AssignmentClosed, match='Поручение закрыто'), atomic():
        submit_report(
            staff.responsible, resolution.responsible, {'text': 'Ещё раз'}, [(io.BytesIO(b'%PDF-1.4'), 'a.pdf')]
        )
    with pytest.raises(ResolutionStateConflict), atomic():
        accept_report(staff.manager, report)


def test_report_on_a_cancelled_assignment_is_refused(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible)
        cancel_resolution(staff.manager, resolution, {'reason': 'Ошибочная резолюция'})
    assert resolution.responsible.status == AssignmentStatus.cancelled
    with pytest.raises(AssignmentClosed), atomic():
        submit_report(staff.responsible, resolution.responsible, {'text': 'Исполнено'})


def test_report_file_of_a_forbidden_type_refuses_the_whole_report(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible)
    files = [(io.BytesIO(b'%PDF-1.4 ok'), 'ok.pdf'), (io.BytesIO(b'MZ\x90\x00\x03binary'), 'virus.exe')]
    with pytest.raises(ValidationFailed) as error, atomic():
        submit_report(staff.responsible, resolution.responsible, {'text': 'Отчёт'}, files)
    assert 'тип файла «virus.exe» не разрешён' in error.value.fields['files']
    assert resolution.responsible.status == AssignmentStatus.in_work


def test_acting_on_someone_elses_assignment_is_forbidden(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible, staff.co_executor)
    assignment = resolution.responsible
    with pytest.raises(Forbidden, match='другого исполнителя'), atomic():
        submit_report(staff.co_executor, assignment, {'text': 'Чужой отчёт'})
    with pytest.raises(Forbidden), atomic():
        request_extension(staff.co_executor, assignment, {'reason': 'Нужно время', 'deadline': working_day(20)})
    with atomic():
        report = submit_report(staff.responsible, assignment, {'text': 'Исполнено'})
    with pytest.raises(Forbidden, match='адресат отчёта'), atomic():
        accept_report(staff.co_executor, report)
    assert assignment.status == AssignmentStatus.reported


def test_another_organizations_objects_are_not_found(staff, foreign):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible)
        report = submit_report(staff.responsible, resolution.responsible, {'text': 'Исполнено'})
    for getter, object_id in ((get_resolution, resolution.id), (get_assignment, resolution.responsible.id)):
        with pytest.raises(NotFound):
            getter(foreign.manager, object_id)
    with pytest.raises(NotFound):
        get_report(foreign.manager, report.id)
    with pytest.raises(NotFound), atomic():
        accept_report(foreign.manager, report)
    with pytest.raises(NotFound), atomic():
        submit_report(foreign.executor, resolution.responsible, {'text': 'Чужой'})
    with pytest.raises(NotFound), atomic():
        issue_resolution(foreign.manager, staff.card, resolution_data(foreign.executor))


def test_extension_later_than_current_deadline_one_pending_author_decides(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible)
    assignment = resolution.responsible
    old = assignment.deadline
    with pytest.raises(ValidationFailed) as error, atomic():
        request_extension(staff.responsible, assignment, {'reason': 'Ждём ответ', 'deadline': old.isoformat()})
    assert error.value.fields['deadline'] == f'«Новый срок»: должен быть позже текущего срока ({old:%d.%m.%Y}).'
    new = working_day(20)
    with atomic():
        extension = request_extension(staff.responsible, assignment, {'reason': 'Ждём ответ', 'deadline': new})
    with pytest.raises(ExtensionPending), atomic():
        request_extension(staff.responsible, assignment, {'reason': 'Ещё', 'deadline': working_day(25)})
    with pytest.raises(Forbidden, match='автор резолюции'), atomic():
        decide_extension(staff.responsible, extension, {'decision': 'grant'})
    with pytest.raises(ValidationFailed) as error, atomic():
        decide_extension(staff.manager, extension, {'decision': 'refuse'})
    assert error.value.fields['comment'] == '«Комментарий»: обязательное поле.'
    with atomic():
        decide_extension(staff.manager, extension, {'decision': 'grant', 'comment': 'Согласовано'})
    assert assignment.deadline == new
    assert assignment.initial_deadline == old
    assert extension.status.value == 'granted'
    assert extension.old_deadline == old
    assert 'Срок продлён' in assignment.deadline_explanation
    with atomic():
        second = request_extension(staff.responsible, assignment, {'reason': 'Ещё', 'deadline': working_day(25)})
        decide_extension(staff.manager, second, {'decision': 'refuse', 'comment': 'Нет оснований'})
    assert assignment.deadline == new
    assert second.status.value == 'refused'
