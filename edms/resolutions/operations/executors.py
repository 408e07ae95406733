"""Executors of a resolution: checked against the organization, the calendar, the parent assignment and the
department tree; then stored as assignments, signed by the author and put into work with their events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from edms.auth.models import Role, User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import FieldErrors
from edms.directory.models import Department
from edms.directory.queries import descendant_ids
from edms.registry.models import Card
from edms.registry.operations.execution import grant_participants, start_execution
from edms.resolutions import deadlines
from edms.resolutions.models import Assignment, AssignmentStatus, EventKind, Resolution, ResolutionStatus
from edms.resolutions.operations.common import Outbox
from edms.resolutions.signing import RECORD_TYPE, resolution_payload
from edms.resolutions.validation import ExecutorInput, ResolutionInput
from edms.signatures.records import SIMPLE, sign_record


@dataclass
class PlannedAssignment:
    """An executor that passed every check, with the deadline and how it was counted."""

    executor: User
    responsible: bool
    deadline: date
    explanation: str


def plan_assignments(
    card: Card, data: ResolutionInput, *, author: User, parent: Assignment | None
) -> tuple[list[PlannedAssignment], int | None]:
    """Check the executors and the controller; the planned assignments and the controller's id, or ValidationFailed."""
    errors = FieldErrors()
    users = _users([item.user_id for item in data.executors] + [data.controller_id or 0])
    now = deadlines.today()
    plans = []
    for item in data.executors:
        executor = _executor(errors, item, users, card.organization_id)
        due = _deadline(errors, item, card, parent, now)
        if executor is not None and due is not None:
            plans.append(PlannedAssignment(executor, item.responsible, *due))
    responsible = next((plan for plan in plans if plan.responsible), None)
    if parent is not None and responsible is not None:
        _check_subtree(errors, data, responsible.executor, author)
    controller_id = _controller(errors, data, users, author, card.organization_id)
    errors.raise_if_any()
    return plans, controller_id


def _users(ids: list[int]) -> dict[int, User]:
    return {user.id: user for user in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}


def _executor(errors: FieldErrors, item: ExecutorInput, users: dict[int, User], organization_id: int) -> User | None:
    """The executor, when active in the card's organization; another organization's user is simply "not found"."""
    user = users.get(item.user_id)
    label = f'«Исполнитель ({item.index + 1})»'
    if user is None or user.organization_id != organization_id:
        errors.add(f'{item.field}.user_id', f'{label}: пользователь не найден в организации.')
        return None
    if not user.is_active:
        errors.add(f'{item.field}.user_id', f'{label}: учётная запись пользователя отключена.')
        return None
    return user


def _deadline(
    errors: FieldErrors, item: ExecutorInput, card: Card, parent: Assignment | None, now: date
) -> tuple[date, str] | None:
    """The deadline and its explanation: a working day, not in the past, not after the parent assignment's."""
    label = f'Срок исполнения ({item.index + 1})'
    if item.deadline_days is not None:
        if card.reg_date is None:
            errors.add(f'{item.field}.deadline', f'«{label}»: у карточки нет даты регистрации для отсчёта.')
            return None
        day, explanation = deadlines.from_registration(card.reg_date, item.deadline_days)
    else:
        day, explanation = item.deadline, deadlines.explain_fixed(item.deadline)
    problem = deadlines.deadline_problem(label, day, now=now)
    if problem is None and parent is not None and day > parent.deadline:
        problem = f'«{label}»: не позже срока вышестоящего поручения ({deadlines.ru(parent.deadline)}).'
    if problem:
        errors.add(f'{item.field}.deadline', problem)
        return None
    return day, explanation


def _check_subtree(errors: FieldErrors, data: ResolutionInput, responsible: User, author: User) -> None:
    """A sub-resolution's responsible works in the issuing executor's department or a department below it."""
    item = next(item for item in data.executors if item.responsible)
    field = f'{item.field}.user_id'
    if author.department_id is None:
        errors.add(field, '«Ответственный исполнитель»: у вас не указано подразделение, назначить подчинённого нельзя.')
        return
    allowed = descendant_ids(author.organization_id, author.department_id)
    if responsible.department_id not in allowed:
        name = db.session.get(Department, author.department_id)
        errors.add(
            field,
            f'«Ответственный исполнитель»: должен работать в подразделении «{name.name if name else ""}» '
            'или в подчинённом ему подразделении.',
        )


def _controller(
    errors: FieldErrors, data: ResolutionInput, users: dict[int, User], author: User, organization_id: int
) -> int | None:
    """The controller: a user with the controller role or the author; the author when none is named."""
    if not data.is_controlled:
        return None
    if data.controller_id is None or data.controller_id == author.id:
        return author.id
    controller = users.get(data.controller_id)
    if controller is None or controller.organization_id != organization_id or not controller.is_active:
        errors.add('controller_id', '«Контролёр»: пользователь не найден в организации.')
    elif not controller.has_role(Role.controller):
        errors.add('controller_id', '«Контролёр»: у пользователя нет роли контролёра (или укажите себя).')
    return data.controller_id


def apply_plan(
    resolution: Resolution, data: ResolutionInput, plans: Sequence[PlannedAssignment], controller_id: int | None
) -> None:
    """Write the text, the control and the executors (as draft assignments) onto the resolution."""
    resolution.text = data.text
    resolution.is_controlled, resolution.controller_id = data.is_controlled, controller_id
    resolution.assignments = [
        Assignment(
            organization_id=resolution.organization_id,
            card_id=resolution.card_id,
            executor_id=plan.executor.id,
            is_responsible=plan.responsible,
            deadline=plan.deadline,
            initial_deadline=plan.deadline,
            deadline_explanation=plan.explanation,
            status=AssignmentStatus.draft,
        )
        for plan in plans
    ]
    resolution.updated_at = utcnow()


def put_in_work(
    user: User, resolution: Resolution, card: Card, outbox: Outbox, signature: Mapping[str, Any] | None
) -> None:
    """Sign as the author, approve, start every assignment, open a restricted card to its participants, card in work."""
    db.session.flush()
    options = dict(signature or {})
    method = str(options.pop('method', SIMPLE))
    signed = sign_record(user, RECORD_TYPE, resolution.id, resolution_payload(resolution), method=method, **options)
    resolution.signature_method, resolution.signed_by_id = signed.method, signed.signer_id
    resolution.signed_at, resolution.signature_digest = signed.signed_at, signed.digest
    resolution.signature_value = signed.value
    resolution.status, resolution.issued_at = ResolutionStatus.approved, signed.signed_at
    for assignment in resolution.assignments:
        assignment.status = AssignmentStatus.in_work
    participants = [item.executor_id for item in resolution.assignments]
    grant_participants(user, card, [*participants, *([resolution.controller_id] if resolution.controller_id else [])])
    if resolution.parent_assignment_id is None:
        start_execution(user, card)
    db.session.flush()
    outbox.add(EventKind.resolution_approved, resolution, signed_by=user.id)
    for assignment in resolution.assignments:
        outbox.add(
            EventKind.executor_assigned,
            resolution,
            assignment,
            executor_id=assignment.executor_id,
            responsible=assignment.is_responsible,
            deadline=assignment.deadline.isoformat(),
        )
