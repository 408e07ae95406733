"""Routing endpoints: the organization's rules (list, create, read, change, delete, move), a sample tried on the rules
without saving, and a card's routing decision (read, and the registrar's «Направить по правилам»).

Rules are managed by the administrator of the token's organization; another organization's rule or card is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object
from edms.api.loaders import load_card
from edms.api.serializers import iso, user_ref
from edms.core.access import require_admin_of
from edms.core.tx import atomic
from edms.core.validation import RawInput
from edms.routing.matching import Sample
from edms.routing.models import RoutingDecision, RoutingRule
from edms.routing.operations import apply_rules, create_rule, delete_rule, move_rule, snapshot, try_rules, update_rule
from edms.routing.queries import RuleCheck, Trial, decision_of, get_rule, list_rules
from edms.routing.validation import RULE_FIELDS


def rule_json(rule: RoutingRule) -> dict[str, Any]:
    """A rule with its conditions and action (ids, and the department's and executor's names)."""
    return {
        **snapshot(rule),
        'id': rule.id,
        'url': url_for('api.get_routing_rule', rule_id=rule.id),
        'organization_id': rule.organization_id,
        'department': {'id': rule.department.id, 'name': rule.department.name} if rule.department else None,
        'executor': user_ref(rule.executor),
    }


def decision_json(decision: RoutingDecision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    department = decision.department
    return {
        'rule_id': decision.rule_id,
        'rule_name': decision.rule_name,
        'department': {'id': department.id, 'name': department.name} if department else None,
        'executor': user_ref(decision.executor),
        'explanation': decision.explanation,
        'decided_at': iso(decision.decided_at),
        'decided_by': user_ref(decision.decided_by),
    }


def trial_json(trial: Trial) -> dict[str, Any]:
    fired = trial.fired
    return {
        'sample': sample_json(trial.sample),
        'fired_rule_id': fired.rule.id if fired else None,
        'rules': [check_json(check) for check in trial.checks],
    }


def sample_json(sample: Sample) -> dict[str, Any]:
    return {
        'kind': sample.kind.value if sample.kind else None,
        'document_kind': sample.document_kind,
        'correspondent_organization_id': sample.correspondent_organization_id,
        'correspondent_names': list(sample.correspondent_names),
        'service_code': sample.service_code,
        'delivery_method': sample.delivery_method.value if sample.delivery_method else None,
    }


def check_json(check: RuleCheck) -> dict[str, Any]:
    return {
        'rule': rule_json(check.rule),
        'matched': check.matched,
        'fires': check.fires,
        'conditions': [
            {'field': item.field, 'label': item.label, 'matched': item.matched, 'text': item.text}
            for item in check.conditions
        ],
        'why_not': check.why_not,
    }


def _admin_rule(rule_id: int) -> RoutingRule:
    """A rule of the token's organization (404 otherwise), for its administrator."""
    user = api_user()
    rule = get_rule(user, rule_id)
    require_admin_of(user, rule.organization_id)
    return rule


def _rule_response(rule_id: int, status: int = 200) -> tuple[Response, int, dict[str, str]]:
    location = url_for('api.get_routing_rule', rule_id=rule_id)
    return jsonify(rule_json(get_rule(api_user(), rule_id))), status, {'Location': location} if status == 201 else {}


@bp.get('/routing/rules', endpoint='list_routing_rules')
def list_rules_view() -> Response:
    user = api_user()
    require_admin_of(user, user.organization_id)
    return jsonify({'items': [rule_json(rule) for rule in list_rules(user.organization_id)]})


@bp.post('/routing/rules', endpoint='create_routing_rule')
def create_rule_view() -> tuple[Response, int, dict[str, str]]:
    user, body = api_user(), json_object()
    with atomic():
        rule_id = create_rule(user, user.organization_id, body).id
    return _rule_response(rule_id, 201)


@bp.get('/routing/rules/<int:rule_id>', endpoint='get_routing_rule')
def get_rule_view(rule_id: int) -> Response:
    return jsonify(rule_json(_admin_rule(rule_id)))


@bp.patch('/routing/rules/<int:rule_id>', endpoint='update_routing_rule')
def update_rule_view(rule_id: int) -> tuple[Response, int, dict[str, str]]:
    """Change the fields given in the body; absent fields keep their values."""
    with atomic():
        rule = _admin_rule(rule_id)
        body = json_object()
        current = {name: value for name, value in snapshot(rule).items() if name in RULE_FIELDS}
        update_rule(api_user(), rule, {**current, **body})
    return _rule_response(rule_id)


@bp.delete('/routing/rules/<int:rule_id>', endpoint='delete_routing_rule')
def delete_rule_view(rule_id: int) -> tuple[str, int]:
    with atomic():
        delete_rule(api_user(), _admin_rule(rule_id))
    return '', 204


@bp.post('/routing/rules/<int:rule_id>/move', endpoint='move_routing_rule')
def move_rule_view(rule_id: int) -> tuple[Response, int, dict[str, str]]:
    """Move the rule one place up or down: `{"direction": "up" | "down"}`."""
    with atomic():
        rule = _admin_rule(rule_id)
        form = RawInput(json_object(), ('direction',))
        direction = form.text('direction', 'Направление', required=True, max_length=8)
        form.finish()
        move_rule(api_user(), rule, direction)
    return _rule_response(rule_id)


@bp.post('/routing/try', endpoint='try_routing_rules')
def try_rules_view() -> Response:
    """The sample tried on the rules of the token's organization; nothing is saved."""
    return jsonify(trial_json(try_rules(api_user(), json_object(optional=True))))


@bp.get('/cards/<int:card_id>/routing', endpoint='card_routing')
def card_routing_view(card_id: int) -> Response:
    card = load_card(api_user(), card_id, full=False)
    return jsonify({'card_id': card.id, 'decision': decision_json(decision_of(card.id))})


@bp.post('/cards/<int:card_id>/routing', endpoint='route_card')
def route_card_view(card_id: int) -> Response:
    """«Направить по правилам»: 409 `routing_no_rule` when no active rule matches the card."""
    user = api_user()
    with atomic():
        card = load_card(user, card_id, full=False)
        RawInput(json_object(optional=True), ()).finish()
        apply_rules(user, card)
    return card_routing_view(card_id)
