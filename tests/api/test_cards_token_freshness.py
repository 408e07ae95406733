"""A token's user is read afresh on every request: a revoked or expired token, a deactivated user or organization
and a changed role take effect on the very next request to the card endpoints, with nothing kept between requests.
"""

from __future__ import annotations

from datetime import timedelta

from edms.auth.models import ApiToken, Role, User, UserRole
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization
from tests.api.conftest import api_user, created_card, post_card


def test_a_role_taken_away_stops_registration_on_the_next_request(client, org, clerk):
    card = created_card(client, clerk)
    with atomic():
        user = db.session.get(User, clerk.user.id)
        user.role_rows = [UserRole(role=Role.executor)]
    assert post_card(client, clerk).status_code == 403
    assert client.get(f'/api/v1/cards/{card["id"]}', headers=clerk.headers).status_code == 200
    with atomic():
        db.session.get(User, clerk.user.id).role_rows = [UserRole(role=Role.clerk)]
    assert post_card(client, clerk).status_code == 201


def test_a_deactivated_organization_stops_its_tokens_on_the_next_request(client, org, clerk):
    card = created_card(client, clerk)
    with atomic():
        db.session.get(Organization, org.id).is_active = False
    response = client.get(f'/api/v1/cards/{card["id"]}', headers=clerk.headers)
    assert response.status_code == 401
    assert 'отключены' in response.get_json()['error']['message']


def test_a_token_past_its_expiry_is_refused_on_the_next_request(client, org, clerk):
    card = created_card(client, clerk)
    with atomic():
        token = db.session.query(ApiToken).filter_by(user_id=clerk.user.id).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
    assert client.get(f'/api/v1/cards/{card["id"]}', headers=clerk.headers).status_code == 401


def test_a_revoked_token_is_refused_between_two_reads_of_the_same_card(client, org, clerk):
    card = created_card(client, clerk)
    assert client.get(f'/api/v1/cards/{card["id"]}', headers=clerk.headers).status_code == 200
    with atomic():
        db.session.query(ApiToken).filter_by(user_id=clerk.user.id).one().revoked_at = utcnow()
    assert client.get(f'/api/v1/cards/{card["id"]}', headers=clerk.headers).status_code == 401


def test_the_right_to_restricted_cards_is_read_on_every_request(client, org, clerk):
    with atomic():
        db.session.get(User, clerk.user.id).can_access_restricted = True
    card = created_card(client, clerk, access_mark='restricted')
    reader = api_user(org, 'executor')
    url = f'/api/v1/cards/{card["id"]}'
    assert client.get(url, headers=reader.headers).status_code == 404
    with atomic():
        db.session.get(User, reader.user.id).can_access_restricted = True
    assert client.get(url, headers=reader.headers).status_code == 200
    with atomic():
        db.session.get(User, reader.user.id).can_access_restricted = False
    assert client.get(url, headers=reader.headers).status_code == 404
