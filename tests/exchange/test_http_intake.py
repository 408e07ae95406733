"""The HTTP intake `POST /api/v1/exchange/packets`: a partner system's token posts the zip of a packet folder and
gets 202 with the inbox id and the receipt's state (the packet is a draft of the ministry by then, the jobs running
synchronously in tests); the same bytes again answer 200 with the same id; a bad packet is kept and answered with a
negative receipt; no token, a token of an organization outside the exchange, an empty or too large body are refused
and nothing is kept; another organization's packet is not found. Answers match the OpenAPI schemas."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from edms.core.tx import atomic
from edms.exchange.models import InboxPacket, OutboxPacket
from edms.registry.models import Card
from scripts.make_test_pki import TestPki
from tests.api.schema_check import SchemaChecker
from tests.exchange.inbox_setup import Exchange, count, make_exchange, packet_zip
from tests.factories import api_token, make_organization, make_user
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI

URL = '/api/v1/exchange/packets'


@pytest.fixture
def exchange(app_ctx, test_pki: TestPki) -> Exchange:  # noqa: F811
    return make_exchange(test_pki)


def post(client: FlaskClient, token: str | None, body: bytes):
    headers = {'Content-Type': 'application/zip'}
    if token:
        headers['Authorization'] = f'Bearer {token}'
    return client.post(URL, data=body, headers=headers)


def test_a_posted_packet_is_accepted_with_its_inbox_id_and_a_positive_receipt(client, exchange: Exchange):
    response = post(client, exchange.token, packet_zip(exchange))

    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    SchemaChecker(client).check(body, 'PacketReception')
    assert (body['status'], body['receipt'], body['duplicate'], body['receptions']) == (
        'accepted',
        'positive',
        False,
        1,
    )
    assert response.headers['Location'] == f'{URL}/{body["id"]}'
    assert count(Card) == 1
    assert count(OutboxPacket, OutboxPacket.kind == 'receipt') == 1


def test_the_same_packet_posted_again_answers_200_with_the_same_id(client, exchange: Exchange):
    raw = packet_zip(exchange)
    first = post(client, exchange.token, raw).get_json()

    response = post(client, exchange.token, raw)

    assert response.status_code == 200
    body = response.get_json()
    assert (body['id'], body['duplicate'], body['receptions']) == (first['id'], True, 2)
    assert count(InboxPacket) == 1
    assert count(Card) == 1
    assert count(OutboxPacket, OutboxPacket.kind == 'receipt') == 2


def test_a_bad_packet_is_kept_and_answered_with_a_negative_receipt(client, exchange: Exchange):
    response = post(client, exchange.token, b'PK\x03\x04 this is no zip')

    assert response.status_code == 202
    body = response.get_json()
    assert (body['status'], body['receipt'], body['reason_code']) == ('quarantined', 'negative', 'unsupported')
    assert body['reason']
    assert count(Card) == 0
    assert count(OutboxPacket, OutboxPacket.kind == 'receipt') == 1


def test_the_poster_reads_the_state_of_its_packet(client, exchange: Exchange):
    posted = post(client, exchange.token, packet_zip(exchange)).get_json()

    response = client.get(f'{URL}/{posted["id"]}', headers={'Authorization': f'Bearer {exchange.token}'})

    assert response.status_code == 200
    SchemaChecker(client).check(response.get_json(), 'ReceivedPacket')
    assert response.get_json()['status'] == 'accepted'


def test_another_organizations_packet_is_not_found(client, exchange: Exchange):
    posted = post(client, exchange.token, packet_zip(exchange)).get_json()
    with atomic():
        stranger = make_user(make_organization('Чужое ведомство'), 'clerk', 'administrator')
        token = api_token(stranger)

    response = client.get(f'{URL}/{posted["id"]}', headers={'Authorization': f'Bearer {token}'})

    assert response.status_code == 404


def test_without_a_token_nothing_is_received(client, exchange: Exchange):
    response = post(client, None, packet_zip(exchange))

    assert response.status_code == 401
    assert count(InboxPacket) == 0


def test_a_token_of_an_organization_outside_the_exchange_is_forbidden(client, exchange: Exchange):
    with atomic():
        outsider = make_user(make_organization('Неучастник'), 'clerk')
        token = api_token(outsider)

    response = post(client, token, packet_zip(exchange))

    assert response.status_code == 403
    assert 'участником обмена' in response.get_json()['error']['message']
    assert count(InboxPacket) == 0


def test_an_empty_body_is_refused(client, exchange: Exchange):
    response = post(client, exchange.token, b'')

    assert response.status_code == 422
    assert count(InboxPacket) == 0


def test_a_body_over_the_limit_is_refused_and_nothing_is_kept(app, client, exchange: Exchange, monkeypatch):
    monkeypatch.setitem(app.config, 'EXCHANGE_MAX_PACKET_SIZE', 1024)

    response = post(client, exchange.token, packet_zip(exchange))

    assert response.status_code == 413
    assert response.get_json()['error']['code'] == 'packet_too_large'
    assert count(InboxPacket) == 0
