"""Changing routing: the rules of an organization (`rules`) and the routing of cards by them (`apply`). Every change
is journaled. `try_rules` (a read, in `queries`) and the sample of a card are re-exported for the entry points."""

from edms.routing.matching import Sample, sample_of
from edms.routing.operations.apply import announce_decision, apply_rules, route_card
from edms.routing.operations.rules import create_rule, delete_rule, move_rule, snapshot, update_rule
from edms.routing.queries import try_rules

__all__ = [
    'Sample',
    'announce_decision',
    'apply_rules',
    'create_rule',
    'delete_rule',
    'move_rule',
    'route_card',
    'sample_of',
    'snapshot',
    'try_rules',
    'update_rule',
]
