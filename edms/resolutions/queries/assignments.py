"""«Мои поручения»: the executor's assignments with their deadlines flagged as due soon (within 3 working days) or
overdue, filtered and paged; the pending extension requests of the page are read in one more query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import joinedload

from edms.auth.models import User
from edms.core.db import db
from edms.registry.models import Card
from edms.resolutions import deadlines
from edms.resolutions.models import (
    Assignment,
    AssignmentStatus,
    DeadlineExtension,
    ExtensionStatus,
    Resolution,
)
from edms.resolutions.models.enums import OPEN_ASSIGNMENT_STATUSES

#: Filters of «Мои поручения»: open (in work or reported), due soon, overdue, executed, all.
MY_FILTERS = ('open', 'due_soon', 'overdue', 'executed', 'all')
MY_FILTER_LABELS = {
    'open': 'В работе',
    'due_soon': 'Скоро срок',
    'overdue': 'Просрочены',
    'executed': 'Исполнены',
    'all': 'Все',
}


@dataclass(frozen=True)
class AssignmentItem:
    assignment: Assignment
    resolution: Resolution
    card: Card
    overdue: bool
    due_soon: bool
    pending_extension: bool


@dataclass
class AssignmentPage:
    filter: str
    items: list[AssignmentItem]
    page: int
    per_page: int
    has_next: bool


def _condition(user: User, flt: str, now: date) -> ColumnElement[bool]:
    own = and_(
        Assignment.executor_id == user.id,
        Assignment.organization_id == user.organization_id,
        Assignment.status != AssignmentStatus.draft,
    )
    if flt == 'open':
        return and_(own, Assignment.status.in_(OPEN_ASSIGNMENT_STATUSES))
    if flt == 'due_soon':
        limit = deadlines.due_soon_limit(now)
        return and_(own, Assignment.status == AssignmentStatus.in_work, Assignment.deadline.between(now, limit))
    if flt == 'overdue':
        return and_(own, Assignment.status == AssignmentStatus.in_work, Assignment.deadline < now)
    if flt == 'executed':
        return and_(own, Assignment.status == AssignmentStatus.executed)
    return own


def my_assignments(user: User, flt: str = 'open', page: int = 1, per_page: int = 50) -> AssignmentPage:
    """The user's assignments by filter (unknown filter → 'open'): open ones by nearest deadline, executed ones by
    the latest execution."""
    flt = flt if flt in MY_FILTERS else 'open'
    page, per_page = max(page, 1), max(1, min(per_page, 200))
    now = deadlines.today()
    query = select(Assignment).where(_condition(user, flt, now))
    if flt in ('executed', 'all'):
        # Newest first throughout: a backward walk of ix_resolutions_assignments_executor_executed, no sort.
        query = query.order_by(
            Assignment.executed_at.desc().nulls_first(), Assignment.deadline.desc(), Assignment.id.desc()
        )
    else:
        query = query.order_by(Assignment.deadline, Assignment.id)
    query = query.options(joinedload(Assignment.card), joinedload(Assignment.resolution).joinedload(Resolution.author))
    rows = list(db.session.execute(query.limit(per_page + 1).offset((page - 1) * per_page)).scalars().unique())
    rows, has_next = rows[:per_page], len(rows) > per_page
    pending = _pending_extensions([item.id for item in rows])
    limit = deadlines.due_soon_limit(now)
    items = [
        AssignmentItem(
            item,
            item.resolution,
            item.card,
            overdue=item.status == AssignmentStatus.in_work and item.deadline < now,
            due_soon=item.status == AssignmentStatus.in_work and deadlines.is_due_soon(item.deadline, now, limit),
            pending_extension=item.id in pending,
        )
        for item in rows
    ]
    return AssignmentPage(flt, items, page, per_page, has_next)


def my_assignment_counts(user: User) -> dict[str, int]:
    """Counts of the open, due-soon and overdue filters, in one statement."""
    now = deadlines.today()
    columns = [
        select(func.count()).select_from(Assignment).where(_condition(user, key, now)).scalar_subquery().label(key)
        for key in ('open', 'due_soon', 'overdue')
    ]
    row = db.session.execute(select(*columns)).one()
    return {key: int(value) for key, value in row._mapping.items()}


def _pending_extensions(assignment_ids: list[int]) -> set[int]:
    if not assignment_ids:
        return set()
    query = select(DeadlineExtension.assignment_id).where(
        DeadlineExtension.assignment_id.in_(assignment_ids), DeadlineExtension.status == ExtensionStatus.pending
    )
    return set(db.session.execute(query).scalars())
