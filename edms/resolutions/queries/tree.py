"""The resolutions of a card as a tree: resolution → its assignments → the sub-resolutions under each, with the
reports and extension requests of every assignment; read in a fixed number of queries whatever the tree's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from edms.auth.models import User
from edms.core.db import db
from edms.registry.models import Card
from edms.registry.queries import get_card
from edms.resolutions.models import Assignment, DeadlineExtension, ExecutionReport, Resolution
from edms.resolutions.permissions import DRAFT_ROLES, DRAFT_STATUSES

Row = TypeVar('Row', ExecutionReport, DeadlineExtension)


@dataclass
class AssignmentNode:
    assignment: Assignment
    reports: list[ExecutionReport] = field(default_factory=list)
    extensions: list[DeadlineExtension] = field(default_factory=list)
    children: list[ResolutionNode] = field(default_factory=list)


@dataclass
class ResolutionNode:
    resolution: Resolution
    depth: int
    assignments: list[AssignmentNode] = field(default_factory=list)


def card_resolutions(user: User, card: Card) -> list[ResolutionNode]:
    """The card's top-level resolutions (oldest first) with everything below them; drafts only for their people."""
    card = get_card(user, card.id)
    resolutions = _resolutions(user, card.id)
    if not resolutions:
        return []
    assignment_ids = [item.id for resolution in resolutions for item in resolution.assignments]
    reports = _by_assignment(_reports(assignment_ids))
    extensions = _by_assignment(_extensions(assignment_ids))
    children: dict[int | None, list[Resolution]] = defaultdict(list)
    for resolution in resolutions:
        children[resolution.parent_assignment_id].append(resolution)

    def build(resolution: Resolution, depth: int) -> ResolutionNode:
        node = ResolutionNode(resolution, depth)
        for assignment in resolution.assignments:
            node.assignments.append(
                AssignmentNode(
                    assignment,
                    reports.get(assignment.id, []),
                    extensions.get(assignment.id, []),
                    [build(child, depth + 1) for child in children.get(assignment.id, [])],
                )
            )
        return node

    return [build(resolution, 0) for resolution in children[None]]


def _resolutions(user: User, card_id: int) -> list[Resolution]:
    query = select(Resolution).where(Resolution.card_id == card_id)
    if not user.has_role(*DRAFT_ROLES):
        # Executors see a draft only when they prepared it or it is addressed to them.
        hidden_draft = and_(
            Resolution.status.in_(DRAFT_STATUSES),
            Resolution.author_id != user.id,
            or_(Resolution.prepared_by_id.is_(None), Resolution.prepared_by_id != user.id),
        )
        query = query.where(~hidden_draft)
    query = query.options(
        joinedload(Resolution.author),
        joinedload(Resolution.controller),
        joinedload(Resolution.prepared_by),
        selectinload(Resolution.assignments).joinedload(Assignment.executor),
    )
    return list(db.session.execute(query.order_by(Resolution.id)).scalars().unique())


def _reports(assignment_ids: list[int]) -> list[ExecutionReport]:
    query = (
        select(ExecutionReport)
        .where(ExecutionReport.assignment_id.in_(assignment_ids))
        .options(selectinload(ExecutionReport.files), joinedload(ExecutionReport.author))
        .order_by(ExecutionReport.id)
    )
    return list(db.session.execute(query).scalars().unique())


def _extensions(assignment_ids: list[int]) -> list[DeadlineExtension]:
    query = (
        select(DeadlineExtension)
        .where(DeadlineExtension.assignment_id.in_(assignment_ids))
        .options(joinedload(DeadlineExtension.requested_by))
        .order_by(DeadlineExtension.id)
    )
    return list(db.session.execute(query).scalars().unique())


def _by_assignment(rows: list[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row.assignment_id].append(row)
    return grouped
