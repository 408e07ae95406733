"""The legal entities' cabinets API: the token's cabinets, one cabinet with its staff, details changed («edit»), staff
added by СНИЛС or ИНН, changed and removed (the administrator, the last one kept), the journal, the legal entity's
applications with the list's filters, an application filed on its behalf («send»: JSON refused field by field, the
КЭП-signed XML accepted); every cabinet endpoint a 404 for a non-member and a 403 for a member without the right;
and «send» on the ordinary XML filing of a legal entity with a cabinet. Every staff change carries the code the head
asked for it (`code_for`); the confirmation's own rules are in test_legal_cabinet_confirmation_api.py."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from edms.auth.models import User
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.models.legal_cabinets import LegalEntityCabinet
from edms.core.tx import atomic
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import load_private_key
from scripts.make_test_pki import TestPki
from tests.auth.sms_gateway import notified_code
from tests.citizen_services import conftest as services
from tests.citizen_services import samples
from tests.citizen_services.conftest import World
from tests.citizen_services.legal_staff import give_phone, quick_codes
from tests.factories import api_token, make_user
from tests.signatures import conftest as signatures

#: The citizen-services fixtures and the session's test PKI, shared.
world, test_pki, trusted = services.world, signatures.test_pki, services.trusted
__all__ = ['quick_codes', 'test_pki', 'trusted', 'world']
API = '/api/v1/legal-cabinets'
SNILS_B, INN_B = '08765430300', '773400211252'


@pytest.fixture(autouse=True)
def _codes(quick_codes: None) -> None:
    """A code for every staff change of a test."""


def code_for(client: FlaskClient, user: User, cabinet_id: int, **change: Any) -> str:
    """The code `user` asked for this change (`action` and its fields) and read in the app (sent to his confirmed phone,
    given when he has none)."""
    if user.phone_confirmed_at is None:
        give_phone(user)
    url = f'{API}/{cabinet_id}/staff-changes/sms-code'
    response = client.post(url, json=change, headers=headers(user))
    assert response.status_code == 202, response.get_json()
    return notified_code(user)


def headers(user: User) -> dict[str, str]:
    with atomic():
        return {'Authorization': f'Bearer {api_token(user)}'}


@pytest.fixture
def cabinet(world: World) -> LegalEntityCabinet:
    """The legal entity's registration filed by the head (the portal applicant) and approved."""
    return world.open_legal_cabinet()


@pytest.fixture
def head(world: World) -> dict[str, str]:
    return headers(world.applicant)


def add_staff(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, role: str, rights: list[str]
) -> tuple[User, dict[str, Any], dict[str, str]]:
    """A new portal account added by the head with `role` and `rights`: (account, member as answered, its token)."""
    with atomic():
        user = make_user(world.portal, 'applicant', snils=SNILS_B)
    body = {'snils': '087-654-303 00', 'role': role, 'rights': rights}
    code = code_for(client, world.applicant, cabinet.id, action='add', **body)
    response = client.post(
        f'{API}/{cabinet.id}/members', json={**body, 'sms_code': code}, headers=headers(world.applicant)
    )
    assert response.status_code == 201, response.get_json()
    return user, response.get_json(), headers(user)


def fields(response: Any) -> dict[str, str]:
    return response.get_json()['error']['fields']


def test_the_token_lists_its_cabinets_with_its_role(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    [item] = client.get(API, headers=head).get_json()['items']
    assert (item['id'], item['ogrn'], item['inn'], item['kpp']) == (
        cabinet.id,
        samples.OGRN,
        samples.INN_LEGAL,
        samples.KPP,
    )
    assert (item['me']['role'], item['me']['rights']) == ('administrator', ['view', 'edit', 'delete', 'send'])
    assert 'members' not in item
    assert client.get(API, headers=headers(world.other_applicant)).get_json() == {'items': []}
    assert client.get(API).status_code == 401


def test_the_cabinet_shows_its_staff_with_role_and_rights(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    user, _, _ = add_staff(client, world, cabinet, 'accountant', ['view', 'send'])
    body = client.get(f'{API}/{cabinet.id}', headers=head).get_json()
    assert body['legal_address'] == '101000, г. Москва, Москва, ул. Мясницкая, д. 10, кв./оф. 5'
    members = {row['user']['id']: row for row in body['members']}
    assert (members[world.applicant.id]['role'], members[world.applicant.id]['role_label']) == (
        'administrator',
        'Администратор',
    )
    assert (members[user.id]['role_label'], members[user.id]['rights']) == ('Бухгалтер', ['view', 'send'])
    assert members[user.id]['added_by'] == {'id': world.applicant.id, 'name': world.applicant.full_name}


def test_every_cabinet_endpoint_is_404_for_a_non_member(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    _, member, _ = add_staff(client, world, cabinet, 'lawyer', ['view'])
    base, item = f'{API}/{cabinet.id}', f'{API}/{cabinet.id}/members/{member["id"]}'
    requests = [
        ('GET', base, {}),
        ('PATCH', base, {'json': {'phone': '+7 912 345-67-89'}}),
        ('POST', f'{base}/members', {'json': {'inn': INN_B, 'role': 'operator'}}),
        ('PATCH', item, {'json': {'rights': ['view', 'send']}}),
        ('DELETE', item, {}),
        ('POST', f'{base}/staff-changes/text', {'json': {'action': 'remove', 'member_id': member['id']}}),
        ('POST', f'{base}/staff-changes/sms-code', {'json': {'action': 'add', 'inn': INN_B, 'role': 'operator'}}),
        ('GET', f'{base}/journal', {}),
        ('GET', f'{base}/applications', {}),
        ('POST', f'{base}/applications', {'json': {'service': 'legal_entity_cabinet', 'data': {}}}),
    ]
    for stranger in (world.other_applicant, world.ministry_executor):
        token = headers(stranger)
        for method, url, options in requests:
            response = client.open(url, method=method, headers=token, **options)
            assert response.status_code == 404, (method, url, response.get_json())
            assert response.get_json()['error']['code'] == 'legal_cabinet_not_found'
    assert client.get(f'{API}/{cabinet.id + 1000}', headers=head).status_code == 404


def test_a_member_without_view_is_refused_the_cabinet_journal_and_applications(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    _, _, token = add_staff(client, world, cabinet, 'operator', ['send'])
    for url in (f'{API}/{cabinet.id}', f'{API}/{cabinet.id}/journal', f'{API}/{cabinet.id}/applications'):
        response = client.get(url, headers=token)
        assert response.status_code == 403, url
        assert response.get_json()['error']['message'] == 'В кабинете организации у вас нет права «Просмотр».'


def test_edit_changes_the_details_sent_and_keeps_the_others(
    client: FlaskClient, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    response = client.patch(f'{API}/{cabinet.id}', json={'phone': '8 912 345 67 89'}, headers=head)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body['phone'], body['email']) == ('+7 912 345-67-89', '')
    assert body['legal_address'] == '101000, г. Москва, Москва, ул. Мясницкая, д. 10, кв./оф. 5'
    journal = client.get(f'{API}/{cabinet.id}/journal', headers=head).get_json()['items']
    assert journal[0]['action'] == 'legal_cabinet.update'
    assert journal[0]['data']['changes']['phone']['after'] == '+7 912 345-67-89'


def test_invalid_details_name_every_field(
    client: FlaskClient, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    body = {'legal_address': '', 'phone': '12', 'email': 'почта'}
    response = client.patch(f'{API}/{cabinet.id}', json=body, headers=head)
    assert response.status_code == 422
    assert set(fields(response)) == {'legal_address', 'phone', 'email'}
    assert fields(response)['legal_address'] == '«Юридический адрес»: обязательное поле.'
    response = client.patch(f'{API}/{cabinet.id}', json={'name': 'ООО «Другое»'}, headers=head)
    assert (response.status_code, fields(response)) == (422, {'name': 'Неизвестное поле «name».'})
    assert client.patch(f'{API}/{cabinet.id}', data='[]', headers=head).status_code == 415


def test_details_need_edit(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    _, _, token = add_staff(client, world, cabinet, 'accountant', ['view', 'send'])
    response = client.patch(f'{API}/{cabinet.id}', json={'phone': '+7 912 345-67-89'}, headers=token)
    assert response.status_code == 403
    assert '«Редактирование»' in response.get_json()['error']['message']


def test_staff_added_by_inn_with_the_roles_default_rights(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    with atomic():
        user = make_user(world.portal, 'applicant', inn=INN_B)
    code = code_for(client, world.applicant, cabinet.id, action='add', inn=INN_B, role='lawyer')
    body = {'inn': INN_B, 'role': 'lawyer', 'sms_code': code}
    response = client.post(f'{API}/{cabinet.id}/members', json=body, headers=head)
    assert response.status_code == 201
    assert response.headers['Location'].endswith(f'{API}/{cabinet.id}')
    body = response.get_json()
    assert (body['user']['id'], body['role'], body['rights']) == (user.id, 'lawyer', ['view', 'edit', 'send'])


def test_adding_staff_names_every_wrong_field(
    client: FlaskClient, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    body = {'snils': '087-654-303 01', 'role': 'boss', 'rights': ['fly'], 'email': 'x@y.ru'}
    response = client.post(f'{API}/{cabinet.id}/members', json=body, headers=head)
    assert response.status_code == 422
    assert fields(response) == {
        'snils': '«СНИЛС сотрудника»: неверное контрольное число (последние 2 цифры).',
        'role': '«Роль»: выберите одну из ролей: Администратор, Бухгалтер, Юрист, Оператор.',
        'rights': '«Права»: допустимо Просмотр, Редактирование, Удаление, Отправка.',
        'email': 'Неизвестное поле «email».',
    }
    response = client.post(f'{API}/{cabinet.id}/members', json={'snils': SNILS_B, 'role': 'lawyer'}, headers=head)
    assert fields(response) == {
        'snils': '«СНИЛС сотрудника»: нет учётной записи заявителя портала с СНИЛС 08765430300.'
    }


def test_only_the_administrator_adds_staff(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    _, _, token = add_staff(client, world, cabinet, 'lawyer', ['view', 'edit', 'delete', 'send'])
    with atomic():
        make_user(world.portal, 'applicant', inn=INN_B)
    response = client.post(f'{API}/{cabinet.id}/members', json={'inn': INN_B, 'role': 'operator'}, headers=token)
    assert response.status_code == 403
    assert 'администратор кабинета' in response.get_json()['error']['message']


def test_a_members_rights_are_changed_and_the_role_kept(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    _, member, _ = add_staff(client, world, cabinet, 'accountant', ['view', 'send'])
    url = f'{API}/{cabinet.id}/members/{member["id"]}'
    code = code_for(client, world.applicant, cabinet.id, action='change', member_id=member['id'], rights=['view'])
    response = client.patch(url, json={'rights': ['view'], 'sms_code': code}, headers=head)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()['role'], response.get_json()['rights']) == ('accountant', ['view'])
    code = code_for(client, world.applicant, cabinet.id, action='change', member_id=member['id'], role='lawyer')
    response = client.patch(url, json={'role': 'lawyer', 'sms_code': code}, headers=head)
    assert response.get_json()['rights'] == ['view', 'edit', 'send']
    response = client.patch(url, json={'role': 'chief', 'rights': 'fly', 'note': 1}, headers=head)
    assert response.status_code == 422
    assert set(fields(response)) == {'role', 'rights', 'note'}
    assert client.patch(f'{API}/{cabinet.id}/members/999999', json={'rights': []}, headers=head).status_code == 404


def test_the_last_administrator_is_kept(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    me = client.get(f'{API}/{cabinet.id}', headers=head).get_json()['me']
    url = f'{API}/{cabinet.id}/members/{me["id"]}'
    response = client.patch(url, json={'role': 'lawyer'}, headers=head)
    assert response.status_code == 409
    assert 'хотя бы один администратор' in response.get_json()['error']['message']
    assert client.delete(url, headers=head).status_code == 409
    rights = client.get(f'{API}/{cabinet.id}', headers=head).get_json()['me']['rights']
    assert rights == ['view', 'edit', 'delete', 'send']


def test_a_member_is_removed_and_loses_the_cabinet(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    _, member, token = add_staff(client, world, cabinet, 'operator', ['view'])
    me = client.get(f'{API}/{cabinet.id}', headers=head).get_json()['me']
    response = client.delete(f'{API}/{cabinet.id}/members/{me["id"]}', headers=token)
    assert response.status_code == 403
    assert '«Удаление»' in response.get_json()['error']['message']
    code = code_for(client, world.applicant, cabinet.id, action='remove', member_id=member['id'])
    response = client.delete(f'{API}/{cabinet.id}/members/{member["id"]}', json={'sms_code': code}, headers=head)
    assert response.status_code == 204
    assert client.get(f'{API}/{cabinet.id}', headers=token).status_code == 404
    assert client.get(API, headers=token).get_json() == {'items': []}
    actions = [row['action'] for row in client.get(f'{API}/{cabinet.id}/journal', headers=head).get_json()['items']]
    assert actions == ['legal_cabinet.member_remove', 'legal_cabinet.member_add', 'legal_cabinet.create']


def test_the_legal_entitys_applications_with_the_lists_filters(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    _, _, token = add_staff(client, world, cabinet, 'accountant', ['view'])
    world.file('taxpayer_cabinet')  # the head's own application, not the legal entity's
    body = client.get(f'{API}/{cabinet.id}/applications', headers=token).get_json()
    assert [item['id'] for item in body['items']] == [cabinet.application_id]
    assert (body['page'], body['has_next']) == (1, False)
    assert body['items'][0]['applicant']['inn'] == samples.INN_LEGAL
    filtered = client.get(f'{API}/{cabinet.id}/applications?status=in_progress', headers=token).get_json()
    assert filtered['items'] == []
    response = client.get(f'{API}/{cabinet.id}/applications?status=lost&scope=mine&page=0', headers=token)
    assert response.status_code == 422
    assert set(fields(response)) == {'status', 'scope', 'page'}


def test_json_filing_on_the_legal_entitys_behalf_is_checked_field_by_field(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    _, _, token = add_staff(client, world, cabinet, 'accountant', ['view', 'send'])
    url = f'{API}/{cabinet.id}/applications'
    other = samples.with_value(samples.legal_entity_cabinet(), 'organization.inn', '7702070139')
    response = client.post(url, json={'service': 'legal_entity_cabinet', 'data': other}, headers=token)
    assert response.status_code == 422
    assert fields(response) == {
        'organization.inn': '«ИНН организации»: от имени организации кабинета заявление подаётся с её ИНН '
        f'({samples.INN_LEGAL}).'
    }
    response = client.post(url, json={'service': 'taxpayer_cabinet', 'data': samples.taxpayer_cabinet()}, headers=token)
    assert list(fields(response)) == ['service']
    response = client.post(
        url, json={'service': 'legal_entity_cabinet', 'data': samples.legal_entity_cabinet()}, headers=token
    )
    assert response.status_code == 422
    assert 'signatures.application' in fields(response)  # a qualified signature comes only with the XML
    response = client.post(url, json={'service': 'legal_entity_cabinet', 'data': {}, 'channel': 'mfc'}, headers=token)
    assert fields(response) == {'channel': 'Неизвестное поле «channel».'}


def signed_xml(pki: TestPki) -> dict[str, Any]:
    """The registration as XML signed by the test PKI's «rsa» (its certificate names the organization and the head)."""
    profile = pki.users['rsa'].profile
    data = samples.with_value(samples.legal_entity_cabinet(), 'head.inn', profile['inn'])
    data = samples.with_value(data, 'head.snils', profile['snils'])
    xml = samples.to_xml(get_service('legal_entity_cabinet'), data)
    key = load_private_key(pki.users['rsa'].key_der.read_bytes())
    cms = sign_detached(xml, key, pki.user_der('rsa'), pki.chain_ders('rsa'), signing_time=datetime.now(UTC))
    return {
        'service': 'legal_entity_cabinet',
        'xml': (io.BytesIO(xml), 'заявление.xml'),
        'signature': (io.BytesIO(cms), 'заявление.xml.sig'),
    }


def test_the_signed_xml_is_filed_on_the_legal_entitys_behalf_with_send(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str], trusted: TestPki
) -> None:
    user, member, token = add_staff(client, world, cabinet, 'accountant', ['view', 'send'])
    url = f'{API}/{cabinet.id}/applications'
    response = client.post(url, data=signed_xml(trusted), headers=token)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body['channel'], body['applicant']['inn'], body['applicant']['filed_by']['id']) == (
        'xml_upload',
        samples.INN_LEGAL,
        user.id,
    )
    assert response.headers['Location'].endswith(f'/api/v1/applications/{body["id"]}')
    journal = client.get(f'{API}/{cabinet.id}/journal', headers=head).get_json()['items']
    assert (journal[0]['action'], journal[0]['data']['application']) == ('legal_cabinet.send', body['number'])
    response = client.post(
        url, data={'service': 'legal_entity_cabinet', 'xml': signed_xml(trusted)['xml']}, headers=token
    )
    assert fields(response) == {'signature': '«signature»: приложите файл подписи.'}
    code = code_for(client, world.applicant, cabinet.id, action='change', member_id=member['id'], rights=['view'])
    client.patch(
        f'{API}/{cabinet.id}/members/{member["id"]}', json={'rights': ['view'], 'sms_code': code}, headers=head
    )
    response = client.post(url, data=signed_xml(trusted), headers=token)
    assert response.status_code == 403
    assert response.get_json()['error']['message'] == 'В кабинете организации у вас нет права «Отправка».'


def test_ordinary_xml_filing_for_a_legal_entity_with_a_cabinet_needs_send(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str], trusted: TestPki
) -> None:
    outsider = headers(world.other_applicant)
    response = client.post('/api/v1/applications/xml', data=signed_xml(trusted), headers=outsider)
    assert response.status_code == 422
    error = response.get_json()['error']
    assert error['code'] == 'legal_entity_send_refused'
    assert 'у организации «Общество с ограниченной ответственностью «Ромашка»» (ИНН 7707083893)' in error['message']
    assert [problem['field'] for problem in error['problems']] == ['organization.inn']
    _, _, token = add_staff(client, world, cabinet, 'accountant', ['view', 'send'])
    response = client.post('/api/v1/applications/xml', data=signed_xml(trusted), headers=token)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()['applicant']['inn'] == samples.INN_LEGAL
