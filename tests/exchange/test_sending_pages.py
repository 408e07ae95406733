"""Sending from the card page and the API: the «Обмен» tab offers the МЭДО addressees not sent yet, sends with one
click and shows each addressee's timeline; a card that cannot be sent comes back with the reason; the API sends and
reads the same dispatches; another organization's card is not found; the recipient's draft tells where it came from."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.models import Dispatch
from edms.registry.models import Card
from scripts.make_test_pki import TestPki
from tests.exchange.send_setup import Sending, make_sending
from tests.factories import api_token, login, make_organization, make_user
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI


@pytest.fixture
def world(app_ctx, test_pki: TestPki) -> Sending:  # noqa: F811
    return make_sending(test_pki)


def test_the_tab_offers_the_participants_and_sending_fills_the_timeline(client, world: Sending):
    login(client, world.clerk)
    page = client.get(f'/cards/{world.card.id}?tab=exchange').get_data(as_text=True)
    assert 'Отправить по МЭДО' in page
    assert world.agency.name in page
    assert world.partner.name in page
    assert 'Петрову П. П.' not in page.split('Отправить по МЭДО')[1], 'a person without a participant is not offered'

    response = client.post(f'/cards/{world.card.id}/dispatches', data={'addressees': [_addressee_id(world)]})
    assert response.status_code == 302
    assert response.headers['Location'].endswith(f'/cards/{world.card.id}?tab=exchange')

    page = client.get(f'/cards/{world.card.id}?tab=exchange').get_data(as_text=True)
    assert 'Документ отправлен по МЭДО' in page
    assert 'Доставлен (квитанция)' in page, 'the agency served here answered with a receipt'
    with atomic():
        [dispatch] = db.session.execute(select(Dispatch)).scalars()
        assert dispatch.addressee_name == world.agency.name


def test_the_recipients_draft_shows_the_packet_it_came_in(client, world: Sending):
    login(client, world.clerk)
    client.post(f'/cards/{world.card.id}/dispatches', data={'addressees': [_addressee_id(world)]})
    with atomic():
        draft = db.session.execute(select(Card).where(Card.organization_id == world.agency.id)).scalar_one()
    client.post('/logout')
    login(client, world.agency_clerk)
    page = client.get(f'/cards/{draft.id}?tab=exchange').get_data(as_text=True)
    assert 'Поступил по МЭДО' in page
    assert 'Внутри системы' in page
    assert world.card.reg_number in page


def test_a_card_that_cannot_be_sent_comes_back_with_the_reason(client, app_ctx, test_pki: TestPki):  # noqa: F811
    world = make_sending(test_pki, sign=False)
    login(client, world.clerk)
    response = client.post(f'/cards/{world.card.id}/dispatches', data={'addressees': [_addressee_id(world)]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'подпишите его квалифицированной подписью' in page
    assert f'value="{_addressee_id(world)}"' in page

    nothing = client.post(f'/cards/{world.card.id}/dispatches', data={}).get_data(as_text=True)
    assert 'отметьте хотя бы одного адресата' in nothing


def test_the_api_sends_and_reads_the_timeline(client, world: Sending):
    headers = {'Authorization': f'Bearer {_token(world)}'}
    response = client.post(f'/api/v1/cards/{world.card.id}/dispatches', json={}, headers=headers)
    assert response.status_code == 201, response.get_json()
    sent = response.get_json()['dispatches']
    assert [item['addressee'] for item in sent] == [world.agency.name, world.partner.name]

    listed = client.get(f'/api/v1/cards/{world.card.id}/dispatches', headers=headers).get_json()['dispatches']
    by_name = {item['addressee']: item for item in listed}
    assert [event['kind'] for event in by_name[world.agency.name]['events']] == ['queued', 'sent', 'delivered']
    assert by_name[world.partner.name]['status'] == 'queued'

    again = client.post(f'/api/v1/cards/{world.card.id}/dispatches', json={}, headers=headers)
    assert again.status_code == 422
    assert 'уже отправлен всем адресатам' in again.get_json()['error']['fields']['addressees']


def test_another_organizations_card_is_not_found(client, world: Sending):
    with atomic():
        stranger = make_user(make_organization('Чужое'), 'clerk')
        token = api_token(stranger)
    headers = {'Authorization': f'Bearer {token}'}
    assert client.get(f'/api/v1/cards/{world.card.id}/dispatches', headers=headers).status_code == 404
    assert client.post(f'/api/v1/cards/{world.card.id}/dispatches', json={}, headers=headers).status_code == 404
    login(client, stranger)
    assert client.post(f'/cards/{world.card.id}/dispatches', data={}).status_code == 404
    with atomic():
        assert db.session.execute(select(Dispatch)).first() is None


def _addressee_id(world: Sending) -> int:
    with atomic():
        card = db.session.get(Card, world.card.id)
        return next(item.id for item in card.addressees if item.organization_id == world.agency.id)


def _token(world: Sending) -> str:
    with atomic():
        return api_token(world.clerk)
