"""Reading accounts, sessions and tokens for the administrator's pages."""

from __future__ import annotations

from sqlalchemy import select

from edms.auth.models import ApiToken, User, UserSession
from edms.auth.permissions import require_manager_of
from edms.core.access import Actor
from edms.core.db import db
from edms.core.errors import NotFound


def get_user(actor: Actor, user_id: int) -> User:
    """An account of the actor's organization (any for a system administrator)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound('Пользователь не найден.')
    require_manager_of(actor, user)
    return user


def list_users(organization_id: int) -> list[User]:
    query = select(User).where(User.organization_id == organization_id).order_by(User.last_name, User.first_name)
    return list(db.session.execute(query).scalars())


def list_sessions(user: User) -> list[UserSession]:
    query = select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id.desc()).limit(50)
    return list(db.session.execute(query).scalars())


def get_session(actor: Actor, session_id: int) -> UserSession:
    session = db.session.get(UserSession, session_id)
    if session is None:
        raise NotFound('Сеанс не найден.')
    require_manager_of(actor, session.user)
    return session


def list_api_tokens(organization_id: int) -> list[ApiToken]:
    query = (
        select(ApiToken)
        .join(User, ApiToken.user_id == User.id)
        .where(User.organization_id == organization_id)
        .order_by(ApiToken.id.desc())
    )
    return list(db.session.execute(query).scalars())


def get_api_token(actor: Actor, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound('Токен не найден.')
    require_manager_of(actor, token.user)
    return token


def find_user_by_login(organization_id: int, login: str) -> User | None:
    query = select(User).where(User.organization_id == organization_id, User.login == login.lower())
    return db.session.execute(query).scalar_one_or_none()
