"""«Кабинет организации» pages: the list of the account's cabinets, the cabinet's page with its details form and the
staff's roles × rights matrix, adding, changing and removing staff, forms back filled with messages naming the
fields, the last administrator kept, the journal and the legal entity's applications, another organization's cabinet
a 404, and the link from the approved registration's page. Every staff change is confirmed on its confirmation page
by a code asked for it (`confirm_by_code`); the confirmation's own rules are in test_legal_cabinet_confirm_pages.py."""

from __future__ import annotations

import html as markup
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from edms.auth.models import User
from edms.citizen_services.models.legal_cabinets import LegalCabinetMember, LegalEntityCabinet
from edms.core.db import db
from edms.core.tx import atomic
from tests.auth.sms_gateway import notified_code
from tests.citizen_services import conftest as services
from tests.citizen_services import samples
from tests.citizen_services.conftest import World
from tests.citizen_services.legal_staff import MASKED, give_phone, quick_codes
from tests.factories import login, make_user, page_text

#: The citizen-services fixtures (the agencies, the portal, the MFC), shared.
world = services.world
__all__ = ['quick_codes', 'world']
SNILS_B = '08765430300'
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture(autouse=True)
def _codes(quick_codes: None) -> None:
    """A code for every staff change of a test."""


def confirmation_form(response: Any) -> tuple[str, MultiDict[str, str], str]:
    """The confirmation page's form: where it posts, its hidden inputs (the change), where «Получить код» posts."""
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert 'Подтверждение изменения' in page
    start = page.index('id="confirm-staff-change"')
    form = page[start : page.index('</form>', start)]
    opening = page[page.rindex('<form', 0, start) : start]
    action = re.search(r'action="([^"]+)"', opening)
    code_url = re.search(r'formaction="([^"]+)"', form)
    assert action
    assert code_url
    fields = MultiDict([(name, markup.unescape(value)) for name, value in HIDDEN.findall(form)])
    return markup.unescape(action.group(1)), fields, markup.unescape(code_url.group(1))


def confirm_by_code(client: FlaskClient, user: User, response: Any) -> Any:
    """The confirmation page answered as the administrator does: «Получить код» (the code goes to his confirmed phone,
    given when he has none), then the code typed."""
    if user.phone_confirmed_at is None:
        give_phone(user)
    action, fields, code_url = confirmation_form(response)
    sent = client.post(code_url, data=MultiDict(list(fields.items(multi=True))))
    assert sent.status_code == 200, sent.get_data(as_text=True)
    assert f'Код отправлен на ваш подтверждённый номер {MASKED}' in sent.get_data(as_text=True)
    code = notified_code(user)
    return client.post(action, data=MultiDict([*fields.items(multi=True), ('sms_code', code)]))


def members(cabinet: LegalEntityCabinet) -> dict[int, LegalCabinetMember]:
    db.session.expire_all()
    rows = db.session.execute(select(LegalCabinetMember).where(LegalCabinetMember.cabinet_id == cabinet.id)).scalars()
    return {row.user_id: row for row in rows if row.removed_at is None}


def test_the_head_sees_the_cabinet_with_its_staff_and_the_registration_links_to_it(
    client: FlaskClient, world: World
) -> None:
    cabinet = world.open_legal_cabinet()
    login(client, world.applicant)
    listed = page_text(client.get('/legal-cabinets').get_data(as_text=True))
    assert 'Общество с ограниченной ответственностью «Ромашка»' in listed
    assert f'ОГРН {samples.OGRN}' in listed
    assert 'ваша роль — Администратор' in listed
    page = client.get(f'/legal-cabinets/{cabinet.id}').get_data(as_text=True)
    assert 'name="csrf_token"' in page
    shown = page_text(page)
    assert 'Сотрудники: роли и права' in shown
    assert 'Просмотр Редактирование Удаление Отправка' in shown
    assert world.applicant.full_name in shown
    assert 'Добавить сотрудника' in shown
    application = page_text(client.get(f'/applications/{cabinet.application_id}').get_data(as_text=True))
    assert 'перейти в кабинет организации' in application
    assert 'Кабинет организации' in page_text(client.get('/applications').get_data(as_text=True))  # the nav link


def add_employee(client: FlaskClient, world: World, cabinet: LegalEntityCabinet, role: str) -> User:
    """A portal account added to the cabinet with `role` by its head through the form (the head stays logged in)."""
    with atomic():
        employee = make_user(world.portal, 'applicant', snils=SNILS_B)
    login(client, world.applicant)
    response = client.post(f'/legal-cabinets/{cabinet.id}/members', data={'snils': SNILS_B, 'role': role})
    response = confirm_by_code(client, world.applicant, response)
    assert response.status_code == 302
    return employee


def test_staff_added_changed_and_removed_through_the_forms(client: FlaskClient, world: World) -> None:
    cabinet = world.open_legal_cabinet()
    with atomic():
        employee = make_user(world.portal, 'applicant', snils=SNILS_B)
    login(client, world.applicant)
    url = f'/legal-cabinets/{cabinet.id}'
    response = client.post(f'{url}/members', data={'snils': '087-654-303 00', 'role': 'lawyer'})
    response = confirm_by_code(client, world.applicant, response)
    assert response.status_code == 302
    member = members(cabinet)[employee.id]
    assert (member.role, member.can_edit, member.can_delete) == ('lawyer', True, False)
    response = client.post(f'{url}/members/{member.id}', data={'role': 'operator', 'rights': ['view', 'delete']})
    response = confirm_by_code(client, world.applicant, response)
    assert response.status_code == 302
    member = members(cabinet)[employee.id]
    assert (member.role, member.can_view, member.can_delete, member.can_send) == ('operator', True, True, False)
    response = confirm_by_code(client, world.applicant, client.post(f'{url}/members/{member.id}/remove'))
    assert response.status_code == 302
    assert employee.id not in members(cabinet)
    journal = page_text(client.get(f'{url}/journal').get_data(as_text=True))
    for action in ('Кабинет создан по заявлению', 'Добавлен сотрудник', 'Изменены роль и права', 'Сотрудник исключён'):
        assert action in journal
    name = employee.full_name
    assert f'Добавлен сотрудник {name} — Юрист (Просмотр, Редактирование, Отправка)' in journal
    assert f'{name}: Юрист (Просмотр, Редактирование, Отправка) → Оператор (Просмотр, Удаление)' in journal
    assert f'Сотрудник исключён {name} — Оператор (Просмотр, Удаление)' in journal


def test_forms_come_back_filled_with_messages_naming_the_fields(client: FlaskClient, world: World) -> None:
    cabinet = world.open_legal_cabinet()
    login(client, world.applicant)
    url = f'/legal-cabinets/{cabinet.id}'
    response = client.post(f'{url}/members', data={'snils': '087-654-303 01', 'role': 'lawyer'})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '«СНИЛС сотрудника»: неверное контрольное число' in page
    assert 'value="087-654-303 01"' in page
    assert re.search(r'<option value="lawyer"\s+selected>', page)
    response = client.post(f'{url}/details', data={'legal_address': '', 'phone': '12', 'email': 'a@b.ru'})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '«Юридический адрес»: обязательное поле.' in page
    assert '«Телефон»: номер в формате +7 XXX XXX-XX-XX.' in page
    assert 'value="12"' in page
    assert 'value="a@b.ru"' in page
    response = client.post(url + '/details', data={'legal_address': 'г. Москва, ул. Новая, д. 1', 'phone': ''})
    assert response.status_code == 302
    assert 'г. Москва, ул. Новая, д. 1' in client.get(url).get_data(as_text=True)


def test_the_last_administrator_is_kept_with_a_message(client: FlaskClient, world: World) -> None:
    cabinet = world.open_legal_cabinet()
    head = members(cabinet)[world.applicant.id]
    login(client, world.applicant)
    response = client.post(f'/legal-cabinets/{cabinet.id}/members/{head.id}/remove', follow_redirects=True)
    assert 'должен остаться хотя бы один администратор' in response.get_data(as_text=True)
    assert world.applicant.id in members(cabinet)


def test_another_organizations_cabinet_is_a_404(client: FlaskClient, world: World) -> None:
    cabinet = world.open_legal_cabinet()
    login(client, world.other_applicant)
    assert 'Вы не состоите ни в одном кабинете' in client.get('/legal-cabinets').get_data(as_text=True)
    url = f'/legal-cabinets/{cabinet.id}'
    for path in ('', '/journal', '/applications'):
        assert client.get(url + path).status_code == 404
    assert client.post(f'{url}/details', data={'legal_address': 'x'}).status_code == 404
    assert client.post(f'{url}/members', data={'snils': SNILS_B, 'role': 'lawyer'}).status_code == 404
    assert client.get(f'/applications/{cabinet.application_id}').status_code == 404


def test_member_without_rights_is_refused_and_sees_no_forms(client: FlaskClient, world: World) -> None:
    cabinet = world.open_legal_cabinet()
    employee = add_employee(client, world, cabinet, 'accountant')
    client.post('/logout')
    login(client, employee)
    url = f'/legal-cabinets/{cabinet.id}'
    page = page_text(client.get(url).get_data(as_text=True))
    assert 'Добавить сотрудника' not in page
    assert 'Сохранить сведения' not in page
    assert client.post(f'{url}/details', data={'legal_address': 'x'}).status_code == 403
    applications = page_text(client.get(f'{url}/applications').get_data(as_text=True))
    assert 'Регистрация кабинета юридического лица' in applications
    head = members(cabinet)[world.applicant.id]
    assert client.post(f'{url}/members/{head.id}/remove').status_code == 403


def test_a_member_holding_delete_who_is_not_an_administrator_cannot_remove_staff(
    client: FlaskClient, world: World
) -> None:
    cabinet = world.open_legal_cabinet()
    employee = add_employee(client, world, cabinet, 'accountant')
    url = f'/legal-cabinets/{cabinet.id}'
    mine = members(cabinet)[employee.id]
    response = client.post(f'{url}/members/{mine.id}', data={'role': 'accountant', 'rights': ['view', 'delete']})
    confirm_by_code(client, world.applicant, response)
    assert members(cabinet)[employee.id].can_delete
    client.post('/logout')
    login(client, employee)
    page = page_text(client.get(url).get_data(as_text=True))
    assert 'Исключить' not in page
    assert client.post(f'{url}/members/{mine.id}/remove').status_code == 403
    assert employee.id in members(cabinet)


def test_member_with_send_files_on_the_legal_entitys_behalf_and_others_may_not(
    client: FlaskClient, world: World
) -> None:
    cabinet = world.open_legal_cabinet()
    employee = add_employee(client, world, cabinet, 'lawyer')
    member = members(cabinet)[employee.id]
    client.post('/logout')
    login(client, employee)
    url = f'/legal-cabinets/{cabinet.id}/new'
    assert 'Регистрация кабинета юридического лица' in page_text(client.get(url).get_data(as_text=True))
    page = client.get(f'{url}?service=legal_entity_cabinet').get_data(as_text=True)
    assert f'value="{samples.INN_LEGAL}"' in page
    assert f'value="{samples.OGRN}"' in page
    data = {'organization.inn': samples.INN_LEGAL, 'organization.ogrn': samples.OGRN, 'head.last_name': 'Петров'}
    response = client.post(f'{url}?service=legal_entity_cabinet', data=data, content_type='multipart/form-data')
    assert response.status_code == 422
    shown = page_text(response.get_data(as_text=True))
    assert 'Заявление не принято. Исправьте ошибки' in shown
    assert '«Подпись руководителя под заявлением»' in shown
    assert 'value="Петров"' in response.get_data(as_text=True)
    other = {**data, 'organization.inn': '7702070139'}
    response = client.post(f'{url}?service=legal_entity_cabinet', data=other, content_type='multipart/form-data')
    assert 'от имени организации кабинета заявление подаётся с её ИНН' in response.get_data(as_text=True)
    client.post('/logout')
    login(client, world.applicant)
    response = client.post(
        f'/legal-cabinets/{cabinet.id}/members/{member.id}', data={'role': 'lawyer', 'rights': ['view']}
    )
    confirm_by_code(client, world.applicant, response)
    client.post('/logout')
    login(client, employee)
    assert client.get(url).status_code == 403
