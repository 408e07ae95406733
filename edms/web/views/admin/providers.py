"""«Поставщики услуг и сведений»: which organization provides each service of the catalogue (`ServiceProvider`) and
which organization answers each kind of interagency data (`InteragencyProvider`), with the one filing and requests
use now. System administrators only: like the JSON API, the page is a 403 for an administrator of an organization
and a provider's id is a 404 for them (`get_provider`, `get_interagency_provider`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from edms.citizen_services.catalogue.registry import catalogue
from edms.citizen_services.interagency_kinds import DATA_KINDS
from edms.citizen_services.models import ServiceProvider
from edms.citizen_services.models.interagency import InteragencyProvider
from edms.citizen_services.operations import create_provider, delete_provider, set_provider_active
from edms.citizen_services.operations.interagency_register import (
    name_interagency_provider,
    set_interagency_provider_active,
)
from edms.citizen_services.operations.providers import NOT_PROVIDERS
from edms.citizen_services.queries import get_provider, list_providers
from edms.citizen_services.queries.interagency import get_interagency_provider, list_interagency_providers
from edms.core.access import require_system_admin
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.directory.queries import list_correspondent_organizations
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import admin_required, read_form

Html = str | tuple[str, int]
SERVICE_FIELDS = ('service_code', 'organization_id')
KIND_FIELDS = ('data_kind', 'organization_id')


Provider = ServiceProvider | InteragencyProvider


@dataclass(frozen=True)
class Group:
    """One service or kind of data: its key and title, its providers by id and the id of the one in use (None: no
    application is filed / no request is sent)."""

    key: str
    title: str
    providers: list[Provider]
    in_use_id: int | None


def in_use(providers: Iterable[Provider]) -> int | None:
    """The provider filing and requests use (`active_provider`, `active_interagency_provider`): the first by id that
    is active, of an active organization."""
    return min((item.id for item in providers if item.is_active and item.organization.is_active), default=None)


def grouped(items: Sequence[Provider], attribute: str, titles: dict[str, str]) -> list[Group]:
    """A group per title (in its order), then one per key found among the items that has no title (a service or a
    kind of data no longer known)."""
    keys = list(titles) + sorted({getattr(item, attribute) for item in items} - set(titles))
    groups = []
    for key in keys:
        members = sorted((item for item in items if getattr(item, attribute) == key), key=lambda item: item.id)
        groups.append(Group(key, titles.get(key, key), members, in_use(members)))
    return groups


@bp.get('/providers/')
@admin_required
def providers() -> Html:
    require_system_admin(current_user())
    return _page()


def _page(form: str = '', errors: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> Html:
    user = current_user()
    organizations = list_correspondent_organizations()
    html = render_template(
        'admin/providers.html',
        services=grouped(list_providers(user), 'service_code', _service_titles()),
        kinds=grouped(list_interagency_providers(user), 'data_kind', _kind_titles()),
        service_options=list(_service_titles().items()),
        kind_options=list(_kind_titles().items()),
        service_organizations=[(org.id, org.short_name) for org in organizations if org.kind not in NOT_PROVIDERS],
        kind_organizations=[(org.id, org.short_name) for org in organizations],
        sent_form=form,
        errors=errors or {},
        values=values or {},
    )
    return (html, 422) if errors else html


def _service_titles() -> dict[str, str]:
    return {service.code: service.title for service in catalogue}


def _kind_titles() -> dict[str, str]:
    return {kind.key: kind.title for kind in DATA_KINDS.values()}


def _submit(form: str, fields: tuple[str, ...], operation: Callable[[dict[str, Any]], str]) -> Html | Response:
    """Run an adding form's operation in one transaction: flash its message and go back to the page, or show the
    page again with the form filled and its messages (422)."""
    require_system_admin(current_user())
    values = read_form(fields)
    try:
        with atomic():
            message = operation(values)
    except (Forbidden, NotFound):
        raise
    except ValidationFailed as error:
        return _page(form, error.fields, values)
    except DomainError as error:
        return _page(form, {'organization_id': error.message}, values)
    flash(message, 'success')
    return redirect(url_for('admin.providers', _anchor=form))


@bp.post('/providers/services')
@admin_required
def add_service_provider() -> Html | Response:
    """Name an organization as a provider of a service (active at once)."""

    def add(values: dict[str, Any]) -> str:
        provider = create_provider(current_user(), values)
        return f'Ведомство «{provider.organization.short_name}» добавлено к услуге «{_service_title(provider)}».'

    return _submit('services', SERVICE_FIELDS, add)


@bp.post('/providers/interagency')
@admin_required
def add_interagency_provider() -> Html | Response:
    """Name an organization answering requests for a kind of data (an organization named before answers again)."""

    def add(values: dict[str, Any]) -> str:
        provider = name_interagency_provider(current_user(), values)
        return f'Ведомство «{provider.organization.short_name}» отвечает на запросы «{_kind_title(provider)}».'

    return _submit('interagency', KIND_FIELDS, add)


def _service_title(provider: ServiceProvider) -> str:
    return _service_titles().get(provider.service_code, provider.service_code)


def _kind_title(provider: InteragencyProvider) -> str:
    return _kind_titles().get(provider.data_kind, provider.data_kind)


def _change_service(provider_id: int, change: Callable[[ServiceProvider], None], message: str) -> Response:
    """Change one service provider: a 404 for anyone but a system administrator, as in the API."""
    user = current_user()
    with atomic():
        provider = get_provider(user, provider_id)
        name, title = provider.organization.short_name, _service_title(provider)
        change(provider)
    flash(message.format(name=name, title=title), 'success')
    return redirect(url_for('admin.providers', _anchor='services'))


@bp.post('/providers/services/<int:provider_id>/deactivate')
@admin_required
def deactivate_service_provider(provider_id: int) -> Response:
    message = 'Ведомство «{name}» больше не принимает заявления на услугу «{title}».'
    return _change_service(provider_id, lambda item: set_provider_active(current_user(), item, False), message)


@bp.post('/providers/services/<int:provider_id>/activate')
@admin_required
def activate_service_provider(provider_id: int) -> Response:
    message = 'Ведомство «{name}» снова предоставляет услугу «{title}».'
    return _change_service(provider_id, lambda item: set_provider_active(current_user(), item, True), message)


@bp.post('/providers/services/<int:provider_id>/delete')
@admin_required
def delete_service_provider(provider_id: int) -> Response:
    message = 'Ведомство «{name}» исключено из поставщиков услуги «{title}»; его заявления остаются у него.'
    return _change_service(provider_id, lambda item: delete_provider(current_user(), item), message)


def _change_kind(provider_id: int, is_active: bool, message: str) -> Response:
    """Stop or resume one interagency provider: a 404 for anyone but a system administrator."""
    user = current_user()
    with atomic():
        provider = get_interagency_provider(user, provider_id)
        name, title = provider.organization.short_name, _kind_title(provider)
        set_interagency_provider_active(user, provider, is_active)
    flash(message.format(name=name, title=title), 'success')
    return redirect(url_for('admin.providers', _anchor='interagency'))


@bp.post('/providers/interagency/<int:provider_id>/deactivate')
@admin_required
def deactivate_interagency_provider(provider_id: int) -> Response:
    return _change_kind(provider_id, False, 'Ведомство «{name}» больше не отвечает на запросы «{title}».')


@bp.post('/providers/interagency/<int:provider_id>/activate')
@admin_required
def activate_interagency_provider(provider_id: int) -> Response:
    return _change_kind(provider_id, True, 'Ведомство «{name}» снова отвечает на запросы «{title}».')
