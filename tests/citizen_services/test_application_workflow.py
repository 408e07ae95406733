"""After filing: clarification and resubmission (the clock stops and the deadline moves with its explanation),
approval with the result and refusal with reasons, each change notified and kept in the history; access: another
applicant's or agency's application does not exist for them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationInvalid, ApplicationNotFound, ApplicationStateConflict
from edms.citizen_services.models import Application
from edms.citizen_services.operations import approve, refuse, request_clarification, resubmit
from edms.citizen_services.queries import ApplicationFilter, get_application, list_applications
from edms.core.calendar import business_calendar
from edms.core.db import db
from edms.core.errors import Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.registry.models import Attachment
from tests.citizen_services import samples
from tests.citizen_services.conftest import PDF_BYTES, World, pdf

MONDAY = date(2026, 11, 9)  # a past Monday: the card refuses dates ahead of today


def texts_of(user_id: int) -> list[str]:
    query = select(Notification.text).where(Notification.user_id == user_id).order_by(Notification.id)
    return list(db.session.execute(query).scalars())


def history(application: Application) -> list[tuple[str | None, str]]:
    db.session.refresh(application)
    return [(event.from_status, event.to_status) for event in application.events]


def on_day(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """The workflow's local date (deadlines, clarification) is `day`."""
    monkeypatch.setattr('edms.citizen_services.operations.common.local_today', lambda timezone: day)


def test_clarification_stops_the_clock_and_the_resubmission_moves_the_deadline(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_day(monkeypatch, MONDAY)
    application = world.file()
    first_deadline = application.deadline
    on_day(monkeypatch, MONDAY + timedelta(days=1))
    with atomic():
        request_clarification(world.executor, application, 'Приложите договор аренды целиком.')
    assert (application.status, application.clarification_requested_on) == (
        'clarification_required',
        MONDAY + timedelta(days=1),
    )
    on_day(monkeypatch, MONDAY + timedelta(days=8))
    data = samples.with_value(samples.temporary_registration(), 'contacts.phone', '+7 999 111-22-33')
    with atomic():
        resubmit(world.applicant, application, data, [pdf('residence_right', b'full lease')])
    expected = get_service('temporary_registration').deadlines.after_clarification(
        business_calendar(), first_deadline, MONDAY + timedelta(days=1), MONDAY + timedelta(days=8)
    )
    assert (application.status, application.deadline) == ('in_progress', expected.date)
    assert application.deadline > first_deadline + timedelta(days=7)
    assert application.deadline_explanation.startswith('Требовалось уточнение сведений: 10.11.2026 до срока')
    assert 'срок продлён на 2 рабочих дня' in application.deadline_explanation
    assert application.values['contacts']['phone'] == '+7 999 111-22-33'
    assert history(application) == [(None, 'in_progress'), ('in_progress', 'clarification_required'),
                                    ('clarification_required', 'in_progress')]  # fmt: skip
    assert 'Требуется уточнение. Приложите договор аренды целиком.' in texts_of(world.applicant.id)[1]


def test_resubmission_replaces_only_the_slots_it_sends(world: World) -> None:
    application = world.file()
    with atomic():
        request_clarification(world.executor, application, 'Новый договор.')
        resubmit(world.applicant, application, samples.temporary_registration(), [pdf('residence_right', b'v2')])
    current = sorted((row.kind, row.replaced_at is None) for row in application.files)
    assert current == [('identity_document', True), ('owner_consent', True), ('residence_right', False),
                       ('residence_right', True)]  # fmt: skip
    card_files = db.session.execute(select(Attachment).where(Attachment.card_id == application.card_id)).scalars()
    assert sum('исправленное заявление' in attachment.description for attachment in card_files) == 1


def test_invalid_resubmission_names_every_problem_and_keeps_the_clarification(world: World) -> None:
    application = world.file()
    with atomic():
        request_clarification(world.executor, application, 'Уточните телефон.')
    data = samples.with_value(samples.temporary_registration(), 'contacts.phone', '12')
    data = samples.with_value(data, 'contacts.email', 'нет')
    with pytest.raises(ApplicationInvalid) as raised, atomic():
        resubmit(world.applicant, application, data)
    assert [problem.field for problem in raised.value.problems] == ['contacts.phone', 'contacts.email']
    assert get_application(world.applicant, application.id).status == 'clarification_required'


def test_resubmission_without_a_request_is_a_conflict(world: World) -> None:
    application = world.file()
    with pytest.raises(ApplicationStateConflict), atomic():
        resubmit(world.applicant, application, samples.temporary_registration())


def test_approval_attaches_the_result_and_notifies_the_applicant(world: World) -> None:
    application = world.file()
    with atomic():
        approve(world.executor, application, PDF_BYTES + b'certificate', comment='Свидетельство готово.')
    result = db.session.get(Attachment, application.result_attachment_id)
    assert result is not None
    assert result.card_id == application.card_id
    assert (result.description, result.created_by_id) == (
        'Свидетельство о регистрации по месту пребывания',
        world.executor.id,
    )
    assert (application.status, application.decided_at is not None) == ('done', True)
    assert history(application)[-1] == ('in_progress', 'done')
    assert 'Одобрено. Свидетельство готово.' in texts_of(world.applicant.id)[-1]


def test_approval_with_a_result_that_is_not_a_pdf_is_refused(world: World) -> None:
    application = world.file()
    with pytest.raises(ValidationFailed) as raised, atomic():
        approve(world.executor, application, b'\x89PNG\r\n\x1a\n' + b'\x00' * 64)
    assert 'result' in raised.value.fields
    assert get_application(world.executor, application.id).status == 'in_progress'


def test_refusal_names_every_reason_from_the_services_list(world: World) -> None:
    application = world.file()
    with atomic():
        request_clarification(world.executor, application, 'Уточните адрес.')
        refuse(world.manager, application, ['address_mismatch', 'no_owner_consent'], 'Повторная подача возможна.')
    assert (application.status, application.refusal_reasons) == ('refused', ['address_mismatch', 'no_owner_consent'])
    text = texts_of(world.applicant.id)[-1]
    assert 'Отказано. Причины отказа: Адрес, указанный в заявлении, не соответствует' in text
    assert 'Собственник помещения не дал согласия на регистрацию. Повторная подача возможна.' in text
    assert history(application)[-1] == ('clarification_required', 'refused')


@pytest.mark.parametrize('reasons', [[], ['no_such_reason'], 'egrul_mismatch', [1]])
def test_refusal_without_a_reason_of_the_list_is_refused(world: World, reasons: object) -> None:
    application = world.file()
    with pytest.raises(ValidationFailed) as raised, atomic():
        refuse(world.executor, application, reasons)  # type: ignore[arg-type]
    assert 'reasons' in raised.value.fields


def test_a_decided_application_cannot_be_decided_again(world: World) -> None:
    application = world.file()
    with atomic():
        refuse(world.executor, application, 'personal_data')
    with pytest.raises(ApplicationStateConflict), atomic():
        approve(world.executor, application)
    with pytest.raises(ApplicationStateConflict), atomic():
        request_clarification(world.executor, application, 'Ещё вопрос.')


def test_another_applicant_does_not_see_or_resubmit_the_application(world: World) -> None:
    application = world.file()
    with pytest.raises(ApplicationNotFound):
        get_application(world.other_applicant, application.id)
    with atomic():
        request_clarification(world.executor, application, 'Уточните.')
    with pytest.raises(ApplicationNotFound), atomic():
        resubmit(world.other_applicant, application, samples.temporary_registration())


def test_another_agency_does_not_see_or_decide_the_application(world: World) -> None:
    application = world.file()
    with pytest.raises(ApplicationNotFound):
        get_application(world.tax_executor, application.id)
    with pytest.raises(ApplicationNotFound), atomic():
        approve(world.tax_executor, application)
    with pytest.raises(ApplicationNotFound), atomic():
        refuse(world.operator, application, 'personal_data')


def test_staff_without_a_deciding_role_sees_but_may_not_decide(world: World) -> None:
    application = world.file()
    assert get_application(world.assistant, application.id).id == application.id
    with pytest.raises(Forbidden), atomic():
        approve(world.assistant, application)


def test_lists_of_the_applicant_the_agency_and_the_mfc(world: World) -> None:
    own = world.file()
    taxpayer = world.file('taxpayer_cabinet')
    via_mfc = world.file(actor=world.operator, channel='mfc', on_behalf={'name': 'Гость'})
    with atomic():
        refuse(world.tax_executor, taxpayer, 'inn_not_found')

    def ids(user, **filters) -> list[int]:  # type: ignore[no-untyped-def]
        return [item.id for item in list_applications(user, ApplicationFilter(**filters)).items]

    assert ids(world.applicant) == [via_mfc.id, taxpayer.id, own.id]
    assert ids(world.applicant, status='refused') == [taxpayer.id]
    assert ids(world.applicant, service='temporary_registration') == [via_mfc.id, own.id]
    assert ids(world.applicant, date_from=date.today() + timedelta(days=2)) == []
    assert ids(world.executor) == [via_mfc.id, own.id]
    assert ids(world.operator) == [via_mfc.id]
    assert ids(world.other_applicant) == []
    page = list_applications(world.applicant, ApplicationFilter(per_page=2))
    assert (len(page.items), page.has_next) == (2, True)
