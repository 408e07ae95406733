"""JSON shapes of resolutions and control of execution: resolutions as tree nodes, assignments, reports, extension
requests, the cabinet's folder items and «Мои поручения».

Plain functions from loaded models to dicts; they read only the relationships the queries of
`edms.resolutions.queries` load (or users already in the session). `actions` lists the steps the token's user may
take now, so that a client shows only the buttons that apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for

from edms.api.serializers import card_item_json, iso, user_ref
from edms.auth.models import User
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
from edms.resolutions.queries import (
    AssignmentItem,
    AssignmentNode,
    AssignmentPage,
    Folder,
    FolderItem,
    FolderPage,
    ResolutionNode,
)
from edms.resolutions.signing import verify_record_signature


@dataclass(frozen=True)
class Today:
    """Today's date and the last due-soon date, computed once per request for every assignment shown."""

    day: date
    due_soon_limit: date

    @classmethod
    def now(cls) -> Today:
        day = deadlines.today()
        return cls(day, deadlines.due_soon_limit(day))

    def overdue(self, assignment: Assignment) -> bool:
        return assignment.status == AssignmentStatus.in_work and assignment.deadline < self.day

    def due_soon(self, assignment: Assignment) -> bool:
        in_work = assignment.status == AssignmentStatus.in_work
        return in_work and deadlines.is_due_soon(assignment.deadline, self.day, self.due_soon_limit)


def resolution_summary(resolution: Resolution) -> dict[str, Any]:
    """A resolution in a list or as the parent of an assignment: no executors, no work below it."""
    return {
        'id': resolution.id,
        'url': url_for('api.get_resolution', resolution_id=resolution.id),
        'card_id': resolution.card_id,
        'parent_assignment_id': resolution.parent_assignment_id,
        'author': user_ref(resolution.author),
        'text': resolution.text,
        'status': resolution.status.value,
        'status_label': resolution.status_label,
        'is_controlled': resolution.is_controlled,
        'controller_id': resolution.controller_id,
        'issued_at': iso(resolution.issued_at),
    }


def resolution_json(user: User, resolution: Resolution) -> dict[str, Any]:
    """Every field of a resolution, its signature and the steps the user may take (without its assignments)."""
    return {
        **resolution_summary(resolution),
        'card_url': url_for('api.get_card', card_id=resolution.card_id),
        'prepared_by': user_ref(resolution.prepared_by),
        'controller': user_ref(resolution.controller),
        'return_comment': resolution.return_comment,
        'control_closed_at': iso(resolution.control_closed_at),
        'control_closed_by_id': resolution.control_closed_by_id,
        'execution_mark': resolution.execution_mark,
        'case_file_id': resolution.case_file_id,
        'executed_at': iso(resolution.executed_at),
        'cancelled_at': iso(resolution.cancelled_at),
        'cancel_reason': resolution.cancel_reason,
        'signature': signature_json(resolution),
        'created_at': iso(resolution.created_at),
        'updated_at': iso(resolution.updated_at),
        'actions': sorted(resolution_actions(user, resolution)),
    }


def signature_json(resolution: Resolution) -> dict[str, Any] | None:
    """The author's signature; `valid` says whether the resolution still matches the digest taken at signing."""
    if resolution.signed_at is None:
        return None
    return {
        'method': resolution.signature_method,
        'signed_by_id': resolution.signed_by_id,
        'signed_at': iso(resolution.signed_at),
        'digest': resolution.signature_digest,
        'valid': verify_record_signature(resolution),
    }


def resolution_node_json(user: User, node: ResolutionNode, today: Today) -> dict[str, Any]:
    """A resolution of the card's tree with its assignments and, below each, the work and the sub-resolutions."""
    return {
        **resolution_json(user, node.resolution),
        'depth': node.depth,
        'assignments': [assignment_node_json(user, item, today) for item in node.assignments],
    }


def assignment_json(assignment: Assignment, today: Today) -> dict[str, Any]:
    """One executor's part: the deadline with how it was counted, and whether it is due soon or overdue."""
    return {
        'id': assignment.id,
        'url': url_for('api.get_assignment', assignment_id=assignment.id),
        'resolution_id': assignment.resolution_id,
        'card_id': assignment.card_id,
        'executor': user_ref(assignment.executor),
        'is_responsible': assignment.is_responsible,
        'role_label': assignment.role_label,
        'deadline': iso(assignment.deadline),
        'initial_deadline': iso(assignment.initial_deadline),
        'deadline_explanation': assignment.deadline_explanation,
        'status': assignment.status.value,
        'status_label': assignment.status_label,
        'executed_at': iso(assignment.executed_at),
        'overdue': today.overdue(assignment),
        'due_soon': today.due_soon(assignment),
    }


def assignment_node_json(user: User, node: AssignmentNode, today: Today) -> dict[str, Any]:
    """An assignment with its reports, extension requests (the history) and the sub-resolutions under it."""
    assignment, resolution = node.assignment, node.assignment.resolution
    pending = any(item.status == ExtensionStatus.pending for item in node.extensions)
    return {
        **assignment_json(assignment, today),
        'actions': sorted(assignment_actions(user, assignment, pending)),
        'reports': [report_json(user, report) for report in node.reports],
        'extensions': [extension_json(user, item, resolution) for item in node.extensions],
        'sub_resolutions': [resolution_node_json(user, child, today) for child in node.children],
    }


def report_json(user: User, report: ExecutionReport) -> dict[str, Any]:
    """An execution report, whom it is addressed to, the decision on it and its files."""
    return {
        'id': report.id,
        'url': url_for('api.get_report', report_id=report.id),
        'assignment_id': report.assignment_id,
        'author': user_ref(report.author),
        'addressed_to': report.addressed_to.value,
        'addressed_to_label': report.addressed_to_label,
        'addressee': user_ref(report.addressee),
        'text': report.text,
        'status': report.status.value,
        'status_label': report.status_label,
        'decided_by_id': report.decided_by_id,
        'decided_at': iso(report.decided_at),
        'decision_comment': report.decision_comment,
        'created_at': iso(report.created_at),
        'files': [
            {
                'id': item.id,
                'filename': item.filename,
                'content_type': item.content_type,
                'size': item.size,
                'sha256': item.sha256,
                'download_url': url_for('api.report_file', report_id=report.id, file_id=item.id),
            }
            for item in report.files
        ],
        'actions': sorted(report_actions(user, report)),
    }


def extension_json(user: User, extension: DeadlineExtension, resolution: Resolution) -> dict[str, Any]:
    """A deadline extension request and the author's decision on it."""
    return {
        'id': extension.id,
        'url': url_for('api.get_extension', extension_id=extension.id),
        'assignment_id': extension.assignment_id,
        'requested_by': user_ref(extension.requested_by),
        'reason': extension.reason,
        'old_deadline': iso(extension.old_deadline),
        'requested_deadline': iso(extension.requested_deadline),
        'status': extension.status.value,
        'status_label': extension.status_label,
        'decided_by_id': extension.decided_by_id,
        'decided_at': iso(extension.decided_at),
        'comment': extension.comment,
        'created_at': iso(extension.created_at),
        'actions': sorted(extension_actions(user, extension, resolution)),
    }


def my_assignments_json(page: AssignmentPage, counts: dict[str, int], today: Today) -> dict[str, Any]:
    """«Мои поручения»: a page of the user's assignments with their resolution and card, and the filter counts."""
    return {
        'filter': page.filter,
        'items': [my_assignment_json(item, today) for item in page.items],
        'page': page.page,
        'per_page': page.per_page,
        'has_next': page.has_next,
        'counts': counts,
    }


def my_assignment_json(item: AssignmentItem, today: Today) -> dict[str, Any]:
    return {
        **assignment_json(item.assignment, today),
        'pending_extension': item.pending_extension,
        'resolution': resolution_summary(item.resolution),
        'card': card_item_json(item.card),
    }


def folder_json(folder: Folder, count: int) -> dict[str, Any]:
    return {
        'key': folder.key,
        'title': folder.title,
        'description': folder.description,
        'unit': folder.unit,
        'count': count,
        'url': url_for('api.cabinet_folder', folder=folder.key),
    }


def folder_page_json(page: FolderPage, today: Today) -> dict[str, Any]:
    """A page of a cabinet folder: each row the card, the resolution and, in assignment folders, the assignment."""
    return {
        'folder': folder_json(page.folder, page.total),
        'items': [folder_item_json(item, page.folder.unit, today) for item in page.items],
        'page': page.page,
        'per_page': page.per_page,
        'has_next': page.has_next,
        'total': page.total,
    }


def folder_item_json(item: FolderItem, unit: str, today: Today) -> dict[str, Any]:
    resolution = resolution_summary(item.resolution)
    if unit != 'assignments':
        # Resolution folders load the executors with the resolution; assignment folders do not (one per row).
        resolution['executors'] = [assignment_json(assignment, today) for assignment in item.resolution.assignments]
    return {
        'card': card_item_json(item.card),
        'resolution': resolution,
        'assignment': assignment_json(item.assignment, today) if item.assignment is not None else None,
        'overdue': item.overdue,
        'due_soon': item.due_soon,
    }
