"""Managing rules: Russian messages naming each field, the department and executor of the rule's own organization
only, administrators of the organization only, every change journaled."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.core.db import db
from edms.core.errors import Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.routing.models import RoutingRule
from edms.routing.operations import create_rule, move_rule, snapshot, update_rule
from edms.routing.queries import get_rule
from tests.routing.conftest import Ministry, count


def refused(ministry: Ministry, raw: dict) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info, atomic():
        create_rule(ministry.admin, ministry.org.id, raw)
    return info.value.fields


def test_an_empty_rule_is_refused_naming_the_name_and_where_to_send(ministry: Ministry):
    fields = refused(ministry, {})

    assert fields == {
        'name': '«Название правила»: обязательное поле.',
        'department_id': '«Подразделение»: укажите подразделение или исполнителя, куда направлять.',
    }
    assert count(RoutingRule) == 1  # the other organization's only


def test_wrong_values_are_refused_field_by_field(ministry: Ministry):
    fields = refused(
        ministry,
        {
            'name': 'x' * 300,
            'card_kind': 'letter',
            'delivery_method': 'pigeon',
            'document_kind': 'в' * 101,
            'executor_id': 'первый',
            'department_id': str(10**30),
            'colour': 'red',
        },
    )

    assert fields['name'] == '«Название правила»: не более 255 символов (введено 300).'
    assert fields['card_kind'].startswith('«Вид карточки»: недопустимое значение «letter»')
    assert fields['delivery_method'].startswith('«Способ доставки»: недопустимое значение «pigeon»')
    assert fields['document_kind'] == '«Вид документа»: не более 100 символов (введено 101).'
    assert fields['executor_id'] == '«Исполнитель»: ожидается целое число.'
    assert fields['department_id'] == '«Подразделение»: не больше 2147483647.'
    assert fields['colour'] == 'Неизвестное поле «colour».'


def test_department_and_executor_must_belong_to_the_organization(ministry: Ministry):
    with atomic():
        foreign_department = ministry.other_rule.department_id
    fields = refused(
        ministry,
        {
            'name': 'Чужие',
            'department_id': foreign_department,
            'executor_id': ministry.other_admin.id,
            'correspondent_organization_id': 2**31 - 1,
        },
    )

    assert fields == {
        'department_id': '«Подразделение»: подразделение не найдено в организации.',
        'executor_id': '«Исполнитель»: пользователь не найден в организации.',
        'correspondent_organization_id': '«Корреспондент (организация системы)»: организация не найдена.',
    }


def test_a_disabled_executor_cannot_be_chosen_but_an_unchanged_one_may_stay(ministry: Ministry):
    rule = ministry.rule(name='Исполнителю', executor_id=ministry.lawyer.id)
    with atomic():
        db.session.get(type(ministry.lawyer), ministry.lawyer.id).is_active = False
        db.session.get(type(ministry.executor), ministry.executor.id).is_active = False

    fields = refused(ministry, {'name': 'Новое', 'executor_id': ministry.lawyer.id})
    assert fields == {'executor_id': '«Исполнитель»: учётная запись отключена, выберите другого исполнителя.'}
    with atomic():
        stored = db.session.get(RoutingRule, rule.id)
        update_rule(ministry.admin, stored, {**_fields(stored), 'name': 'Исполнителю (переименовано)'})
    with atomic():
        stored = db.session.get(RoutingRule, rule.id)
        changed = {**_fields(stored), 'executor_id': ministry.executor.id}
    with pytest.raises(ValidationFailed) as info, atomic():
        update_rule(ministry.admin, db.session.get(RoutingRule, rule.id), changed)
    assert info.value.fields == {
        'executor_id': '«Исполнитель»: учётная запись отключена, выберите другого исполнителя.'
    }


def test_only_the_organizations_administrator_manages_its_rules(ministry: Ministry):
    with pytest.raises(Forbidden), atomic():
        create_rule(ministry.clerk, ministry.org.id, {'name': 'x', 'department_id': ministry.general.id})
    with pytest.raises(NotFound), atomic():
        create_rule(ministry.other_admin, ministry.org.id, {'name': 'x', 'department_id': ministry.general.id})
    with pytest.raises(NotFound), atomic():
        get_rule(ministry.admin, ministry.other_rule.id)
    with pytest.raises(NotFound), atomic():
        get_rule(ministry.admin, 10**12)


def test_a_wrong_direction_of_a_move_is_a_field_message(ministry: Ministry):
    rule = ministry.rule(name='Первое')
    with pytest.raises(ValidationFailed) as info, atomic():
        move_rule(ministry.admin, db.session.get(RoutingRule, rule.id), 'sideways')
    assert info.value.fields == {'direction': '«Направление»: ожидается «up» (выше) или «down» (ниже).'}


def test_creating_and_changing_a_rule_is_journaled_with_before_and_after(ministry: Ministry):
    rule = ministry.rule(name='Письма', document_kind='Письмо')
    with atomic():
        stored = db.session.get(RoutingRule, rule.id)
        update_rule(ministry.admin, stored, {**_fields(stored), 'document_kind': 'Приказ'})
        update_rule(ministry.admin, stored, _fields(stored))  # nothing changed: no entry

    with atomic():
        query = select(AuditEntry).where(
            AuditEntry.object_type == 'routing_rules', AuditEntry.object_id == str(rule.id)
        )
        entries = list(db.session.execute(query.order_by(AuditEntry.seq)).scalars())
    assert [entry.action for entry in entries] == ['routing.rule.create', 'routing.rule.update']
    assert entries[0].actor_id == ministry.admin.id
    assert entries[0].data['after']['document_kind'] == 'Письмо'
    assert entries[1].data['changes'] == {'document_kind': {'before': 'Письмо', 'after': 'Приказ'}}


def _fields(rule: RoutingRule) -> dict:
    return {name: value for name, value in snapshot(rule).items() if name != 'position'}
