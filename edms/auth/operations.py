"""Managing accounts: create, change, deactivate, reset and change passwords, API tokens. All audited."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from edms.audit.operations import changes, record
from edms.auth.errors import CurrentPasswordWrong, LoginFailed, WeakPassword
from edms.auth.models import ApiToken, User, UserRole, UserSession
from edms.auth.passwords import hash_password, policy_problem, temporary_password, verify_password
from edms.auth.permissions import require_manager_of
from edms.auth.sessions import register_failure, revoke_sessions, token_hash
from edms.auth.validation import read_user
from edms.core.access import Actor, require_admin_of, require_system_admin
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.directory.models import Department, Position

#: Seconds: a token's `last_used_at` is refreshed at most this often, so that reads stay read-only.
TOKEN_USE_PRECISION = 60

_SNAPSHOT = (
    'login',
    'last_name',
    'first_name',
    'middle_name',
    'email',
    'snils',
    'inn',
    'department_id',
    'position_id',
    'can_access_restricted',
    'is_active',
    'is_system_admin',
)


def _snapshot(user: User) -> dict[str, Any]:
    data = {name: getattr(user, name) for name in _SNAPSHOT}
    data['roles'] = sorted(role.value for role in user.roles)
    return data


def create_user(actor: Actor, organization_id: int, raw: Mapping[str, Any]) -> tuple[User, str]:
    """Create an account; returns it with its initial password, which must be changed at first login."""
    require_admin_of(actor, organization_id)
    values = read_user(raw)
    password = raw.get('password') or temporary_password()
    _check_user(organization_id, values, None, password)
    roles = values.pop('roles')
    user = User(organization_id=organization_id, password_hash=hash_password(password), **values)
    user.must_change_password = True
    user.role_rows = [UserRole(role=role) for role in roles]
    db.session.add(user)
    db.session.flush()
    record(actor, 'user.create', user, {'after': _snapshot(user)}, organization_id=organization_id)
    return user, password


def update_user(actor: Actor, user: User, raw: Mapping[str, Any]) -> User:
    """Change an account's data and roles; deactivation revokes every session of the user."""
    require_manager_of(actor, user)
    values = read_user({**raw, 'login': raw.get('login', user.login)})
    _check_user(user.organization_id, values, user, None)
    before = _snapshot(user)
    roles = values.pop('roles')
    for name, value in values.items():
        setattr(user, name, value)
    user.role_rows = [row for row in user.role_rows if row.role in roles] + [
        UserRole(role=role) for role in roles if role not in user.roles
    ]
    db.session.flush()
    if not user.is_active:
        revoke_sessions(user)
    record(
        actor, 'user.update', user, {'changes': changes(before, _snapshot(user))}, organization_id=user.organization_id
    )
    return user


def _check_user(organization_id: int, values: dict[str, Any], own: User | None, password: str | None) -> None:
    problems: dict[str, str] = {}
    clash = db.session.execute(
        select(User.id).where(User.organization_id == organization_id, User.login == values['login'])
    ).scalar_one_or_none()
    if clash is not None and (own is None or clash != own.id):
        problems['login'] = '«Логин»: такой логин уже есть в организации.'
    department = db.session.get(Department, values['department_id']) if values['department_id'] else None
    if values['department_id'] and (department is None or department.organization_id != organization_id):
        problems['department_id'] = '«Подразделение»: подразделение не найдено в организации.'
    position = db.session.get(Position, values['position_id']) if values['position_id'] else None
    if values['position_id'] and (position is None or position.organization_id != organization_id):
        problems['position_id'] = '«Должность»: должность не найдена в организации.'
    if password is not None:
        problem = policy_problem(password, values['login'])
        if problem:
            problems['password'] = problem.replace('Новый пароль', 'Пароль')
    if problems:
        raise ValidationFailed(fields=problems)


def reset_password(actor: Actor, user: User) -> str:
    """Issue a new temporary password, force its change and end every session of the user."""
    require_manager_of(actor, user)
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    revoke_sessions(user)
    record(actor, 'user.password_reset', user, {}, organization_id=user.organization_id)
    return password


def change_password(user: User, current: str, new: str, repeat: str, *, keep_session_id: int | None = None) -> None:
    """The user changes their own password (forced at first login); other sessions are ended. A wrong current password
    is `CurrentPasswordWrong`, counted towards the lockout: the caller commits before reporting it."""
    problems: dict[str, str] = {}
    if not verify_password(user.password_hash, current):
        problems['current_password'] = '«Текущий пароль»: пароль указан неверно.'
    problem = policy_problem(new, user.login)
    if problem:
        problems['new_password'] = problem
    elif new == current:
        problems['new_password'] = '«Новый пароль»: должен отличаться от текущего.'
    if new != repeat:
        problems['repeat_password'] = '«Повтор пароля»: не совпадает с новым паролем.'
    if 'current_password' in problems:
        register_failure(user)  # guessed from an open session, it locks the account as guessing at the login does
        db.session.flush()
        raise CurrentPasswordWrong(fields=problems)
    if problems:
        raise WeakPassword(fields=problems)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    revoke_sessions(user, except_id=keep_session_id)
    record(user, 'user.password_change', user, {})


def unlock_user(actor: Actor, user: User) -> None:
    """Lift a lockout caused by failed login attempts."""
    require_manager_of(actor, user)
    user.failed_logins, user.locked_until = 0, None
    record(actor, 'user.unlock', user, {}, organization_id=user.organization_id)


def create_api_token(actor: Actor, user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Issue a bearer token acting as `user`; the secret is returned once and only its hash is stored."""
    require_manager_of(actor, user)
    name = name.strip()
    if not name or len(name) > 255:
        raise ValidationFailed(fields={'name': '«Назначение токена»: обязательное поле, не более 255 символов.'})
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed(fields={'expires_at': '«Срок действия»: дата должна быть в будущем.'})
    raw = 'edms_' + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=raw[:12],
        token_hash=token_hash(raw),
        created_by_id=actor.id,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    record(actor, 'api_token.create', token, {'user_id': user.id, 'name': name}, organization_id=user.organization_id)
    return token, raw


def revoke_api_token(actor: Actor, token: ApiToken) -> None:
    """Revoke a token; requests with it are refused from now on."""
    require_manager_of(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(actor, 'api_token.revoke', token, {'user_id': token.user_id}, organization_id=token.user.organization_id)


#: The token with its user, roles and organization, built once: a statement object memoizes its cache key, so
#: executing it skips the per-call option traversal that a new `select(...).options(...)` costs (a third of a request).
_TOKEN_QUERY = (
    select(ApiToken)
    .where(ApiToken.token_hash == bindparam('token_hash'))
    .options(
        joinedload(ApiToken.user).joinedload(User.role_rows),
        joinedload(ApiToken.user).joinedload(User.organization),
    )
)


def authenticate_token(raw: str) -> ApiToken:
    """The valid token with its user (roles and organization loaded); raises `LoginFailed` otherwise. Read only.

    Every call reads the token, the user, the roles and the organization afresh: revocation, deactivation and role
    changes take effect on the next request.
    """
    token = db.session.execute(_TOKEN_QUERY, {'token_hash': token_hash(raw)}).unique().scalar_one_or_none()
    if token is None or token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= utcnow()):
        raise LoginFailed('Токен доступа недействителен или отозван.')
    if not token.user.is_active or not token.user.organization.is_active:
        raise LoginFailed('Учётная запись владельца токена или его организация отключены.')
    return token


def token_use_is_due(token: ApiToken) -> bool:
    """True when the token's last use is unknown or older than a minute (the use is recorded that coarsely)."""
    return token.last_used_at is None or (utcnow() - token.last_used_at).total_seconds() > TOKEN_USE_PRECISION


def note_token_use(token: ApiToken) -> None:
    """Record that the token was used now."""
    token.last_used_at = utcnow()


def revoke_session(actor: Actor, session: UserSession) -> None:
    """An administrator ends one session of a user of their organization."""
    require_manager_of(actor, session.user)
    if session.revoked_at is None:
        session.revoked_at = utcnow()
        record(
            actor,
            'session.revoke',
            session.user,
            {'session_id': session.id},
            organization_id=session.user.organization_id,
        )


def revoke_all_sessions(actor: Actor, user: User) -> int:
    """An administrator ends every session of a user; returns how many were live."""
    require_manager_of(actor, user)
    count = revoke_sessions(user)
    record(actor, 'session.revoke_all', user, {'count': count}, organization_id=user.organization_id)
    return count


def grant_system_admin(actor: Actor, user: User) -> None:
    """Make the user an administrator of the whole system (only a system administrator or the system may)."""
    require_system_admin(actor)
    if not user.is_system_admin:
        user.is_system_admin = True
        record(actor, 'user.grant_system_admin', user, {}, organization_id=user.organization_id)
