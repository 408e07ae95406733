"""«Мой телефон» over the API: `GET /me/phone` (null until confirmed), `POST /me/phone/code` sending a code to a new
number (202; a wrong number or the number already confirmed a 422 on `phone`; asked too often a 429), `POST /me/phone`
storing it with that code (a wrong code a 422 on `code` with the attempt spent and committed; another number's or
another account's code confirms nothing), `DELETE /me/phone`; unknown fields refused; always the token's own account;
the OpenAPI document describes it."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from edms.auth.confirmation import ConfirmationCode
from edms.auth.models import Role, User
from edms.core.db import db
from edms.core.tx import atomic
from tests.auth.sms_gateway import notified_code
from tests.factories import PASSWORD, api_token, make_organization, make_user

API = '/api/v1/me/phone'


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr('edms.auth.confirmation_codes.RESEND_SECONDS', 0)


@pytest.fixture
def people(client: FlaskClient) -> tuple[User, User]:
    with atomic():
        organization = make_organization('Портал госуслуг', kind='portal', with_journals=False)
        return make_user(organization, Role.applicant), make_user(organization, Role.applicant)


def token(user: User) -> dict[str, str]:
    with atomic():
        return {'Authorization': f'Bearer {api_token(user)}'}


def fields(response: Any) -> dict[str, str]:
    return response.get_json()['error']['fields']


def test_a_number_is_confirmed_with_the_code_sent_to_it(client: FlaskClient, people: tuple[User, User]) -> None:
    user, _ = people
    head = token(user)
    assert client.get(API, headers=head).get_json() == {'phone': None, 'confirmed_at': None}
    sent = client.post(f'{API}/code', json={'phone': '8 912 345 67 89'}, headers=head)
    assert sent.status_code == 202, sent.get_json()
    answer = sent.get_json()
    assert (answer['phone'], answer['purpose']) == ('+79123456789', 'phone:confirm:9123456789')
    assert client.get(API, headers=head).get_json()['phone'] is None  # not before the code
    code = notified_code(user)
    wrong = '000000' if code != '000000' else '111111'
    refused = client.post(API, json={'phone': '+79123456789', 'code': wrong, 'password': PASSWORD}, headers=head)
    assert refused.status_code == 422
    assert fields(refused) == {'code': '«Код подтверждения»: неверный код, осталось 2 попытки.'}
    db.session.expire_all()
    assert db.session.query(ConfirmationCode).one().attempts == 1  # committed despite the refusal
    done = client.post(API, json={'phone': '+7 912 345-67-89', 'code': code, 'password': PASSWORD}, headers=head)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()['phone'] == '+79123456789'
    assert done.get_json()['confirmed_at']
    assert client.get(API, headers=head).get_json()['phone'] == '+79123456789'
    again = client.post(f'{API}/code', json={'phone': '+79123456789'}, headers=head)
    assert fields(again) == {'phone': '«Номер телефона»: этот номер уже подтверждён для вашей учётной записи.'}
    assert client.delete(API, headers=head).status_code == 204
    assert client.get(API, headers=head).get_json() == {'phone': None, 'confirmed_at': None}


def test_another_numbers_or_another_accounts_code_confirms_nothing(
    client: FlaskClient, people: tuple[User, User]
) -> None:
    owner, stranger = people
    mine, theirs = token(owner), token(stranger)
    client.post(f'{API}/code', json={'phone': '+79123456789'}, headers=mine)
    code = notified_code(owner)
    refused = client.post(API, json={'phone': '+79001112233', 'code': code, 'password': PASSWORD}, headers=mine)
    assert fields(refused) == {'code': '«Код подтверждения»: код не запрашивался — запросите новый код.'}
    refused = client.post(API, json={'phone': '+79123456789', 'code': code, 'password': PASSWORD}, headers=theirs)
    assert fields(refused) == {'code': '«Код подтверждения»: код не запрашивался — запросите новый код.'}
    assert client.get(API, headers=theirs).get_json()['phone'] is None
    assert (
        client.post(API, json={'phone': '+79123456789', 'code': code, 'password': PASSWORD}, headers=mine).status_code
        == 200
    )
    # The stranger reads and removes only his own (none): the owner's number stays.
    assert client.get(API, headers=theirs).get_json()['phone'] is None
    assert client.delete(API, headers=theirs).status_code == 204
    assert client.get(API, headers=mine).get_json()['phone'] == '+79123456789'


def test_bad_input_is_a_422_naming_the_field(client: FlaskClient, people: tuple[User, User]) -> None:
    head = token(people[0])
    response = client.post(f'{API}/code', json={'phone': '+7 495 123-45-67'}, headers=head)
    assert fields(response) == {'phone': '«Номер телефона»: мобильный номер в формате +7 9XX XXX-XX-XX.'}
    response = client.post(f'{API}/code', json={'phone': 79123456789}, headers=head)
    assert fields(response) == {'phone': '«Номер телефона»: введите номер мобильного телефона.'}
    response = client.post(f'{API}/code', json={'phone': '+79123456789', 'user_id': 1}, headers=head)
    assert fields(response) == {'user_id': 'Неизвестное поле «user_id».'}
    response = client.post(API, json={'phone': '+79123456789', 'code': 123456, 'password': PASSWORD}, headers=head)
    assert fields(response) == {'code': '«Код подтверждения»: введите код из СМС.'}
    response = client.post(API, json={'phone': '+79123456789'}, headers=head)
    assert fields(response) == {
        'code': '«Код подтверждения»: введите код из СМС.',
        'password': '«Пароль учётной записи»: введите пароль, которым вы входите в систему.',
    }
    assert client.post(API, data='{', headers={**head, 'Content-Type': 'application/json'}).status_code == 400
    assert db.session.query(ConfirmationCode).count() == 0


def test_asked_too_often_is_a_429_and_no_token_a_401(
    client: FlaskClient, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr('edms.auth.confirmation_codes.RESEND_SECONDS', 60)
    head = token(people[0])
    assert client.post(f'{API}/code', json={'phone': '+79123456789'}, headers=head).status_code == 202
    again = client.post(f'{API}/code', json={'phone': '+79001112233'}, headers=head)
    assert again.status_code == 429
    assert int(again.headers['Retry-After']) >= 1
    assert client.get(API).status_code == 401
    assert client.post(f'{API}/code', json={'phone': '+79123456789'}).status_code == 401


def test_openapi_describes_my_phone(client: FlaskClient) -> None:
    document = client.get('/api/v1/openapi.json').get_json()
    assert set(document['paths']['/me/phone']) == {'get', 'post', 'delete'}
    assert '429' in document['paths']['/me/phone/code']['post']['responses']
    schemas = document['components']['schemas']
    assert schemas['MyPhoneCodeInput']['additionalProperties'] is False
    assert set(schemas['MyPhoneConfirmInput']['required']) == {'phone', 'code', 'password'}


def test_a_wrong_password_confirms_nothing_and_counts_towards_the_lockout(
    client: FlaskClient, people: tuple[User, User]
) -> None:
    """Holding the token is not enough to put one's own number where the account's confirmations go."""
    user, head = people[0], token(people[0])
    assert client.post(f'{API}/code', json={'phone': '+79123456789'}, headers=head).status_code == 202
    code = notified_code(user)
    refused = client.post(API, json={'phone': '+79123456789', 'code': code, 'password': 'не тот'}, headers=head)
    assert refused.status_code == 422
    assert fields(refused) == {'password': '«Пароль учётной записи»: пароль указан неверно.'}
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert (stored.phone, stored.failed_logins) == (None, 1)
    assert (
        client.post(API, json={'phone': '+79123456789', 'code': code, 'password': PASSWORD}, headers=head).status_code
        == 200
    )
