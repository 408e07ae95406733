"""The end of execution: a resolution whose assignments are all executed is executed (or waits for its controller),
and a card whose top-level resolutions are all executed is executed and, with an execution mark «в дело», filed."""

from __future__ import annotations

from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.registry.models import Card, CardStatus, CaseFile
from edms.registry.operations.cards import lock_card
from edms.registry.operations.execution import file_executed_card, mark_executed
from edms.resolutions.models import Assignment, AssignmentStatus, EventKind, Resolution, ResolutionStatus
from edms.resolutions.operations.common import Outbox

DONE_ASSIGNMENT_STATUSES = (AssignmentStatus.executed, AssignmentStatus.cancelled)


def work_is_done(resolution: Resolution) -> bool:
    """Every assignment is closed and at least one was executed (read from the database, not from loaded rows, so
    that a decision committed by another transaction while this one waited for the resolution's lock counts)."""
    db.session.flush()
    query = select(Assignment.status).where(Assignment.resolution_id == resolution.id)
    statuses = set(db.session.execute(query).scalars())
    return statuses <= set(DONE_ASSIGNMENT_STATUSES) and AssignmentStatus.executed in statuses


def resolution_may_be_executed(user: User, resolution: Resolution, outbox: Outbox) -> None:
    """After an accepted report: an uncontrolled resolution whose work is done is executed; a controlled one waits
    for its controller's `close_control`."""
    if resolution.status != ResolutionStatus.approved or not work_is_done(resolution):
        return
    if resolution.is_controlled:
        return
    resolution.status = ResolutionStatus.executed
    resolution.executed_at = resolution.updated_at = utcnow()
    db.session.flush()
    record(user, 'resolution.execute', resolution, {'status': {'before': 'approved', 'after': 'executed'}})
    outbox.add(EventKind.execution_changed, resolution, status='executed')
    if resolution.parent_assignment_id is None:
        card_may_be_executed(user, resolution.card, resolution, outbox)


def card_may_be_executed(user: User, card: Card, resolution: Resolution, outbox: Outbox) -> None:
    """The card is executed when its top-level resolutions (cancelled ones aside, at least one) are all executed;
    then it is filed into the case named by the latest execution mark, if that case is still open.

    The card's row is locked first: of two resolutions closed at the same moment, the second sees the first one.
    """
    db.session.flush()
    lock_card(card)
    statuses = set(
        db.session.execute(
            select(Resolution.status).where(
                Resolution.card_id == card.id,
                Resolution.parent_assignment_id.is_(None),
                Resolution.status != ResolutionStatus.cancelled,
            )
        ).scalars()
    )
    if statuses != {ResolutionStatus.executed}:
        return
    if not mark_executed(user, card):
        return
    outbox.add(EventKind.card_executed, resolution)
    case_file_id = _case_of_latest_mark(card.id)
    if case_file_id is not None and card.status == CardStatus.executed:
        file_executed_card(user, card, case_file_id)


def _case_of_latest_mark(card_id: int) -> int | None:
    """The open case named by the most recently closed control of the card's top-level resolutions."""
    query = (
        select(Resolution.case_file_id)
        .join(CaseFile, CaseFile.id == Resolution.case_file_id)
        .where(
            Resolution.card_id == card_id,
            Resolution.parent_assignment_id.is_(None),
            Resolution.status == ResolutionStatus.executed,
            CaseFile.is_closed.is_(False),
        )
        .order_by(Resolution.control_closed_at.desc().nulls_last(), Resolution.id.desc())
        .limit(1)
    )
    return db.session.execute(query).scalar()
