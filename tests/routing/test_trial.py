"""Trying the rules on a sample: every rule in order with whether it matches and why not, the first match marked as
the one that would fire; nothing is written (no decision, no journal entry, no notification, no grant)."""

from __future__ import annotations

import pytest

from edms.audit.models import AuditEntry
from edms.core.errors import NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.registry.models import Card, CardAccessGrant
from edms.routing.models import RoutingDecision, RoutingRule
from edms.routing.operations import try_rules
from tests.routing.conftest import Ministry, count

WRITTEN = (RoutingDecision, RoutingRule, AuditEntry, Notification, CardAccessGrant, Card)


def written() -> dict[str, int]:
    return {model.__name__: count(model) for model in WRITTEN}


def test_the_trial_marks_the_rule_that_would_fire_and_says_why_the_others_do_not(ministry: Ministry):
    ministry.rule(name='По МЭДО', delivery_method='medo')
    ministry.rule(name='Отключённое', is_active='0')
    ministry.rule(name='Письма налоговой', document_kind='Письмо', correspondent_organization_id=ministry.tax.id)
    ministry.rule(name='Все входящие', card_kind='incoming')

    with atomic():
        sample = {
            'kind': 'incoming',
            'document_kind': 'ПИСЬМО',
            'correspondent_organization_id': str(ministry.tax.id),
            'delivery_method': 'post',
        }
        trial = try_rules(ministry.admin, sample)
        checks = {check.rule.name: check for check in trial.checks}

        assert [check.rule.name for check in trial.checks] == [
            'По МЭДО',
            'Отключённое',
            'Письма налоговой',
            'Все входящие',
        ]
        assert trial.fired is checks['Письма налоговой']
        assert checks['По МЭДО'].why_not == ['способ доставки «Почта», а правило требует «МЭДО»']
        assert checks['Отключённое'].why_not == ['правило отключено']
        assert checks['Все входящие'].matched
        assert not checks['Все входящие'].fires
        assert [condition.text for condition in checks['Письма налоговой'].conditions] == [
            'вид документа — «ПИСЬМО»',
            f'корреспондент — «{ministry.tax.short_name}»',
        ]


def test_a_trial_with_no_matching_rule_fires_nothing(ministry: Ministry):
    ministry.rule(name='Обращения', card_kind='citizen_appeal')
    with atomic():
        trial = try_rules(ministry.admin, {'kind': 'outgoing'})
        assert trial.fired is None
        assert trial.checks[0].why_not == ['вид карточки «Исходящий», а правило требует «Обращение гражданина»']


def test_trying_the_rules_writes_nothing(ministry: Ministry):
    ministry.rule(name='Исполнителю', executor_id=ministry.executor.id)
    ministry.card()
    before = written()

    with atomic():
        trial = try_rules(ministry.admin, {'kind': 'incoming', 'document_kind': 'Письмо'})
        assert trial.fired is not None

    assert written() == before


def test_the_sample_is_validated_with_russian_messages(ministry: Ministry):
    with pytest.raises(ValidationFailed) as info, atomic():
        try_rules(ministry.admin, {'kind': 'x', 'correspondent_organization_id': '999999', 'extra': '1'})
    assert info.value.fields == {
        'extra': 'Неизвестное поле «extra».',
        'kind': '«Вид карточки»: недопустимое значение «x» (допустимо: incoming, outgoing, internal, citizen_appeal).',
        'correspondent_organization_id': '«Корреспондент (организация системы)»: организация не найдена.',
    }


def test_another_organizations_rules_cannot_be_tried(ministry: Ministry):
    with pytest.raises(NotFound), atomic():
        try_rules(ministry.other_admin, {}, organization_id=ministry.org.id)
