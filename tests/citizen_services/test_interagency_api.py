"""Interagency requests in the API: the outgoing and incoming lists (overdue filter, a wrong filter named), one
request with its due date, answer and mismatches, the responder's answer and rejection (a refused one is a 422
naming the fields), and another organization's request being a 404."""

from __future__ import annotations

from datetime import timedelta

from edms.auth.models import User
from edms.citizen_services.jobs import interagency as jobs
from edms.citizen_services.models.interagency import InteragencyRequest
from edms.core.db import db
from edms.core.tx import atomic
from tests.citizen_services.conftest import World, world  # noqa: F401
from tests.citizen_services.test_interagency import file_legal_entity, ia, requests_of, send_manual  # noqa: F401
from tests.factories import api_token

API = '/api/v1'


def headers(user: User) -> dict[str, str]:
    with atomic():
        return {'Authorization': f'Bearer {api_token(user)}'}


def test_one_request_shows_due_date_answer_and_mismatches(client, ia: World) -> None:  # noqa: F811
    application = file_legal_entity(ia, {'organization.name': 'ООО «Лютик»'})
    jobs.send_needed(application.id)
    [request] = requests_of(application)
    body = client.get(f'{API}/interagency-requests/{request.id}', headers=headers(ia.ministry_executor)).get_json()
    assert body['side'] == 'outgoing'
    assert body['status']['code'] == 'answered'
    assert body['due_date'] == request.due_date.isoformat()
    assert '210-ФЗ' in body['due_explanation']
    assert [item['field'] for item in body['mismatches']] == ['organization.name']
    seen = client.get(f'{API}/interagency-requests/{request.id}', headers=headers(ia.tax_executor)).get_json()
    assert seen['side'] == 'incoming'


def test_the_responder_sees_neither_the_comparison_nor_the_application_id(client, ia: World) -> None:  # noqa: F811
    application = file_legal_entity(ia, {'organization.name': 'ООО «Лютик»'})
    jobs.send_needed(application.id)
    [request] = requests_of(application)
    url = f'{API}/interagency-requests/{request.id}'
    seen = client.get(url, headers=headers(ia.tax_executor)).get_json()
    listed = client.get(f'{API}/interagency-requests?side=incoming', headers=headers(ia.tax_executor)).get_json()
    for body in (seen, listed['items'][0]):
        assert body['side'] == 'incoming'
        assert 'mismatches' not in body
        assert body['application'] == {'number': application.number}
    own = client.get(url, headers=headers(ia.ministry_executor)).get_json()
    assert own['application'] == {'id': application.id, 'number': application.number}
    assert own['mismatches'][0]['application_value'] == application.values['organization']['name']


def test_the_lists_filter_overdue_and_name_a_wrong_filter(client, ia: World) -> None:  # noqa: F811
    late = send_manual(ia, file_legal_entity(ia))
    send_manual(ia, file_legal_entity(ia, register=False))
    with atomic():
        db.session.get(InteragencyRequest, late.id).due_date -= timedelta(days=30)
    auth = headers(ia.ministry_executor)
    body = client.get(f'{API}/interagency-requests?overdue=true', headers=auth).get_json()
    assert [item['id'] for item in body['items']] == [late.id]
    assert body['items'][0]['overdue'] is True
    incoming = client.get(f'{API}/interagency-requests?side=incoming', headers=headers(ia.executor)).get_json()
    assert len(incoming['items']) == 2
    wrong = client.get(f'{API}/interagency-requests?side=sideways&status=x', headers=auth)
    assert wrong.status_code == 422
    assert 'side' in wrong.get_json()['error']['fields']


def test_the_responder_answers_and_a_refused_answer_names_the_field(client, ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    auth = headers(ia.executor)
    refused = client.post(f'{API}/interagency-requests/{request.id}/answer', json={'text': ''}, headers=auth)
    assert refused.status_code == 422
    assert refused.get_json()['error']['fields']['text'] == '«Ответ»: обязательное поле.'
    body = {'text': 'Паспорт действителен.', 'data': 'Статус: действителен'}
    answered = client.post(f'{API}/interagency-requests/{request.id}/answer', json=body, headers=auth)
    assert answered.status_code == 200
    assert answered.get_json()['answered_by'] == ia.executor.full_name
    outgoing = client.get(f'{API}/interagency-requests/{request.id}', headers=headers(ia.ministry_executor))
    assert outgoing.get_json()['answer_fields'] == [{'path': 'item_1', 'label': 'Статус', 'value': 'действителен'}]


def test_the_responder_rejects_with_a_smev_code(client, ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    body = {'code': 'ACCESS_DENIED', 'reason': 'Нет права.'}
    response = client.post(
        f'{API}/interagency-requests/{request.id}/rejection', json=body, headers=headers(ia.executor)
    )
    assert response.status_code == 200
    outgoing = client.get(f'{API}/interagency-requests/{request.id}', headers=headers(ia.ministry_executor))
    assert outgoing.get_json()['rejection'] == {'code': 'ACCESS_DENIED', 'reason': 'Нет права.'}


def test_another_organizations_request_is_not_found(client, ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    auth = headers(ia.tax_executor)
    assert client.get(f'{API}/interagency-requests/{request.id}', headers=auth).status_code == 404
    answer = client.post(f'{API}/interagency-requests/{request.id}/answer', json={'text': 'Да'}, headers=auth)
    assert answer.status_code == 404
    own_side = headers(ia.ministry_executor)
    answer = client.post(f'{API}/interagency-requests/{request.id}/answer', json={'text': 'Да'}, headers=own_side)
    assert answer.status_code == 404
