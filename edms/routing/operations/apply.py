"""Applying the rules to a card: the first matching active rule of the card's organization sets the card's
department, gives its executor access to the card and an in-app notification, and the decision is kept with the
card and journaled on it.

`route_card` is called by the exchange for each incoming draft (and, later, by citizen services with the service
code); `apply_rules` is the registrar's «Направить по правилам» on an existing card.
"""

from __future__ import annotations

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.notifications.operations import notify
from edms.registry.errors import CardStateConflict
from edms.registry.models import Card, CardKind, CardStatus
from edms.registry.models.enums import KIND_LABELS
from edms.registry.operations.cards import grant_access, lock_card
from edms.registry.permissions import require_registrar
from edms.routing.errors import NoRuleMatched
from edms.routing.matching import Sample, sample_of
from edms.routing.models import RoutingDecision
from edms.routing.queries import RuleCheck, decision_of, evaluate, explain, list_rules

#: The reason of the access grant given to the executor a rule names.
GRANT_REASON = 'routing'
NOTIFICATION_KIND = 'routing'
#: Cards a registrar may send through the rules again: the documents that come in.
ROUTABLE_KINDS = (CardKind.incoming, CardKind.citizen_appeal)


def route_card(
    card: Card, sample: Sample, *, actor: User | None = None, new: bool = False, announce: bool = True
) -> RoutingDecision | None:
    """Apply the first matching active rule of the card's organization; None (and nothing changed) when no rule
    matches. `actor` None is the system (a card received by the exchange). `new`: the card was created in this
    transaction, so it has no earlier decision to replace (one query less). `announce` False leaves the executor's
    notification to the caller (`announce_decision`), for a card that gets its number only after the routing."""
    checks = evaluate(list_rules(card.organization_id, active_only=True), sample)
    fired = next((check for check in checks if check.fires), None)
    if fired is None:
        return None
    return _apply(card, fired, actor, new, announce)


def apply_rules(user: User, card: Card) -> RoutingDecision:
    """The registrar applies the rules to an open incoming card or citizen appeal; `NoRuleMatched` when none fits."""
    require_registrar(user)
    lock_card(card)
    if card.kind not in ROUTABLE_KINDS:
        raise CardStateConflict('По правилам направляются только входящие документы и обращения граждан.')
    if card.status in (CardStatus.cancelled, CardStatus.filed):
        raise CardStateConflict('Аннулированную карточку или карточку в деле направить нельзя.')
    decision = route_card(card, sample_of(card), actor=user)
    if decision is None:
        raise NoRuleMatched()
    return decision


def _apply(card: Card, check: RuleCheck, actor: User | None, new: bool, announce: bool = True) -> RoutingDecision:
    rule, executor = check.rule, check.rule.executor
    department_id = rule.department_id or (executor.department_id if executor is not None else None)
    before = card.department_id
    if department_id is not None:
        card.department_id = department_id
    decision = (None if new else decision_of(card.id)) or RoutingDecision(card_id=card.id)
    decision.rule_id, decision.rule_name = rule.id, rule.name
    decision.department_id, decision.executor_id = department_id, rule.executor_id
    decision.explanation = explain(check)
    decision.decided_at, decision.decided_by_id = utcnow(), actor.id if actor is not None else None
    db.session.add(decision)  # written by the next flush: nothing here needs its id
    if executor is not None:
        # Granted on a public card too: the executor keeps the card if a clerk restricts it (ДСП) later.
        grant_access(actor, card, executor.id, GRANT_REASON, new_card=new)
        if announce:
            announce_decision(card, decision)
    facts = {
        'rule_id': rule.id,
        'rule_name': rule.name,
        'department': {'before': before, 'after': card.department_id},
        'executor_id': rule.executor_id,
        'explanation': decision.explanation,
    }
    record(actor, 'card.route', card, facts, organization_id=card.organization_id)
    return decision


def announce_decision(card: Card, decision: RoutingDecision) -> None:
    """The in-app notification of the executor the decision's rule names (none when it names no executor)."""
    if decision.executor_id is None:
        return
    number = f'№ {card.reg_number}' if card.reg_number else '(черновик)'
    document = f'{KIND_LABELS[card.kind]} {number} — {card.summary}'
    text = f'Вам направлен документ по правилу «{decision.rule_name}»: {document}'
    notify(
        [decision.executor_id],
        kind=NOTIFICATION_KIND,
        text=text,
        url=f'/cards/{card.id}',
        organization_id=card.organization_id,
        source=f'routing:card:{card.id}:user:{decision.executor_id}',
    )
