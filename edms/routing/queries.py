"""Reading routing rules and decisions, and trying the rules on a sample without saving anything: for every rule in
order, whether it would fire and, when not, which conditions failed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from edms.auth.models import User
from edms.core.access import Actor, require_admin_of
from edms.core.db import db
from edms.core.errors import FieldErrors, NotFound
from edms.core.validation import ID_MAX
from edms.directory.models import Organization
from edms.routing.errors import RuleNotFound
from edms.routing.matching import Condition, Sample, check_rule
from edms.routing.models import RoutingDecision, RoutingRule
from edms.routing.validation import LABELS, read_sample

NO_CONDITIONS = 'правило без условий, подходит любой документ'
#: One query for the rules and the three things each names (many-to-one, so joined); the executor's roles are not
#: needed to route (they load on access when a page shows them).
_RULE_LOADS = (
    joinedload(RoutingRule.department),
    joinedload(RoutingRule.executor).lazyload(User.role_rows),
    joinedload(RoutingRule.correspondent_organization),
)


@dataclass
class RuleCheck:
    """One rule checked against a sample; `fires` marks the first matching active rule."""

    rule: RoutingRule
    conditions: list[Condition]
    fires: bool = False

    @property
    def matched(self) -> bool:
        return self.rule.is_active and all(condition.matched for condition in self.conditions)

    @property
    def why_not(self) -> list[str]:
        """Why the rule does not match (empty when it does)."""
        reasons = [] if self.rule.is_active else ['правило отключено']
        return reasons + [condition.text for condition in self.conditions if not condition.matched]


@dataclass
class Trial:
    """The rules of an organization tried on a sample."""

    sample: Sample
    checks: list[RuleCheck]

    @property
    def fired(self) -> RuleCheck | None:
        return next((check for check in self.checks if check.fires), None)


def get_rule(actor: Actor, rule_id: int) -> RoutingRule:
    """A rule of the actor's organization (any for a system administrator); otherwise `RuleNotFound`."""
    rule = db.session.get(RoutingRule, rule_id) if 0 < rule_id <= ID_MAX else None
    if rule is None or not (actor.is_system_admin or rule.organization_id == actor.organization_id):
        raise RuleNotFound()
    return rule


#: Built once (routing runs for every incoming card): an execution only binds the organization.
_RULES = (
    select(RoutingRule)
    .where(RoutingRule.organization_id == bindparam('organization_id'))
    .options(*_RULE_LOADS)
    .order_by(RoutingRule.position, RoutingRule.id)
)
_ACTIVE_RULES = _RULES.where(RoutingRule.is_active.is_(True))


def list_rules(organization_id: int, *, active_only: bool = False) -> list[RoutingRule]:
    """The organization's rules in the order they are tried."""
    query = _ACTIVE_RULES if active_only else _RULES
    return list(db.session.execute(query, {'organization_id': organization_id}).scalars())


def decision_of(card_id: int) -> RoutingDecision | None:
    """How the card was routed, if it was."""
    query = select(RoutingDecision).where(RoutingDecision.card_id == card_id)
    return db.session.execute(query).scalar_one_or_none()


def evaluate(rules: list[RoutingRule], sample: Sample) -> list[RuleCheck]:
    """Every rule checked against the sample; the first matching active one is marked as the one that fires."""
    checks = [RuleCheck(rule, check_rule(rule, sample)) for rule in rules]
    first = next((check for check in checks if check.matched), None)
    if first is not None:
        first.fires = True
    return checks


def explain(check: RuleCheck) -> str:
    """The explanation kept with a decision: the rule and the conditions that matched."""
    rule = check.rule
    reasons = '; '.join(condition.text for condition in check.conditions) or NO_CONDITIONS
    return f'Сработало правило № {rule.position} «{rule.name}»: {reasons}.'


def try_rules(actor: Actor, raw_sample: Mapping[str, Any], *, organization_id: int | None = None) -> Trial:
    """Try the organization's rules (the actor's own by default) on a typed sample. Reads only: nothing is saved,
    nothing is journaled. The organization's administrator (or a system administrator) only."""
    organization_id = organization_id if organization_id is not None else actor.organization_id
    if organization_id is None:
        raise NotFound('Организация не найдена.')
    require_admin_of(actor, organization_id)
    sample = sample_from_input(raw_sample)
    return Trial(sample, evaluate(list_rules(organization_id), sample))


def sample_from_input(raw: Mapping[str, Any]) -> Sample:
    """A sample typed by a person: the correspondent organization must exist; its names join the typed name."""
    found: list[Organization] = []

    def check(values: dict[str, Any], errors: FieldErrors) -> None:
        organization_id = values['correspondent_organization_id']
        known = organization_id is not None and 0 < organization_id <= ID_MAX
        organization = db.session.get(Organization, organization_id) if known else None
        if organization is not None:
            found.append(organization)
        elif organization_id is not None:
            field = 'correspondent_organization_id'
            errors.add(field, f'«{LABELS[field]}»: организация не найдена.')

    values = read_sample(raw, check)
    names = [values['correspondent_name']] + [name for org in found for name in (org.short_name, org.name)]
    return Sample(
        kind=values['kind'],
        document_kind=values['document_kind'],
        correspondent_organization_id=values['correspondent_organization_id'],
        correspondent_names=tuple(dict.fromkeys(name for name in names if name)),
        service_code=values['service_code'],
        delivery_method=values['delivery_method'],
    )
