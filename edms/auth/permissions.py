"""Permission checks on users: the generic ones from `core.access` plus rules that need the user's roles."""

from __future__ import annotations

from edms.auth.models import Role, User
from edms.core.access import require_admin_of, require_role, require_same_organization, require_system_admin

__all__ = [
    'can_register',
    'require_admin_of',
    'require_role',
    'require_same_organization',
    'require_system_admin',
]


def can_register(user: User) -> bool:
    """Clerks register cards; administrators may too (small organizations have one person for both)."""
    return user.has_role(Role.clerk, Role.administrator)
