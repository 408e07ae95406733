"""The clerk's МЭДО pages and the participants' administration: «На регистрацию» lists the arrived draft with its
sender, number, date and signature verdicts; registering it on the card page queues «Зарегистрирован»; the refusal
form cancels it and queues «Отказано в регистрации»; «Ошибки обмена» shows a quarantined packet with its reason,
hands out the packet and processes it again after the trust store was fixed. Another organization's items are not
found; a user who is no registrar is forbidden. Only a system administrator changes the participants."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.models import ExchangeParticipant, InboxPacket
from edms.exchange.operations import receive_packet
from edms.exchange.packets.writer import Signatory
from edms.registry.models import Card, CardStatus
from edms.signatures.operations import import_trusted
from scripts.make_test_pki import TestPki
from tests.exchange.inbox_setup import (
    Exchange,
    inbox_rows,
    make_exchange,
    outbox_rows,
    outgoing,
    packet_zip,
    signer,
    unzip,
)
from tests.factories import login, make_organization, make_user
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI


@pytest.fixture
def exchange(app_ctx, test_pki: TestPki) -> Exchange:  # noqa: F811
    return make_exchange(test_pki)


def receive(exchange: Exchange, raw: bytes) -> int:
    with atomic():
        return receive_packet(raw, transport='http', source=exchange.partner_node).id


def untrusted_packet(exchange: Exchange) -> bytes:
    stranger = signer(exchange.pki, 'untrusted')
    document = outgoing('05-11/9', signatories=(Signatory(stranger.name, stranger.post),))
    return packet_zip(exchange, document, signers=[stranger])


def test_the_queue_shows_the_arrived_draft_with_its_sender_number_and_signatures(client, exchange: Exchange):
    inbox_id = receive(exchange, packet_zip(exchange))
    login(client, exchange.clerk)

    page = client.get('/exchange/').get_data(as_text=True)

    with atomic():
        card_id = db.session.get(InboxPacket, inbox_id).card_id
    assert exchange.partner.name in page
    assert '№ 01-02/77' in page
    assert 'не установлено: 2' in page  # two signatures, revocation unknown
    assert f'/cards/{card_id}"' in page
    assert f'/exchange/inbox/{inbox_id}/refuse' in page


def test_registering_on_the_card_page_queues_the_registered_notification(client, exchange: Exchange):
    inbox_id = receive(exchange, packet_zip(exchange))
    login(client, exchange.clerk)
    with atomic():
        card_id = db.session.get(InboxPacket, inbox_id).card_id

    response = client.post(f'/cards/{card_id}/register')

    assert response.status_code == 302
    assert [row.event for row in outbox_rows() if row.kind == 'notification'] == ['registered']
    assert 'Документов, ожидающих регистрации, нет.' in client.get('/exchange/').get_data(as_text=True)


def test_the_refusal_form_cancels_the_draft_and_queues_the_refusal(client, exchange: Exchange):
    inbox_id = receive(exchange, packet_zip(exchange))
    login(client, exchange.clerk)
    assert 'Документ ДСП' in client.get(f'/exchange/inbox/{inbox_id}/refuse').get_data(as_text=True)

    response = client.post(f'/exchange/inbox/{inbox_id}/refuse', data={'reason': 'Документ ДСП', 'comment': ''})

    assert response.status_code == 302
    [inbox] = inbox_rows()
    assert inbox.status == 'refused'
    with atomic():
        assert db.session.get(Card, inbox.card_id).status == CardStatus.cancelled
    assert [row.event for row in outbox_rows() if row.kind == 'notification'] == ['refused']


def test_a_refusal_without_a_reason_comes_back_with_the_message(client, exchange: Exchange):
    inbox_id = receive(exchange, packet_zip(exchange))
    login(client, exchange.clerk)

    response = client.post(f'/exchange/inbox/{inbox_id}/refuse', data={'reason': '', 'comment': 'x'})

    assert response.status_code == 422
    assert '«Причина отказа»: обязательное поле.' in response.get_data(as_text=True)
    assert [row.status for row in inbox_rows()] == ['accepted']


def test_exchange_errors_show_the_packet_hand_it_out_and_process_it_again(client, exchange: Exchange):
    raw = untrusted_packet(exchange)
    inbox_id = receive(exchange, raw)
    login(client, exchange.clerk)

    page = client.get('/exchange/errors').get_data(as_text=True)
    assert 'Электронная подпись не прошла проверку' in page
    assert '№ 05-11/9' in page
    download = client.get(f'/exchange/inbox/{inbox_id}/packet')
    assert download.status_code == 200
    assert download.data == raw
    assert set(unzip(download.data)) == {'message.xml', 'container.edc.zip', 'envelope.ltr'}
    download.close()
    with atomic():
        import_trusted(SYSTEM, exchange.pki.ca_der('other_root'), accredited=True)

    response = client.post(f'/exchange/inbox/{inbox_id}/retry')

    assert response.status_code == 302
    assert [row.status for row in inbox_rows()] == ['accepted']
    assert 'Ошибок обмена нет.' in client.get('/exchange/errors').get_data(as_text=True)
    assert '№ 05-11/9' in client.get('/exchange/').get_data(as_text=True)


def test_another_organizations_items_are_not_found(client, exchange: Exchange):
    accepted = receive(exchange, packet_zip(exchange))
    quarantined = receive(exchange, untrusted_packet(exchange))
    with atomic():
        intruder = make_user(make_organization('Чужое ведомство'), 'clerk', 'administrator', can_access_restricted=True)
    login(client, intruder)

    assert client.get(f'/exchange/inbox/{accepted}/refuse').status_code == 404
    assert client.post(f'/exchange/inbox/{accepted}/refuse', data={'reason': 'Документ ДСП'}).status_code == 404
    assert client.get(f'/exchange/inbox/{quarantined}/packet').status_code == 404
    assert client.post(f'/exchange/inbox/{quarantined}/retry').status_code == 404
    assert '05-11/9' not in client.get('/exchange/errors').get_data(as_text=True)
    assert '01-02/77' not in client.get('/exchange/').get_data(as_text=True)
    assert [row.status for row in inbox_rows()] == ['accepted', 'quarantined']


def test_a_user_who_is_no_registrar_is_forbidden(client, exchange: Exchange):
    inbox_id = receive(exchange, packet_zip(exchange))
    login(client, exchange.manager)

    assert client.get('/exchange/').status_code == 403
    assert client.get(f'/exchange/inbox/{inbox_id}/refuse').status_code == 403


def test_the_system_administrator_adds_a_participant(client, exchange: Exchange):
    with atomic():
        region = make_organization('Правительство')
        admin = make_user(exchange.ministry, 'administrator', is_system_admin=True)
    login(client, admin)
    assert exchange.partner.short_name in client.get('/admin/exchange/participants/').get_data(as_text=True)
    form = {
        'organization_id': str(region.id),
        'guid': 'A02291B3-250A-472B-BE61-0C7EEB7A4646',
        'medo_address': 'prav_s',
        'endpoint_url': '',
        'is_local': '1',
        'is_active': '1',
    }

    response = client.post('/admin/exchange/participants/new', data=form)

    assert response.status_code == 302
    with atomic():
        participant = db.session.execute(select(ExchangeParticipant).filter_by(organization_id=region.id)).scalar_one()
        assert (participant.guid, participant.medo_address) == ('a02291b3-250a-472b-be61-0c7eeb7a4646', 'PRAV_S~MEDOGU')
    taken = client.post('/admin/exchange/participants/new', data={**form, 'organization_id': str(exchange.partner.id)})
    assert taken.status_code == 422
    assert '«GUID участника МЭДО»: этот GUID уже занят.' in taken.get_data(as_text=True)


def test_an_organizations_administrator_reads_its_participant_but_changes_nothing(client, exchange: Exchange):
    with atomic():
        admin = make_user(exchange.ministry, 'administrator')
    login(client, admin)

    page = client.get('/admin/exchange/participants/').get_data(as_text=True)

    assert 'MINCIFRY_S~MEDOGU' in page
    assert 'AGENCY_S' not in page
    assert client.get(f'/admin/exchange/participants/{exchange.ministry_node.id}/edit').status_code == 403
    assert client.get(f'/admin/exchange/participants/{exchange.partner_node.id}/edit').status_code == 404
    assert client.get('/admin/exchange/participants/new').status_code == 403
