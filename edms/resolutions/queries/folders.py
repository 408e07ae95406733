"""The manager's cabinet (МКР): at most 8 folders, each counted by an indexed condition on the resolutions or the
assignments of the user; all counts come from one statement (`folder_counts`), a folder's page from one more.

Folder items are the user's own work (drafts addressed to him, resolutions he authored or controls, assignments he
executes); their participants were granted access to restricted cards when the resolution was issued, so the folders
do not re-check card visibility row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.registry.models import Card
from edms.resolutions import deadlines
from edms.resolutions.models import Assignment, AssignmentStatus, Resolution, ResolutionStatus
from edms.resolutions.models.enums import OPEN_ASSIGNMENT_STATUSES

MAX_FOLDERS = 8
EXECUTED_DAYS = 90


@dataclass(frozen=True)
class Folder:
    """A cabinet folder; `unit` says what its count counts: cards, resolutions or assignments."""

    key: str
    title: str
    description: str
    unit: str


FOLDERS: tuple[Folder, ...] = (
    Folder('review', 'На рассмотрение', 'Документы с проектом резолюции, ожидающим вашего решения', 'cards'),
    # For now the same drafts as «На рассмотрение», counted per resolution: the signatures issue refines this folder
    # (e.g. documents and resolutions awaiting a qualified signature) without touching the others.
    Folder('sign', 'На подпись', 'Проекты резолюций, ожидающие вашей подписи', 'resolutions'),
    Folder('control', 'На контроле', 'Резолюции на контроле, где вы контролёр или автор', 'resolutions'),
    Folder('overdue', 'Просроченные', 'Поручения по вашим резолюциям, срок которых истёк', 'assignments'),
    Folder('mine', 'Мои поручения', 'Ваши поручения в работе и на рассмотрении отчёта', 'assignments'),
    Folder('executed', 'Исполненные', f'Ваши резолюции, исполненные за {EXECUTED_DAYS} дней', 'resolutions'),
)
FOLDERS_BY_KEY = {folder.key: folder for folder in FOLDERS}


@dataclass(frozen=True)
class FolderItem:
    """A row of a folder: the card, the resolution and, in assignment folders, the assignment."""

    card: Card
    resolution: Resolution
    assignment: Assignment | None = None
    overdue: bool = False
    due_soon: bool = False


@dataclass
class FolderPage:
    folder: Folder
    items: list[FolderItem]
    page: int
    per_page: int
    has_next: bool
    total: int


def _drafts(user: User) -> ColumnElement[bool]:
    return and_(
        Resolution.author_id == user.id,
        Resolution.status == ResolutionStatus.draft,
    )


def _on_control(user: User) -> ColumnElement[bool]:
    return and_(
        or_(Resolution.controller_id == user.id, Resolution.author_id == user.id),
        Resolution.status == ResolutionStatus.approved,
        Resolution.is_controlled.is_(True),
    )


def _executed(user: User) -> ColumnElement[bool]:
    return and_(
        Resolution.author_id == user.id,
        Resolution.status == ResolutionStatus.executed,
        Resolution.executed_at >= utcnow() - timedelta(days=EXECUTED_DAYS),
    )


def _overdue(user: User) -> ColumnElement[bool]:
    """Assignments in work past their deadline, in open resolutions the user authored or controls."""
    return and_(
        Assignment.status == AssignmentStatus.in_work,
        Assignment.deadline < deadlines.today(),
        Resolution.status == ResolutionStatus.approved,
        or_(Resolution.author_id == user.id, Resolution.controller_id == user.id),
    )


def _mine(user: User) -> ColumnElement[bool]:
    return and_(
        Assignment.executor_id == user.id,
        Assignment.status.in_(OPEN_ASSIGNMENT_STATUSES),
    )


def _count_query(user: User, key: str) -> Select[tuple[int]]:
    if key == 'review':
        return select(func.count(func.distinct(Resolution.card_id))).where(_drafts(user))
    if key == 'sign':
        return select(func.count()).select_from(Resolution).where(_drafts(user))
    if key == 'control':
        return select(func.count()).select_from(Resolution).where(_on_control(user))
    if key == 'executed':
        return select(func.count()).select_from(Resolution).where(_executed(user))
    if key == 'overdue':
        joined = select(func.count()).select_from(Assignment)
        return joined.join(Resolution, Resolution.id == Assignment.resolution_id).where(_overdue(user))
    return select(func.count()).select_from(Assignment).where(_mine(user))


def folder_counts(user: User) -> dict[str, int]:
    """The count of every folder, in one statement of scalar subqueries."""
    columns = [_count_query(user, folder.key).scalar_subquery().label(folder.key) for folder in FOLDERS]
    row = db.session.execute(select(*columns)).one()
    return {folder.key: int(row._mapping[folder.key]) for folder in FOLDERS}


def folder_page(user: User, folder: str, page: int = 1, per_page: int = 20, *, total: int | None = None) -> FolderPage:
    """One page of a folder; an unknown folder key raises KeyError (the entry points offer only `FOLDERS`).

    `total`: the folder's count when the caller already has it from `folder_counts` (it is not counted again)."""
    definition = FOLDERS_BY_KEY[folder]
    page, per_page = max(page, 1), max(1, min(per_page, 200))
    if definition.unit == 'assignments':
        items = _assignment_items(user, folder, page, per_page + 1)
    else:
        items = _resolution_items(user, folder, page, per_page + 1)
    if total is None:
        total = int(db.session.execute(_count_query(user, folder)).scalar_one())
    return FolderPage(definition, items[:per_page], page, per_page, len(items) > per_page, total)


def _resolution_items(user: User, folder: str, page: int, limit: int) -> list[FolderItem]:
    query = select(Resolution)
    if folder == 'review':
        first_drafts = select(func.min(Resolution.id)).where(_drafts(user)).group_by(Resolution.card_id)
        query = query.where(Resolution.id.in_(first_drafts)).order_by(Resolution.id.desc())
    elif folder == 'sign':
        query = query.where(_drafts(user)).order_by(Resolution.id.desc())
    elif folder == 'control':
        query = query.where(_on_control(user)).order_by(Resolution.id.desc())
    else:
        query = query.where(_executed(user)).order_by(Resolution.executed_at.desc(), Resolution.id.desc())
    query = query.options(
        joinedload(Resolution.card),
        joinedload(Resolution.author),
        selectinload(Resolution.assignments).joinedload(Assignment.executor),
    )
    rows = db.session.execute(query.limit(limit).offset((page - 1) * (limit - 1))).scalars().unique()
    return [FolderItem(resolution.card, resolution) for resolution in rows]


def _assignment_items(user: User, folder: str, page: int, limit: int) -> list[FolderItem]:
    query = select(Assignment).join(Resolution, Resolution.id == Assignment.resolution_id)
    query = query.where(_overdue(user) if folder == 'overdue' else _mine(user))
    query = query.order_by(Assignment.deadline, Assignment.id).options(
        joinedload(Assignment.card),
        joinedload(Assignment.executor),
        joinedload(Assignment.resolution).joinedload(Resolution.author),
    )
    rows = db.session.execute(query.limit(limit).offset((page - 1) * (limit - 1))).scalars().unique()
    now = deadlines.today()
    limit_date = deadlines.due_soon_limit(now)
    return [
        FolderItem(
            item.card,
            item.resolution,
            item,
            overdue=item.status == AssignmentStatus.in_work and item.deadline < now,
            due_soon=item.status == AssignmentStatus.in_work and deadlines.is_due_soon(item.deadline, now, limit_date),
        )
        for item in rows
    ]
