"""Who sees a resolution and who may take each step; one rule as SQL for lists and as checks for single objects.

A resolution is seen by everyone who may see its card, except a draft (or a draft returned for rework): executors
do not see it; its author, the assistant who prepared it and the organization's managers and assistants do.
Another organization's object, an invisible card or a hidden draft is "not found"; a step that belongs to someone
else is 403 with a Russian message.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from edms.auth.models import Role, User
from edms.registry.models import Card
from edms.registry.permissions import visible_cards
from edms.resolutions.errors import NotAllowed
from edms.resolutions.models import (
    Assignment,
    AssignmentStatus,
    DeadlineExtension,
    ExecutionReport,
    ExtensionStatus,
    ReportStatus,
    Resolution,
    ResolutionStatus,
)

DRAFT_STATUSES = (ResolutionStatus.draft, ResolutionStatus.returned)
#: Roles that see the drafts of their organization (the cabinet's «На рассмотрение» of every manager).
DRAFT_ROLES = (Role.manager, Role.assistant)


def visible_resolutions(user: User) -> ColumnElement[bool]:
    """SQL condition selecting the resolutions the user may see (their card visible, drafts only to their people)."""
    card_visible = exists(select(Card.id).where(Card.id == Resolution.card_id, visible_cards(user)))
    same_org = Resolution.organization_id == user.organization_id
    if user.has_role(*DRAFT_ROLES):
        return and_(same_org, card_visible)
    drafts_of_mine = or_(
        Resolution.status.not_in(DRAFT_STATUSES),
        Resolution.author_id == user.id,
        Resolution.prepared_by_id == user.id,
    )
    return and_(same_org, drafts_of_mine, card_visible)


def draft_visible(user: User, resolution: Resolution) -> bool:
    """A draft is shown to its author, its assistant and the managers and assistants of the organization."""
    if not resolution.is_draft or user.id in (resolution.author_id, resolution.prepared_by_id):
        return True
    return user.has_role(*DRAFT_ROLES)


def require_manager(user: User) -> None:
    if not user.has_role(Role.manager):
        raise NotAllowed('Выносить и утверждать резолюции может только руководитель.')


def require_assistant(user: User) -> None:
    if not user.has_role(Role.assistant):
        raise NotAllowed('Готовить проекты резолюций может только помощник руководителя.')


def require_author(user: User, resolution: Resolution, message: str) -> None:
    """Steps of the author (approving or returning a draft, deciding on extensions, cancelling); `message` says so."""
    if resolution.author_id != user.id:
        raise NotAllowed(message)


def require_preparer(user: User, resolution: Resolution) -> None:
    if resolution.prepared_by_id != user.id:
        raise NotAllowed('Изменить проект резолюции может только помощник, который его подготовил.')


def require_executor(user: User, assignment: Assignment) -> None:
    if assignment.executor_id != user.id:
        raise NotAllowed('Это поручение другого исполнителя: действовать по нему может только он.')


def require_report_addressee(user: User, report: ExecutionReport) -> None:
    if report.addressee_id != user.id:
        raise NotAllowed(f'Решение по отчёту принимает адресат отчёта ({report.addressed_to_label.lower()}).')


def require_controller(user: User, resolution: Resolution) -> None:
    if not resolution.is_controlled or resolution.controller_id != user.id:
        raise NotAllowed('Снять резолюцию с контроля может только её контролёр.')


def resolution_actions(user: User, resolution: Resolution) -> set[str]:
    """Names of the steps the user may take on the resolution now (for buttons): approve, edit_and_approve,
    return, update_draft, cancel, close_control."""
    actions: set[str] = set()
    mine = resolution.author_id == user.id
    if resolution.status == ResolutionStatus.draft and mine:
        actions |= {'approve', 'edit_and_approve', 'return'}
    if resolution.is_draft and resolution.prepared_by_id == user.id:
        actions.add('update_draft')
    if mine and resolution.status in (*DRAFT_STATUSES, ResolutionStatus.approved):
        actions.add('cancel')
    if resolution.is_on_control and resolution.controller_id == user.id:
        actions.add('close_control')
    return actions


def assignment_actions(user: User, assignment: Assignment, pending_extension: bool = False) -> set[str]:
    """Steps the executor may take on the assignment now: report, sub_resolution, request_extension."""
    if assignment.executor_id != user.id or assignment.status != AssignmentStatus.in_work:
        return set()
    actions = {'report', 'sub_resolution'}
    if not pending_extension:
        actions.add('request_extension')
    return actions


def report_actions(user: User, report: ExecutionReport) -> set[str]:
    """accept and return for the addressee of a submitted report."""
    if report.status == ReportStatus.submitted and report.addressee_id == user.id:
        return {'accept', 'return'}
    return set()


def extension_actions(user: User, extension: DeadlineExtension, resolution: Resolution) -> set[str]:
    """grant and refuse for the author of the resolution while the request is pending."""
    if extension.status == ExtensionStatus.pending and resolution.author_id == user.id:
        return {'grant', 'refuse'}
    return set()
