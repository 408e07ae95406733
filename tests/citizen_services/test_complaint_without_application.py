"""A complaint without an application (210-ФЗ ст. 11.1 п. 4: the documents were not accepted, nothing was registered):
the applicant chooses the service and an agency providing it; the complaint is registered there as a citizen appeal
card with its own term and no link to an application card, with its files; an agency that does not provide the
service (or an unknown service, or a provider turned off) is refused with the field named and nothing stored; an MFC
operator names the visitor (whose portal account, found by СНИЛС, then sees it); a bank or an agency's official does
not file complaints; the applicant files in their own name only."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.citizen_services.models import ServiceProvider
from edms.citizen_services.models.complaints import Complaint, ComplaintKind
from edms.citizen_services.operations import UploadedFile
from edms.citizen_services.operations.complaints import file_service_complaint
from edms.citizen_services.queries.complaints import complaint_agencies, complaint_deadline, list_complaints
from edms.core.calendar import business_calendar
from edms.core.db import db
from edms.core.errors import Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.registry.models import Attachment, Card, CardKind, CardStatus
from tests.citizen_services import samples
from tests.citizen_services.conftest import PDF_BYTES, World, blob_count, count, world  # noqa: F401

TEXT = 'В МФЦ отказали принять заявление о регистрации по месту пребывания без объяснения причин.'


def raw(world: World, **changes) -> dict:  # noqa: F811
    values = {
        'service': 'temporary_registration',
        'organization_id': world.migration.id,
        'kind': 'documents_refused',
        'text': TEXT,
    }
    return {**values, **changes}


def filed(actor, values: dict, files: list[UploadedFile] = ()) -> Complaint:
    with atomic():
        return file_service_complaint(actor, values, list(files))


def refused(actor, values: dict, files: list[UploadedFile] = ()) -> dict[str, str]:
    before = blob_count(), count(Card), count(Complaint)
    with pytest.raises(ValidationFailed) as error:
        filed(actor, values, files)
    assert (blob_count(), count(Card), count(Complaint)) == before
    return error.value.fields


def test_the_applicant_complains_to_a_provider_of_the_service(world: World) -> None:  # noqa: F811
    scan = UploadedFile('files', 'отказ.pdf', io.BytesIO(PDF_BYTES))
    complaint = filed(world.applicant, raw(world), [scan])
    assert complaint.application_id is None
    assert (complaint.service_code, complaint.organization_id) == ('temporary_registration', world.migration.id)
    assert (complaint.applicant_user_id, complaint.applicant_name) == (world.applicant.id, world.applicant.full_name)
    assert complaint.filed_via_organization_id is None
    expected = complaint_deadline(business_calendar(), ComplaintKind.documents_refused, complaint.registered_on)
    assert (complaint.deadline, complaint.deadline_explanation) == (expected.date, expected.explanation)
    assert 'в течение 5 рабочих дней' in complaint.deadline_explanation
    card = db.session.get(Card, complaint.card_id)
    assert (card.kind, card.status, card.organization_id) == (
        CardKind.citizen_appeal,
        CardStatus.registered,
        world.migration.id,
    )
    assert card.reg_number.startswith('ОГ-')
    assert card.links == []
    assert 'по услуге «' in card.summary
    assert '(заявление не зарегистрировано)' in card.summary
    assert f'Срок рассмотрения жалобы по 210-ФЗ (а не 30 дней по 59-ФЗ) — {complaint.deadline:%d.%m.%Y}' in card.summary
    [attachment] = db.session.execute(select(Attachment).where(Attachment.card_id == card.id)).scalars()
    assert attachment.id == complaint.files[0].attachment_id
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == 'complaint.file', AuditEntry.object_id == str(complaint.id))
    ).scalar_one()
    assert (entry.data['application'], entry.data['service'], entry.data['files']) == (
        None,
        'temporary_registration',
        1,
    )
    [note] = db.session.execute(select(Notification).where(Notification.user_id == world.applicant.id)).scalars()
    assert complaint.number in note.text
    assert [item.id for item in list_complaints(world.applicant)] == [complaint.id]
    assert [item.id for item in list_complaints(world.executor, 'agency')] == [complaint.id]


def test_the_agencies_of_a_service_are_its_active_providers(world: World) -> None:  # noqa: F811
    assert [item.id for item in complaint_agencies('temporary_registration')] == [world.migration.id]
    assert [item.id for item in complaint_agencies('taxpayer_cabinet')] == [world.tax.id]
    assert complaint_agencies('no_such_service') == []


def test_an_agency_not_providing_the_service_is_refused(world: World) -> None:  # noqa: F811
    scan = UploadedFile('files', 'отказ.pdf', io.BytesIO(PDF_BYTES))
    fields = refused(world.applicant, raw(world, organization_id=world.tax.id), [scan])
    assert fields == {
        'organization_id': '«Ведомство»: не предоставляет услугу «Регистрация по месту пребывания»; выберите '
        'ведомство, предоставляющее её.'
    }


def test_a_provider_turned_off_is_refused(world: World) -> None:  # noqa: F811
    with atomic():
        provider = db.session.execute(
            select(ServiceProvider).where(ServiceProvider.organization_id == world.migration.id)
        ).scalar_one()
        provider.is_active = False
    assert 'organization_id' in refused(world.applicant, raw(world))


def test_missing_and_unknown_fields_are_named(world: World) -> None:  # noqa: F811
    fields = refused(world.applicant, {'service': 'no_such', 'organization_id': 'x', 'kind': '', 'text': '', 'a': 1})
    assert fields['service'] == '«Услуга»: нет услуги с кодом «no_such» в каталоге.'
    assert fields['organization_id'] == '«Ведомство»: ожидается целое число.'
    assert fields['kind'] == '«Основание жалобы»: обязательное поле.'
    assert fields['text'] == '«Текст жалобы»: обязательное поле.'
    assert fields['a'] == 'Неизвестное поле «a».'
    assert set(refused(world.applicant, {})) == {'service', 'organization_id', 'kind', 'text'}


def test_the_applicant_complains_in_their_own_name_only(world: World) -> None:  # noqa: F811
    fields = refused(world.applicant, raw(world, on_behalf={'name': 'Петров Пётр Петрович'}))
    assert fields == {'on_behalf': '«Заявитель»: через портал жалоба подаётся от своего имени.'}


def test_the_mfc_names_the_visitor_whose_account_then_sees_the_complaint(world: World) -> None:  # noqa: F811
    visitor = {'name': '  Иванов   Иван Иванович ', 'snils': samples.SNILS}
    complaint = filed(world.operator, raw(world, on_behalf=visitor))
    assert complaint.applicant_name == 'Иванов Иван Иванович'
    assert complaint.applicant_user_id == world.applicant.id
    assert (complaint.filed_by_id, complaint.filed_via_organization_id) == (world.operator.id, world.mfc.id)
    assert db.session.get(Card, complaint.card_id).delivery_method.value == 'mfc'
    assert [item.id for item in list_complaints(world.operator)] == [complaint.id]
    assert [item.id for item in list_complaints(world.applicant)] == [complaint.id]
    stranger = filed(world.operator, raw(world, on_behalf={'name': 'Сидоров Сидор'}))
    assert stranger.applicant_user_id is None
    assert list_complaints(world.other_applicant) == []


def test_the_mfc_must_name_the_visitor_correctly(world: World) -> None:  # noqa: F811
    assert refused(world.operator, raw(world)) == {
        'on_behalf.name': '«Заявитель: ФИО или наименование»: обязательное поле.'
    }
    fields = refused(world.operator, raw(world, on_behalf={'name': 'Иванов', 'snils': '123'}))
    assert set(fields) == {'on_behalf.snils'}
    assert set(refused(world.operator, raw(world, on_behalf='Иванов'))) == {'on_behalf'}


@pytest.mark.parametrize('who', ['bank_user', 'executor', 'sysadmin'])
def test_only_an_applicant_or_an_mfc_files_a_complaint(world: World, who: str) -> None:  # noqa: F811
    with pytest.raises(Forbidden), atomic():
        file_service_complaint(getattr(world, who), raw(world))
    assert count(Complaint) == 0
