"""Reading applications and providers: one application with the access rule, the lists of the applicant, the agency
and the MFC or partner (filters by date, service and status; pages by offset over the index of each list), the
active provider of a service, the providers list, a portal account found by СНИЛС.

    filters = read_filter(request.args)
    page = list_applications(user, 'mine', filters)
    page.items, page.has_next
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager, lazyload, selectinload

from edms.auth.models import Role, User, UserRole
from edms.citizen_services.catalogue.definition import WORKFLOW_STATUSES
from edms.citizen_services.catalogue.registry import catalogue
from edms.citizen_services.errors import ApplicationNotFound, ProviderNotFound
from edms.citizen_services.models import Application, ApplicationFile, ServiceProvider
from edms.citizen_services.permissions import files_on_behalf, is_staff, require_visible
from edms.core.access import require_system_admin
from edms.core.db import db
from edms.core.validation import RawInput
from edms.directory.models import Organization, OrganizationKind
from edms.registry.models import Attachment

Scope = Literal['mine', 'agency', 'filed']
SCOPES: tuple[Scope, ...] = ('mine', 'agency', 'filed')
FILTER_FIELDS = ('service', 'status', 'date_from', 'date_to', 'page', 'per_page', 'scope')
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 200
#: What a list row shows besides its columns, loaded for the whole page at once.
LIST_LOADING = (
    selectinload(Application.organization),
    selectinload(Application.filed_by).options(lazyload(User.role_rows)),
)


@dataclass(frozen=True)
class ApplicationFilter:
    service: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    scope: Scope | None = None


@dataclass(frozen=True)
class ApplicationPage:
    items: list[Application]
    page: int
    per_page: int
    has_next: bool


def read_filter(raw: Mapping[str, Any]) -> ApplicationFilter:
    """Filters of a list from a query string or a form; `ValidationFailed` naming each wrong parameter."""
    form = RawInput(raw, FILTER_FIELDS)
    service = form.text('service', 'Услуга', max_length=64) or None
    status = form.text('status', 'Статус', max_length=32) or None
    scope = form.text('scope', 'Список', max_length=16) or None
    values = ApplicationFilter(
        service=service,
        status=status,
        date_from=form.date('date_from', 'Дата подачи с'),
        date_to=form.date('date_to', 'Дата подачи по'),
        page=form.integer('page', 'Страница', min_value=1, max_value=100_000) or 1,
        per_page=form.integer('per_page', 'Записей на странице', min_value=1, max_value=MAX_PER_PAGE)
        or DEFAULT_PER_PAGE,
        scope=scope,  # type: ignore[arg-type]
    )
    if service and service not in catalogue:
        form.errors.add('service', f'«Услуга»: нет услуги с кодом «{service}».')
    if status and status not in WORKFLOW_STATUSES:
        form.errors.add('status', f'«Статус»: допустимо {", ".join(WORKFLOW_STATUSES)}.')
    if scope and scope not in SCOPES:
        form.errors.add('scope', f'«Список»: допустимо {", ".join(SCOPES)}.')
    if values.date_from and values.date_to and values.date_to < values.date_from:
        form.errors.add('date_to', '«Дата подачи по»: не раньше даты «Дата подачи с».')
    form.finish()
    return values


def default_scope(user: User) -> Scope:
    """The list a user sees first: the agency's for its staff, the filed ones for an MFC or a partner, else own."""
    if is_staff(user):
        return 'agency'
    if files_on_behalf(user):
        return 'filed'
    return 'mine'


def list_applications(user: User, filters: ApplicationFilter, scope: Scope | None = None) -> ApplicationPage:
    """A page of the list `scope` (default: `default_scope`), newest first; each scope reads its own index."""
    scope = scope or filters.scope or default_scope(user)
    return filtered_page(_scoped(user, scope), filters)


def filtered_page(query: Select[tuple[Application]], filters: ApplicationFilter) -> ApplicationPage:
    """A page of `query` narrowed by the list filters (service, status, dates of submission), newest first."""
    if filters.service:
        query = query.where(Application.service_code == filters.service)
    if filters.status:
        query = query.where(Application.status == filters.status)
    if filters.date_from:
        query = query.where(Application.submitted_at >= _day_start(filters.date_from))
    if filters.date_to:
        query = query.where(Application.submitted_at < _day_start(filters.date_to + timedelta(days=1)))
    offset = (filters.page - 1) * filters.per_page
    query = query.order_by(Application.submitted_at.desc(), Application.id.desc())
    query = query.options(*LIST_LOADING).offset(offset).limit(filters.per_page + 1)
    rows = list(db.session.execute(query).scalars())
    return ApplicationPage(rows[: filters.per_page], filters.page, filters.per_page, len(rows) > filters.per_page)


def _scoped(user: User, scope: Scope) -> Select[tuple[Application]]:
    query = select(Application)
    if scope == 'agency' and is_staff(user):
        return query.where(Application.organization_id == user.organization_id)
    if scope == 'filed' and files_on_behalf(user):
        return query.where(Application.filed_via_organization_id == user.organization_id)
    return query.where(Application.applicant_user_id == user.id)


def _day_start(day: date) -> datetime:
    zone = ZoneInfo(current_app.config['TIMEZONE'])
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def get_application(user: User, application_id: int, *, lock: bool = False) -> Application:
    """The application if the user may see it; `ApplicationNotFound` otherwise. `lock` reads it for update."""
    query = select(Application).where(Application.id == application_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    else:
        query = query.options(selectinload(Application.events), selectinload(Application.files))
    application = db.session.execute(query).scalar_one_or_none()
    if application is None:
        raise ApplicationNotFound()
    require_visible(user, application)
    return application


def get_application_file(application: Application, file_id: int) -> ApplicationFile:
    """One of the application's files (replaced ones included); `ApplicationNotFound` for another id."""
    row = next((item for item in application.files if item.id == file_id), None)
    if row is None:
        raise ApplicationNotFound('Файл заявления не найден.')
    return row


def get_result_attachment(application: Application) -> Attachment:
    """The result document's attachment; `ApplicationNotFound` while there is none yet."""
    attachment = db.session.get(Attachment, application.result_attachment_id or 0)
    if attachment is None:
        raise ApplicationNotFound('Результат предоставления услуги ещё не готов.')
    return attachment


def application_of_card(card_id: int) -> Application | None:
    """The application behind an agency's card (the card page shows it); no access check: the card's was done."""
    return db.session.execute(select(Application).where(Application.card_id == card_id)).scalar_one_or_none()


#: Built once (every filing reads it): an execution only binds the service code.
_ACTIVE_PROVIDER = (
    select(ServiceProvider)
    .join(Organization, Organization.id == ServiceProvider.organization_id)
    .where(
        ServiceProvider.service_code == bindparam('service_code'),
        ServiceProvider.is_active.is_(True),
        Organization.is_active.is_(True),
    )
    .order_by(ServiceProvider.id)
    .limit(1)
    # The agency comes along: the new application and its card name it, and the join is there anyway.
    .options(contains_eager(ServiceProvider.organization))
)


def active_provider(service_code: str) -> ServiceProvider | None:
    """The provider filing uses: the active one of an active organization; the first by id when there are several."""
    return db.session.execute(_ACTIVE_PROVIDER, {'service_code': service_code}).scalar_one_or_none()


def list_providers(actor: User, service_code: str | None = None) -> list[ServiceProvider]:
    """Every provider (system administrator), optionally of one service, by service and id."""
    require_system_admin(actor)
    query = select(ServiceProvider).options(selectinload(ServiceProvider.organization))
    if service_code:
        query = query.where(ServiceProvider.service_code == service_code)
    return list(db.session.execute(query.order_by(ServiceProvider.service_code, ServiceProvider.id)).scalars())


def get_provider(actor: User, provider_id: int) -> ServiceProvider:
    """A provider for the system administrator; for anyone else it does not exist (like another organization's
    object), while the list answers them 403."""
    provider = db.session.get(ServiceProvider, provider_id) if actor.is_system_admin else None
    if provider is None:
        raise ProviderNotFound()
    return provider


def portal_account_by_snils(snils: str | None) -> int | None:
    """The id of the one active applicant account of a portal holding this СНИЛС; None when none or several do (an
    application filed on someone's behalf then shows in their cabinet)."""
    if not snils:
        return None
    query = (
        select(User.id)
        .join(Organization, Organization.id == User.organization_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.snils == snils,
            User.is_active.is_(True),
            Organization.kind == OrganizationKind.portal,
            UserRole.role == Role.applicant,
        )
        .limit(2)
    )
    ids = list(db.session.execute(query).scalars())
    return ids[0] if len(ids) == 1 else None
