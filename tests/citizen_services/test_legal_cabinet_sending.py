"""The «send» right on the ordinary filing paths: once a legal entity has a cabinet, an application in its name filed
by a portal account in its own name needs that account to be a member holding «send» (refused naming the
organization otherwise, nothing stored); the first registration, a re-registration by the head it names and a filing
at the MFC on a visitor's behalf are not held to it. The staff changes are confirmed by the administrator's code."""

from __future__ import annotations

import pytest

from edms.auth.models import User
from edms.citizen_services.models import Application
from edms.citizen_services.models.legal_cabinets import LegalEntityCabinet
from edms.citizen_services.operations import file_application, request_clarification, resubmit
from edms.citizen_services.operations.legal_cabinets_sending import LegalEntitySendRefused
from edms.citizen_services.operations.legal_cabinets_staff import (
    add_legal_cabinet_member,
    change_legal_cabinet_member,
    remove_legal_cabinet_member,
)
from edms.citizen_services.queries.legal_cabinets import get_legal_cabinet
from edms.core.tx import atomic
from tests.citizen_services import samples
from tests.citizen_services.conftest import World, blob_count, count, pdf
from tests.citizen_services.legal_staff import confirmed, quick_codes
from tests.factories import make_user

__all__ = ['quick_codes']
SNILS_B = '08765430300'
REFUSAL = (
    '«ИНН организации»: у организации «Общество с ограниченной ответственностью «Ромашка»» (ИНН 7707083893) есть '
    'кабинет на портале; от её имени заявления подают сотрудники кабинета с правом «Отправка». Попросите '
    'администратора кабинета организации добавить вас или дать это право, либо кабинет заново регистрирует '
    'руководитель, указанный в заявлении.'
)


@pytest.fixture(autouse=True)
def _codes(quick_codes: None) -> None:
    """A code for every staff change of a test (each is confirmed by the administrator)."""


def employee(world: World, cabinet: LegalEntityCabinet, rights: list[str] | None) -> User:
    """A portal account added to the cabinet as an accountant with `rights` (None: not added)."""
    with atomic():
        user = make_user(world.portal, 'applicant', snils=SNILS_B)
    if rights is not None:
        raw = {'snils': SNILS_B, 'role': 'accountant', 'rights': rights}
        confirmed(world.applicant, cabinet, add_legal_cabinet_member, raw)
    return user


def set_rights(world: World, cabinet: LegalEntityCabinet, user: User, rights: list[str]) -> None:
    """The cabinet's administrator (the head) gives the member exactly `rights` (confirmed by a code)."""
    with atomic():
        locked, _ = get_legal_cabinet(world.applicant, cabinet.id)
        member_id = next(row.id for row in locked.members if row.user_id == user.id)
    raw = {'role': 'accountant', 'rights': rights}
    confirmed(world.applicant, cabinet, change_legal_cabinet_member, member_id, raw)


def file_registration(user: User, **options: object) -> Application:
    options.setdefault('channel', 'portal')
    with atomic():
        return file_application(
            user,
            'legal_entity_cabinet',
            samples.legal_entity_cabinet(),
            signatures=[samples.head_signature()],
            **options,
        )


def test_first_registration_needs_no_cabinet_right(world: World) -> None:
    application = file_registration(world.other_applicant)
    assert (application.applicant_kind, application.applicant_inn) == ('legal_entity', samples.INN_LEGAL)


def test_a_member_holding_send_files_through_the_portal(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    accountant = employee(world, cabinet, ['view', 'send'])
    application = file_registration(accountant)
    assert (application.filed_by_id, application.applicant_inn) == (accountant.id, cabinet.inn)


@pytest.mark.parametrize('rights', [None, ['view']], ids=['not a member', 'member without send'])
def test_anyone_else_is_refused_naming_the_organization(world: World, rights: list[str] | None) -> None:
    cabinet = world.open_legal_cabinet()
    user = employee(world, cabinet, rights)
    before = count(Application)
    with pytest.raises(LegalEntitySendRefused) as error:
        file_registration(user)
    assert error.value.status == 422
    assert error.value.fields == {'organization.inn': REFUSAL}
    assert error.value.message == REFUSAL
    assert count(Application) == before


def test_a_removed_member_is_refused(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    user = employee(world, cabinet, ['view', 'send'])
    with atomic():
        locked, _ = get_legal_cabinet(world.applicant, cabinet.id)
        member_id = next(row.id for row in locked.members if row.user_id == user.id)
    confirmed(world.applicant, cabinet, remove_legal_cabinet_member, member_id)
    with pytest.raises(LegalEntitySendRefused):
        file_registration(user)


def test_a_filer_who_lost_send_cannot_resubmit_after_a_clarification(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    user = employee(world, cabinet, ['view', 'send'])
    application = file_registration(user)
    with atomic():
        request_clarification(world.ministry_executor, application, 'Уточните юридический адрес.')
    set_rights(world, cabinet, user, ['view'])
    corrected = {'signatures': [samples.head_signature()]}
    with pytest.raises(LegalEntitySendRefused) as error, atomic():
        resubmit(user, application, samples.legal_entity_cabinet(), **corrected)
    assert error.value.fields == {'organization.inn': REFUSAL}
    assert application.status == 'clarification_required'
    set_rights(world, cabinet, user, ['view', 'send'])
    with atomic():
        resubmit(user, application, samples.legal_entity_cabinet(), **corrected)
    assert application.status == 'in_progress'


def test_the_refused_filings_files_are_discarded(world: World) -> None:
    outsider = employee(world, world.open_legal_cabinet(), None)
    before = blob_count()
    with pytest.raises(LegalEntitySendRefused), atomic():
        file_application(
            outsider,
            'legal_entity_cabinet',
            samples.legal_entity_cabinet(),
            [pdf('founding_documents', b'charter')],
            channel='portal',
            signatures=[samples.head_signature()],
        )
    assert blob_count() == before


def test_a_new_head_named_in_the_registration_re_registers(world: World) -> None:
    world.open_legal_cabinet()
    with atomic():
        new_head = make_user(world.portal, 'applicant', snils=SNILS_B)
    data = samples.with_value(samples.legal_entity_cabinet(), 'head.snils', SNILS_B)
    with atomic():
        application = file_application(
            new_head,
            'legal_entity_cabinet',
            data,
            channel='portal',
            signatures=[samples.head_signature(snils=SNILS_B)],
        )
    assert application.filed_by_id == new_head.id


def test_the_mfc_files_on_a_visitors_behalf_without_the_right(world: World) -> None:
    world.open_legal_cabinet()
    application = file_registration(world.operator, channel='mfc', on_behalf={'name': 'ООО «Ромашка»'})
    assert (application.filed_by_id, application.applicant_inn) == (world.operator.id, samples.INN_LEGAL)
