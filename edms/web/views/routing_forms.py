"""What the routing pages show beside the operations: the choices of the rule form, the rule form's values, the
sample typed on the trial page (or taken from a card), and the routing block of the card page (`CardRouting`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request

from edms.auth.models import Role, User
from edms.auth.queries import list_users
from edms.directory.queries import list_correspondent_organizations
from edms.registry.models import Card, CardStatus
from edms.registry.models.enums import DELIVERY_LABELS, KIND_LABELS
from edms.routing.matching import Sample
from edms.routing.models import RoutingDecision, RoutingRule
from edms.routing.operations.apply import ROUTABLE_KINDS
from edms.routing.queries import decision_of
from edms.routing.validation import RULE_FIELDS, SAMPLE_FIELDS
from edms.web.views.admin.common import department_options, form_values
from edms.web.views.card_forms import DOCUMENT_KINDS

KIND_OPTIONS = [(kind.value, label) for kind, label in KIND_LABELS.items()]
DELIVERY_OPTIONS = [(method.value, label) for method, label in DELIVERY_LABELS.items()]


@dataclass
class CardRouting:
    """The card page's routing block: the decision kept for the card and what the user may do about it."""

    card: Card
    decision: RoutingDecision | None
    can_route: bool
    can_try: bool


def card_routing(user: User, card: Card) -> CardRouting:
    registrar = user.has_role(Role.clerk, Role.administrator)
    open_card = card.status not in (CardStatus.cancelled, CardStatus.filed)
    can_route = registrar and open_card and card.kind in ROUTABLE_KINDS
    can_try = user.has_role(Role.administrator) and user.organization_id == card.organization_id
    return CardRouting(card, decision_of(card.id), can_route, can_try)


def rule_choices(organization_id: int, rule: RoutingRule | None = None) -> dict[str, Any]:
    """The select options of the rule form: the organization's departments and active people (the rule's current
    executor too, if retired since), the organizations of the system as correspondents."""
    people = [user for user in list_users(organization_id) if user.is_active or (rule and user.id == rule.executor_id)]
    return {
        'kinds': KIND_OPTIONS,
        'deliveries': DELIVERY_OPTIONS,
        'departments': department_options(organization_id),
        'executors': [(user.id, _person(user)) for user in people],
        'organizations': [(org.id, org.short_name) for org in list_correspondent_organizations()],
        'document_kinds': DOCUMENT_KINDS,
    }


def _person(user: User) -> str:
    department = f' — {user.department.name}' if user.department else ''
    return f'{user.full_name}{department}'


def rule_values(rule: RoutingRule) -> dict[str, Any]:
    return form_values(rule, RULE_FIELDS)


def sample_args() -> dict[str, str]:
    """The sample fields of the trial page's query string (only they: other parameters are not sample fields)."""
    return {name: request.args[name] for name in SAMPLE_FIELDS if name in request.args}


def sample_values(sample: Sample, correspondent_name: str) -> dict[str, str]:
    """The trial form filled from a card's sample."""
    return {
        'kind': sample.kind.value if sample.kind else '',
        'document_kind': sample.document_kind,
        'correspondent_organization_id': str(sample.correspondent_organization_id or ''),
        'correspondent_name': correspondent_name,
        'service_code': sample.service_code,
        'delivery_method': sample.delivery_method.value if sample.delivery_method else '',
    }
