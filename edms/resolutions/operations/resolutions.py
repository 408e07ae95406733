"""Issuing resolutions: by a manager on a card, by an executor under an assignment (a sub-resolution, any depth),
and cancelling one by its author (its assignments and the sub-resolutions below them are cancelled with it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.registry.models import Card, CardStatus
from edms.registry.operations.execution import EXECUTABLE_STATUSES
from edms.registry.queries import get_card
from edms.resolutions.errors import AssignmentClosed, ResolutionStateConflict
from edms.resolutions.models import (
    Assignment,
    AssignmentStatus,
    EventKind,
    Resolution,
    ResolutionStatus,
)
from edms.resolutions.models.enums import CLOSED_RESOLUTION_STATUSES
from edms.resolutions.operations.common import Outbox, lock, snapshot
from edms.resolutions.operations.completion import card_may_be_executed
from edms.resolutions.operations.executors import apply_plan, plan_assignments, put_in_work
from edms.resolutions.permissions import require_author, require_executor, require_manager
from edms.resolutions.queries.getters import require_visible
from edms.resolutions.validation import read_cancel, read_resolution


def require_card_open(user: User, card: Card) -> Card:
    """The card, visible to the user and registered or in work; a resolution on anything else is refused."""
    card = get_card(user, card.id)
    if card.status not in EXECUTABLE_STATUSES:
        raise ResolutionStateConflict(
            'Резолюцию можно вынести только по зарегистрированной карточке или карточке в работе.'
        )
    return card


def issue_resolution(
    user: User, card: Card, raw: Mapping[str, Any], *, signature: Mapping[str, Any] | None = None
) -> Resolution:
    """A manager's resolution on a card of their organization: signed at once, its executors go to work."""
    require_manager(user)
    card = require_card_open(user, card)
    data = read_resolution(raw)
    plans, controller_id = plan_assignments(card, data, author=user, parent=None)
    resolution = Resolution(organization_id=card.organization_id, card_id=card.id, author_id=user.id)
    apply_plan(resolution, data, plans, controller_id)
    db.session.add(resolution)
    outbox = Outbox(user)
    put_in_work(user, resolution, card, outbox, signature)
    record(user, 'resolution.issue', resolution, {'after': snapshot(resolution)})
    outbox.publish()
    return resolution


def issue_sub_resolution(
    user: User, assignment: Assignment, raw: Mapping[str, Any], *, signature: Mapping[str, Any] | None = None
) -> Resolution:
    """The executor of an assignment in work passes parts of it on: deadlines within the parent's, the responsible
    from the executor's department or below."""
    parent = assignment.resolution
    card = require_visible(user, parent)
    require_executor(user, assignment)
    lock(assignment)
    if assignment.status != AssignmentStatus.in_work or parent.status != ResolutionStatus.approved:
        raise _not_in_work(assignment)
    data = read_resolution(raw)
    plans, controller_id = plan_assignments(card, data, author=user, parent=assignment)
    resolution = Resolution(
        organization_id=card.organization_id, card_id=card.id, author_id=user.id, parent_assignment_id=assignment.id
    )
    apply_plan(resolution, data, plans, controller_id)
    db.session.add(resolution)
    outbox = Outbox(user)
    put_in_work(user, resolution, card, outbox, signature)
    record(user, 'resolution.issue', resolution, {'after': snapshot(resolution), 'parent_assignment_id': assignment.id})
    outbox.publish()
    return resolution


def _not_in_work(assignment: Assignment) -> ResolutionStateConflict:
    if assignment.status == AssignmentStatus.reported:
        return ResolutionStateConflict('По поручению направлен отчёт: дождитесь решения по нему.')
    if assignment.status == AssignmentStatus.draft:
        return ResolutionStateConflict('Поручение ещё не утверждено руководителем.')
    return AssignmentClosed()


def cancel_resolution(user: User, resolution: Resolution, raw: Mapping[str, Any]) -> Resolution:
    """The author cancels a draft or an approved resolution; open assignments and sub-resolutions are cancelled."""
    card = require_visible(user, resolution)
    require_author(user, resolution, 'Отменить резолюцию может только её автор.')
    reason = read_cancel(raw)
    lock(resolution)
    if resolution.status in CLOSED_RESOLUTION_STATUSES:
        raise ResolutionStateConflict('Исполненную или отменённую резолюцию отменить нельзя.')
    outbox = Outbox(user)
    before = snapshot(resolution)
    _cancel_tree(user, resolution, reason, outbox)
    record(user, 'resolution.cancel', resolution, {'reason': reason, 'before': before, 'after': snapshot(resolution)})
    if resolution.parent_assignment_id is None and card.status == CardStatus.in_work:
        card_may_be_executed(user, card, resolution, outbox)
    outbox.publish()
    return resolution


def _cancel_tree(user: User, resolution: Resolution, reason: str, outbox: Outbox) -> None:
    """Cancel the resolution, its open assignments and, below each of them, every open sub-resolution."""
    was_approved = resolution.status == ResolutionStatus.approved
    resolution.status, resolution.cancelled_at, resolution.cancel_reason = ResolutionStatus.cancelled, utcnow(), reason
    resolution.updated_at = resolution.cancelled_at
    for assignment in resolution.assignments:
        if assignment.status not in (AssignmentStatus.executed, AssignmentStatus.cancelled):
            assignment.status, assignment.updated_at = AssignmentStatus.cancelled, resolution.cancelled_at
        for child in assignment.children:
            if child.status not in CLOSED_RESOLUTION_STATUSES:
                _cancel_tree(user, child, reason, outbox)
                record(user, 'resolution.cancel', child, {'reason': reason, 'cascade_from': resolution.id})
    db.session.flush()
    if was_approved:
        outbox.add(EventKind.execution_changed, resolution, status='cancelled', reason=reason)
