"""The complaints API: the missed deadlines of an application (none, then the service term), filing (201 with
Location; an unknown kind, an empty text or an unknown field a 422 naming the field), the lists, the agency's decision
(once: then 409), another applicant's or agency's application and complaint a 404; the card only for the agency."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from edms.auth.models import User
from edms.citizen_services.models import Application
from edms.core.db import db
from edms.core.tx import atomic
from tests.citizen_services.conftest import World, world  # noqa: F401
from tests.factories import api_token

API = '/api/v1'
TEXT = 'Решение не принято в срок.'


def headers(user: User) -> dict[str, str]:
    with atomic():
        return {'Authorization': f'Bearer {api_token(user)}'}


def test_missed_deadlines_none_then_the_service_term(client, world: World) -> None:  # noqa: F811
    application = world.file()
    auth = headers(world.applicant)
    url = f'{API}/applications/{application.id}/missed-deadlines'
    assert client.get(url, headers=auth).get_json() == {'items': []}
    with atomic():
        late = application.deadline - timedelta(days=40)
        db.session.execute(update(Application).where(Application.id == application.id).values(deadline=late))
    [item] = client.get(url, headers=auth).get_json()['items']
    assert item['term'] == 'service'
    assert item['complaint_kind'] == 'service_term'
    assert item['missed_working_days'] > 0
    assert 'Срок предоставления услуги истёк' in item['explanation']
    assert client.get(url, headers=headers(world.other_applicant)).status_code == 404


def test_filing_deciding_and_reading(client, world: World) -> None:  # noqa: F811
    application = world.file()
    auth = headers(world.applicant)
    body = {'kind': 'documents_refused', 'text': TEXT}
    response = client.post(f'{API}/applications/{application.id}/complaints', json=body, headers=auth)
    assert response.status_code == 201
    complaint = response.get_json()
    assert response.headers['Location'].endswith(f'/complaints/{complaint["id"]}')
    assert complaint['kind'] == {'code': 'documents_refused', 'label': complaint['kind']['label'], 'item': 4}
    assert complaint['status']['code'] == 'registered'
    assert complaint['card_id'] is None  # the applicant does not see the agency's card
    assert 'в течение 5 рабочих дней' in complaint['deadline_explanation']
    assert [item['id'] for item in client.get(f'{API}/complaints', headers=auth).get_json()['items']] == [
        complaint['id']
    ]
    official = headers(world.executor)
    assert client.get(f'{API}/complaints/{complaint["id"]}', headers=official).get_json()['card_id'] is not None
    decision = {'decision': 'rejected', 'text': 'Документы приняты.'}
    decided = client.post(f'{API}/complaints/{complaint["id"]}/decision', json=decision, headers=official)
    assert decided.status_code == 200
    assert decided.get_json()['status']['code'] == 'rejected'
    again = client.post(f'{API}/complaints/{complaint["id"]}/decision', json=decision, headers=official)
    assert again.status_code == 409


def test_refused_complaints_name_the_fields(client, world: World) -> None:  # noqa: F811
    application = world.file()
    url = f'{API}/applications/{application.id}/complaints'
    response = client.post(url, json={'kind': 'rudeness', 'text': '', 'extra': 1}, headers=headers(world.applicant))
    assert response.status_code == 422
    fields = response.get_json()['error']['fields']
    assert set(fields) == {'kind', 'text', 'extra'}
    assert '«Основание жалобы»' in fields['kind']


def test_other_peoples_are_not_found(client, world: World) -> None:  # noqa: F811
    application = world.file()
    body = {'kind': 'extra_fee', 'text': TEXT}
    other = headers(world.other_applicant)
    assert client.post(f'{API}/applications/{application.id}/complaints', json=body, headers=other).status_code == 404
    created = client.post(
        f'{API}/applications/{application.id}/complaints', json=body, headers=headers(world.applicant)
    )
    complaint_id = created.get_json()['id']
    assert client.get(f'{API}/complaints/{complaint_id}', headers=other).status_code == 404
    tax = headers(world.tax_executor)
    assert client.get(f'{API}/complaints/{complaint_id}', headers=tax).status_code == 404
    decision = {'decision': 'upheld', 'text': 'Да.'}
    assert client.post(f'{API}/complaints/{complaint_id}/decision', json=decision, headers=tax).status_code == 404
    assert client.get(f'{API}/complaints', headers=tax).get_json() == {'items': []}
