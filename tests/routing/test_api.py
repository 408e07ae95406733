"""Routing in the JSON API: rules listed, created, read, changed, moved and deleted by the organization's
administrator (answers match the OpenAPI schemas), the trial of a sample that saves nothing, a card's decision read
and applied; another organization's rule or card is a 404, a clerk may not manage rules, messages are Russian."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from edms.core.tx import atomic
from edms.routing.models import RoutingDecision
from tests.api.schema_check import SchemaChecker
from tests.factories import api_token
from tests.routing.conftest import Ministry, count
from tests.routing.test_trial import written

KINDS = 'incoming, outgoing, internal, citizen_appeal'


@pytest.fixture
def tokens(ministry: Ministry) -> dict[str, dict[str, str]]:
    with atomic():
        users = {'admin': ministry.admin, 'clerk': ministry.clerk, 'other': ministry.other_admin}
        return {name: {'Authorization': f'Bearer {api_token(user)}'} for name, user in users.items()}


def call(client: FlaskClient, method: str, url: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
    response = client.open(f'/api/v1{url}', method=method, headers=headers, json=body)
    return response.status_code, response.get_json(silent=True)


def test_the_administrator_manages_the_rules_through_the_api(client: FlaskClient, ministry: Ministry, tokens):
    schemas, admin = SchemaChecker(client), tokens['admin']
    raw = {'name': 'Письма', 'document_kind': 'Письмо', 'department_id': ministry.execution.id}

    status, created = call(client, 'POST', '/routing/rules', admin, raw)
    assert status == 201
    schemas.check(created, 'RoutingRule')
    assert (created['position'], created['department']['name']) == (1, 'Отдел исполнения')
    _, second = call(client, 'POST', '/routing/rules', admin, {**raw, 'name': 'Приказы', 'document_kind': 'Приказ'})

    status, changed = call(
        client, 'PATCH', f'/routing/rules/{created["id"]}', admin, {'executor_id': ministry.executor.id}
    )
    assert status == 200
    assert (changed['document_kind'], changed['executor']['id']) == ('Письмо', ministry.executor.id)
    status, moved = call(client, 'POST', f'/routing/rules/{second["id"]}/move', admin, {'direction': 'up'})
    assert (status, moved['position']) == (200, 1)
    status, listed = call(client, 'GET', '/routing/rules', admin)
    schemas.check(listed, 'RoutingRuleList')
    assert [item['name'] for item in listed['items']] == ['Приказы', 'Письма']
    assert call(client, 'DELETE', f'/routing/rules/{second["id"]}', admin)[0] == 204
    status, read = call(client, 'GET', f'/routing/rules/{created["id"]}', admin)
    assert (status, read['position']) == (200, 1)


def test_refused_rules_answer_422_with_russian_field_messages(client: FlaskClient, ministry: Ministry, tokens):
    status, body = call(client, 'POST', '/routing/rules', tokens['admin'], {'card_kind': 'x', 'position': 3})

    assert status == 422
    assert body['error']['fields'] == {
        'position': 'Неизвестное поле «position».',
        'name': '«Название правила»: обязательное поле.',
        'card_kind': f'«Вид карточки»: недопустимое значение «x» (допустимо: {KINDS}).',
        'department_id': '«Подразделение»: укажите подразделение или исполнителя, куда направлять.',
    }
    rule = ministry.rule(name='Правило')
    status, body = call(client, 'POST', f'/routing/rules/{rule.id}/move', tokens['admin'], {'direction': 'left'})
    assert (status, body['error']['fields']['direction']) == (
        422,
        '«Направление»: ожидается «up» (выше) или «down» (ниже).',
    )


def test_the_trial_explains_every_rule_and_saves_nothing(client: FlaskClient, ministry: Ministry, tokens):
    first = ministry.rule(name='По МЭДО', delivery_method='medo')
    second = ministry.rule(name='Входящие', card_kind='incoming', executor_id=ministry.executor.id)
    before = written()

    status, trial = call(
        client, 'POST', '/routing/try', tokens['admin'], {'kind': 'incoming', 'delivery_method': 'post'}
    )

    assert status == 200
    SchemaChecker(client).check(trial, 'RoutingTrial')
    assert trial['fired_rule_id'] == second.id
    assert [(item['rule']['id'], item['fires']) for item in trial['rules']] == [(first.id, False), (second.id, True)]
    assert trial['rules'][0]['why_not'] == ['способ доставки «Почта», а правило требует «МЭДО»']
    assert written() == before
    assert call(client, 'POST', '/routing/try', tokens['admin'], {'kind': 'x'})[0] == 422


def test_a_card_is_routed_and_its_decision_read(client: FlaskClient, ministry: Ministry, tokens):
    card = ministry.card(document_kind='Приказ')
    status, body = call(client, 'POST', f'/cards/{card.id}/routing', tokens['clerk'])
    assert (status, body['error']['code']) == (409, 'routing_no_rule')
    assert call(client, 'GET', f'/cards/{card.id}/routing', tokens['clerk'])[1] == {
        'card_id': card.id,
        'decision': None,
    }

    ministry.rule(name='Приказы', document_kind='приказ', department_id=ministry.legal.id)
    status, routed = call(client, 'POST', f'/cards/{card.id}/routing', tokens['clerk'])

    assert status == 200
    SchemaChecker(client).check(routed, 'CardRouting')
    decision = routed['decision']
    assert (decision['rule_name'], decision['department']['name']) == ('Приказы', 'Юридический отдел')
    assert decision['decided_by']['id'] == ministry.clerk.id
    assert 'вид документа — «Приказ»' in decision['explanation']
    status, body = call(client, 'POST', f'/cards/{card.id}/routing', tokens['clerk'], {'force': True})
    assert (status, body['error']['fields']) == (422, {'force': 'Неизвестное поле «force».'})


def test_another_organizations_rules_and_cards_are_not_found_and_clerks_manage_no_rules(
    client: FlaskClient, ministry: Ministry, tokens
):
    card = ministry.card()
    rule = ministry.rule(name='Правило')
    other = tokens['other']
    for method, url, body in (
        ('GET', f'/routing/rules/{rule.id}', None),
        ('PATCH', f'/routing/rules/{rule.id}', {'name': 'x'}),
        ('DELETE', f'/routing/rules/{rule.id}', None),
        ('POST', f'/routing/rules/{rule.id}/move', {'direction': 'up'}),
        ('GET', f'/cards/{card.id}/routing', None),
        ('POST', f'/cards/{card.id}/routing', None),
    ):
        assert call(client, method, url, other, body)[0] == 404, (method, url)
    _, own = call(client, 'GET', '/routing/rules', other)
    assert [item['id'] for item in own['items']] == [ministry.other_rule.id]
    assert call(client, 'GET', '/routing/rules', tokens['clerk'])[0] == 403
    assert call(client, 'POST', '/routing/rules', tokens['clerk'], {'name': 'x'})[0] == 403
    assert call(client, 'GET', f'/routing/rules/{rule.id}', tokens['clerk'])[0] == 403
    assert count(RoutingDecision) == 0
