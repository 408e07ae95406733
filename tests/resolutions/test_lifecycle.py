"""The whole life of a resolution: an assistant's draft, the manager's approval, reports of a co-executor and of the
responsible executor, acceptance, removal from control with an execution mark «в дело», the card executed and filed;
and the draft's detours (returned, reworked, edited on approval)."""

import io

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import CardStatus
from edms.resolutions.errors import ResolutionNotFound, ResolutionStateConflict
from edms.resolutions.models import (
    AssignmentStatus,
    EventKind,
    ReportAddressee,
    ResolutionEvent,
    ResolutionStatus,
)
from edms.resolutions.operations import (
    accept_report,
    approve_draft,
    close_control,
    draft_resolution,
    open_report_file,
    return_draft,
    submit_report,
    update_draft,
)
from edms.resolutions.permissions import assignment_actions, report_actions, resolution_actions
from edms.resolutions.queries import folder_counts, get_report_file, get_resolution, my_assignments
from edms.resolutions.signing import verify_record_signature
from tests.factories import executor_item, make_case_file, resolution_data
from tests.resolutions.conftest import notifications_of

PDF = b'%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'


def _draft(staff, **overrides):
    data = resolution_data(staff.responsible, staff.co_executor, author_id=staff.manager.id, **overrides)
    with atomic():
        return draft_resolution(staff.assistant, staff.card, data)


def test_draft_is_invisible_to_executors_until_the_manager_approves(staff):
    resolution = _draft(staff, is_controlled=True, controller_id=staff.controller.id)
    assert resolution.status == ResolutionStatus.draft
    assert {item.status for item in resolution.assignments} == {AssignmentStatus.draft}
    assert [n.kind for n in notifications_of(staff.manager)] == ['draft']
    assert notifications_of(staff.responsible) == []
    assert my_assignments(staff.responsible).items == []
    with pytest.raises(ResolutionNotFound):
        get_resolution(staff.responsible, resolution.id)
    assert folder_counts(staff.manager)['review'] == 1
    assert folder_counts(staff.manager)['sign'] == 1
    assert resolution_actions(staff.manager, resolution) == {'approve', 'edit_and_approve', 'return', 'cancel'}
    assert resolution_actions(staff.assistant, resolution) == {'update_draft'}

    with atomic():
        approve_draft(staff.manager, get_resolution(staff.manager, resolution.id))
    assert resolution.status == ResolutionStatus.approved
    assert {item.status for item in resolution.assignments} == {AssignmentStatus.in_work}
    assert resolution.signature_method == 'simple'
    assert resolution.signed_by_id == staff.manager.id
    assert verify_record_signature(resolution)
    assert staff.card.status == CardStatus.in_work
    assert [n.kind for n in notifications_of(staff.responsible)] == ['assignment']
    assert [n.kind for n in notifications_of(staff.co_executor)] == ['assignment']
    assert notifications_of(staff.responsible)[0].url == f'/cards/{staff.card.id}#resolution-{resolution.id}'
    assert [item.assignment.id for item in my_assignments(staff.responsible).items] == [resolution.responsible.id]
    assert folder_counts(staff.manager)['review'] == 0
    assert resolution_actions(staff.manager, resolution) == {'cancel'}
    assert resolution_actions(staff.controller, resolution) == {'close_control'}
    assert assignment_actions(staff.responsible, resolution.responsible) == {
        'report',
        'sub_resolution',
        'request_extension',
    }
    assert assignment_actions(staff.co_executor, resolution.responsible) == set()


def test_full_cycle_from_draft_to_the_card_filed(staff):
    case_file = _case_file(staff)
    resolution = _draft(staff, is_controlled=True, controller_id=staff.controller.id)
    with atomic():
        approve_draft(staff.manager, resolution)
    co_part = next(item for item in resolution.assignments if not item.is_responsible)
    main_part = resolution.responsible

    with atomic():
        co_report = submit_report(
            staff.co_executor, co_part, {'text': 'Сведения подготовлены'}, [(io.BytesIO(PDF), 'справка.pdf')]
        )
    assert co_report.addressed_to == ReportAddressee.responsible
    assert co_report.addressee_id == staff.responsible.id
    assert [(f.filename, f.content_type, f.size) for f in co_report.files] == [
        ('справка.pdf', 'application/pdf', len(PDF))
    ]
    assert co_part.status == AssignmentStatus.reported
    assert 'report' in [n.kind for n in notifications_of(staff.responsible)]

    _, report_file = get_report_file(staff.manager, co_report.id, co_report.files[0].id)
    with open_report_file(staff.manager, report_file) as stream:
        assert stream.read() == PDF
    assert report_actions(staff.co_executor, co_report) == set()
    assert report_actions(staff.responsible, co_report) == {'accept', 'return'}
    with atomic():
        accept_report(staff.responsible, co_report)
    assert co_part.status == AssignmentStatus.executed
    assert co_part.executed_at is not None
    assert resolution.status == ResolutionStatus.approved

    with atomic():
        main_report = submit_report(staff.responsible, main_part, {'text': 'Ответ направлен заявителю'})
    assert main_report.addressed_to == ReportAddressee.controller
    assert main_report.addressee_id == staff.controller.id
    with atomic():
        accept_report(staff.controller, main_report)
    assert main_part.status == AssignmentStatus.executed
    # A controlled resolution whose work is done waits for the controller.
    assert resolution.status == ResolutionStatus.approved
    assert staff.card.status == CardStatus.in_work
    assert folder_counts(staff.controller)['control'] == 1

    with atomic():
        close_control(
            staff.controller, resolution, {'execution_mark': 'Исполнено, ответ № 15', 'case_file_id': case_file}
        )
    assert resolution.status == ResolutionStatus.executed
    assert resolution.control_closed_by_id == staff.controller.id
    assert resolution.execution_mark == 'Исполнено, ответ № 15'
    assert staff.card.status == CardStatus.filed
    assert staff.card.case_file_id == case_file
    assert folder_counts(staff.controller)['control'] == 0
    assert folder_counts(staff.manager)['executed'] == 1
    assert _event_kinds(resolution.id) == [
        EventKind.resolution_drafted,
        EventKind.resolution_approved,
        EventKind.executor_assigned,
        EventKind.executor_assigned,
        EventKind.report_prepared,
        EventKind.report_accepted,
        EventKind.report_sent,
        EventKind.report_accepted,
        EventKind.control_closed,
        EventKind.card_executed,
    ]
    assert {'control'} <= {n.kind for n in notifications_of(staff.manager)}
    actions = _audit_actions()
    for action in (
        'resolution.draft',
        'resolution.approve',
        'card.start_execution',
        'assignment.report',
        'report.accept',
        'resolution.close_control',
        'card.execute',
        'card.file',
    ):
        assert action in actions


def test_uncontrolled_resolution_is_executed_when_the_author_accepts_the_responsibles_report(staff):
    resolution = _draft(staff)
    with atomic():
        approve_draft(staff.manager, resolution)
        report = submit_report(staff.co_executor, _co_part(resolution), {'text': 'Готово'})
        accept_report(staff.responsible, report)
        main_report = submit_report(staff.responsible, resolution.responsible, {'text': 'Исполнено'})
    assert main_report.addressed_to == ReportAddressee.author
    with atomic():
        accept_report(staff.manager, main_report)
    assert resolution.status == ResolutionStatus.executed
    assert staff.card.status == CardStatus.executed
    assert EventKind.execution_changed in _event_kinds(resolution.id)


def test_returned_draft_is_reworked_and_approved_with_the_managers_edits(staff):
    resolution = _draft(staff)
    with atomic():
        return_draft(staff.manager, resolution, {'comment': 'Добавьте срок в рабочих днях'})
    assert resolution.status == ResolutionStatus.returned
    assert resolution.return_comment == 'Добавьте срок в рабочих днях'
    assert [n.kind for n in notifications_of(staff.assistant)] == ['draft_returned']
    with pytest.raises(ResolutionStateConflict), atomic():
        approve_draft(staff.manager, resolution)

    reworked = resolution_data(staff.responsible, author_id=staff.manager.id, text='Подготовить ответ в срок')
    reworked['executors'] = [executor_item(staff.responsible, responsible=True, days=10)]
    with atomic():
        update_draft(staff.assistant, resolution, reworked)
    assert resolution.status == ResolutionStatus.draft
    assert resolution.return_comment is None
    assert 'рабочих дн' in resolution.assignments[0].deadline_explanation

    edited = resolution_data(staff.co_executor, staff.responsible, text='Подготовить ответ, доложить')
    with atomic():
        approve_draft(staff.manager, resolution, edited)
    assert resolution.text == 'Подготовить ответ, доложить'
    assert resolution.responsible.executor_id == staff.co_executor.id
    assert resolution.status == ResolutionStatus.approved
    assert verify_record_signature(resolution)
    entry = _audit('resolution.approve')[-1]
    assert entry.data['edited'] is True
    assert entry.data['changes']['text'] == {
        'before': 'Подготовить ответ в срок',
        'after': 'Подготовить ответ, доложить',
    }


def _co_part(resolution):
    return next(item for item in resolution.assignments if not item.is_responsible)


def _case_file(staff):
    with atomic():
        return make_case_file(staff.organization).id


def _event_kinds(resolution_id):
    query = select(ResolutionEvent.kind).where(ResolutionEvent.resolution_id == resolution_id)
    return list(db.session.execute(query.order_by(ResolutionEvent.id)).scalars())


def _audit(action):
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    return list(db.session.execute(query).scalars())


def _audit_actions():
    return set(db.session.execute(select(AuditEntry.action)).scalars())
