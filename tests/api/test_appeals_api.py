"""Citizen appeals (59-ФЗ) over the API: the statutory deadlines in the card's JSON and how each was computed, the
one extension of the answer by a manager, its refusals; and no extra query for cards that are not appeals."""

from __future__ import annotations

from datetime import date

import pytest

from edms.core.calendar import business_calendar, invalidate_calendar
from edms.core.clock import local_today
from edms.core.tx import atomic
from tests.api.conftest import api_user, created_card
from tests.api.schema_check import SchemaChecker
from tests.api.test_performance import statements_to_read
from tests.factories import make_organization

EXTENSION = {'extension_days': 20, 'extension_reason': 'Запрошены документы', 'extension_notice': 'Письмо № 5'}
APPEAL = {'kind': 'citizen_appeal', 'document_kind': 'Обращение', 'correspondent_name': 'Иванов И. И.'}


@pytest.fixture(autouse=True)
def fresh_calendar(app_ctx):
    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def manager(org):
    return api_user(org, 'manager')


def answer_of(card: dict) -> dict:
    return next(item for item in card['appeal_deadlines'] if item['key'] == 'answer')


def expected_answer(days: int) -> date:
    """The law's calendar days from registration (today), moved back to a working day."""
    return business_calendar().add_calendar_days(local_today(), days, 'backward').date


def test_an_appeal_carries_its_statutory_deadlines_and_how_they_were_computed(client, clerk):
    card = created_card(client, clerk, received_date=local_today().isoformat(), **APPEAL)
    SchemaChecker(client).check(card, 'Card')
    assert [item['key'] for item in card['appeal_deadlines']] == ['registration', 'forwarding', 'answer']
    registration, forwarding, answer = card['appeal_deadlines']
    assert (registration['basis'], registration['status'], registration['done_on']) == (
        'ст. 8 ч. 2 59-ФЗ',
        'met',
        local_today().isoformat(),
    )
    assert 'в течение трёх дней' in registration['explanation']
    assert forwarding['status'] is None
    assert forwarding['status_label'] == 'не отслеживается'
    assert (answer['basis'], answer['status'], answer['status_label']) == ('ст. 12 ч. 1 59-ФЗ', 'due', 'срок не истёк')
    assert answer['due'] == expected_answer(30).isoformat()
    assert 'в течение 30 дней со дня регистрации' in answer['explanation']
    assert card['appeal_extension'] is None
    assert client.get(card['url'], headers=clerk.headers).get_json()['appeal_deadlines'] == card['appeal_deadlines']


def test_other_cards_have_no_deadlines_and_cost_no_extra_query(client, clerk):
    letter = created_card(client, clerk)
    appeal = created_card(client, clerk, **APPEAL)
    assert (letter['appeal_deadlines'], letter['appeal_extension']) == ([], None)
    plain = statements_to_read(client, clerk, letter['id'])
    with_deadlines = statements_to_read(client, clerk, appeal['id'])
    # The appeal reads the date of its answer (the earliest linked reply); the letter reads nothing more.
    assert len(with_deadlines) == len(plain) + 1
    assert len(plain) <= 5


def test_a_manager_extends_the_answer_once(client, clerk, manager):
    card = created_card(client, clerk, **APPEAL)
    url = f'/api/v1/cards/{card["id"]}/appeal-extension'
    response = client.post(url, json=EXTENSION, headers=manager.headers)
    assert response.status_code == 200, response.get_json()
    extended = response.get_json()
    SchemaChecker(client).check(extended, 'Card')
    assert extended['appeal_extension'] | {'extended_at': None} == {
        'days': 20,
        'reason': 'Запрошены документы',
        'notice': 'Письмо № 5',
        'extended_at': None,
        'extended_by': {'id': manager.user.id, 'name': manager.user.full_name},
    }
    assert extended['appeal_extension']['extended_at'] is not None
    answer = answer_of(extended)
    assert (answer['due'], answer['basis']) == (expected_answer(50).isoformat(), 'ст. 12 ч. 1 и 2 59-ФЗ')
    assert 'Срок продлён на 20 дн.' in answer['explanation']
    again = client.post(url, json=EXTENSION, headers=manager.headers)
    assert (again.status_code, again.get_json()['error']['code']) == (409, 'appeal_already_extended')


def test_extension_refusals_name_the_rule(client, clerk, manager):
    appeal = created_card(client, clerk, **APPEAL)
    letter = created_card(client, clerk)
    url = f'/api/v1/cards/{appeal["id"]}/appeal-extension'
    too_long = client.post(url, json={**EXTENSION, 'extension_days': 31}, headers=manager.headers)
    assert too_long.status_code == 422
    assert too_long.get_json()['error']['fields']['extension_days'] == '«Срок продления, дней»: не больше 30.'
    unknown = client.post(url, json={**EXTENSION, 'days': 5}, headers=manager.headers)
    assert unknown.get_json()['error']['fields'] == {'days': 'Неизвестное поле «days».'}
    missing = client.post(url, json={'extension_days': 5}, headers=manager.headers)
    assert set(missing.get_json()['error']['fields']) == {'extension_reason', 'extension_notice'}
    by_clerk = client.post(url, json=EXTENSION, headers=clerk.headers)
    assert by_clerk.status_code == 403
    not_appeal = client.post(f'/api/v1/cards/{letter["id"]}/appeal-extension', json=EXTENSION, headers=manager.headers)
    assert (not_appeal.status_code, not_appeal.get_json()['error']['code']) == (409, 'appeal_not_applicable')
    assert client.get(appeal['url'], headers=clerk.headers).get_json()['appeal_extension'] is None


def test_another_organizations_manager_gets_404(client, clerk):
    card = created_card(client, clerk, **APPEAL)
    with atomic():
        stranger_org = make_organization('Другое ведомство')
    stranger = api_user(stranger_org, 'manager', can_access_restricted=True)
    response = client.post(f'/api/v1/cards/{card["id"]}/appeal-extension', json=EXTENSION, headers=stranger.headers)
    assert (response.status_code, response.get_json()['error']['code']) == (404, 'card_not_found')
