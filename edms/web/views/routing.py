"""Routing rules in the browser: the administrator's list of an organization's rules with their order, the rule
form (create, change), deletion, moving up and down, and «Проверить правила» — a sample tried on the rules without
saving anything. On the card page: the rule that routed the card (`routing_section`, a template helper) and the
registrar's «Направить по правилам».

Every change goes through `edms.routing.operations` in one `atomic()` block and ends with a redirect; a refused form
comes back filled, each message next to its field.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.core.errors import NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import ID_MAX, is_number
from edms.directory.models import Organization
from edms.registry.models import Card
from edms.registry.queries import get_card
from edms.routing.matching import describe, sample_of
from edms.routing.models import RoutingRule
from edms.routing.operations import apply_rules, create_rule, delete_rule, move_rule, try_rules, update_rule
from edms.routing.queries import Trial, get_rule, list_rules
from edms.routing.validation import RULE_FIELDS
from edms.web.session import current_user, login_required
from edms.web.views.admin.common import admin_required, administered_organization, form_page, read_form, save
from edms.web.views.cards import card_action
from edms.web.views.routing_forms import (
    CardRouting,
    card_routing,
    rule_choices,
    rule_values,
    sample_args,
    sample_values,
)

bp = Blueprint('routing', __name__)
Html = str | tuple[str, int]


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {'routing_section': routing_section}


def routing_section(card: Card) -> CardRouting:
    """The card page's routing block for the logged-in user, built once per request."""
    sections: dict[int, CardRouting] = g.setdefault('routing_sections', {})
    if card.id not in sections:
        sections[card.id] = card_routing(current_user(), card)
    return sections[card.id]


@bp.get('/admin/organizations/<int:org_id>/routing/')
@admin_required
def rules(org_id: int) -> str:
    organization = administered_organization(org_id)
    items = list_rules(org_id)
    conditions = {rule.id: describe(rule) for rule in items}
    return render_template('routing/rules.html', organization=organization, rules=items, conditions=conditions)


@bp.route('/admin/organizations/<int:org_id>/routing/new', methods=['GET', 'POST'])
@admin_required
def new_rule(org_id: int) -> Html | Response:
    organization = administered_organization(org_id)
    values: dict[str, Any] = {'is_active': True}
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(RULE_FIELDS, booleans=('is_active',))
        errors = save(lambda: create_rule(current_user(), org_id, values), 'Правило маршрутизации добавлено.')
        if not errors:
            return redirect(url_for('routing.rules', org_id=org_id))
    return _form(organization, None, values, errors)


@bp.route('/admin/routing/<int:rule_id>/edit', methods=['GET', 'POST'])
@admin_required
def edit_rule(rule_id: int) -> Html | Response:
    rule = get_rule(current_user(), rule_id)
    organization = administered_organization(rule.organization_id)
    values, errors = rule_values(rule), {}
    if request.method == 'POST':
        values = read_form(RULE_FIELDS, booleans=('is_active',))
        errors = save(lambda: update_rule(current_user(), rule, values), 'Правило маршрутизации сохранено.')
        if not errors:
            return redirect(url_for('routing.rules', org_id=organization.id))
    return _form(organization, rule, values, errors)


def _form(organization: Organization, rule: RoutingRule | None, values: dict[str, Any], errors: dict[str, str]) -> Html:
    choices = rule_choices(organization.id, rule)
    return form_page('routing/rule_form.html', errors, organization=organization, rule=rule, values=values, **choices)


@bp.post('/admin/routing/<int:rule_id>/delete')
@admin_required
def delete(rule_id: int) -> Response:
    user = current_user()
    rule = get_rule(user, rule_id)
    organization_id, name = rule.organization_id, rule.name
    with atomic():
        delete_rule(user, rule)
    flash(f'Правило «{name}» удалено.', 'success')
    return redirect(url_for('routing.rules', org_id=organization_id))


@bp.post('/admin/routing/<int:rule_id>/move')
@admin_required
def move(rule_id: int) -> Response:
    user = current_user()
    rule = get_rule(user, rule_id)
    try:
        with atomic():
            move_rule(user, rule, request.form.get('direction', ''))
    except ValidationFailed as error:
        flash(' '.join(error.fields.values()) or error.message, 'error')
    return redirect(url_for('routing.rules', org_id=rule.organization_id))


@bp.get('/admin/organizations/<int:org_id>/routing/try')
@admin_required
def try_page(org_id: int) -> Html:
    """The sample from the query string (or from a card, `card_id`), tried on the rules; nothing is saved."""
    user = current_user()
    organization = administered_organization(org_id)
    values: dict[str, Any] = sample_args()
    if request.args.get('card_id'):
        values = _card_sample(user, request.args['card_id'])
    trial: Trial | None = None
    errors: dict[str, str] = {}
    if values or 'tried' in request.args:
        try:
            trial = try_rules(user, values, organization_id=organization.id)
        except ValidationFailed as error:
            errors = error.fields
    choices = rule_choices(organization.id)
    return form_page('routing/try.html', errors, organization=organization, values=values, trial=trial, **choices)


def _card_sample(user: User, raw_id: str) -> dict[str, Any]:
    """The sample of one of the user's cards, as the trial form's values."""
    if not is_number(raw_id) or not 0 < int(raw_id) <= ID_MAX:
        raise NotFound()
    card = get_card(user, int(raw_id))
    return sample_values(sample_of(card), card.correspondent_name)


@bp.post('/cards/<int:card_id>/route')
@login_required
def route(card_id: int) -> Html | Response:
    """«Направить по правилам»: the registrar applies the rules to the card again."""

    def run(user: User, card: Card) -> str:
        return f'Карточка направлена по правилу «{apply_rules(user, card).rule_name}».'

    return card_action(card_id, run)
