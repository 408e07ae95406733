"""The acting user as lower layers see it, and the generic permission checks every module uses.

Another organization's object is reported as not found, never as forbidden, so that its existence is not revealed.
"""

from __future__ import annotations

from typing import Protocol

from edms.core.errors import Forbidden, NotFound

ROLE_ADMINISTRATOR = 'administrator'


class Actor(Protocol):
    """Whoever performs an operation: a user of an organization (see `auth.models.User`)."""

    @property
    def id(self) -> int | None: ...

    @property
    def organization_id(self) -> int | None: ...

    @property
    def is_system_admin(self) -> bool: ...

    def has_role(self, *roles: str) -> bool: ...


class SystemActor:
    """The system itself (CLI bootstrap, jobs, the exchange): every right, no user id in the audit journal."""

    id = None
    organization_id = None
    is_system_admin = True

    def has_role(self, *roles: str) -> bool:
        return True


SYSTEM = SystemActor()


def require_role(actor: Actor, *roles: str, label: str = '') -> None:
    """The actor must hold one of the roles; system administrators hold every administrative right."""
    if actor.is_system_admin and ROLE_ADMINISTRATOR in roles:
        return
    if not actor.has_role(*roles):
        raise Forbidden(f'Недостаточно прав для действия{": " + label if label else ""}.')


def require_same_organization(actor: Actor, organization_id: int | None) -> None:
    """Objects of another organization do not exist for the actor (system administrators see all)."""
    if actor.is_system_admin:
        return
    if organization_id != actor.organization_id:
        raise NotFound()


def require_admin_of(actor: Actor, organization_id: int) -> None:
    """The actor administers this organization: its administrator, or a system administrator."""
    require_same_organization(actor, organization_id)
    require_role(actor, ROLE_ADMINISTRATOR, label='администрирование организации')


def require_system_admin(actor: Actor) -> None:
    """Only the system operator manages the list of organizations."""
    if not actor.is_system_admin:
        raise Forbidden('Недостаточно прав: действие доступно администратору системы.')
