"""The life of a stay registration certificate: its validity set on approval from the service's data, the derived
«expired», the extension (a new application of the same service checked by its own rules, decided within its own
term, the previous result marked extended), the applicant's request to end early and the official's annulment (signed
with the official's certificate: `test_stay_annulment_notice` checks the notice itself)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.citizen_services.catalogue.definition import ResultValidity
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationInvalid, ApplicationNotFound, ApplicationStateConflict
from edms.citizen_services.models import Application
from edms.citizen_services.operations import approve, refuse, request_clarification, resubmit
from edms.citizen_services.operations.stay import annul, request_early_end, request_extension
from edms.citizen_services.queries.stay import validity_of
from edms.citizen_services.services.temporary_registration import SERVICE, VALIDITY
from edms.core.calendar import business_calendar
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from tests.citizen_services import annulment_signer, samples
from tests.citizen_services.annulment_signer import Signer
from tests.citizen_services.conftest import PDF_BYTES, World, pdf

START = samples.START  # 10.03.2026
END = START + timedelta(days=89)  # 07.06.2026
DURING = END - timedelta(days=5)  # a day of the registration, in the past of the real clock
NEW_START = END + timedelta(days=1)
signer = annulment_signer.signer  # the fixture: the executor with a certificate for the annulment's notice


def on_day(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr('edms.citizen_services.operations.common.local_today', lambda timezone: day)


def texts_of(user_id: int) -> list[str]:
    query = select(Notification.text).where(Notification.user_id == user_id).order_by(Notification.id)
    return list(db.session.execute(query).scalars())


def actions(application: Application) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.object_id == str(application.id)).order_by(AuditEntry.id)
    return [action for action in db.session.execute(query).scalars() if action.startswith('application.')]


def approved(world: World, **options: object) -> Application:
    application = world.file(**options)  # type: ignore[arg-type]
    with atomic():
        approve(world.executor, application, PDF_BYTES + b'certificate')
    return application


def consent(signed: date) -> list[object]:
    return [samples.qualified('owner_consent', signed=signed, sent=signed)]


def extend(world: World, previous: Application, end: str, *, signed: date | None = None, actor=None) -> Application:
    with atomic():
        return request_extension(
            actor or world.applicant,
            previous,
            {'end_date': end},
            [pdf('owner_consent', b'new consent')],
            signatures=consent(signed or DURING),  # type: ignore[arg-type]
        )


def test_approval_sets_the_validity_from_the_services_data(world: World) -> None:
    application = approved(world)
    assert (application.valid_from, application.valid_until) == (START, END)
    validity = validity_of(application, END - timedelta(days=2))
    assert validity is not None
    assert (validity.state, validity.label, validity.days_left) == ('valid', 'Действует', 3)
    assert validity.may_extend
    assert validity.may_annul
    assert 'application.validity' in actions(application)


def test_a_valid_result_past_its_last_day_is_expired(world: World) -> None:
    application = approved(world)
    validity = validity_of(application, END + timedelta(days=1))
    assert validity is not None
    assert (validity.state, validity.label, validity.days_left) == ('expired', 'Срок действия истёк', None)
    assert validity.may_extend  # seed 001: «Продление» after the end too
    assert not validity.may_annul
    assert not validity.may_request_early_end


def test_refused_applications_and_services_without_validity_have_none(world: World) -> None:
    refused = world.file()
    with atomic():
        refuse(world.executor, refused, ['personal_data'])
    taxpayer = world.file('taxpayer_cabinet')
    with atomic():
        approve(world.tax_executor, taxpayer)
    assert refused.result_state is None
    assert validity_of(refused, DURING) is None
    assert taxpayer.valid_until is None
    assert validity_of(taxpayer, DURING) is None


def test_a_validity_must_name_fields_of_the_service_and_list_annulment_reasons() -> None:
    service = get_service('temporary_registration')
    assert service.validity is not None
    with pytest.raises(ValueError, match='validity period'):
        dataclasses.replace(service, validity=dataclasses.replace(service.validity, end='stay.finish'))
    with pytest.raises(ValueError, match='annulment reasons'):
        dataclasses.replace(service, validity=ResultValidity('stay.start_date', 'stay.end_date'))


def test_extension_is_a_new_application_prefilled_and_decided_within_a_working_day(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = approved(world)
    on_day(monkeypatch, DURING)  # Tuesday 02.06.2026
    extension = extend(world, previous, '05.09.2026')
    assert extension.extends_id == previous.id
    assert extension.status == 'in_progress'
    assert extension.values['stay']['start_date'] == NEW_START.isoformat()
    assert extension.values['stay']['end_date'] == '2026-09-05'
    assert extension.values['applicant']['last_name'] == 'Петров'
    assert sorted(file.kind for file in extension.current_files) == [
        'identity_document',
        'owner_consent',
        'residence_right',
    ]
    assert extension.deadline == DURING + timedelta(days=1)
    assert 'рассмотрения заявления о продлении' in extension.deadline_explanation
    [filed] = extension.events  # filed under the extension's own term: one event, saying so
    assert filed.comment.startswith(f'Продление регистрации по заявлению № {previous.number} до 05.09.2026: ')
    assert filed.comment.endswith(f'срок предоставления услуги — {extension.deadline:%d.%m.%Y}.')
    assert sum(extension.number in text for text in texts_of(world.applicant.id)) == 2  # filed; previous told
    validity = validity_of(previous, DURING)
    assert validity is not None
    assert validity.pending_extension == extension
    assert not validity.may_extend
    with atomic():
        approve(world.executor, extension, PDF_BYTES + b'extended')
    db.session.refresh(previous)
    assert (previous.result_state, previous.extended_by_id) == ('extended', extension.id)
    assert (extension.valid_from, extension.valid_until) == (NEW_START, date(2026, 9, 5))
    note = validity_of(previous, DURING)
    assert note is not None
    assert note.note == f'Продлено до 05.09.2026 по заявлению № {extension.number}.'
    assert any('Срок действия продлён до 05.09.2026' in text for text in texts_of(world.applicant.id))


def test_a_clarification_of_an_extension_moves_the_extensions_own_term(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = approved(world)
    on_day(monkeypatch, DURING)  # Tuesday 02.06.2026
    extension = extend(world, previous, '05.09.2026')
    with atomic():
        request_clarification(world.executor, extension, 'Приложите согласие собственника с подписью.')
    on_day(monkeypatch, DURING + timedelta(days=2))  # Thursday
    with atomic():
        resubmit(world.applicant, extension, samples.temporary_registration(), [pdf('owner_consent', b'again')])
    plans = VALIDITY.extension.deadlines, SERVICE.deadlines  # type: ignore[union-attr]
    own, main = (
        plan.after_clarification(business_calendar(), DURING + timedelta(days=1), DURING, DURING + timedelta(days=2))
        for plan in plans
    )
    assert own.date != main.date
    assert (extension.deadline, extension.deadline_explanation) == (own.date, own.explanation)


def test_an_mfc_operator_extends_for_the_applicant_of_an_mfc_application(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = approved(world, actor=world.operator, channel='mfc', on_behalf={'snils': samples.SNILS})
    on_day(monkeypatch, DURING)
    extension = extend(world, previous, '01.07.2026', actor=world.operator)
    assert (extension.channel, extension.filed_via_organization_id) == ('mfc', world.mfc.id)
    assert extension.applicant_snils == previous.applicant_snils


def test_more_than_90_days_per_certificate_is_refused_on_the_new_end_date(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = approved(world)
    on_day(monkeypatch, DURING)
    with pytest.raises(ApplicationInvalid) as raised:
        extend(world, previous, '06.09.2026')
    assert '90 дней' in raised.value.fields['end_date']
    assert '«Дата окончания регистрации»' in raised.value.fields['end_date']
    assert previous.extended_by_id is None
    assert validity_of(previous, DURING).may_extend


def test_a_consent_older_than_30_days_before_the_new_start_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = approved(world)
    on_day(monkeypatch, DURING)
    with pytest.raises(ApplicationInvalid) as raised:
        extend(world, previous, '01.08.2026', signed=NEW_START - timedelta(days=31))
    assert 'ранее чем за 30 дней' in raised.value.fields['signatures.owner_consent']


def test_the_owners_consent_must_be_given_anew(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = approved(world)
    on_day(monkeypatch, DURING)
    with pytest.raises(ApplicationInvalid) as raised, atomic():
        request_extension(world.applicant, previous, {'end_date': '01.08.2026'})
    assert 'attachments.owner_consent' in raised.value.fields


@pytest.mark.parametrize(
    ('end', 'message'),
    [('', 'обязательное поле'), ('2026/08/01', 'ДД.ММ.ГГГГ'), ('07.06.2026', 'позже окончания действующей')],
)
def test_the_new_end_date_is_required_well_formed_and_after_the_current_end(
    world: World, monkeypatch: pytest.MonkeyPatch, end: str, message: str
) -> None:
    previous = approved(world)
    on_day(monkeypatch, DURING)
    with pytest.raises(ValidationFailed) as raised:
        extend(world, previous, end)
    assert message in raised.value.fields['end_date']
    assert '«Новая дата окончания»' in raised.value.fields['end_date']


def test_an_expired_registration_is_extended_from_the_day_of_filing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = approved(world)
    filed_on = END + timedelta(days=10)  # Wednesday 17.06.2026
    on_day(monkeypatch, filed_on)
    validity = validity_of(previous, filed_on)
    assert validity is not None
    assert (validity.state, validity.may_extend) == ('expired', True)
    extension = extend(world, previous, '01.09.2026', signed=filed_on)
    assert extension.extends_id == previous.id
    assert extension.values['stay']['start_date'] == filed_on.isoformat()
    assert not validity_of(previous, filed_on).may_extend  # type: ignore[union-attr]
    with atomic():
        approve(world.executor, extension, PDF_BYTES + b'extended')
    db.session.refresh(previous)
    assert (previous.result_state, previous.extended_by_id) == ('extended', extension.id)
    assert (extension.valid_from, extension.valid_until) == (filed_on, date(2026, 9, 1))
    with pytest.raises(ApplicationStateConflict, match='уже продлена'):
        extend(world, previous, '02.09.2026', signed=filed_on)


def test_an_expired_registrations_extension_keeps_the_90_days_and_a_new_end_after_the_filing_day(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = approved(world)
    filed_on = END + timedelta(days=10)
    on_day(monkeypatch, filed_on)
    with pytest.raises(ValidationFailed) as raised:
        extend(world, previous, '10.06.2026', signed=filed_on)
    assert 'не раньше начала нового срока (17.06.2026' in raised.value.fields['end_date']
    with pytest.raises(ApplicationInvalid) as invalid:
        extend(world, previous, '01.12.2026', signed=filed_on)
    assert [problem.field for problem in invalid.value.problems] == ['end_date']


def test_an_annulled_registration_is_not_extended_after_its_end_either(
    world: World, monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    previous = approved(world)
    on_day(monkeypatch, DURING)
    with atomic():
        annul(signer.user, previous, 'owner_withdrawal', **signer.credentials)
    on_day(monkeypatch, END + timedelta(days=1))
    assert not validity_of(previous, END + timedelta(days=1)).may_extend  # type: ignore[union-attr]
    with pytest.raises(ApplicationStateConflict, match='аннулирована'):
        extend(world, previous, '01.08.2026', signed=END)


def test_a_pending_or_foreign_registration_is_not_extended(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = approved(world)
    on_day(monkeypatch, DURING)
    with pytest.raises(ApplicationNotFound):
        extend(world, previous, '01.08.2026', actor=world.other_applicant)
    extend(world, previous, '01.08.2026')
    with pytest.raises(ApplicationStateConflict, match='уже подано'):
        extend(world, previous, '02.08.2026')


def test_annulment_names_the_reason_notifies_and_forbids_extension(
    world: World, monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    with atomic():
        annul(signer.user, application, 'court_decision', 'Решение суда № 2-123/2026', **signer.credentials)
    assert (application.result_state, application.annulled_on) == ('annulled', DURING)
    assert application.annulled_by_id == world.executor.id
    validity = validity_of(application, DURING)
    assert validity is not None
    assert validity.state == 'annulled'
    expected = (
        'Аннулировано с 02.06.2026 по причине: вступившее в законную силу решение суда. Решение суда № 2-123/2026'
    )
    assert validity.note == expected
    assert expected in texts_of(world.applicant.id)[-1]
    assert 'application.annul' in actions(application)
    with pytest.raises(ApplicationStateConflict, match='аннулирована'):
        extend(world, application, '01.08.2026')
    with pytest.raises(ApplicationStateConflict, match='аннулирована'), atomic():
        annul(signer.user, application, 'court_decision', **signer.credentials)


@pytest.mark.parametrize('reason', ['', 'whim', None])
def test_annulment_needs_a_reason_of_the_list(world: World, monkeypatch: pytest.MonkeyPatch, reason: object) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    with pytest.raises(ValidationFailed) as raised, atomic():
        annul(world.executor, application, reason, 'x' * 5000, certificate_id='', password='')
    assert '«Причина аннулирования»' in raised.value.fields['reason']
    assert '«Комментарий»' in raised.value.fields['comment']
    assert '«Сертификат»' in raised.value.fields['certificate_id']
    assert '«Пароль к контейнеру ключа»' in raised.value.fields['password']
    assert application.result_state == 'valid'


def test_another_agency_or_the_applicant_cannot_annul(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    with pytest.raises(ApplicationNotFound), atomic():
        annul(world.tax_executor, application, 'court_decision', certificate_id=1, password='x')
    with pytest.raises(ApplicationNotFound), atomic():
        annul(world.applicant, application, 'applicant_request', certificate_id=1, password='x')


def test_an_extension_of_a_registration_annulled_meanwhile_is_not_approved(
    world: World, monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    previous = approved(world)
    on_day(monkeypatch, DURING)
    extension = extend(world, previous, '01.08.2026')
    with atomic():
        annul(signer.user, previous, 'owner_withdrawal', **signer.credentials)
    with pytest.raises(ApplicationStateConflict, match='аннулирована или продлена'), atomic():
        approve(world.executor, extension, PDF_BYTES)
    db.session.refresh(extension)
    assert extension.status == 'in_progress'
    assert extension.result_state is None


def test_the_applicant_asks_to_end_early_and_the_official_is_told(
    world: World, monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    with pytest.raises(ApplicationNotFound), atomic():
        request_early_end(world.other_applicant, application)
    with atomic():
        request_early_end(world.applicant, application, 'Уезжаю раньше.')
    assert application.early_end_comment == 'Уезжаю раньше.'
    assert 'Заявитель просит снять его с учёта досрочно: Уезжаю раньше.' in texts_of(world.executor.id)[-1]
    validity = validity_of(application, DURING)
    assert validity is not None
    assert not validity.may_request_early_end
    with pytest.raises(ApplicationStateConflict, match='уже подано'), atomic():
        request_early_end(world.applicant, application)
    with atomic():
        annul(signer.user, application, 'applicant_request', **signer.credentials)
    assert application.result_state == 'annulled'
