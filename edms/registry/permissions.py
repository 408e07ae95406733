"""Who sees and who changes a card. One rule, used as SQL for lists and as a check for single cards.

A user sees the cards of their own organization; a restricted (ДСП) card only as its author, as a holder of an
individual grant (executor, reader), or with the right to restricted documents. Everything else is "not found".
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from edms.auth.models import Role, User
from edms.core.access import require_role
from edms.registry.models import AccessMark, Card, CardAccessGrant

REGISTRAR_ROLES = (Role.clerk, Role.administrator)


def visible_cards(user: User) -> ColumnElement[bool]:
    """SQL condition selecting exactly the cards the user may see."""
    same_org = Card.organization_id == user.organization_id
    if user.can_access_restricted:
        return same_org
    granted = exists(
        select(CardAccessGrant.card_id).where(CardAccessGrant.card_id == Card.id, CardAccessGrant.user_id == user.id)
    )
    return and_(same_org, or_(Card.access_mark == AccessMark.public, Card.created_by_id == user.id, granted))


def can_see(user: User, card: Card, granted: bool) -> bool:
    """The same rule for one loaded card; `granted` tells whether the user holds an individual grant."""
    if card.organization_id != user.organization_id:
        return False
    if card.access_mark == AccessMark.public or user.can_access_restricted:
        return True
    return card.created_by_id == user.id or granted


def require_registrar(user: User) -> None:
    """Registering and changing cards is the clerk's work."""
    require_role(user, *REGISTRAR_ROLES, label='регистрация документов')
