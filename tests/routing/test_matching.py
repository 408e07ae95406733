"""Applying the rules: every condition given must match, texts ignore case, the first active rule in order wins,
inactive rules and other organizations' rules are skipped; the card gets the department, the executor a grant and
one notification, and the decision (with the rule's name, kept after the rule is deleted) is journaled on the card."""

from __future__ import annotations

from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.core.db import db
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.registry.models import Card, CardAccessGrant
from edms.routing.models import RoutingDecision
from edms.routing.operations import delete_rule, move_rule, route_card, sample_of, update_rule
from edms.routing.queries import decision_of, list_rules
from tests.routing.conftest import Ministry, count


def route(card: Card, service: str | None = None) -> RoutingDecision | None:
    with atomic():
        card = db.session.get(Card, card.id)
        decision = route_card(card, sample_of(card, service=service))
        return decision


def department_of(card: Card) -> int | None:
    with atomic():
        return db.session.get(Card, card.id).department_id


def test_a_rule_fires_when_every_condition_it_gives_matches(ministry: Ministry):
    rule = ministry.rule(
        name='Письма налоговой',
        card_kind='incoming',
        document_kind='Письмо',
        correspondent_organization_id=ministry.tax.id,
        department_id=ministry.execution.id,
    )
    card = ministry.card(document_kind='письмо', correspondent_organization_id=ministry.tax.id)

    decision = route(card)

    assert decision is not None
    assert (decision.rule_id, decision.rule_name) == (rule.id, 'Письма налоговой')
    assert department_of(card) == ministry.execution.id
    assert decision.explanation.startswith('Сработало правило № 1 «Письма налоговой»: вид карточки — «Входящий»')
    assert 'вид документа — «письмо»' in decision.explanation
    assert f'корреспондент — «{ministry.tax.short_name}»' in decision.explanation


def test_one_condition_that_does_not_match_keeps_the_rule_from_firing(ministry: Ministry):
    ministry.rule(name='Входящие по МЭДО', card_kind='incoming', delivery_method='medo')
    card = ministry.card(delivery_method='post')
    before = department_of(card)

    assert route(card) is None
    assert department_of(card) == before
    assert count(RoutingDecision) == 0


def test_texts_ignore_case_yo_and_repeated_spaces(ministry: Ministry):
    ministry.rule(name='Служебные', document_kind='Служебная  записка', department_id=ministry.legal.id)
    card = ministry.card(kind='internal', document_kind=' служебная записка')

    assert route(card) is not None
    assert department_of(card) == ministry.legal.id


def test_correspondent_text_matches_a_part_of_any_name_of_the_correspondent(ministry: Ministry):
    ministry.rule(name='Налоговые', correspondent_text='НАЛОГОВАЯ', department_id=ministry.legal.id)
    by_organization = ministry.card(correspondent_organization_id=ministry.tax.id, correspondent_name='')
    by_name = ministry.card(correspondent_name='Межрайонная налоговая инспекция № 5')
    stranger = ministry.card(correspondent_name='ООО «Ромашка»')

    assert route(by_organization) is not None
    assert 'содержит «НАЛОГОВАЯ»' in route(by_name).explanation
    assert route(stranger) is None


def test_a_service_rule_fires_only_for_the_service_it_names(ministry: Ministry):
    ministry.rule(name='Временная регистрация', service_code='temp-registration', department_id=ministry.legal.id)
    card = ministry.card(kind='citizen_appeal', correspondent_type='person', correspondent_name='Иванов И. И.')

    assert route(card) is None
    assert route(card, service='other-service') is None
    decision = route(card, service='TEMP-registration')
    assert decision is not None
    assert 'услуга — «TEMP-registration»' in decision.explanation


def test_the_first_matching_rule_in_order_wins_and_moving_a_rule_changes_which(ministry: Ministry):
    ministry.rule(name='Все входящие', card_kind='incoming', department_id=ministry.general.id)
    specific = ministry.rule(name='Приказы', document_kind='Приказ', department_id=ministry.legal.id)
    card = ministry.card(document_kind='Приказ')

    assert route(card).rule_name == 'Все входящие'
    with atomic():
        assert move_rule(ministry.admin, db.session.get(type(specific), specific.id), 'up') is True
    assert [rule.name for rule in _rules(ministry)] == ['Приказы', 'Все входящие']
    assert [rule.position for rule in _rules(ministry)] == [1, 2]
    assert route(card).rule_name == 'Приказы'
    assert department_of(card) == ministry.legal.id


def test_moving_the_first_rule_up_changes_nothing(ministry: Ministry):
    first = ministry.rule(name='Первое')
    ministry.rule(name='Второе')
    with atomic():
        assert move_rule(ministry.admin, db.session.get(type(first), first.id), 'up') is False
    assert [rule.name for rule in _rules(ministry)] == ['Первое', 'Второе']


def test_inactive_rules_are_skipped(ministry: Ministry):
    switched_off = ministry.rule(name='Отключённое', department_id=ministry.legal.id)
    ministry.rule(name='Действующее', department_id=ministry.execution.id)
    with atomic():
        rule = db.session.get(type(switched_off), switched_off.id)
        update_rule(ministry.admin, rule, {'name': rule.name, 'department_id': rule.department_id, 'is_active': '0'})
    card = ministry.card()

    assert route(card).rule_name == 'Действующее'
    assert department_of(card) == ministry.execution.id


def test_rules_of_another_organization_never_apply(ministry: Ministry):
    card = ministry.card()  # the other organization has a catch-all rule; the ministry none

    assert route(card) is None


def test_the_executor_gets_access_and_one_notification_and_the_card_journals_the_decision(ministry: Ministry):
    ministry.rule(name='Исполнителю', department_id=None, executor_id=ministry.executor.id)
    card = ministry.card(access_mark='restricted')

    route(card)
    route(card)  # applied again: still one decision, one notification

    with atomic():
        decision = decision_of(card.id)
        assert decision.executor_id == ministry.executor.id
        assert decision.department_id == ministry.execution.id  # the executor's department
        assert decision.decided_by_id is None
        grants = db.session.execute(select(CardAccessGrant).where(CardAccessGrant.card_id == card.id)).scalars()
        assert [(grant.user_id, grant.reason) for grant in grants] == [(ministry.executor.id, 'routing')]
        notices = list(db.session.execute(select(Notification).where(Notification.user_id == ministry.executor.id)))
        assert len(notices) == 1
        notice = notices[0][0]
        assert (notice.kind, notice.url) == ('routing', f'/cards/{card.id}')
        assert '«Исполнителю»' in notice.text
        entries = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == 'card.route', AuditEntry.object_id == str(card.id))
        ).scalars()
        entry = list(entries)[-1]
        assert entry.actor_id is None
        assert entry.data['rule_name'] == 'Исполнителю'
        assert entry.data['department']['after'] == ministry.execution.id
    assert count(RoutingDecision) == 1


def test_a_deleted_rule_leaves_its_name_in_the_decisions_and_the_rules_below_move_up(ministry: Ministry):
    first = ministry.rule(name='Старое правило', department_id=ministry.legal.id)
    ministry.rule(name='Следующее')
    card = ministry.card()
    route(card)

    with atomic():
        delete_rule(ministry.admin, db.session.get(type(first), first.id))

    with atomic():
        decision = decision_of(card.id)
        assert (decision.rule_id, decision.rule_name) == (None, 'Старое правило')
    assert [(rule.position, rule.name) for rule in _rules(ministry)] == [(1, 'Следующее')]


def _rules(ministry: Ministry) -> list:
    with atomic():
        return list_rules(ministry.org.id)
