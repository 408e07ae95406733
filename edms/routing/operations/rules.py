"""Managing an organization's routing rules: create, change, delete, move up or down. The organization's
administrator (or a system administrator) only; every change is journaled with its before/after values.

Positions run from 1 without gaps; changes of the order lock the organization's row, so that two administrators
moving rules at once cannot give two rules the same place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from edms.audit.operations import changes, record
from edms.auth.models import User
from edms.core.access import Actor, require_admin_of
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import FieldErrors, ValidationFailed
from edms.core.validation import ID_MAX
from edms.directory.models import Department, Organization
from edms.routing.models import RoutingRule
from edms.routing.queries import list_rules
from edms.routing.validation import RULE_FIELDS, read_rule

DIRECTIONS = ('up', 'down')


def snapshot(rule: RoutingRule) -> dict[str, Any]:
    """Plain values of the rule's fields, for the journal and the API."""
    data = {name: getattr(rule, name) for name in RULE_FIELDS}
    data = {name: getattr(value, 'value', value) for name, value in data.items()}
    return {**data, 'position': rule.position}


def create_rule(actor: Actor, organization_id: int, raw: Mapping[str, Any]) -> RoutingRule:
    """Add a rule at the end of the organization's list."""
    require_admin_of(actor, organization_id)
    values = read_rule(raw, lambda values, errors: check_references(organization_id, values, errors))
    _lock_rules(organization_id)
    position = len(list_rules(organization_id)) + 1
    rule = RoutingRule(organization_id=organization_id, position=position, created_by_id=actor.id, **values)
    db.session.add(rule)
    db.session.flush()
    record(actor, 'routing.rule.create', rule, {'after': snapshot(rule)}, organization_id=organization_id)
    return rule


def update_rule(actor: Actor, rule: RoutingRule, raw: Mapping[str, Any]) -> RoutingRule:
    """Change a rule's name, state, conditions, action or comment (its place is changed by `move_rule`)."""
    require_admin_of(actor, rule.organization_id)
    values = read_rule(raw, lambda values, errors: check_references(rule.organization_id, values, errors, rule))
    before = snapshot(rule)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.updated_at, rule.updated_by_id = utcnow(), actor.id
    db.session.flush()
    difference = changes(before, snapshot(rule))
    if difference:
        record(actor, 'routing.rule.update', rule, {'changes': difference}, organization_id=rule.organization_id)
    return rule


def delete_rule(actor: Actor, rule: RoutingRule) -> None:
    """Delete a rule; the cards it routed keep its name in their decisions. The rules below move up."""
    require_admin_of(actor, rule.organization_id)
    _lock_rules(rule.organization_id)
    record(actor, 'routing.rule.delete', rule, {'before': snapshot(rule)}, organization_id=rule.organization_id)
    organization_id = rule.organization_id
    db.session.delete(rule)
    db.session.flush()
    _renumber(list_rules(organization_id))


def move_rule(actor: Actor, rule: RoutingRule, direction: str) -> bool:
    """Swap the rule with its neighbour above (`up`) or below (`down`); False when it is already at that end."""
    require_admin_of(actor, rule.organization_id)
    if direction not in DIRECTIONS:
        raise ValidationFailed(fields={'direction': '«Направление»: ожидается «up» (выше) или «down» (ниже).'})
    _lock_rules(rule.organization_id)
    rules = list_rules(rule.organization_id)
    index = rules.index(rule)
    other = index - 1 if direction == 'up' else index + 1
    if not 0 <= other < len(rules):
        return False
    before = rule.position
    rules[index], rules[other] = rules[other], rules[index]
    _renumber(rules)
    db.session.flush()
    facts = {'changes': {'position': {'before': before, 'after': rule.position}}}
    record(actor, 'routing.rule.move', rule, facts, organization_id=rule.organization_id)
    return True


def check_references(
    organization_id: int, values: dict[str, Any], errors: FieldErrors, current: RoutingRule | None = None
) -> None:
    """The department and the executor belong to the organization and are in service (one kept unchanged from the
    current rule may have been retired since: the administrator is not forced to change it); the correspondent
    organization exists. Adds its messages to `errors`."""
    department = _get(Department, values['department_id'])
    if values['department_id'] is not None:
        if department is None or department.organization_id != organization_id:
            errors.add('department_id', '«Подразделение»: подразделение не найдено в организации.')
        elif not department.is_active and not _unchanged(current, 'department_id', department.id):
            errors.add('department_id', '«Подразделение»: подразделение упразднено, выберите действующее.')
    executor = _get(User, values['executor_id'])
    if values['executor_id'] is not None:
        if executor is None or executor.organization_id != organization_id:
            errors.add('executor_id', '«Исполнитель»: пользователь не найден в организации.')
        elif not executor.is_active and not _unchanged(current, 'executor_id', executor.id):
            errors.add('executor_id', '«Исполнитель»: учётная запись отключена, выберите другого исполнителя.')
    correspondent_id = values['correspondent_organization_id']
    if correspondent_id is not None and _get(Organization, correspondent_id) is None:
        errors.add('correspondent_organization_id', '«Корреспондент (организация системы)»: организация не найдена.')


def _get(model: type[Any], object_id: int | None) -> Any:
    if object_id is None or not 0 < object_id <= ID_MAX:
        return None
    return db.session.get(model, object_id)


def _unchanged(current: RoutingRule | None, name: str, value: int) -> bool:
    return current is not None and getattr(current, name) == value


def _lock_rules(organization_id: int) -> None:
    db.session.execute(select(Organization.id).where(Organization.id == organization_id).with_for_update())


def _renumber(rules: list[RoutingRule]) -> None:
    for position, rule in enumerate(rules, start=1):
        rule.position = position
