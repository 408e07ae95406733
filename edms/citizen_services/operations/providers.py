"""Which agency provides a service: the system administrator names the organization for each service code, turns a
provider off or removes it. Filing uses the active provider (`queries.active_provider`). Every change is journaled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.catalogue.registry import catalogue
from edms.citizen_services.models import SERVICE_CODE_MAX, ServiceProvider
from edms.core.access import require_system_admin
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.validation import RawInput
from edms.directory.models import Organization, OrganizationKind

PROVIDER_FIELDS = ('service_code', 'organization_id', 'is_active')
#: Organizations that file applications or hold applicants' accounts cannot decide them.
NOT_PROVIDERS = (OrganizationKind.mfc, OrganizationKind.partner, OrganizationKind.portal)


def snapshot(provider: ServiceProvider) -> dict[str, Any]:
    return {
        'service_code': provider.service_code,
        'organization_id': provider.organization_id,
        'is_active': provider.is_active,
    }


def create_provider(actor: User, raw: Mapping[str, Any]) -> ServiceProvider:
    """Name an organization as a provider of a service (active unless `is_active` is false)."""
    require_system_admin(actor)
    form = RawInput(raw, PROVIDER_FIELDS)
    code = form.text('service_code', 'Услуга', required=True, max_length=SERVICE_CODE_MAX)
    organization_id = form.integer('organization_id', 'Ведомство', required=True, min_value=1)
    is_active = form.boolean('is_active', 'Действует', default=True)
    if code and code not in catalogue:
        form.errors.add('service_code', f'«Услуга»: нет услуги с кодом «{code}» в каталоге.')
    if organization_id is not None:
        _check_organization(form, organization_id)
    form.finish()
    taken = select(ServiceProvider.id).where(
        ServiceProvider.service_code == code, ServiceProvider.organization_id == organization_id
    )
    if db.session.execute(taken).first() is not None:
        raise ValidationFailed(fields={'organization_id': '«Ведомство»: уже указано для этой услуги.'})
    provider = ServiceProvider(
        service_code=code, organization_id=organization_id, is_active=is_active, created_by_id=actor.id
    )
    db.session.add(provider)
    db.session.flush()
    record(actor, 'citizen_services.provider.create', provider, {'after': snapshot(provider)})
    return provider


def _check_organization(form: RawInput, organization_id: int) -> None:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        form.errors.add('organization_id', '«Ведомство»: организация не найдена.')
    elif organization.kind in NOT_PROVIDERS:
        form.errors.add('organization_id', '«Ведомство»: МФЦ, партнёр или портал не предоставляют услуги.')
    elif not organization.is_active:
        form.errors.add('organization_id', '«Ведомство»: организация отключена.')


def set_provider_active(actor: User, provider: ServiceProvider, is_active: bool) -> ServiceProvider:
    """Turn a provider on or off (filing then picks another active provider or refuses)."""
    require_system_admin(actor)
    if provider.is_active == is_active:
        return provider
    provider.is_active, provider.updated_at = is_active, utcnow()
    db.session.flush()
    record(actor, 'citizen_services.provider.update', provider, {'is_active': is_active, **snapshot(provider)})
    return provider


def update_provider(actor: User, provider: ServiceProvider, raw: Mapping[str, Any]) -> ServiceProvider:
    """Change what may change: only `is_active` (another organization is another provider)."""
    form = RawInput(raw, ('is_active',))
    is_active = form.boolean('is_active', 'Действует', default=provider.is_active)
    form.finish()
    return set_provider_active(actor, provider, is_active)


def delete_provider(actor: User, provider: ServiceProvider) -> None:
    """Remove a provider; the applications it received keep their agency."""
    require_system_admin(actor)
    facts = snapshot(provider)
    record(actor, 'citizen_services.provider.delete', provider, {'before': facts})
    db.session.delete(provider)
    db.session.flush()
