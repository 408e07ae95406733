"""Bearer-token authentication of the API: 401 JSON with a Bearer challenge, no cookie sessions, no forced change."""

from __future__ import annotations

import pytest

from edms.auth.models import ApiToken
from edms.auth.operations import revoke_api_token
from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.tx import atomic
from tests.api.conftest import api_user
from tests.factories import login, make_organization, make_user


@pytest.mark.smoke
def test_request_without_token_is_401_json_with_bearer_challenge(client):
    response = client.get('/api/v1/cards')
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'].startswith('Bearer')
    error = response.get_json()['error']
    assert error['code'] == 'unauthorized'
    assert 'Authorization: Bearer' in error['message']
    assert error['fields'] == {}


def test_revoked_token_is_401(client, org, clerk):
    assert client.get('/api/v1/me', headers=clerk.headers).status_code == 200
    with atomic():
        token = db.session.query(ApiToken).filter_by(user_id=clerk.user.id).one()
        revoke_api_token(SYSTEM, token)
    response = client.get('/api/v1/me', headers=clerk.headers)
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'].startswith('Bearer')
    assert response.get_json()['error']['message'] == 'Токен доступа недействителен или отозван.'


def test_unknown_token_and_other_schemes_are_401(client, clerk):
    for header in ('Bearer edms_not-a-real-token', f'Basic {clerk.token}', 'Bearer', clerk.token):
        response = client.get('/api/v1/me', headers={'Authorization': header})
        assert response.status_code == 401, header
        assert response.get_json()['error']['code'] == 'unauthorized'


def test_session_cookie_does_not_authenticate_the_api(client, org):
    with atomic():
        user = make_user(org, 'clerk')
    login(client, user)
    assert client.get('/api/v1/me').status_code == 401


def test_token_acts_as_its_user_even_when_a_password_change_is_due(client, org):
    who = api_user(org, 'clerk', must_change_password=True)
    response = client.get('/api/v1/me', headers=who.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body['id'] == who.user.id
    assert body['organization_id'] == org.id
    assert body['roles'] == ['clerk']


def test_token_of_a_disabled_user_is_401(client, app_ctx):
    with atomic():
        organization = make_organization()
    who = api_user(organization, 'clerk')
    with atomic():
        db.session.merge(who.user).is_active = False
    response = client.get('/api/v1/me', headers=who.headers)
    assert response.status_code == 401
    assert 'отключены' in response.get_json()['error']['message']
