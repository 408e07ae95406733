"""Deadline extensions: the executor asks for a later working day with a reason (one pending request at a time);
the author of the resolution grants (the deadline moves, the request row keeps the history) or refuses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.resolutions import deadlines
from edms.resolutions.errors import AssignmentClosed, ExtensionPending, ResolutionStateConflict
from edms.resolutions.models import (
    Assignment,
    DeadlineExtension,
    EventKind,
    ExtensionStatus,
    ResolutionStatus,
)
from edms.resolutions.operations.common import Outbox, lock
from edms.resolutions.permissions import require_author, require_executor
from edms.resolutions.queries.getters import require_visible
from edms.resolutions.validation import read_extension_decision, read_extension_request


def request_extension(user: User, assignment: Assignment, raw: Mapping[str, Any]) -> DeadlineExtension:
    """The executor asks to move his deadline: a later working day, within the parent assignment's deadline."""
    resolution = assignment.resolution
    require_visible(user, resolution)
    require_executor(user, assignment)
    reason, requested = read_extension_request(raw)
    lock(assignment)
    if not assignment.is_open or resolution.status != ResolutionStatus.approved:
        raise AssignmentClosed()
    if _pending(assignment.id) is not None:
        raise ExtensionPending()
    _check_requested(assignment, requested)
    extension = DeadlineExtension(
        assignment_id=assignment.id,
        requested_by_id=user.id,
        reason=reason,
        old_deadline=assignment.deadline,
        requested_deadline=requested,
    )
    db.session.add(extension)
    db.session.flush()
    outbox = Outbox(user)
    outbox.add(
        EventKind.extension_requested,
        resolution,
        assignment,
        extension_id=extension.id,
        old_deadline=assignment.deadline.isoformat(),
        requested_deadline=requested.isoformat(),
    )
    record(user, 'assignment.request_extension', assignment, _describe(extension))
    outbox.publish()
    return extension


def _pending(assignment_id: int) -> int | None:
    query = select(DeadlineExtension.id).where(
        DeadlineExtension.assignment_id == assignment_id, DeadlineExtension.status == ExtensionStatus.pending
    )
    return db.session.execute(query.limit(1)).scalar()


def _check_requested(assignment: Assignment, requested: date, field: str = 'deadline') -> None:
    """Later than the current deadline, a working day, not after the deadline of the parent assignment."""
    label = 'Новый срок'
    if requested <= assignment.deadline:
        problem = f'«{label}»: должен быть позже текущего срока ({deadlines.ru(assignment.deadline)}).'
    else:
        problem = deadlines.deadline_problem(label, requested, now=deadlines.today())
    parent = assignment.resolution.parent_assignment
    if problem is None and parent is not None and requested > parent.deadline:
        problem = (
            f'«{label}»: не позже срока вышестоящего поручения ({deadlines.ru(parent.deadline)}); '
            'продлить срок сверх него нельзя.'
        )
    if problem:
        raise ValidationFailed(fields={field: problem})


def decide_extension(user: User, extension: DeadlineExtension, raw: Mapping[str, Any]) -> DeadlineExtension:
    """The author grants (the deadline moves to the requested day) or refuses (with a comment)."""
    assignment = extension.assignment
    resolution = assignment.resolution
    require_visible(user, resolution)
    require_author(user, resolution, 'Решение о продлении срока принимает автор резолюции.')
    grant, comment = read_extension_decision(raw)
    lock(assignment)
    lock(extension)
    if extension.status != ExtensionStatus.pending:
        raise ResolutionStateConflict('По этому запросу решение уже принято.')
    if grant:
        if not assignment.is_open:
            raise AssignmentClosed()
        _check_parent(assignment, extension.requested_deadline)
        _move_deadline(user, assignment, extension)
    now = utcnow()
    extension.status = ExtensionStatus.granted if grant else ExtensionStatus.refused
    extension.decided_by_id, extension.decided_at, extension.comment = user.id, now, comment or None
    outbox = Outbox(user)
    outbox.add(
        EventKind.extension_decided,
        resolution,
        assignment,
        extension_id=extension.id,
        granted=grant,
        deadline=assignment.deadline.isoformat(),
    )
    data: dict[str, Any] = {**_describe(extension), 'comment': comment}
    if grant:
        data['deadline'] = {'before': extension.old_deadline.isoformat(), 'after': assignment.deadline.isoformat()}
    record(user, 'extension.grant' if grant else 'extension.refuse', assignment, data)
    outbox.publish()
    return extension


def _check_parent(assignment: Assignment, requested: date) -> None:
    parent = assignment.resolution.parent_assignment
    if parent is not None and requested > parent.deadline:
        raise ResolutionStateConflict(
            f'Срок вышестоящего поручения — {deadlines.ru(parent.deadline)}: продлить срок сверх него нельзя.'
        )


def _move_deadline(user: User, assignment: Assignment, extension: DeadlineExtension) -> None:
    old, new = assignment.deadline, extension.requested_deadline
    assignment.deadline, assignment.updated_at = new, utcnow()
    assignment.deadline_explanation = (
        f'Срок продлён с {deadlines.ru(old)} до {deadlines.ru(new)} по запросу исполнителя '
        f'(решение {user.short_name} от {deadlines.ru(deadlines.today())}).'
    )


def _describe(extension: DeadlineExtension) -> dict[str, Any]:
    return {
        'extension_id': extension.id,
        'reason': extension.reason,
        'old_deadline': extension.old_deadline.isoformat(),
        'requested_deadline': extension.requested_deadline.isoformat(),
        'status': extension.status.value,
    }
