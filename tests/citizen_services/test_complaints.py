"""Complaints (210-ФЗ ст. 11.1–11.2): each of the seven kinds accepted, an unknown kind and an empty text refused with
the field named; the term of consideration 15 or 5 working days across a holiday; the complaint registered as a
citizen appeal card with a number of the appeals journal and the complaint's own term in its summary; filed by the
MFC on the visitor's behalf; another applicant's or a bank's complaint refused; the agency's decision (upheld with the
remedy, rejected with reasons) once, by its own staff only, its card then executed; the applicant notified and every
step journaled; the morning reminders of complaints due and overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.jobs.complaints import send_reminders
from edms.citizen_services.models.complaints import Complaint, ComplaintKind, ComplaintStatus
from edms.citizen_services.operations.complaints import decide_complaint, file_complaint, remind
from edms.citizen_services.queries.complaints import (
    ComplaintNotFound,
    complaint_deadline,
    get_complaint,
    is_overdue,
    list_complaints,
)
from edms.core.calendar import business_calendar
from edms.core.db import db
from edms.core.errors import Conflict, Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.registry.models import Card, CardKind, CardStatus, Journal
from tests.citizen_services.conftest import World, world  # noqa: F401

TEXT = 'Заявление не рассмотрено в срок, ответа нет.'


def file(world: World, application, kind: str = 'service_term', text: str = TEXT, actor=None) -> Complaint:  # noqa: F811
    with atomic():
        return file_complaint(actor or world.applicant, application, {'kind': kind, 'text': text})


def actions(complaint: Complaint) -> list[str]:
    query = select(AuditEntry.action).where(
        AuditEntry.object_type == Complaint.__tablename__, AuditEntry.object_id == str(complaint.id)
    )
    return list(db.session.execute(query.order_by(AuditEntry.id)).scalars())


def notifications(user_id: int) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id, Notification.kind == 'complaint')
    return list(db.session.execute(query.order_by(Notification.id)).scalars())


@pytest.mark.parametrize('kind', list(ComplaintKind))
def test_each_kind_of_article_11_1_is_accepted(world: World, kind: ComplaintKind) -> None:  # noqa: F811
    complaint = file(world, world.file(), kind.value)
    assert complaint.kind == kind
    assert complaint.status == ComplaintStatus.registered
    assert 'ст. 11.1 210-ФЗ' in complaint.kind_title


def test_an_unknown_kind_and_an_empty_text_are_refused_naming_the_fields(world: World) -> None:  # noqa: F811
    application = world.file()
    with pytest.raises(ValidationFailed) as error:
        file(world, application, 'rudeness', '  ')
    assert '«Основание жалобы»: недопустимое значение «rudeness»' in error.value.fields['kind']
    assert error.value.fields['text'] == '«Текст жалобы»: обязательное поле.'
    assert db.session.execute(select(Complaint)).first() is None


def test_a_missing_kind_and_a_too_long_text_are_refused(world: World) -> None:  # noqa: F811
    with pytest.raises(ValidationFailed) as error:
        file(world, world.file(), '', 'ж' * 4001)
    assert error.value.fields['kind'] == '«Основание жалобы»: обязательное поле.'
    assert 'не более 4000 символов' in error.value.fields['text']


def test_fifteen_working_days_across_the_november_holiday(app_ctx) -> None:
    deadline = complaint_deadline(business_calendar(), ComplaintKind.service_term, date(2026, 11, 2))
    assert deadline.date == date(2026, 11, 24)  # 23 November without the holiday of 4 November
    assert 'в течение 15 рабочих дней со дня регистрации (ч. 6 ст. 11.2 210-ФЗ)' in deadline.explanation


@pytest.mark.parametrize('kind', [ComplaintKind.documents_refused, ComplaintKind.typos_not_corrected])
def test_five_working_days_for_refused_documents_and_typos(app_ctx, kind: ComplaintKind) -> None:
    deadline = complaint_deadline(business_calendar(), kind, date(2026, 11, 2))
    assert deadline.date == date(2026, 11, 10)  # 9 November without the holiday
    assert 'в течение 5 рабочих дней' in deadline.explanation
    assert 'опечаток' in deadline.explanation


def test_the_complaint_is_a_registered_citizen_appeal_with_its_own_term(world: World) -> None:  # noqa: F811
    application = world.file()
    complaint = file(world, application, 'extra_fee')
    card = db.session.get(Card, complaint.card_id)
    assert card.kind == CardKind.citizen_appeal
    assert card.organization_id == world.migration.id == complaint.organization_id
    assert card.status == CardStatus.registered
    assert card.reg_number.startswith('ОГ-')
    assert card.sender_number == complaint.number
    assert complaint.number.startswith('Ж-')
    assert f'Срок рассмотрения жалобы по 210-ФЗ (а не 30 дней по 59-ФЗ) — {complaint.deadline:%d.%m.%Y}' in card.summary
    assert 'ч. 6 ст. 11.2 210-ФЗ' in card.summary
    assert TEXT in card.summary
    assert [(link.kind.value, link.target_card_id) for link in card.links] == [('related', application.card_id)]
    expected = complaint_deadline(business_calendar(), ComplaintKind.extra_fee, complaint.registered_on)
    assert (complaint.deadline, complaint.deadline_explanation) == (expected.date, expected.explanation)


def test_without_an_appeals_journal_the_card_waits_for_a_clerk(world: World) -> None:  # noqa: F811
    application = world.file()
    with atomic():
        for journal in db.session.execute(
            select(Journal).where(Journal.organization_id == world.migration.id)
        ).scalars():
            if journal.kind == CardKind.citizen_appeal:
                db.session.delete(journal)
    complaint = file(world, application)
    assert db.session.get(Card, complaint.card_id).status == CardStatus.draft
    entries = db.session.execute(select(AuditEntry.action).where(AuditEntry.action == 'complaint.card_not_registered'))
    assert entries.first() is not None
    with atomic():
        decide_complaint(world.executor, complaint, {'decision': 'upheld', 'text': 'Услуга предоставлена.'})
    assert actions(complaint) == ['complaint.file', 'complaint.upheld', 'complaint.card_not_closed']
    assert db.session.get(Card, complaint.card_id).status == CardStatus.draft


def test_registration_is_journaled_and_the_applicant_notified(world: World) -> None:  # noqa: F811
    complaint = file(world, world.file())
    assert actions(complaint) == ['complaint.file']
    [notice] = notifications(world.applicant.id)
    assert f'Жалоба № {complaint.number} зарегистрирована' in notice.text
    assert notice.url == f'/complaints/{complaint.id}'


def test_the_mfc_files_on_the_visitors_behalf(world: World) -> None:  # noqa: F811
    application = world.file(actor=world.operator, channel='mfc', on_behalf={'name': 'Гость'})
    complaint = file(world, application, 'documents_refused', actor=world.operator)
    assert complaint.filed_by_id == world.operator.id
    assert complaint.filed_via_organization_id == world.mfc.id
    assert db.session.get(Card, complaint.card_id).delivery_method.value == 'mfc'
    assert len(notifications(world.operator.id)) == 1
    assert [item.id for item in list_complaints(world.operator)] == [complaint.id]


def test_another_applicants_application_is_not_found(world: World) -> None:  # noqa: F811
    application = world.file()
    with pytest.raises(ApplicationNotFound):
        file(world, application, actor=world.other_applicant)
    with pytest.raises(ApplicationNotFound):
        file(world, application, actor=world.operator)  # not filed through the MFC


def test_a_bank_does_not_file_complaints(world: World) -> None:  # noqa: F811
    application = world.file('taxpayer_cabinet', actor=world.bank_user, channel='partner', on_behalf={'name': 'Клиент'})
    with pytest.raises(Forbidden):
        file(world, application, actor=world.bank_user)


def test_upheld_with_the_remedy_notifies_and_journals(world: World) -> None:  # noqa: F811
    complaint = file(world, world.file())
    with atomic():
        decide_complaint(world.executor, complaint, {'decision': 'upheld', 'text': 'Услуга предоставлена.'})
    assert complaint.status == ComplaintStatus.upheld
    assert complaint.decision_text == 'Услуга предоставлена.'
    assert complaint.decided_by_id == world.executor.id
    assert actions(complaint) == ['complaint.file', 'complaint.upheld']
    assert db.session.get(Card, complaint.card_id).status == CardStatus.executed
    assert 'удовлетворена. Услуга предоставлена.' in notifications(world.applicant.id)[-1].text
    with pytest.raises(Conflict), atomic():
        decide_complaint(world.executor, complaint, {'decision': 'rejected', 'text': 'Нет.'})


def test_rejected_needs_reasons_and_a_known_decision(world: World) -> None:  # noqa: F811
    complaint = file(world, world.file())
    with pytest.raises(ValidationFailed) as error, atomic():
        decide_complaint(world.executor, complaint, {'decision': 'maybe', 'text': ''})
    assert '«Решение»: допустимо upheld' in error.value.fields['decision']
    with pytest.raises(ValidationFailed) as error, atomic():
        decide_complaint(world.executor, complaint, {'decision': 'rejected', 'text': ''})
    assert error.value.fields['text'] == '«Причины отказа»: обязательное поле.'
    with atomic():
        decide_complaint(world.executor, complaint, {'decision': 'rejected', 'text': 'Срок не нарушен.'})
    assert complaint.status == ComplaintStatus.rejected
    assert 'отклонена. Срок не нарушен.' in notifications(world.applicant.id)[-1].text


def test_another_agency_neither_sees_nor_decides(world: World) -> None:  # noqa: F811
    complaint = file(world, world.file())
    with pytest.raises(ComplaintNotFound):
        get_complaint(world.tax_executor, complaint.id)
    with pytest.raises(ComplaintNotFound), atomic():
        decide_complaint(world.tax_executor, complaint, {'decision': 'upheld', 'text': 'Да.'})
    with pytest.raises(Forbidden), atomic():
        decide_complaint(world.assistant, complaint, {'decision': 'upheld', 'text': 'Да.'})
    with pytest.raises(ComplaintNotFound):
        get_complaint(world.other_applicant, complaint.id)
    assert get_complaint(world.applicant, complaint.id).id == complaint.id
    assert get_complaint(world.clerk, complaint.id).id == complaint.id


def test_lists_and_overdue(world: World) -> None:  # noqa: F811
    complaint = file(world, world.file())
    assert [item.id for item in list_complaints(world.applicant)] == [complaint.id]
    assert [item.id for item in list_complaints(world.executor)] == [complaint.id]
    assert list_complaints(world.tax_executor) == []
    assert list_complaints(world.other_applicant) == []
    assert not is_overdue(complaint, complaint.deadline)
    assert is_overdue(complaint, date(2100, 1, 1))


@pytest.mark.parametrize(
    'raw',
    [
        {'kind': {'a': 1}, 'text': TEXT},
        {'kind': ['service_term'], 'text': TEXT},
        {'kind': 'service_term', 'text': ['x']},
        {'kind': 'service_term', 'text': 'a\x00b'},
        {'kind': 'service_term', 'text': TEXT, 'application_id': 5},
    ],
)
def test_garbage_is_refused_as_a_validation_error(world: World, raw: dict) -> None:  # noqa: F811
    application = world.file()
    with pytest.raises(ValidationFailed), atomic():
        file_complaint(world.applicant, application, raw)


def test_morning_reminders_tell_the_deciding_staff_once_a_day(world: World) -> None:  # noqa: F811
    due, late, decided = (file(world, world.file()) for _ in range(3))
    with atomic():
        decide_complaint(world.executor, decided, {'decision': 'upheld', 'text': 'Исправлено.'})
        late.deadline = due.deadline - timedelta(days=3)
        decided.deadline = late.deadline
    with atomic():
        created = remind(due.deadline)
    texts = [item.text for item in notifications(world.manager.id)]
    assert f'Сегодня, {due.deadline:%d.%m.%Y}, истекает срок рассмотрения жалобы № {due.number}.' in texts
    assert f'Просрочено рассмотрение жалобы № {late.number}: срок истёк {late.deadline:%d.%m.%Y}.' in texts
    assert not [text for text in texts if decided.number in text]
    assert notifications(world.assistant.id) == []  # not a deciding role
    assert created == 2 * 3  # two complaints, each to the agency's executor, clerk and manager
    with atomic():
        assert remind(due.deadline) == 0
    assert send_reminders() >= 0
    assert notifications(world.tax_executor.id) == []
