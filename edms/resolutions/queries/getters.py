"""Single objects of the resolutions module for the acting user: another organization's object, an invisible card
or a draft shown to an executor is "not found" (404), never a hint that it exists; and the decisions waiting for
the user (reports addressed to him, extension requests on his resolutions)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from edms.auth.models import User
from edms.core.db import db
from edms.core.errors import NotFound
from edms.registry.models import Card
from edms.registry.queries import get_card
from edms.resolutions.errors import (
    AssignmentNotFound,
    ExtensionNotFound,
    ReportFileNotFound,
    ReportNotFound,
    ResolutionNotFound,
)
from edms.resolutions.models import (
    Assignment,
    AssignmentStatus,
    DeadlineExtension,
    ExecutionReport,
    ExtensionStatus,
    ReportFile,
    ReportStatus,
    Resolution,
)
from edms.resolutions.permissions import draft_visible


def resolution_card(user: User, resolution: Resolution) -> Card | None:
    """The card of a resolution the user may see, or None when the resolution is hidden from him."""
    if resolution.organization_id != user.organization_id or not draft_visible(user, resolution):
        return None
    try:
        return get_card(user, resolution.card_id)
    except NotFound:
        return None


def require_visible(user: User, resolution: Resolution) -> Card:
    """The resolution's card when the user may see the resolution; `ResolutionNotFound` otherwise."""
    card = resolution_card(user, resolution)
    if card is None:
        raise ResolutionNotFound()
    return card


def get_resolution(user: User, resolution_id: int) -> Resolution:
    """A resolution the user may see (anyone who sees its card; a draft not the executors)."""
    resolution = db.session.get(Resolution, resolution_id)
    if resolution is None or resolution_card(user, resolution) is None:
        raise ResolutionNotFound()
    return resolution


def get_assignment(user: User, assignment_id: int) -> Assignment:
    """An assignment of a resolution the user may see."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or resolution_card(user, assignment.resolution) is None:
        raise AssignmentNotFound()
    return assignment


def get_report(user: User, report_id: int) -> ExecutionReport:
    """A report on an assignment of a resolution the user may see."""
    report = db.session.get(ExecutionReport, report_id)
    if report is None or resolution_card(user, report.assignment.resolution) is None:
        raise ReportNotFound()
    return report


def get_report_file(user: User, report_id: int, file_id: int) -> tuple[ExecutionReport, ReportFile]:
    """A file of a report the user may see."""
    report = get_report(user, report_id)
    report_file = db.session.get(ReportFile, file_id)
    if report_file is None or report_file.report_id != report.id:
        raise ReportFileNotFound()
    return report, report_file


def get_extension(user: User, extension_id: int) -> DeadlineExtension:
    """A deadline extension request on an assignment of a resolution the user may see."""
    extension = db.session.get(DeadlineExtension, extension_id)
    if extension is None or resolution_card(user, extension.assignment.resolution) is None:
        raise ExtensionNotFound()
    return extension


def reports_to_decide(user: User, limit: int = 100) -> list[ExecutionReport]:
    """Submitted reports addressed to the user, oldest first."""
    query = (
        select(ExecutionReport)
        .join(Assignment, Assignment.id == ExecutionReport.assignment_id)
        .where(
            ExecutionReport.addressee_id == user.id,
            ExecutionReport.status == ReportStatus.submitted,
            Assignment.status == AssignmentStatus.reported,
            Assignment.organization_id == user.organization_id,
        )
        .options(
            selectinload(ExecutionReport.files),
            joinedload(ExecutionReport.author),
            joinedload(ExecutionReport.assignment).joinedload(Assignment.resolution).joinedload(Resolution.card),
        )
        .order_by(ExecutionReport.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars().unique())


def extensions_to_decide(user: User, limit: int = 100) -> list[DeadlineExtension]:
    """Pending extension requests on the resolutions the user authored, oldest first."""
    query = (
        select(DeadlineExtension)
        .join(Assignment, Assignment.id == DeadlineExtension.assignment_id)
        .join(Resolution, Resolution.id == Assignment.resolution_id)
        .where(
            Resolution.author_id == user.id,
            Resolution.organization_id == user.organization_id,
            DeadlineExtension.status == ExtensionStatus.pending,
        )
        .options(
            joinedload(DeadlineExtension.requested_by),
            joinedload(DeadlineExtension.assignment).joinedload(Assignment.resolution).joinedload(Resolution.card),
        )
        .order_by(DeadlineExtension.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars().unique())
