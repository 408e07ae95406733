"""Routing of the exchange's incoming drafts: a packet received for the ministry becomes a draft routed by the
ministry's rules (by the sender, the document kind, МЭДО) — department set, the executor may see the restricted card
and is notified, the card page shows the rule; a draft no rule matches is accepted as before, unrouted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.models import InboxPacket
from edms.exchange.operations import receive_packet
from edms.notifications.models import Notification
from edms.registry.models import Card
from edms.registry.queries import get_card
from edms.routing.operations import create_rule
from edms.routing.queries import decision_of
from scripts.make_test_pki import TestPki
from tests.exchange.inbox_setup import Exchange, make_exchange, outgoing, packet_zip
from tests.factories import login, make_department, make_user
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI


@pytest.fixture
def exchange(app_ctx, test_pki: TestPki) -> Exchange:  # noqa: F811
    exchange = make_exchange(test_pki)
    with atomic():
        department = make_department(exchange.ministry, 'Отдел цифровой трансформации', 'ОЦТ')
        executor = make_user(exchange.ministry, 'executor', department_id=department.id)
    exchange.extra.update(department=department.id, executor=executor)
    return exchange


def receive(exchange: Exchange, raw: bytes) -> Card:
    with atomic():
        inbox_id = receive_packet(raw, transport='http', source=exchange.partner_node).id
    with atomic():
        inbox = db.session.get(InboxPacket, inbox_id)
        assert inbox.status == 'accepted', inbox.reason
        return db.session.get(Card, inbox.card_id)


def test_a_received_document_is_routed_by_the_recipients_rules(client, exchange: Exchange):
    executor, department = exchange.extra['executor'], exchange.extra['department']
    with atomic():
        orders = {'name': 'Приказы', 'document_kind': 'Приказ', 'department_id': department}
        create_rule(SYSTEM, exchange.ministry.id, orders)
        rule = {
            'name': 'Письма агентства по МЭДО',
            'card_kind': 'incoming',
            'document_kind': 'письмо',
            'correspondent_organization_id': exchange.partner.id,
            'delivery_method': 'medo',
            'executor_id': executor.id,
        }
        create_rule(SYSTEM, exchange.ministry.id, rule)

    card = receive(exchange, packet_zip(exchange, outgoing(restricted=True)))

    with atomic():
        decision = decision_of(card.id)
        assert decision is not None
        assert decision.rule_name == 'Письма агентства по МЭДО'
        assert (decision.decided_by_id, decision.executor_id) == (None, executor.id)
        assert db.session.get(Card, card.id).department_id == department
        assert 'способ доставки — «МЭДО»' in decision.explanation
        assert get_card(executor, card.id).id == card.id  # the restricted card is visible to its executor
        query = select(Notification.url).where(Notification.user_id == executor.id, Notification.kind == 'routing')
        assert list(db.session.execute(query).scalars()) == [f'/cards/{card.id}']
    login(client, exchange.clerk)
    page = client.get(f'/cards/{card.id}').get_data(as_text=True)
    assert 'Направлено по правилу «Письма агентства по МЭДО»' in page


def test_a_received_document_no_rule_matches_is_accepted_unrouted(exchange: Exchange):
    with atomic():
        rule = {'name': 'Приказы', 'document_kind': 'Приказ', 'department_id': exchange.extra['department']}
        create_rule(SYSTEM, exchange.ministry.id, rule)

    card = receive(exchange, packet_zip(exchange))

    with atomic():
        assert decision_of(card.id) is None
        assert db.session.get(Card, card.id).department_id is None
