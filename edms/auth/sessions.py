"""Local login and server-side sessions: lockout after failures, every attempt audited, revocable sessions."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2.exceptions import HashingError
from flask import current_app
from sqlalchemy import select, update

from edms.audit.operations import record
from edms.auth.errors import AccountLocked, LoginFailed
from edms.auth.models import User, UserSession
from edms.auth.passwords import hash_password, needs_rehash, verify_password
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import DomainError
from edms.core.validation import ID_MAX
from edms.directory.models import Organization

logger = logging.getLogger(__name__)
#: last_seen_at is written at most this often, so that reading pages does not write on every request.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass
class LoginResult:
    """Outcome of a login attempt; the audit entry is written either way, so callers commit in both cases."""

    user: User | None
    token: str | None
    error: DomainError | None

    @property
    def ok(self) -> bool:
        return self.error is None


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode('utf-8')).hexdigest()


def login(
    organization_id: int | None, login_name: str, password: str, ip: str = '', user_agent: str = ''
) -> LoginResult:
    """Check the credentials, apply the lockout policy, audit the attempt and open a session on success.

    The password is always hashed (unknown logins too) so that timing does not tell which accounts exist, and the
    user row is locked so that parallel attempts cannot slip past the failure counter. A locked account says so
    only to someone who typed its right password.
    """
    user = _find_user(organization_id, login_name)
    password_ok = verify_password(user.password_hash if user else None, password)
    now = utcnow()
    client: dict[str, Any] = {'login': login_name[:64], 'organization_id': organization_id, 'ip': ip}
    if user is not None and user.locked_until is not None and user.locked_until > now:
        record(user, 'auth.login.locked', user, client)
        return LoginResult(None, None, AccountLocked() if password_ok else LoginFailed())
    if user is None or not _may_log_in(user) or not password_ok:
        register_failure(user)
        reason = 'unknown_user' if user is None else ('inactive' if not _may_log_in(user) else 'bad_password')
        known_org = user.organization_id if user is not None else _existing_organization(organization_id)
        record(user, 'auth.login.failure', user, {**client, 'reason': reason}, organization_id=known_org)
        return LoginResult(None, None, LoginFailed())
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    if user.password_hash is not None and needs_rehash(user.password_hash):
        _rehash(user, password, client)
    token = open_session(user, ip, user_agent)
    record(user, 'auth.login.success', user, client)
    return LoginResult(user, token, None)


def _rehash(user: User, password: str, facts: dict[str, Any]) -> None:
    """Hash a verified password anew with the parameters changed since its hash was made; a failure keeps the old
    hash (it still verifies) rather than failing the login."""
    try:
        user.password_hash = hash_password(password)
    except HashingError:
        logger.exception('the password of user %s could not be hashed anew', user.id)
        return
    facts['rehashed'] = True


def _find_user(organization_id: int | None, login_name: str) -> User | None:
    if organization_id is None or not 0 < organization_id <= ID_MAX or not login_name or len(login_name) > 64:
        return None
    query = select(User).where(User.organization_id == organization_id, User.login == login_name.strip().lower())
    return db.session.execute(query.with_for_update()).scalar_one_or_none()


def _may_log_in(user: User) -> bool:
    """An active account of an organization that is still connected."""
    return user.is_active and user.organization.is_active


def _existing_organization(organization_id: int | None) -> int | None:
    if organization_id is None or not 0 < organization_id <= ID_MAX:
        return None
    return organization_id if db.session.get(Organization, organization_id) is not None else None


def register_failure(user: User | None) -> None:
    """A wrong password of the account: counted towards its lockout (`LOGIN_MAX_FAILURES`, `LOGIN_LOCK_MINUTES`)."""
    if user is None:
        return
    user.failed_logins += 1
    if user.failed_logins >= current_app.config['LOGIN_MAX_FAILURES']:
        user.locked_until = utcnow() + timedelta(minutes=current_app.config['LOGIN_LOCK_MINUTES'])
        user.failed_logins = 0


def open_session(user: User, ip: str = '', user_agent: str = '') -> str:
    """Create a session and return its secret (only the hash is stored); the oldest beyond the limit are revoked."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session = UserSession(
        user_id=user.id,
        token_hash=token_hash(raw),
        last_seen_at=now,
        expires_at=now + timedelta(hours=current_app.config['SESSION_ABSOLUTE_HOURS']),
        ip_address=ip[:64],
        user_agent=user_agent[:255],
    )
    db.session.add(session)
    db.session.flush()
    _enforce_session_limit(user)
    return raw


def _enforce_session_limit(user: User) -> None:
    limit = current_app.config['SESSION_MAX_PER_USER']
    active = db.session.execute(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.id.desc())
    ).scalars()
    for old in list(active)[limit:]:
        old.revoked_at = utcnow()


def load_session(raw: str | None) -> UserSession | None:
    """The live session for a cookie secret, or None when unknown, revoked, expired or idle too long."""
    if not raw:
        return None
    session = db.session.execute(
        select(UserSession).where(UserSession.token_hash == token_hash(raw))
    ).scalar_one_or_none()
    now = utcnow()
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        return None
    if session.last_seen_at + timedelta(minutes=current_app.config['SESSION_IDLE_MINUTES']) <= now:
        return None
    if not _may_log_in(session.user):
        return None
    if now - session.last_seen_at > TOUCH_INTERVAL:
        session.last_seen_at = now
    return session


def logout(session: UserSession) -> None:
    """End the session on request of its owner."""
    session.revoked_at = utcnow()
    record(session.user, 'auth.logout', session.user, {'session_id': session.id})


def revoke_sessions(user: User, *, except_id: int | None = None) -> int:
    """Revoke every live session of the user (deactivation, password reset); returns how many."""
    query = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if except_id is not None:
        query = query.where(UserSession.id != except_id)
    return db.session.execute(query).rowcount or 0


def organizations_for_login() -> list[Organization]:
    """Organizations shown in the login form's list."""
    query = select(Organization).where(Organization.is_active.is_(True)).order_by(Organization.short_name)
    return list(db.session.execute(query).scalars())
