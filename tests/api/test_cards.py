"""Card endpoints: create and register, validation and unknown fields, JSON errors, read, change with history,
register/cancel/file, possible duplicates."""

from __future__ import annotations

from edms.core.clock import local_today
from edms.core.tx import atomic
from tests.api.conftest import api_user, created_card, post_card
from tests.factories import card_data, make_case_file


def test_create_and_register_returns_201_with_number_and_location(client, clerk):
    response = post_card(client, clerk, summary='О поставке бумаги')
    assert response.status_code == 201
    body = response.get_json()
    assert body['status'] == 'registered'
    assert body['reg_number'].startswith('Вх-00001/')
    assert body['reg_date'] == local_today().isoformat()
    assert body['summary'] == 'О поставке бумаги'
    assert body['created_by']['id'] == clerk.user.id
    assert response.headers['Location'] == f'/api/v1/cards/{body["id"]}'


def test_create_with_register_false_keeps_a_draft_without_number(client, clerk):
    response = client.post('/api/v1/cards', json={**card_data(), 'register': False}, headers=clerk.headers)
    assert response.status_code == 201
    assert response.get_json()['status'] == 'draft'
    assert response.get_json()['reg_number'] is None


def test_validation_error_is_422_with_a_russian_message_per_field(client, clerk):
    response = post_card(client, clerk, kind='memo', summary='', pages=0, sender_date='31.02.2024')
    assert response.status_code == 422
    error = response.get_json()['error']
    assert error['code'] == 'validation_failed'
    assert error['fields']['kind'].startswith('«Вид карточки»: недопустимое значение «memo»')
    assert error['fields']['summary'] == '«Краткое содержание»: обязательное поле.'
    assert error['fields']['pages'] == '«Количество листов»: не меньше 1.'
    assert error['fields']['sender_date'] == '«Дата документа отправителя»: дата в формате ДД.ММ.ГГГГ.'


def test_unknown_field_is_refused_naming_the_field(client, clerk):
    response = post_card(client, clerk, colour='red')
    assert response.status_code == 422
    assert response.get_json()['error']['fields'] == {'colour': 'Неизвестное поле «colour».'}
    assert client.get('/api/v1/cards', headers=clerk.headers).get_json()['items'] == []


def test_request_flags_are_validated_and_not_passed_as_card_fields(client, clerk):
    response = client.post('/api/v1/cards', json={**card_data(), 'register': 'maybe'}, headers=clerk.headers)
    assert response.status_code == 422
    assert response.get_json()['error']['fields'] == {'register': '«Зарегистрировать сразу»: ожидается да или нет.'}


def test_malformed_json_is_400_json_with_russian_message(client, clerk):
    response = client.post(
        '/api/v1/cards', data='{"kind": "incoming",', content_type='application/json', headers=clerk.headers
    )
    assert response.status_code == 400
    error = response.get_json()['error']
    assert error['code'] == 'malformed_json'
    assert error['message'] == 'Тело запроса не является корректным JSON.'


def test_body_that_is_not_json_is_415(client, clerk):
    response = client.post('/api/v1/cards', data={'kind': 'incoming'}, headers=clerk.headers)
    assert response.status_code == 415
    assert response.get_json()['error']['code'] == 'unsupported_media_type'


def test_json_body_that_is_not_an_object_is_422(client, clerk):
    response = client.post('/api/v1/cards', json=[card_data()], headers=clerk.headers)
    assert response.status_code == 422
    assert response.get_json()['error']['message'] == 'Тело запроса должно быть JSON-объектом вида {"поле": значение}.'


def test_get_card_shows_fields_addressees_links_and_authors(client, clerk):
    first = created_card(client, clerk)
    second = created_card(
        client,
        clerk,
        kind='outgoing',
        correspondent_name='',
        addressees=['Министерство финансов', {'name': 'ООО «Лютик»', 'organization_id': None}],
        links=[{'kind': 'reply_to', 'card_id': first['id']}],
        access_mark='public',
    )
    body = client.get(f'/api/v1/cards/{second["id"]}', headers=clerk.headers).get_json()
    assert body['kind'] == 'outgoing'
    assert body['reg_number'].startswith('Исх-00001/')
    assert body['addressees'] == [
        {'name': 'Министерство финансов', 'organization_id': None},
        {'name': 'ООО «Лютик»', 'organization_id': None},
    ]
    assert body['links'] == [{'kind': 'reply_to', 'card_id': first['id'], 'url': f'/api/v1/cards/{first["id"]}'}]
    assert body['attachments'] == []
    assert body['created_by'] == {'id': clerk.user.id, 'name': clerk.user.full_name}
    assert body['status_label'] == 'Зарегистрирован'


def test_list_filters_by_kind_and_number(client, clerk):
    incoming = [created_card(client, clerk) for _ in range(3)]
    outgoing = created_card(client, clerk, kind='outgoing')
    listed = client.get('/api/v1/cards?kind=outgoing', headers=clerk.headers).get_json()
    assert [item['id'] for item in listed['items']] == [outgoing['id']]
    assert listed['total'] == 1
    assert listed['total_capped'] is False
    number = incoming[1]['reg_number']
    by_number = client.get('/api/v1/cards', query_string={'number': number}, headers=clerk.headers).get_json()
    assert [item['reg_number'] for item in by_number['items']] == [number]
    page = client.get('/api/v1/cards?per_page=2&page=1', headers=clerk.headers).get_json()
    assert (len(page['items']), page['has_next'], page['total']) == (2, True, 4)
    assert 'summary' in page['items'][0]
    assert 'attachments' not in page['items'][0]


def test_list_words_use_russian_morphology(client, clerk):
    wanted = created_card(client, clerk, summary='О предоставлении сведений о доходах')
    created_card(client, clerk, summary='Об организации отпуска')
    response = client.get('/api/v1/cards', query_string={'q': 'сведения предоставление'}, headers=clerk.headers)
    assert [item['id'] for item in response.get_json()['items']] == [wanted['id']]


def test_list_refuses_unknown_parameters_and_large_pages(client, clerk):
    response = client.get('/api/v1/cards?colour=red&per_page=500', headers=clerk.headers)
    assert response.status_code == 422
    fields = response.get_json()['error']['fields']
    assert fields == {'colour': 'Неизвестное поле «colour».', 'per_page': '«Записей на странице»: не больше 200.'}


def test_patch_changes_one_field_and_history_shows_before_and_after(client, clerk):
    card = created_card(client, clerk, signer='Иванов И. И.', pages=3)
    response = client.patch(f'/api/v1/cards/{card["id"]}', json={'signer': 'Петров П. П.'}, headers=clerk.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body['signer'] == 'Петров П. П.'
    assert (body['pages'], body['summary'], body['reg_number']) == (3, card['summary'], card['reg_number'])
    assert body['updated_by']['id'] == clerk.user.id
    history = client.get(f'/api/v1/cards/{card["id"]}/history', headers=clerk.headers).get_json()['items']
    assert [entry['action'] for entry in history] == ['card.register', 'card.update']
    assert history[-1]['data']['changes'] == {'signer': {'before': 'Иванов И. И.', 'after': 'Петров П. П.'}}
    assert history[-1]['actor_id'] == clerk.user.id


def test_patch_refuses_unknown_fields_and_kind_change_after_registration(client, clerk):
    card = created_card(client, clerk)
    unknown = client.patch(f'/api/v1/cards/{card["id"]}', json={'register': True}, headers=clerk.headers)
    assert unknown.get_json()['error']['fields'] == {'register': 'Неизвестное поле «register».'}
    kind = client.patch(f'/api/v1/cards/{card["id"]}', json={'kind': 'outgoing'}, headers=clerk.headers)
    assert kind.status_code == 422
    assert 'после регистрации' in kind.get_json()['error']['fields']['kind']


def test_register_cancel_and_file_endpoints_change_the_status(client, org, clerk):
    draft = client.post('/api/v1/cards', json={**card_data(), 'register': False}, headers=clerk.headers).get_json()
    registered = client.post(f'/api/v1/cards/{draft["id"]}/register', headers=clerk.headers)
    assert registered.status_code == 200
    assert registered.get_json()['reg_number'].startswith('Вх-00001/')
    again = client.post(f'/api/v1/cards/{draft["id"]}/register', json={}, headers=clerk.headers)
    assert (again.status_code, again.get_json()['error']['code']) == (409, 'card_state_conflict')
    with atomic():
        case_file = make_case_file(org)
    filed = client.post(f'/api/v1/cards/{draft["id"]}/file', json={'case_file_id': case_file.id}, headers=clerk.headers)
    assert (filed.get_json()['status'], filed.get_json()['case_file_id']) == ('filed', case_file.id)
    other = created_card(client, clerk)
    no_reason = client.post(f'/api/v1/cards/{other["id"]}/cancel', json={}, headers=clerk.headers)
    assert no_reason.get_json()['error']['fields'] == {'reason': '«Причина аннулирования»: обязательное поле.'}
    cancelled = client.post(f'/api/v1/cards/{other["id"]}/cancel', json={'reason': 'Ошибка'}, headers=clerk.headers)
    assert (cancelled.get_json()['status'], cancelled.get_json()['cancel_reason']) == ('cancelled', 'Ошибка')


def test_duplicate_is_409_naming_the_existing_card_then_created_with_confirmation(client, clerk):
    first = created_card(client, clerk, sender_number='15/ОТ', correspondent_name='ООО «Ромашка»')
    data = card_data(sender_number='15/ОТ', correspondent_name='ооо «ромашка»')
    duplicate = client.post('/api/v1/cards', json=data, headers=clerk.headers)
    assert duplicate.status_code == 409
    error = duplicate.get_json()['error']
    assert error['code'] == 'possible_duplicate'
    assert first['reg_number'] in error['message']
    assert error['existing'] == [
        {'id': first['id'], 'reg_number': first['reg_number'], 'url': f'/api/v1/cards/{first["id"]}'}
    ]
    assert client.get('/api/v1/cards', headers=clerk.headers).get_json()['total'] == 1
    confirmed = client.post('/api/v1/cards', json={**data, 'confirm_duplicate': True}, headers=clerk.headers)
    assert confirmed.status_code == 201
    assert confirmed.get_json()['reg_number'] != first['reg_number']


def test_user_without_registrar_role_cannot_create_cards(client, org):
    executor = api_user(org, 'executor')
    response = post_card(client, executor)
    assert response.status_code == 403
    assert response.get_json()['error']['code'] == 'forbidden'
