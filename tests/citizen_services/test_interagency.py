"""Interagency requests (210-ФЗ art. 7, 7.2) end to end: the legal-entity cabinet's ЕГРЮЛ comparison requested from
the tax service automatically after filing and answered from its register (every mismatching field listed, NO_DATA
when the register has no such ОГРН), a request sent by an official and answered or rejected by hand, the responder
working from the request's XML, a hostile answer refused, access, validation, and idempotent jobs."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from edms.audit.models import AuditEntry
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.jobs import interagency as jobs
from edms.citizen_services.models import Application
from edms.citizen_services.models.interagency import InteragencyRequest, RequestStatus
from edms.citizen_services.operations import filing
from edms.citizen_services.operations.interagency import (
    schedule_needed_requests,
    send_declared_requests,
    send_request,
)
from edms.citizen_services.operations.interagency_answers import answer_request, reject_request
from edms.citizen_services.operations.interagency_register import add_egrul_entry, set_interagency_provider
from edms.citizen_services.queries.interagency import InteragencyRequestNotFound, get_request
from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.errors import Conflict, ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.registry.models import Attachment
from tests.citizen_services.conftest import World, world  # noqa: F401
from tests.citizen_services.samples import OGRN

MANUAL = {
    'data_kind': 'passport',
    'requested_data': 'Сведения о действительности паспорта руководителя 4510 123456',
    'legal_basis': 'ст. 7 Федерального закона № 210-ФЗ',
}


@pytest.fixture
def ia(world: World, monkeypatch: pytest.MonkeyPatch) -> World:  # noqa: F811
    """The tax service answers ЕГРЮЛ requests, the migration service passport ones. Filing leaves the declared
    requests to the test, which runs their job when it has set the register up (as a worker would after the
    commit); `test_filing_itself_sends_the_declared_requests` checks the real scheduling."""
    monkeypatch.setattr(filing, 'schedule_needed_requests', lambda application: None)
    with atomic():
        sysadmin = world.sysadmin
        set_interagency_provider(sysadmin, 'egrul', world.tax)
        set_interagency_provider(sysadmin, 'passport', world.migration)
        other = copy.deepcopy(registry_record({}))
        other['organization'].update(ogrn='1037739877295', inn='7710152113', name='АО «Другое»')
        add_egrul_entry(SYSTEM, world.tax, other)
    return world


def registry_record(values: dict[str, Any]) -> dict[str, Any]:
    """The tax service's record of the legal entity: what the application says (or a stub for another one)."""
    record = copy.deepcopy(values) or {'organization': {'ogrn': OGRN, 'inn': '7707083893', 'name': 'ООО «Ромашка»'}}
    record.get('head', {}).pop('snils', None)
    return record


def file_legal_entity(world: World, change: dict[str, Any] | None = None, *, register: bool = True) -> Application:  # noqa: F811
    """File the cabinet's application; the tax service's register holds the entity (with `change` applied)."""
    application = world.file('legal_entity_cabinet')
    if register:
        record = registry_record(application.values)
        for path, value in (change or {}).items():
            group, name = path.rsplit('.', 1)
            node = record
            for part in group.split('.'):
                node = node[part]
            node[name] = value
        with atomic():
            add_egrul_entry(SYSTEM, world.tax, record)
    return application


def requests_of(application: Application) -> list[InteragencyRequest]:
    db.session.expire_all()
    query = select(InteragencyRequest).where(InteragencyRequest.application_id == application.id)
    return list(db.session.scalars(query.order_by(InteragencyRequest.id)))


def actions(request: InteragencyRequest) -> list[str]:
    query = select(AuditEntry.action).where(
        AuditEntry.object_type == InteragencyRequest.__tablename__, AuditEntry.object_id == str(request.id)
    )
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def notified(user_id: int) -> list[str]:
    return list(db.session.scalars(select(Notification.text).where(Notification.user_id == user_id)))


def test_filing_itself_sends_the_declared_requests(ia: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filing, 'schedule_needed_requests', schedule_needed_requests)
    with atomic():
        add_egrul_entry(SYSTEM, ia.tax, registry_record({}))
    application = ia.file('legal_entity_cabinet')  # the job runs after the commit (synchronously in the tests)
    [request] = requests_of(application)
    assert (request.data_kind, request.status) == ('egrul', RequestStatus.answered)
    assert jobs.send_needed(application.id) == 0


def test_a_service_without_declared_needs_schedules_nothing(ia: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filing, 'schedule_needed_requests', schedule_needed_requests)
    application = ia.file('temporary_registration')
    assert requests_of(application) == []


def test_egrul_is_requested_after_filing_and_answered_from_the_register(ia: World) -> None:
    application = file_legal_entity(ia)
    assert jobs.send_needed(application.id) == 1
    [request] = requests_of(application)
    assert request.responding_organization_id == ia.tax.id
    assert request.requesting_organization_id == ia.ministry.id
    assert request.data_kind == 'egrul'
    assert request.subject['ogrn'] == OGRN
    assert request.status == RequestStatus.answered
    assert request.mismatches == []
    assert {'path': 'organization.ogrn', 'label': 'ОГРН', 'value': OGRN} in request.answer_data['fields']
    assert actions(request) == ['interagency.send', 'interagency.deliver', 'interagency.respond', 'interagency.receive']
    attachment = db.session.get(Attachment, request.answer_attachment_id)
    assert attachment.card_id == application.card_id
    assert any('расхождений со сведениями заявления: 0' in text for text in notified(ia.ministry_executor.id))


def test_sending_the_needs_again_sends_nothing(ia: World) -> None:
    application = file_legal_entity(ia)
    jobs.send_needed(application.id)
    assert jobs.send_needed(application.id) == 0
    assert len(requests_of(application)) == 1


def test_the_official_sending_the_declared_requests_after_the_job_sends_nothing(ia: World) -> None:
    application = file_legal_entity(ia)
    assert jobs.send_needed(application.id) == 1
    with pytest.raises(Conflict, match='уже направлены'), atomic():
        send_declared_requests(ia.ministry_executor, db.session.get(Application, application.id))
    assert len(requests_of(application)) == 1


def test_sending_the_declared_requests_locks_the_application(ia: World) -> None:
    # FOR NO KEY UPDATE: the new request's foreign key alone takes FOR KEY SHARE, which this does not wait for.
    application = file_legal_entity(ia)
    locked = select(Application.id).where(Application.id == application.id).with_for_update(nowait=True, key_share=True)
    with atomic():
        send_declared_requests(ia.ministry_executor, db.session.get(Application, application.id))
        with db.engine.connect() as other, pytest.raises(OperationalError, match='could not obtain lock'):
            other.execute(locked)
    with db.engine.connect() as other:
        assert other.execute(locked).scalar_one() == application.id


def test_the_due_date_is_5_working_days_with_its_explanation(ia: World) -> None:
    from edms.core.calendar import business_calendar

    application = file_legal_entity(ia)
    jobs.send_needed(application.id)
    [request] = requests_of(application)
    assert request.due_date == business_calendar().add_working_days(request.sent_on, 5).date
    assert '210-ФЗ' in request.due_explanation
    assert 'рабоч' in request.due_explanation


def test_each_mismatching_field_is_listed_with_its_label_and_both_values(ia: World) -> None:
    application = file_legal_entity(
        ia,
        {
            'organization.name': 'ООО «Лютик»',
            'head.last_name': 'Сидоров',
            'organization.registration_date': '2003-01-10',
        },
    )
    jobs.send_needed(application.id)
    [request] = requests_of(application)
    by_field = {item['field']: item for item in request.mismatches}
    assert set(by_field) == {'organization.name', 'head.last_name', 'organization.registration_date'}
    assert by_field['organization.name']['label'] == 'Полное наименование организации'
    assert by_field['organization.name']['registry_value'] == 'ООО «Лютик»'
    assert by_field['organization.registration_date']['application_value'] == '22.08.2002'
    assert by_field['organization.registration_date']['registry_value'] == '10.01.2003'


def test_case_quotes_and_spacing_are_not_mismatches(ia: World) -> None:
    application = file_legal_entity(ia, register=False)
    record = registry_record(application.values)
    name = record['organization']['name']
    record['organization']['name'] = '  ' + name.upper().replace('«', '"').replace('»', '"').replace(' ', '   ')
    with atomic():
        add_egrul_entry(SYSTEM, ia.tax, record)
    jobs.send_needed(application.id)
    [request] = requests_of(application)
    assert request.status == RequestStatus.answered
    assert request.mismatches == []


def test_an_ogrn_the_register_lacks_is_a_rejection_no_data(ia: World) -> None:
    application = file_legal_entity(ia, register=False)
    jobs.send_needed(application.id)
    [request] = requests_of(application)
    assert request.status == RequestStatus.rejected
    assert request.rejection_code == 'NO_DATA'
    assert OGRN in request.rejection_reason
    assert request.mismatches is None


def test_without_a_provider_of_the_kind_nothing_is_sent_and_it_is_journaled(world: World) -> None:  # noqa: F811
    application = world.file('legal_entity_cabinet')
    assert jobs.send_needed(application.id) == 0
    query = select(AuditEntry.action).where(
        AuditEntry.object_type == Application.__tablename__, AuditEntry.object_id == str(application.id)
    )
    assert 'interagency.not_sent' in list(db.session.scalars(query))


def not_sent_entries(application: Application) -> list[dict[str, Any]]:
    query = select(AuditEntry.data).where(
        AuditEntry.object_type == Application.__tablename__,
        AuditEntry.object_id == str(application.id),
        AuditEntry.action == 'interagency.not_sent',
    )
    return list(db.session.scalars(query))


def test_without_a_provider_the_sweeps_journal_not_sent_once(world: World) -> None:  # noqa: F811
    application = world.file('legal_entity_cabinet')
    assert jobs.send_needed(application.id) == 0
    assert jobs.sweep_needs() == 0
    jobs.sweep_needs()
    assert jobs.send_needed(application.id) == 0
    assert [entry['data_kind'] for entry in not_sent_entries(application)] == ['egrul']


def test_the_sweep_sends_a_need_once_its_provider_is_appointed(world: World) -> None:  # noqa: F811
    application = world.file('legal_entity_cabinet')
    jobs.send_needed(application.id)
    with atomic():
        set_interagency_provider(world.sysadmin, 'egrul', world.tax)
    assert jobs.sweep_needs() == 1
    assert [request.data_kind for request in requests_of(application)] == ['egrul']
    assert len(not_sent_entries(application)) == 1


def test_the_sweep_sends_the_needs_a_filing_left_unsent(ia: World) -> None:
    application = file_legal_entity(ia)
    assert jobs.sweep_needs() >= 1
    assert len(requests_of(application)) == 1
    jobs.sweep_needs()
    assert len(requests_of(application)) == 1


def send_manual(world: World, application: Application, raw: dict[str, Any] | None = None) -> InteragencyRequest:  # noqa: F811
    with atomic():
        request = send_request(world.ministry_executor, db.session.get(Application, application.id), raw or MANUAL)
    return request


def test_an_official_sends_a_request_answered_by_hand(ia: World) -> None:
    application = file_legal_entity(ia)
    request = send_manual(ia, application)
    db.session.expire_all()
    request = db.session.get(InteragencyRequest, request.id)
    assert request.delivered_at is not None
    assert request.status == RequestStatus.sent
    assert request.official_id == ia.ministry_executor.id
    assert request.official_name == ia.ministry_executor.full_name
    assert any('Межведомственный запрос от' in text for text in notified(ia.executor.id))
    with atomic():
        found = get_request(ia.executor, request.id, 'incoming', lock=True)
        answer_request(ia.executor, found, {'text': 'Паспорт действителен.', 'data': 'Статус паспорта: действителен'})
    db.session.expire_all()
    request = db.session.get(InteragencyRequest, request.id)
    assert request.status == RequestStatus.answered
    assert request.answer_text == 'Паспорт действителен.'
    assert request.answer_data == {'fields': [{'path': 'item_1', 'label': 'Статус паспорта', 'value': 'действителен'}]}
    assert request.answered_by_name == ia.executor.full_name
    assert any('получен ответ' in text for text in notified(ia.ministry_executor.id))


def test_a_rejection_by_hand_carries_the_smev_code_and_reason(ia: World) -> None:
    request = send_manual(ia, file_legal_entity(ia))
    with atomic():
        found = get_request(ia.executor, request.id, 'incoming', lock=True)
        reject_request(ia.executor, found, {'code': 'ACCESS_DENIED', 'reason': 'Нет согласия субъекта.'})
    db.session.expire_all()
    request = db.session.get(InteragencyRequest, request.id)
    assert (request.status, request.rejection_code) == (RequestStatus.rejected, 'ACCESS_DENIED')
    assert request.rejection_reason == 'Нет согласия субъекта.'


def test_answer_and_rejection_forms_name_their_wrong_fields(ia: World) -> None:
    request = send_manual(ia, file_legal_entity(ia))
    found = get_request(ia.executor, request.id, 'incoming')
    with pytest.raises(ValidationFailed) as error:
        answer_request(ia.executor, found, {'text': '', 'data': 'без двоеточия'})
    assert error.value.fields['text'] == '«Ответ»: обязательное поле.'
    assert 'строка 1' in error.value.fields['data']
    with pytest.raises(ValidationFailed) as error:
        reject_request(ia.executor, found, {'code': 'WHATEVER', 'reason': ''})
    assert set(error.value.fields) == {'code', 'reason'}


def test_a_second_answer_is_a_conflict(ia: World) -> None:
    request = send_manual(ia, file_legal_entity(ia))
    with atomic():
        answer_request(ia.executor, get_request(ia.executor, request.id, 'incoming'), {'text': 'Да.'})
    db.session.expire_all()
    with pytest.raises(Conflict):
        answer_request(ia.executor, get_request(ia.executor, request.id, 'incoming'), {'text': 'Ещё раз.'})


def test_the_request_form_names_each_wrong_field(ia: World) -> None:
    application = file_legal_entity(ia)
    with pytest.raises(ValidationFailed) as error:
        send_request(
            ia.ministry_executor, application, {'data_kind': 'nonsense', 'requested_data': '', 'legal_basis': ''}
        )
    assert error.value.fields == {
        'data_kind': '«Запрашиваемые сведения»: нет вида сведений «nonsense».',
        'requested_data': '«Состав запрашиваемых сведений»: обязательное поле.',
        'legal_basis': '«Правовое основание запроса»: обязательное поле.',
    }
    with pytest.raises(ValidationFailed) as error:
        send_request(ia.ministry_executor, application, {**MANUAL, 'data_kind': 'egrn'})
    assert 'не назначено ведомство' in error.value.fields['data_kind']


def test_another_organization_neither_sends_for_the_application_nor_sees_the_request(ia: World) -> None:
    application = file_legal_entity(ia)
    with pytest.raises(ApplicationNotFound):
        send_request(ia.tax_executor, application, MANUAL)
    request = send_manual(ia, application)
    with pytest.raises(InteragencyRequestNotFound):
        get_request(ia.tax_executor, request.id, 'incoming')
    with pytest.raises(InteragencyRequestNotFound):
        get_request(ia.executor, request.id, 'outgoing')
    with pytest.raises(InteragencyRequestNotFound):
        get_request(ia.applicant, request.id, 'outgoing')


def test_the_responder_works_from_what_the_request_xml_says(ia: World, monkeypatch: pytest.MonkeyPatch) -> None:
    application = file_legal_entity(ia)
    monkeypatch.setattr('edms.citizen_services.operations.interagency.enqueue', lambda *args: None)
    jobs.send_needed(application.id)
    [request] = requests_of(application)
    with atomic():
        request.subject = {'ogrn': '1037739877295'}  # the row says another entity; the XML still names ours
    jobs.deliver(request.id)
    [request] = requests_of(application)
    assert request.status == RequestStatus.answered
    assert {'path': 'organization.ogrn', 'label': 'ОГРН', 'value': OGRN} in request.answer_data['fields']


def test_a_hostile_answer_is_refused_and_the_request_stays_open(ia: World, monkeypatch: pytest.MonkeyPatch) -> None:
    request = send_manual(ia, file_legal_entity(ia))
    monkeypatch.setattr('edms.citizen_services.operations.interagency_answers.enqueue', lambda *args: None)
    with atomic():
        answer_request(ia.executor, get_request(ia.executor, request.id, 'incoming'), {'text': 'Да.'})
    with atomic():
        row = db.session.get(InteragencyRequest, request.id)
        row.response_xml = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    jobs.receive(request.id)
    [request] = [item for item in requests_of(request.application) if item.id == request.id]
    assert request.status == RequestStatus.sent
    assert request.response_xml is None
    assert request.answered_at is None
    assert 'interagency.answer_refused' in actions(request)


def test_an_unreadable_request_is_rejected_as_unknown_request_description(
    ia: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = file_legal_entity(ia)
    monkeypatch.setattr('edms.citizen_services.operations.interagency.enqueue', lambda *args: None)
    jobs.send_needed(application.id)
    [request] = requests_of(application)
    with atomic():
        request.request_xml = '<SendRequestRequest><broken>'
    jobs.deliver(request.id)
    [request] = requests_of(application)
    assert request.status == RequestStatus.rejected
    assert request.rejection_code == 'UNKNOWN_REQUEST_DESCRIPTION'
    assert 'не разбирается как XML' in request.rejection_reason
    assert 'interagency.request_unreadable' in actions(request)


def test_delivery_and_receipt_run_once(ia: World) -> None:
    application = file_legal_entity(ia)
    jobs.send_needed(application.id)
    [request] = requests_of(application)
    jobs.deliver(request.id)
    jobs.receive(request.id)
    assert actions(request).count('interagency.deliver') == 1
    assert actions(request).count('interagency.receive') == 1


def test_the_register_holds_one_entry_per_ogrn(ia: World) -> None:
    record = registry_record({})
    with atomic():
        add_egrul_entry(SYSTEM, ia.tax, record)
    with pytest.raises(ValidationFailed) as error:
        add_egrul_entry(SYSTEM, ia.tax, record)
    assert 'уже есть в реестре' in error.value.fields['record']
    with pytest.raises(ValidationFailed):
        add_egrul_entry(SYSTEM, ia.tax, {'organization': {'ogrn': '123', 'inn': '7707083893', 'name': 'X'}})
