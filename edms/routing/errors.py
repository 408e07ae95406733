"""Errors of routing, each with a code and a Russian message."""

from __future__ import annotations

from edms.core.errors import Conflict, NotFound


class RuleNotFound(NotFound):
    code = 'routing_rule_not_found'
    message = 'Правило маршрутизации не найдено.'


class NoRuleMatched(Conflict):
    """A registrar asked to route a card and no active rule of the organization matches it."""

    code = 'routing_no_rule'
    message = 'Ни одно действующее правило маршрутизации не подходит к карточке; карточка не изменена.'
