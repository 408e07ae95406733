"""Notification API: the token user's list (unread first) and marking read; unknown fields and others' ids refused."""

import pytest

from edms.core.tx import atomic
from edms.notifications.operations import mark_read, notify
from edms.notifications.queries import unread_count
from tests.api.conftest import ApiUser
from tests.factories import api_token

URL = '/api/v1/notifications'


def create(user, source, text='Вам поручено исполнение'):
    with atomic():
        return notify([user.id], kind='assignment', text=text, url='/cards/5', source=source)[0].id


@pytest.fixture
def alice(people):
    with atomic():
        return ApiUser(people.alice, api_token(people.alice))


def test_list_unread_first_and_only_unread(client, people, alice):
    old, new = create(people.alice, 'a', 'Старое'), create(people.alice, 'b', 'Новое')
    create(people.bob, 'c', 'Чужое')
    with atomic():
        mark_read(people.alice, [old])
    body = client.get(URL, headers=alice.headers).get_json()
    assert [item['id'] for item in body['items']] == [new, old]
    assert body['unread'] == 1
    assert body['total'] == 2
    item = body['items'][0]
    assert item['text'] == 'Новое'
    assert item['url'] == '/cards/5'
    assert item['kind'] == 'assignment'
    assert item['is_read'] is False
    assert item['read_at'] is None
    assert body['items'][1]['is_read'] is True
    unread = client.get(f'{URL}?unread=1', headers=alice.headers).get_json()
    assert [item['id'] for item in unread['items']] == [new]
    paged = client.get(f'{URL}?per_page=1&page=2', headers=alice.headers).get_json()
    assert [item['id'] for item in paged['items']] == [old]
    assert paged['has_next'] is False


def test_list_refuses_unknown_and_bad_parameters(client, alice):
    response = client.get(f'{URL}?unread=1&status=new', headers=alice.headers)
    assert response.status_code == 422
    assert response.get_json()['error']['fields'] == {'status': 'Неизвестное поле «status».'}
    assert client.get(f'{URL}?page=0', headers=alice.headers).status_code == 422
    assert client.get(f'{URL}?per_page=500', headers=alice.headers).status_code == 422
    assert client.get(URL).status_code == 401


def test_mark_ids_read(client, people, alice):
    first = create(people.alice, 'a')
    create(people.alice, 'b')
    response = client.post(f'{URL}/read', json={'ids': [first]}, headers=alice.headers)
    assert response.status_code == 200
    assert response.get_json() == {'marked': 1, 'unread': 1}
    again = client.post(f'{URL}/read', json={'ids': [first]}, headers=alice.headers)
    assert again.get_json() == {'marked': 0, 'unread': 1}
    assert unread_count(people.alice) == 1


def test_mark_all_read_touches_only_the_users_own(client, people, alice):
    create(people.alice, 'a')
    create(people.alice, 'b')
    create(people.bob, 'c')
    response = client.post(f'{URL}/read', json={'all': True}, headers=alice.headers)
    assert response.get_json() == {'marked': 2, 'unread': 0}
    assert unread_count(people.bob) == 1


def test_someone_elses_ids_are_404_and_nothing_is_marked(client, people, alice):
    mine, theirs = create(people.alice, 'a'), create(people.bob, 'b')
    stranger = create(people.other_org_user, 'c')
    for ids in ([mine, theirs], [stranger], [2**31 - 1]):
        response = client.post(f'{URL}/read', json={'ids': ids}, headers=alice.headers)
        assert response.status_code == 404
        assert response.get_json()['error']['code'] == 'notification_not_found'
    assert unread_count(people.alice) == 1
    assert unread_count(people.bob) == 1
    assert unread_count(people.other_org_user) == 1


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ({'ids': [1], 'extra': 1}, 'extra'),
        ({}, 'ids'),
        ({'ids': []}, 'ids'),
        ({'ids': [1], 'all': True}, 'ids'),
        ({'all': False}, 'ids'),
        ({'all': 'maybe'}, 'all'),
        ({'ids': 'one'}, 'ids'),
        ({'ids': 5}, 'ids'),
        ({'ids': [0]}, 'ids'),
        ({'ids': [2**40]}, 'ids'),
        ({'ids': [True]}, 'ids'),
        ({'ids': list(range(1, 1002))}, 'ids'),
    ],
)
def test_bad_bodies_are_refused_with_the_field_named(client, people, alice, body, field):
    create(people.alice, 'a')
    response = client.post(f'{URL}/read', json=body, headers=alice.headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()['error']['fields']
    assert unread_count(people.alice) == 1


def test_the_body_must_be_json(client, alice):
    assert client.post(f'{URL}/read', data='ids=1', headers=alice.headers).status_code == 415
    response = client.post(f'{URL}/read', data='{', headers=alice.headers, content_type='application/json')
    assert response.status_code == 400


def test_the_openapi_document_describes_the_endpoints(client):
    document = client.get('/api/v1/openapi.json').get_json()
    assert set(document['paths']['/notifications']) == {'get'}
    assert set(document['paths']['/notifications/read']) == {'post'}
    schemas = document['components']['schemas']
    assert set(schemas['NotificationReadInput']['properties']) == {'ids', 'all'}
    assert schemas['NotificationReadInput']['additionalProperties'] is False
    fields = set(schemas['Notification']['properties'])
    assert {'id', 'kind', 'text', 'url', 'created_at', 'read_at', 'is_read'} <= fields
