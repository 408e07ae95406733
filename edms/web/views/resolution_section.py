"""The «Резолюции» tab of the card page as data for `templates/resolutions/_card_resolutions.html`: the tree of the
card's resolutions from `edms.resolutions.queries.card_resolutions`, and for every node the steps the current user
may take (`edms.resolutions.permissions`), the signature check and the due-soon/overdue flags of the deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from edms.auth.models import Role, User
from edms.core.db import db
from edms.registry.models import Card, CaseFile
from edms.registry.operations.execution import EXECUTABLE_STATUSES
from edms.registry.queries import list_case_files
from edms.resolutions import deadlines
from edms.resolutions.models import (
    Assignment,
    AssignmentStatus,
    DeadlineExtension,
    ExecutionReport,
    ExtensionStatus,
    Resolution,
)
from edms.resolutions.permissions import assignment_actions, extension_actions, report_actions, resolution_actions
from edms.resolutions.queries import AssignmentNode, ResolutionNode, card_resolutions
from edms.resolutions.signing import verify_record_signature


@dataclass
class ReportView:
    report: ExecutionReport
    actions: set[str]


@dataclass
class ExtensionView:
    extension: DeadlineExtension
    actions: set[str]


@dataclass
class AssignmentView:
    node: AssignmentNode
    actions: set[str]
    overdue: bool
    due_soon: bool
    pending_extension: bool
    reports: list[ReportView] = field(default_factory=list)
    extensions: list[ExtensionView] = field(default_factory=list)
    children: list[ResolutionView] = field(default_factory=list)

    @property
    def assignment(self) -> Assignment:
        return self.node.assignment


@dataclass
class ResolutionView:
    resolution: Resolution
    depth: int
    actions: set[str]
    signer: User | None
    signature_valid: bool
    assignments: list[AssignmentView] = field(default_factory=list)

    @property
    def work_done(self) -> bool:
        """Every assignment executed or cancelled: the controller may remove the resolution from control."""
        closed = (AssignmentStatus.executed, AssignmentStatus.cancelled)
        return all(item.assignment.status in closed for item in self.assignments)


@dataclass
class Section:
    card: Card
    nodes: list[ResolutionView]
    can_issue: bool
    can_draft: bool
    case_files: list[CaseFile]


@dataclass(frozen=True)
class _Today:
    now: date
    soon: date


def build_section(user: User, card: Card) -> Section:
    """The tree with the user's steps; the case files are read only when the user may close a control."""
    today = deadlines.today()
    clock = _Today(today, deadlines.due_soon_limit(today))
    nodes = [_resolution(user, node, clock) for node in card_resolutions(user, card)]
    card_open = card.status in EXECUTABLE_STATUSES
    closing = any('close_control' in view.actions for view in _walk(nodes))
    return Section(
        card=card,
        nodes=nodes,
        can_issue=card_open and user.has_role(Role.manager),
        can_draft=card_open and user.has_role(Role.assistant),
        case_files=list_case_files(card.organization_id, open_only=True) if closing else [],
    )


def _resolution(user: User, node: ResolutionNode, clock: _Today) -> ResolutionView:
    resolution = node.resolution
    view = ResolutionView(
        resolution=resolution,
        depth=node.depth,
        actions=resolution_actions(user, resolution),
        signer=_signer(resolution),
        signature_valid=resolution.signed_at is not None and verify_record_signature(resolution),
    )
    for item in node.assignments:
        assignment = item.assignment
        pending = any(ext.status == ExtensionStatus.pending for ext in item.extensions)
        in_work = assignment.status == AssignmentStatus.in_work
        view.assignments.append(
            AssignmentView(
                node=item,
                actions=assignment_actions(user, assignment, pending),
                overdue=in_work and assignment.deadline < clock.now,
                due_soon=in_work and deadlines.is_due_soon(assignment.deadline, clock.now, clock.soon),
                pending_extension=pending,
                reports=[ReportView(report, report_actions(user, report)) for report in item.reports],
                extensions=[ExtensionView(ext, extension_actions(user, ext, resolution)) for ext in item.extensions],
                children=[_resolution(user, child, clock) for child in item.children],
            )
        )
    return view


def _signer(resolution: Resolution) -> User | None:
    """Who signed: the author (loaded with the tree) or, should it ever differ, the signing user."""
    if resolution.signed_by_id is None:
        return None
    if resolution.signed_by_id == resolution.author_id:
        return resolution.author
    return db.session.get(User, resolution.signed_by_id)


def _walk(nodes: list[ResolutionView]) -> list[ResolutionView]:
    found = []
    for node in nodes:
        found.append(node)
        for item in node.assignments:
            found.extend(_walk(item.children))
    return found
