"""Directory endpoints: organizations as correspondents, their management, departments, journals, case files."""

from __future__ import annotations

from edms.core.clock import local_today
from edms.core.tx import atomic
from tests.api.conftest import api_user
from tests.factories import inn10, make_case_file, make_organization, ogrn


def organization_data(**overrides):
    return {
        'name': 'Государственное бюджетное учреждение «Архив»',
        'short_name': 'ГБУ «Архив»',
        'kind': 'institution',
        'ogrn': ogrn('102770099001'),
        'inn': inn10('770799001'),
        'kpp': '773601001',
        **overrides,
    }


def test_organizations_list_shows_every_active_organization_as_correspondent(client, org, clerk):
    with atomic():
        partner = make_organization('Партнёр')
        retired = make_organization('Закрытое', is_active=False)
    items = client.get('/api/v1/organizations', headers=clerk.headers).get_json()['items']
    ids = {item['id'] for item in items}
    assert {org.id, partner.id} <= ids
    assert retired.id not in ids
    shown = next(item for item in items if item['id'] == partner.id)
    assert set(shown) >= {'id', 'short_name', 'name', 'kind', 'ogrn', 'inn', 'kpp'}
    assert client.get(f'/api/v1/organizations/{partner.id}', headers=clerk.headers).get_json()['ogrn'] == partner.ogrn
    assert client.get(f'/api/v1/organizations/{retired.id}', headers=clerk.headers).status_code == 404


def test_creating_an_organization_needs_the_system_administrator(client, org):
    org_admin = api_user(org, 'administrator')
    refused = client.post('/api/v1/organizations', json=organization_data(), headers=org_admin.headers)
    assert (refused.status_code, refused.get_json()['error']['code']) == (403, 'forbidden')
    operator = api_user(org, 'administrator', is_system_admin=True)
    created = client.post('/api/v1/organizations', json=organization_data(), headers=operator.headers)
    assert created.status_code == 201
    assert created.get_json()['short_name'] == 'ГБУ «Архив»'
    assert created.headers['Location'] == f'/api/v1/organizations/{created.get_json()["id"]}'


def test_organization_input_is_checked_with_russian_messages(client, org):
    operator = api_user(org, 'administrator', is_system_admin=True)
    response = client.post(
        '/api/v1/organizations', json=organization_data(ogrn='1027700000000', colour='red'), headers=operator.headers
    )
    assert response.status_code == 422
    fields = response.get_json()['error']['fields']
    assert fields['colour'] == 'Неизвестное поле «colour».'
    assert fields['ogrn'] == 'ОГРН: неверная контрольная цифра'


def test_patch_organization_changes_one_field_and_only_for_its_administrator(client, org):
    with atomic():
        other = make_organization('Соседи')
    admin = api_user(org, 'administrator')
    response = client.patch(f'/api/v1/organizations/{org.id}', json={'short_name': 'Минтест'}, headers=admin.headers)
    assert response.status_code == 200
    assert (response.get_json()['short_name'], response.get_json()['ogrn']) == ('Минтест', org.ogrn)
    foreign = client.patch(f'/api/v1/organizations/{other.id}', json={'short_name': 'X'}, headers=admin.headers)
    assert foreign.status_code == 404


def test_departments_of_own_organization_and_404_for_another(client, org, clerk):
    with atomic():
        other = make_organization('Соседи')
    items = client.get(f'/api/v1/organizations/{org.id}/departments', headers=clerk.headers).get_json()['items']
    assert [(item['code'], item['depth']) for item in items] == [('ОО', 0)]
    assert client.get(f'/api/v1/organizations/{other.id}/departments', headers=clerk.headers).status_code == 404


def test_journals_are_listed_for_the_organization_and_created_by_its_administrator(client, org, clerk):
    year = local_today().year
    listed = client.get('/api/v1/journals', query_string={'year': year}, headers=clerk.headers).get_json()['items']
    assert {item['kind'] for item in listed} == {'incoming', 'outgoing', 'internal', 'citizen_appeal'}
    data = {'kind': 'incoming', 'year': year, 'name': 'Журнал жалоб', 'template': 'Ж-{seq}', 'is_default': False}
    assert client.post('/api/v1/journals', json=data, headers=clerk.headers).status_code == 403
    admin = api_user(org, 'administrator')
    created = client.post('/api/v1/journals', json=data, headers=admin.headers)
    assert created.status_code == 201
    assert (created.get_json()['name'], created.get_json()['next_seq']) == ('Журнал жалоб', 1)
    bad = client.get('/api/v1/journals?year=nineteen', headers=clerk.headers)
    assert bad.get_json()['error']['fields'] == {'year': '«Год»: ожидается целое число.'}


def test_case_files_are_listed_and_created_by_the_administrator(client, org, clerk):
    with atomic():
        make_case_file(org, '01-01')
        other = make_organization('Соседи')
        make_case_file(other, '99-99')
    listed = client.get('/api/v1/case-files', headers=clerk.headers).get_json()['items']
    assert [item['index'] for item in listed] == ['01-01']
    admin = api_user(org, 'administrator')
    data = {'year': local_today().year, 'index': '02-10', 'title': 'Обращения граждан', 'retention_years': 5}
    created = client.post('/api/v1/case-files', json=data, headers=admin.headers)
    assert created.status_code == 201
    assert created.get_json()['retention_label'] == '5 лет'


def test_me_describes_the_tokens_user(client, org):
    who = api_user(org, 'clerk', 'executor')
    body = client.get('/api/v1/me', headers=who.headers).get_json()
    assert body['login'] == who.user.login
    assert body['roles'] == ['clerk', 'executor']
    assert body['is_system_admin'] is False
