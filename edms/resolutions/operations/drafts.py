"""Draft resolutions (проекты резолюций): an assistant prepares one for a named manager; the manager approves it as
is, edits and approves it, or returns it with a comment; the assistant reworks a returned draft and sends it again.
Draft assignments are invisible to the executors until the manager approves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edms.audit.operations import changes, record
from edms.auth.models import Role, User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import NotFound, ValidationFailed
from edms.registry.models import Card
from edms.registry.queries import get_card
from edms.resolutions.errors import ResolutionStateConflict
from edms.resolutions.models import EventKind, Resolution, ResolutionStatus
from edms.resolutions.operations.common import Outbox, lock, snapshot
from edms.resolutions.operations.executors import apply_plan, plan_assignments, put_in_work
from edms.resolutions.operations.resolutions import require_card_open
from edms.resolutions.permissions import require_assistant, require_author, require_preparer
from edms.resolutions.queries.getters import require_visible
from edms.resolutions.validation import ExecutorInput, ResolutionInput, read_comment, read_resolution


def draft_resolution(user: User, card: Card, raw: Mapping[str, Any]) -> Resolution:
    """An assistant's draft for the manager named by `author_id`; the same input as an issued resolution."""
    require_assistant(user)
    card = require_card_open(user, card)
    data = read_resolution(raw, draft=True)
    author = _manager(data.author_id, card)
    plans, controller_id = plan_assignments(card, data, author=author, parent=None)
    resolution = Resolution(
        organization_id=card.organization_id,
        card_id=card.id,
        author_id=author.id,
        prepared_by_id=user.id,
        status=ResolutionStatus.draft,
    )
    apply_plan(resolution, data, plans, controller_id)
    db.session.add(resolution)
    db.session.flush()
    outbox = Outbox(user)
    outbox.add(EventKind.resolution_drafted, resolution, author_id=author.id)
    record(user, 'resolution.draft', resolution, {'after': snapshot(resolution)})
    outbox.publish()
    return resolution


def _manager(author_id: int | None, card: Card) -> User:
    """The manager the draft is for: an active manager of the card's organization who may see the card."""
    author = db.session.get(User, author_id) if author_id else None
    if author is None or author.organization_id != card.organization_id or not author.is_active:
        raise ValidationFailed(fields={'author_id': '«Руководитель»: пользователь не найден в организации.'})
    if not author.has_role(Role.manager):
        raise ValidationFailed(fields={'author_id': '«Руководитель»: у пользователя нет роли руководителя.'})
    try:
        get_card(author, card.id)
    except NotFound:
        message = '«Руководитель»: у руководителя нет доступа к этой карточке (ДСП).'
        raise ValidationFailed(fields={'author_id': message}) from None
    return author


def update_draft(user: User, resolution: Resolution, raw: Mapping[str, Any]) -> Resolution:
    """The assistant who prepared a draft changes it (a returned draft goes back to the manager)."""
    card = require_visible(user, resolution)
    require_preparer(user, resolution)
    lock(resolution)
    if not resolution.is_draft:
        raise ResolutionStateConflict('Резолюция уже утверждена или отменена: проект изменить нельзя.')
    card = require_card_open(user, card)
    data = read_resolution(raw, draft=True)
    author = _manager(data.author_id, card)
    plans, controller_id = plan_assignments(card, data, author=author, parent=None)
    before, was_returned = snapshot(resolution), resolution.status == ResolutionStatus.returned
    resolution.author_id, resolution.status, resolution.return_comment = author.id, ResolutionStatus.draft, None
    apply_plan(resolution, data, plans, controller_id)
    db.session.flush()
    outbox = Outbox(user)
    outbox.add(EventKind.resolution_drafted, resolution, author_id=author.id, resubmitted=was_returned)
    record(user, 'resolution.update_draft', resolution, {'changes': changes(before, snapshot(resolution))})
    outbox.publish()
    return resolution


def approve_draft(
    user: User,
    resolution: Resolution,
    raw: Mapping[str, Any] | None = None,
    *,
    signature: Mapping[str, Any] | None = None,
) -> Resolution:
    """The named manager approves the draft as is (`raw` None) or with his changes (`raw` as for an issue) and
    signs it; only now do the executors receive their assignments."""
    card = require_visible(user, resolution)
    require_author(user, resolution, 'Проект резолюции адресован другому руководителю: утвердить его может только он.')
    lock(resolution)
    if resolution.status != ResolutionStatus.draft:
        raise _not_a_draft(resolution)
    card = require_card_open(user, card)
    before = snapshot(resolution)
    if raw is None:
        data = _as_input(resolution)
        explanations = [item.deadline_explanation for item in resolution.assignments]
        plans, controller_id = plan_assignments(card, data, author=user, parent=None)
        for plan, explanation in zip(plans, explanations, strict=True):
            plan.explanation = explanation
    else:
        data = read_resolution(raw)
        plans, controller_id = plan_assignments(card, data, author=user, parent=None)
    apply_plan(resolution, data, plans, controller_id)
    outbox = Outbox(user)
    put_in_work(user, resolution, card, outbox, signature)
    after = snapshot(resolution)
    record(user, 'resolution.approve', resolution, {'edited': raw is not None, 'changes': changes(before, after)})
    outbox.publish()
    return resolution


def _not_a_draft(resolution: Resolution) -> ResolutionStateConflict:
    if resolution.status == ResolutionStatus.returned:
        return ResolutionStateConflict('Проект возвращён помощнику на доработку: утвердить его можно после доработки.')
    return ResolutionStateConflict('Резолюция уже утверждена или отменена.')


def _as_input(resolution: Resolution) -> ResolutionInput:
    """The stored draft as input, so that approval re-checks it (a deadline may have passed since it was drafted)."""
    executors = [
        ExecutorInput(index, item.executor_id, item.is_responsible, item.deadline, None)
        for index, item in enumerate(resolution.assignments)
    ]
    controller_id = resolution.controller_id if resolution.is_controlled else None
    return ResolutionInput(resolution.text, executors, resolution.is_controlled, controller_id)


def return_draft(user: User, resolution: Resolution, raw: Mapping[str, Any]) -> Resolution:
    """The named manager returns the draft to the assistant with a comment."""
    require_visible(user, resolution)
    require_author(user, resolution, 'Проект резолюции адресован другому руководителю: вернуть его может только он.')
    comment = read_comment(raw, 'Комментарий', required=True)
    lock(resolution)
    if resolution.status != ResolutionStatus.draft:
        raise _not_a_draft(resolution)
    resolution.status, resolution.return_comment, resolution.updated_at = ResolutionStatus.returned, comment, utcnow()
    outbox = Outbox(user)
    outbox.add(EventKind.draft_returned, resolution, comment=comment)
    record(
        user,
        'resolution.return',
        resolution,
        {'status': {'before': 'draft', 'after': 'returned'}, 'comment': comment},
    )
    outbox.publish()
    return resolution
