"""Reading interagency requests: the active provider of a kind of data, every provider with its organization and one
provider (for the system administrator), one request for the requesting or the responding agency (anyone else: not
found), the requests of an application, the outgoing and incoming lists with filters (status, overdue), the requests
the morning reminders name, the kinds of data an application's journal already says were not sent, and the ЕГРЮЛ
entry a tax service keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from edms.audit.models import AuditEntry
from edms.auth.models import User, UserRole
from edms.citizen_services.catalogue.definition import InteragencyNeed
from edms.citizen_services.catalogue.registry import catalogue, get_service
from edms.citizen_services.interagency_kinds import kind_of_need
from edms.citizen_services.models import Application
from edms.citizen_services.models.interagency import (
    EgrulEntry,
    InteragencyProvider,
    InteragencyRequest,
    RequestStatus,
)
from edms.citizen_services.permissions import DECIDING_ROLES, is_staff
from edms.core.access import require_system_admin
from edms.core.db import db
from edms.core.errors import NotFound
from edms.core.validation import RawInput
from edms.directory.models import Organization

Side = Literal['outgoing', 'incoming']
#: The journal's action for a declared request not sent for want of a provider (recorded once per kind).
NOT_SENT_ACTION = 'interagency.not_sent'
FILTER_FIELDS = ('status', 'overdue', 'page')
PER_PAGE = 50


class InteragencyProviderNotFound(NotFound):
    code = 'interagency_provider_not_found'
    message = 'Поставщик межведомственных сведений не найден.'


class InteragencyRequestNotFound(NotFound):
    code = 'interagency_request_not_found'
    message = 'Межведомственный запрос не найден.'


@dataclass(frozen=True)
class RequestFilter:
    status: RequestStatus | None = None
    overdue: bool = False
    page: int = 1


@dataclass(frozen=True)
class RequestPage:
    items: list[InteragencyRequest]
    page: int
    has_next: bool


def active_interagency_provider(data_kind: str) -> InteragencyProvider | None:
    """The active provider of an active organization for the kind; the first by id when there are several."""
    query = (
        select(InteragencyProvider)
        .join(Organization, Organization.id == InteragencyProvider.organization_id)
        .where(
            InteragencyProvider.data_kind == data_kind,
            InteragencyProvider.is_active.is_(True),
            Organization.is_active.is_(True),
        )
        .order_by(InteragencyProvider.id)
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()


def list_interagency_providers(actor: User) -> list[InteragencyProvider]:
    """Every organization named for a kind of data, with the organization loaded, by kind and id (system
    administrator)."""
    require_system_admin(actor)
    query = (
        select(InteragencyProvider)
        .options(joinedload(InteragencyProvider.organization))
        .order_by(InteragencyProvider.data_kind, InteragencyProvider.id)
    )
    return list(db.session.scalars(query))


def get_interagency_provider(actor: User, provider_id: int) -> InteragencyProvider:
    """A provider for the system administrator; for anyone else it does not exist (like `get_provider`)."""
    provider = db.session.get(InteragencyProvider, provider_id) if actor.is_system_admin else None
    if provider is None:
        raise InteragencyProviderNotFound()
    return provider


def get_request(user: User, request_id: int, side: Side, *, lock: bool = False) -> InteragencyRequest:
    """The request seen from `side` by a staff member of that side's organization; `InteragencyRequestNotFound`
    otherwise (another organization's request is never revealed)."""
    query = select(InteragencyRequest).where(InteragencyRequest.id == request_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    request = db.session.execute(query).scalar_one_or_none()
    if request is None or not is_staff(user) or _organization(request, side) != user.organization_id:
        raise InteragencyRequestNotFound()
    return request


def lock_request(request_id: int) -> InteragencyRequest | None:
    """The request read for update, for the jobs (no user: the system acts on both sides)."""
    query = select(InteragencyRequest).where(InteragencyRequest.id == request_id).with_for_update()
    return db.session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def _organization(request: InteragencyRequest, side: Side) -> int:
    return request.requesting_organization_id if side == 'outgoing' else request.responding_organization_id


def requests_of(application: Application) -> list[InteragencyRequest]:
    """The application's requests, oldest first."""
    query = (
        select(InteragencyRequest)
        .where(InteragencyRequest.application_id == application.id)
        .options(selectinload(InteragencyRequest.responding_organization))
        .order_by(InteragencyRequest.id)
    )
    return list(db.session.scalars(query))


def unsent_needs(application: Application) -> list[InteragencyNeed]:
    """The needs the application's service declares whose kind of data no request of the application asked for."""
    query = select(InteragencyRequest.data_kind).where(InteragencyRequest.application_id == application.id)
    done = set(db.session.scalars(query))
    needs = get_service(application.service_code).interagency if application.service_code in catalogue else ()
    unsent = []
    for need in needs:
        key = kind_of_need(need).key
        if key not in done:
            unsent.append(need)
            done.add(key)
    return unsent


def kinds_journaled_not_sent(application: Application) -> set[str]:
    """The kinds of data whose «not sent: no provider» the application's journal already holds."""
    query = select(AuditEntry.data).where(
        AuditEntry.object_type == Application.__tablename__,
        AuditEntry.object_id == str(application.id),
        AuditEntry.action == NOT_SENT_ACTION,
    )
    return {str(data.get('data_kind')) for data in db.session.scalars(query)}


def read_request_filter(raw: Mapping[str, Any]) -> RequestFilter:
    form = RawInput(raw, FILTER_FIELDS)
    status = form.choice('status', 'Статус', RequestStatus)
    overdue = form.boolean('overdue', 'Только просроченные')
    page = form.integer('page', 'Страница', min_value=1, max_value=100_000) or 1
    form.finish()
    return RequestFilter(status, overdue, page)


def list_requests(user: User, side: Side, filters: RequestFilter, today: date) -> RequestPage:
    """A page of the organization's outgoing or incoming requests, newest first."""
    if not is_staff(user):
        return RequestPage([], 1, False)
    column = (
        InteragencyRequest.requesting_organization_id
        if side == 'outgoing'
        else InteragencyRequest.responding_organization_id
    )
    query: Select[tuple[InteragencyRequest]] = select(InteragencyRequest).where(column == user.organization_id)
    if filters.status is not None:
        query = query.where(InteragencyRequest.status == filters.status)
    if filters.overdue:
        query = query.where(*_overdue(today))
    query = query.options(
        selectinload(InteragencyRequest.application),
        selectinload(InteragencyRequest.requesting_organization),
        selectinload(InteragencyRequest.responding_organization),
    )
    offset = (filters.page - 1) * PER_PAGE
    query = query.order_by(InteragencyRequest.sent_at.desc(), InteragencyRequest.id.desc())
    rows = list(db.session.scalars(query.offset(offset).limit(PER_PAGE + 1)))
    return RequestPage(rows[:PER_PAGE], filters.page, len(rows) > PER_PAGE)


def _overdue(today: date) -> tuple[Any, ...]:
    return (
        InteragencyRequest.status == RequestStatus.sent,
        InteragencyRequest.answered_at.is_(None),
        InteragencyRequest.due_date < today,
    )


def overdue_requests(today: date) -> list[InteragencyRequest]:
    """Every request unanswered past its due date (the morning reminders)."""
    return list(db.session.scalars(select(InteragencyRequest).where(*_overdue(today)).order_by(InteragencyRequest.id)))


def requests_due(today: date) -> list[InteragencyRequest]:
    """Unanswered requests due today: the responding agency is reminded."""
    query = select(InteragencyRequest).where(
        InteragencyRequest.status == RequestStatus.sent,
        InteragencyRequest.answered_at.is_(None),
        InteragencyRequest.due_date == today,
    )
    return list(db.session.scalars(query.order_by(InteragencyRequest.id)))


def egrul_entry(organization_id: int, ogrn: str) -> EgrulEntry | None:
    """The register entry of the tax service `organization_id` for the ОГРН, if it keeps one."""
    query = select(EgrulEntry).where(EgrulEntry.organization_id == organization_id, EgrulEntry.ogrn == ogrn)
    return db.session.execute(query).scalar_one_or_none()


def keeps_egrul(organization_id: int) -> bool:
    """The organization keeps an ЕГРЮЛ register here (it has at least one entry)."""
    query = select(EgrulEntry.id).where(EgrulEntry.organization_id == organization_id).limit(1)
    return db.session.execute(query).first() is not None


def officials_of(organization_id: int) -> list[int]:
    """Ids of the organization's active staff who decide applications (they hear of requests and answers)."""
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.organization_id == organization_id, User.is_active.is_(True), UserRole.role.in_(DECIDING_ROLES))
        .distinct()
    )
    return list(db.session.scalars(query))
