"""Citizen appeals (59-ФЗ): the statutory deadlines on the calendar, their status, and the one extension of the answer
by a manager of the card's organization, through the operation and through the card page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.auth.models import User
from edms.core.calendar import invalidate_calendar
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.registry.appeals import StatutoryDeadline, appeal_deadlines
from edms.registry.models import Card, CardStatus
from edms.registry.operations.appeals import extend_appeal_answer
from tests.factories import login, make_card, make_organization, make_user

TODAY = local_today()
EXTENSION = {'extension_days': '10', 'extension_reason': 'Запрошены документы', 'extension_notice': 'Письмо № 5'}


@dataclass
class World:
    clerk: User
    manager: User
    appeal: Card


@pytest.fixture
def world(app_ctx: Flask) -> Iterator[World]:
    invalidate_calendar()
    with atomic():
        organization = make_organization()
        clerk = make_user(organization, 'clerk')
        manager = make_user(organization, 'manager')
        appeal = make_card(clerk, kind='citizen_appeal', document_kind='Обращение', correspondent_name='Иванов И. И.')
    yield World(clerk, manager, appeal)
    invalidate_calendar()


def d(text: str) -> date:
    day, month, year = (int(part) for part in text.split('.'))
    return date(year, month, day)


def dated(card: Card, received: str, registered: str | None) -> Card:
    """The card with the given receipt and registration dates (registration in the past is not a user action)."""
    with atomic():
        card.received_date = d(received)
        card.reg_date = d(registered) if registered else None
        card.status = CardStatus.registered if registered else CardStatus.draft
    return card


def by_key(card: Card, today: date) -> dict[str, StatutoryDeadline]:
    return {item.key: item for item in appeal_deadlines(card, today)}


# --- the rules ----------------------------------------------------------------------------------------------------


def test_registration_within_three_days_of_receipt(world: World) -> None:
    item = by_key(dated(world.appeal, '02.03.2026', '05.03.2026'), d('10.03.2026'))['registration']
    assert (item.due, item.status, item.done_on, item.basis) == (
        d('05.03.2026'),
        'met',
        d('05.03.2026'),
        'ст. 8 ч. 2 59-ФЗ',
    )
    late = by_key(dated(world.appeal, '02.03.2026', '06.03.2026'), d('10.03.2026'))['registration']
    assert late.status == 'overdue'


def test_a_last_day_off_moves_back_to_the_preceding_working_day_and_says_why(world: World) -> None:
    item = by_key(dated(world.appeal, '04.03.2026', '05.03.2026'), d('10.03.2026'))['registration']
    assert item.due == d('06.03.2026')  # 07.03.2026 is a Saturday
    assert 'последний день срока — 07.03.2026' in item.explanation
    assert 'предшествующий рабочий день' in item.explanation


def test_an_unregistered_appeal_is_due_then_overdue(world: World) -> None:
    dated(world.appeal, '02.03.2026', None)
    assert [item.key for item in appeal_deadlines(world.appeal, d('04.03.2026'))] == ['registration']
    assert by_key(world.appeal, d('05.03.2026'))['registration'].status == 'due'
    assert by_key(world.appeal, d('06.03.2026'))['registration'].status == 'overdue'


def test_forwarding_by_competence_within_seven_days_of_registration(world: World) -> None:
    item = by_key(dated(world.appeal, '02.03.2026', '05.03.2026'), d('06.03.2026'))['forwarding']
    assert (item.due, item.status, item.basis) == (d('12.03.2026'), None, 'ст. 8 ч. 3 59-ФЗ')
    assert 'семи дней со дня регистрации' in item.explanation


def test_answer_within_thirty_days_of_registration_never_later_than_the_law(world: World) -> None:
    item = by_key(dated(world.appeal, '05.03.2026', '05.03.2026'), d('06.03.2026'))['answer']
    assert (item.due, item.status, item.basis) == (d('03.04.2026'), 'due', 'ст. 12 ч. 1 59-ФЗ')
    holiday = by_key(dated(world.appeal, '09.04.2026', '09.04.2026'), d('10.04.2026'))['answer']
    assert holiday.due == d('08.05.2026')  # 09.05.2026 is День Победы (a Saturday)
    assert 'День Победы' in holiday.explanation
    assert by_key(world.appeal, d('09.05.2026'))['answer'].status == 'overdue'


def test_the_answer_is_the_earliest_outgoing_reply_and_is_checked_against_the_deadline(world: World) -> None:
    with atomic():
        make_card(world.clerk, kind='outgoing', links=[{'kind': 'reply_to', 'card_id': world.appeal.id}])
    item = by_key(world.appeal, TODAY)['answer']
    assert (item.status, item.done_on) == ('met', TODAY)
    with atomic():
        world.appeal.reg_date = world.appeal.received_date = TODAY - timedelta(days=45)
    assert by_key(world.appeal, TODAY)['answer'].status == 'overdue'


def test_other_kinds_of_cards_have_no_statutory_deadlines(world: World) -> None:
    with atomic():
        incoming = make_card(world.clerk)
    assert appeal_deadlines(incoming, TODAY) == []


# --- the extension ------------------------------------------------------------------------------------------------


def test_a_manager_extends_the_answer_once_with_audit(world: World) -> None:
    original = by_key(world.appeal, TODAY)['answer'].due
    with atomic():
        extend_appeal_answer(world.manager, world.appeal, EXTENSION)
    item = by_key(world.appeal, TODAY)['answer']
    assert item.due is not None
    assert item.due > original
    assert item.due <= world.appeal.reg_date + timedelta(days=40)
    assert item.basis == 'ст. 12 ч. 1 и 2 59-ФЗ'
    assert 'Срок продлён на 10 дн.' in item.explanation
    assert 'Письмо № 5' in item.explanation
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == 'card.appeal_extend')).scalar_one()
    assert entry.data['before']['appeal_extension_days'] is None
    assert entry.data['after']['appeal_extension_days'] == 10
    assert entry.data['answer_due'] == {'before': original.isoformat(), 'after': item.due.isoformat()}
    with pytest.raises(Conflict, match='только один раз'), atomic():
        extend_appeal_answer(world.manager, world.appeal, EXTENSION)


def test_only_a_manager_may_extend(world: World) -> None:
    with pytest.raises(Forbidden), atomic():
        extend_appeal_answer(world.clerk, world.appeal, EXTENSION)
    assert db.session.get(Card, world.appeal.id).appeal_extension_days is None


def test_a_manager_of_another_organization_does_not_find_the_card(world: World) -> None:
    with atomic():
        stranger = make_user(make_organization(), 'manager')
    with pytest.raises(NotFound), atomic():
        extend_appeal_answer(stranger, world.appeal, EXTENSION)


def test_only_open_citizen_appeals_are_extended(world: World) -> None:
    with atomic():
        incoming = make_card(world.clerk)
    with pytest.raises(Conflict, match='обращения гражданина'), atomic():
        extend_appeal_answer(world.manager, incoming, EXTENSION)
    with atomic():
        world.appeal.reg_date = world.appeal.received_date = TODAY - timedelta(days=40)
    with pytest.raises(Conflict, match='истёк'), atomic():
        extend_appeal_answer(world.manager, world.appeal, EXTENSION)


@pytest.mark.parametrize(
    ('changes', 'field', 'message'),
    [
        ({'extension_days': '0'}, 'extension_days', '«Срок продления, дней»: не меньше 1.'),
        ({'extension_days': '31'}, 'extension_days', '«Срок продления, дней»: не больше 30.'),
        ({'extension_days': 'десять'}, 'extension_days', '«Срок продления, дней»: ожидается целое число.'),
        ({'extension_reason': ''}, 'extension_reason', '«Основание продления»: обязательное поле.'),
        ({'extension_notice': ' '}, 'extension_notice', '«Уведомление заявителя»: обязательное поле.'),
        ({'appeal_extension_days': '5'}, 'appeal_extension_days', 'Неизвестное поле «appeal_extension_days».'),
    ],
)
def test_bad_extension_input_is_refused_with_a_message(world: World, changes: dict, field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught, atomic():
        extend_appeal_answer(world.manager, world.appeal, {**EXTENSION, **changes})
    assert caught.value.fields[field] == message
    assert db.session.get(Card, world.appeal.id).appeal_extension_days is None


# --- the card page ------------------------------------------------------------------------------------------------


def test_the_card_page_shows_the_deadlines_and_extends_them(world: World, client: FlaskClient) -> None:
    login(client, world.manager)
    page = client.get(f'/cards/{world.appeal.id}').get_data(as_text=True)
    assert 'Сроки рассмотрения обращения' in page
    assert 'data-deadline="answer"' in page
    assert 'Продлить срок' in page
    response = client.post(f'/cards/{world.appeal.id}/appeal-extension', data=EXTENSION)
    assert response.status_code == 302
    page = client.get(f'/cards/{world.appeal.id}').get_data(as_text=True)
    assert 'Срок ответа продлён на 10 дн.' in page
    assert 'Продлить срок' not in page


def test_bad_input_on_the_card_page_comes_back_with_the_message(world: World, client: FlaskClient) -> None:
    login(client, world.manager)
    response = client.post(
        f'/cards/{world.appeal.id}/appeal-extension', data={**EXTENSION, 'extension_days': '45', 'extension_notice': ''}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '«Срок продления, дней»: не больше 30.' in page
    assert '«Уведомление заявителя»: обязательное поле.' in page
    assert 'Запрошены документы' in page  # the typed reason comes back


def test_the_card_page_refuses_a_clerk_and_hides_another_organizations_card(world: World, client: FlaskClient) -> None:
    with atomic():
        stranger = make_user(make_organization(), 'manager')
    login(client, world.clerk)
    assert client.post(f'/cards/{world.appeal.id}/appeal-extension', data=EXTENSION).status_code == 403
    assert 'Продлить срок' not in client.get(f'/cards/{world.appeal.id}').get_data(as_text=True)
    client.post('/logout')
    login(client, stranger)
    assert client.post(f'/cards/{world.appeal.id}/appeal-extension', data=EXTENSION).status_code == 404
