"""Legal entities' cabinets (seed 000): created on approval of the registration with the head as administrator, a
second approval re-binds it, staff added by СНИЛС or ИНН with a role and its default rights, roles and rights
changed, members removed, each right enforced (view, edit, delete, send), the last administrator kept, the legal
entity's applications visible to members with «view» and resubmitted by those with «send», every action in the
cabinet's journal. Every staff change is confirmed by the administrator with a one-time code (`legal_staff`); the
confirmation's own rules are in test_legal_cabinet_confirmation.py."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from edms.auth.models import User
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.models import Application
from edms.citizen_services.models.legal_cabinets import (
    DEFAULT_RIGHTS,
    LegalCabinetMember,
    LegalCabinetRight,
    LegalCabinetRole,
    LegalEntityCabinet,
)
from edms.citizen_services.operations import approve, file_application, request_clarification, resubmit
from edms.citizen_services.operations.legal_cabinets import file_for_legal_cabinet, update_legal_cabinet
from edms.citizen_services.operations.legal_cabinets_staff import (
    add_legal_cabinet_member,
    change_legal_cabinet_member,
    remove_legal_cabinet_member,
)
from edms.citizen_services.queries import ApplicationFilter, get_application, list_applications
from edms.citizen_services.queries.legal_cabinets import (
    LegalCabinetNotFound,
    get_legal_cabinet,
    legal_cabinet_journal,
    legal_cabinets_of,
)
from edms.core.db import db
from edms.core.errors import Conflict, Forbidden, ValidationFailed
from edms.core.tx import atomic
from tests.citizen_services import samples
from tests.citizen_services.conftest import World, count
from tests.citizen_services.legal_staff import PLANS, confirmed, quick_codes
from tests.factories import make_user

__all__ = ['quick_codes']
ALL = frozenset(LegalCabinetRight)
SNILS_B, INN_B = '08765430300', '773400211252'


def staff(world: World, snils: str | None = None, inn: str | None = None) -> User:
    with atomic():
        return make_user(world.portal, 'applicant', snils=snils, inn=inn)


@pytest.fixture(autouse=True)
def _codes(quick_codes: None) -> None:
    """A code for every staff change of a test."""


def act(user: User, cabinet: LegalEntityCabinet, action: Any, *args: Any, **options: Any) -> Any:
    """Run a staff or details operation as `user` in one transaction, the cabinet locked as the web does; a staff
    change confirmed by a code asked for it (a refused change is refused before the code is sent)."""
    if action in PLANS:
        return confirmed(user, cabinet, action, *args)
    with atomic():
        locked, me = get_legal_cabinet(user, cabinet.id, lock=True)
        return action(user, locked, me, *args, **options)


def member_of(cabinet: LegalEntityCabinet, user: User) -> LegalCabinetMember:
    db.session.refresh(cabinet)
    return next(row for row in cabinet.members if row.user_id == user.id)


def actions(cabinet: LegalEntityCabinet) -> list[str]:
    return [entry.action for entry in reversed(legal_cabinet_journal(cabinet))]


def test_approval_creates_the_cabinet_with_the_head_as_administrator(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    assert (cabinet.ogrn, cabinet.inn, cabinet.kpp) == (samples.OGRN, samples.INN_LEGAL, samples.KPP)
    assert cabinet.name == 'Общество с ограниченной ответственностью «Ромашка»'
    assert cabinet.legal_address == '101000, г. Москва, Москва, ул. Мясницкая, д. 10, кв./оф. 5'
    [head] = cabinet.members
    assert (head.user_id, head.role, head.rights, head.added_by_id) == (
        world.applicant.id,
        LegalCabinetRole.administrator,
        ALL,
        world.ministry_executor.id,
    )
    assert [cabinet.id for cabinet, _ in legal_cabinets_of(world.applicant)] == [cabinet.id]
    assert legal_cabinets_of(world.other_applicant) == []
    [entry] = legal_cabinet_journal(cabinet)
    assert (entry.action, entry.actor_id, entry.data['head_user_id']) == (
        'legal_cabinet.create',
        world.ministry_executor.id,
        world.applicant.id,
    )


def test_head_found_by_snils_when_filed_at_the_mfc(world: World) -> None:
    data, _, signatures = samples.legal_entity_cabinet(), [], [samples.head_signature()]
    block = {'name': 'ООО «Ромашка»'}
    with atomic():
        application = file_application(
            world.operator, 'legal_entity_cabinet', data, channel='mfc', signatures=signatures, on_behalf=block
        )
        approve(world.ministry_executor, application)
    cabinet = db.session.execute(select(LegalEntityCabinet)).scalar_one()
    assert [row.user_id for row in cabinet.members] == [world.applicant.id]


def test_without_the_heads_portal_account_the_approval_is_refused(world: World) -> None:
    application = world.file('legal_entity_cabinet')
    with atomic():
        application.applicant_user_id = None
        world.applicant.snils = world.applicant.inn = None
    with pytest.raises(Conflict, match='нет учётной записи портала'), atomic():
        approve(world.ministry_executor, get_application(world.ministry_executor, application.id))
    assert count(LegalEntityCabinet) == 0
    assert db.session.get(Application, application.id).status == 'in_progress'


def test_second_approval_for_the_same_ogrn_rebinds_the_cabinet(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    new_head = staff(world, snils=SNILS_B)
    data = samples.with_value(samples.legal_entity_cabinet(), 'head.snils', SNILS_B)
    data = samples.with_value(data, 'organization.name', 'ООО «Ромашка-2»')
    signature = samples.head_signature(snils=SNILS_B)
    with atomic():
        application = file_application(new_head, 'legal_entity_cabinet', data, channel='portal', signatures=[signature])
        approve(world.ministry_executor, application)
    db.session.refresh(cabinet)
    assert count(LegalEntityCabinet) == 1
    assert (cabinet.name, cabinet.application_id) == ('ООО «Ромашка-2»', application.id)
    roles = {row.user_id: row.role for row in cabinet.active_members}
    assert roles == {world.applicant.id: 'administrator', new_head.id: 'administrator'}
    assert actions(cabinet) == ['legal_cabinet.create', 'legal_cabinet.rebind']


@pytest.mark.parametrize('role', list(LegalCabinetRole))
def test_staff_added_by_snils_get_the_default_rights_of_their_role(world: World, role: LegalCabinetRole) -> None:
    cabinet = world.open_legal_cabinet()
    employee = staff(world, snils=SNILS_B)
    member = act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': '087-654-303 00', 'role': role.value})
    assert (member.user_id, member.role, member.rights) == (employee.id, role, DEFAULT_RIGHTS[role])
    assert member.added_by_id == world.applicant.id


def test_default_rights_per_role() -> None:
    view, edit, delete, send = LegalCabinetRight
    expected = {
        LegalCabinetRole.administrator: {view, edit, delete, send},
        LegalCabinetRole.lawyer: {view, edit, send},
        LegalCabinetRole.accountant: {view, send},
        LegalCabinetRole.operator: {view, send},
    }
    assert expected == DEFAULT_RIGHTS


def test_staff_added_by_inn_with_given_rights(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    employee = staff(world, inn=INN_B)
    raw = {'inn': INN_B, 'role': 'operator', 'rights': ['view']}
    member = act(world.applicant, cabinet, add_legal_cabinet_member, raw)
    assert (member.user_id, member.rights) == (employee.id, {LegalCabinetRight.view})


def test_adding_staff_names_every_wrong_field(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    with pytest.raises(ValidationFailed) as error:
        act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': '087-654-303 01', 'role': 'boss'})
    assert error.value.fields == {
        'snils': '«СНИЛС сотрудника»: неверное контрольное число (последние 2 цифры).',
        'role': '«Роль»: выберите одну из ролей: Администратор, Бухгалтер, Юрист, Оператор.',
    }
    with pytest.raises(ValidationFailed) as error:
        act(world.applicant, cabinet, add_legal_cabinet_member, {'role': 'lawyer', 'rights': ['view', 'fly']})
    assert set(error.value.fields) == {'snils', 'rights'}


def test_unknown_account_and_a_member_twice_are_refused(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    with pytest.raises(ValidationFailed) as error:
        act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'lawyer'})
    assert error.value.fields == {
        'snils': '«СНИЛС сотрудника»: нет учётной записи заявителя портала с СНИЛС 08765430300.'
    }
    with pytest.raises(ValidationFailed) as error:
        act(world.applicant, cabinet, add_legal_cabinet_member, {'inn': samples.INN_PERSON, 'role': 'lawyer'})
    assert error.value.fields == {'inn': '«ИНН сотрудника»: он уже в кабинете.'}


def test_only_an_administrator_with_edit_manages_staff(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    lawyer = staff(world, snils=SNILS_B)
    act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'lawyer'})
    staff(world, inn=INN_B)
    with pytest.raises(Forbidden, match='администратор кабинета'):
        act(lawyer, cabinet, add_legal_cabinet_member, {'inn': INN_B, 'role': 'operator'})


def test_role_and_rights_are_changed_and_journaled(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    employee = staff(world, snils=SNILS_B)
    member = act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'operator'})
    raw = {'role': 'accountant', 'rights': ['view', 'delete']}
    act(world.applicant, cabinet, change_legal_cabinet_member, member.id, raw)
    changed = member_of(cabinet, employee)
    assert (changed.role, changed.rights) == ('accountant', {LegalCabinetRight.view, LegalCabinetRight.delete})
    entry = legal_cabinet_journal(cabinet)[0]
    assert entry.action == 'legal_cabinet.member_change'
    assert (entry.data['before']['role'], entry.data['after']['rights']) == ('operator', ['delete', 'view'])


def test_removal_needs_delete_and_an_administrator_is_removed_only_by_one(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    employee = staff(world, snils=SNILS_B)
    member = act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'lawyer'})
    head = member_of(cabinet, world.applicant)
    with pytest.raises(Forbidden, match='«Удаление»'):
        act(employee, cabinet, remove_legal_cabinet_member, head.id)
    act(world.applicant, cabinet, change_legal_cabinet_member, member.id, {'role': 'lawyer', 'rights': ['delete']})
    with pytest.raises(Forbidden, match='только администратор'):
        act(employee, cabinet, remove_legal_cabinet_member, head.id)
    act(world.applicant, cabinet, remove_legal_cabinet_member, member.id)
    assert member_of(cabinet, employee).removed_at is not None
    with pytest.raises(LegalCabinetNotFound):
        get_legal_cabinet(employee, cabinet.id)
    assert actions(cabinet)[-1] == 'legal_cabinet.member_remove'


def test_a_member_holding_delete_who_is_not_an_administrator_removes_nobody(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    accountant = staff(world, snils=SNILS_B)
    raw = {'snils': SNILS_B, 'role': 'accountant', 'rights': ['view', 'delete']}
    act(world.applicant, cabinet, add_legal_cabinet_member, raw)
    staff(world, inn=INN_B)
    lawyer = act(world.applicant, cabinet, add_legal_cabinet_member, {'inn': INN_B, 'role': 'lawyer'})
    with pytest.raises(Forbidden, match='только администратор'):
        act(accountant, cabinet, remove_legal_cabinet_member, lawyer.id)
    assert member_of(cabinet, world.applicant).removed_at is None
    db.session.refresh(lawyer)
    assert lawyer.removed_at is None
    act(world.applicant, cabinet, remove_legal_cabinet_member, lawyer.id)
    db.session.refresh(lawyer)
    assert lawyer.removed_at is not None


def test_the_last_administrator_cannot_be_removed_or_demoted(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    head = member_of(cabinet, world.applicant)
    with pytest.raises(Conflict, match='хотя бы один администратор'):
        act(world.applicant, cabinet, remove_legal_cabinet_member, head.id)
    with pytest.raises(Conflict, match='хотя бы один администратор'):
        act(world.applicant, cabinet, change_legal_cabinet_member, head.id, {'role': 'lawyer'})
    with pytest.raises(Conflict, match='хотя бы один администратор'):
        act(world.applicant, cabinet, change_legal_cabinet_member, head.id, {'role': 'administrator', 'rights': []})
    assert member_of(cabinet, world.applicant).rights == ALL
    # With a second administrator the first may leave.
    staff(world, snils=SNILS_B)
    act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'administrator'})
    act(world.applicant, cabinet, remove_legal_cabinet_member, head.id)
    assert member_of(cabinet, world.applicant).removed_at is not None


def test_a_removed_member_is_added_again_with_the_new_role(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    employee = staff(world, snils=SNILS_B)
    member = act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'lawyer'})
    act(world.applicant, cabinet, remove_legal_cabinet_member, member.id)
    again = act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'operator'})
    assert (again.id, again.role, again.removed_at) == (member.id, 'operator', None)
    assert member_of(cabinet, employee).rights == DEFAULT_RIGHTS[LegalCabinetRole.operator]


def test_edit_right_changes_the_details(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    raw = {'legal_address': '101000, г. Москва, ул. Новая, д. 1', 'phone': '8 912 345 67 89', 'email': 'a@b.ru'}
    act(world.applicant, cabinet, update_legal_cabinet, raw)
    db.session.refresh(cabinet)
    assert (cabinet.legal_address, cabinet.phone, cabinet.email) == (raw['legal_address'], '+7 912 345-67-89', 'a@b.ru')
    entry = legal_cabinet_journal(cabinet)[0]
    assert (entry.action, entry.data['changes']['phone']['after']) == ('legal_cabinet.update', '+7 912 345-67-89')
    with pytest.raises(ValidationFailed) as error:
        act(world.applicant, cabinet, update_legal_cabinet, {'legal_address': '', 'phone': '12'})
    assert error.value.fields == {
        'legal_address': '«Юридический адрес»: обязательное поле.',
        'phone': '«Телефон»: номер в формате +7 XXX XXX-XX-XX.',
    }


def test_edit_right_is_enforced(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    employee = staff(world, snils=SNILS_B)
    act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'accountant'})
    with pytest.raises(Forbidden, match='«Редактирование»'):
        act(employee, cabinet, update_legal_cabinet, {'legal_address': 'г. Москва'})


def test_view_right_shows_the_legal_entitys_applications(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    employee = staff(world, snils=SNILS_B)
    member = act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'operator'})
    application_id = cabinet.application_id
    assert get_application(employee, application_id).id == application_id
    everything = ApplicationFilter()
    assert [row.id for row in list_applications(employee, everything).items] == []  # «mine» is own filings only
    act(world.applicant, cabinet, change_legal_cabinet_member, member.id, {'role': 'operator', 'rights': ['send']})
    with pytest.raises(ApplicationNotFound):
        get_application(employee, application_id)
    with pytest.raises(ApplicationNotFound):
        get_application(world.other_applicant, application_id)


def test_send_right_files_on_the_legal_entitys_behalf(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    employee = staff(world, snils=SNILS_B)
    member = act(world.applicant, cabinet, add_legal_cabinet_member, {'snils': SNILS_B, 'role': 'lawyer'})
    data, signatures = samples.legal_entity_cabinet(), [samples.head_signature()]
    filed = act(employee, cabinet, file_for_legal_cabinet, 'legal_entity_cabinet', data, signatures=signatures)
    assert (filed.applicant_kind, filed.applicant_inn, filed.filed_by_id) == ('legal_entity', cabinet.inn, employee.id)
    assert actions(cabinet)[-1] == 'legal_cabinet.send'
    other = samples.with_value(data, 'organization.inn', '7702070139')
    with pytest.raises(ValidationFailed) as error:
        act(employee, cabinet, file_for_legal_cabinet, 'legal_entity_cabinet', other, signatures=signatures)
    assert error.value.fields == {
        'organization.inn': '«ИНН организации»: от имени организации кабинета заявление подаётся с её ИНН '
        f'({samples.INN_LEGAL}).'
    }
    with pytest.raises(ValidationFailed) as error:
        act(employee, cabinet, file_for_legal_cabinet, 'taxpayer_cabinet', samples.taxpayer_cabinet())
    assert error.value.fields == {
        'service': '«Услуга»: «Подключение к личному кабинету налогоплательщика» не подаётся от имени организации.'
    }
    act(world.applicant, cabinet, change_legal_cabinet_member, member.id, {'role': 'lawyer', 'rights': ['view']})
    with pytest.raises(Forbidden, match='«Отправка»'):
        act(employee, cabinet, file_for_legal_cabinet, 'legal_entity_cabinet', data, signatures=signatures)


def test_another_organizations_cabinet_is_not_found(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    for user in (world.other_applicant, world.ministry_executor):
        with pytest.raises(LegalCabinetNotFound):
            get_legal_cabinet(user, cabinet.id)
    with pytest.raises(LegalCabinetNotFound):
        get_legal_cabinet(world.applicant, cabinet.id + 1000)


def test_send_right_resubmits_the_legal_entitys_application(world: World) -> None:
    cabinet = world.open_legal_cabinet()
    employee = staff(world, snils=SNILS_B)
    raw = {'snils': SNILS_B, 'role': 'operator', 'rights': ['view']}
    member = act(world.applicant, cabinet, add_legal_cabinet_member, raw)
    application = world.file('legal_entity_cabinet')
    with atomic():
        request_clarification(world.ministry_executor, application, 'Уточните юридический адрес.')
    data, signatures = samples.legal_entity_cabinet(), [samples.head_signature()]
    with pytest.raises(ApplicationNotFound), atomic():
        resubmit(employee, get_application(employee, application.id, lock=True), data, signatures=signatures)
    act(
        world.applicant,
        cabinet,
        change_legal_cabinet_member,
        member.id,
        {'role': 'operator', 'rights': ['view', 'send']},
    )
    with atomic():
        resubmit(employee, get_application(employee, application.id, lock=True), data, signatures=signatures)
    assert db.session.get(Application, application.id).status == 'in_progress'
