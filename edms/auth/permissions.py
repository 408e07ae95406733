"""Who may manage an account: the administrator of its organization, but a system administrator's account only
another system administrator (an organization's administrator must not take over the operator's account)."""

from __future__ import annotations

from edms.auth.models import User
from edms.core.access import Actor, require_admin_of
from edms.core.errors import NotFound


def require_manager_of(actor: Actor, user: User) -> None:
    """Raise `NotFound` unless the actor may manage this account."""
    if user.is_system_admin and not actor.is_system_admin:
        raise NotFound('Пользователь не найден.')
    require_admin_of(actor, user.organization_id)
