"""Users with roles, server-side sessions and API tokens (both stored as sha256 hashes of random secrets)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.core.db import CreatedAtMixin, UTCDateTime, db
from edms.directory.models import Department, Organization, Position


class Role(enum.StrEnum):
    """Roles a user holds in their organization."""

    administrator = 'administrator'
    clerk = 'clerk'
    manager = 'manager'
    assistant = 'assistant'
    executor = 'executor'
    controller = 'controller'
    #: A citizen or a legal entity's head with a portal account (an organization of kind `portal`): files public
    #: service applications and follows them.
    applicant = 'applicant'
    #: An operator of an MFC («одно окно»): files applications on a visitor's behalf.
    mfc_operator = 'mfc_operator'


ROLE_LABELS = {
    Role.administrator: 'Администратор',
    Role.clerk: 'Делопроизводитель',
    Role.manager: 'Руководитель',
    Role.assistant: 'Помощник руководителя',
    Role.executor: 'Исполнитель',
    Role.controller: 'Контролёр',
    Role.applicant: 'Заявитель',
    Role.mfc_operator: 'Оператор МФЦ',
}


class User(CreatedAtMixin, db.Model):
    """A person (or a service account for API tokens) working in one organization."""

    __tablename__ = 'auth_users'
    __table_args__ = (UniqueConstraint('organization_id', 'login'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False, index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey('directory_departments.id'), index=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey('directory_positions.id'))
    login: Mapped[str] = mapped_column(String(64), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    middle_name: Mapped[str] = mapped_column(String(100), nullable=False, default='')
    email: Mapped[str] = mapped_column(String(255), nullable=False, default='')
    snils: Mapped[str | None] = mapped_column(String(11))
    #: ИНН of the person (12 digits): a qualified certificate without СНИЛС is bound by it.
    inn: Mapped[str | None] = mapped_column(String(12))
    #: argon2 hash; None for accounts that cannot log in with a password (service accounts).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: The first login (and a reset by an administrator) forces a password change.
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: Right to see restricted (ДСП) cards of the organization.
    can_access_restricted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Administrator of the whole system (the operator): manages every organization.
    is_system_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The mobile phone (E.164, '+79XXXXXXXXX') the account confirmed with a code sent to it (`edms.auth.phone`):
    #: one-time codes confirming the account's own actions go there. Set together with `phone_confirmed_at`, both
    #: or neither: a number not yet confirmed is never stored.
    phone: Mapped[str | None] = mapped_column(String(16))
    phone_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    department: Mapped[Department | None] = relationship()
    position: Mapped[Position | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade='all, delete-orphan', lazy='selectin')

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool({role.value for role in self.roles} & {str(role) for role in roles})

    @property
    def full_name(self) -> str:
        return ' '.join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    @property
    def short_name(self) -> str:
        initials = ''.join(f'{part[0]}.' for part in (self.first_name, self.middle_name) if part)
        return f'{self.last_name} {initials}'.strip()

    # flask-login style members, implemented here so that domain code never imports flask_login.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = 'auth_user_roles'

    user_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id', ondelete='CASCADE'), primary_key=True)
    role: Mapped[Role] = mapped_column(Enum(Role, name='role', native_enum=False, length=20), primary_key=True)


class UserSession(CreatedAtMixin, db.Model):
    """A server-side login session; the cookie carries the secret, the database only its sha256."""

    __tablename__ = 'auth_sessions'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id', ondelete='CASCADE'), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str] = mapped_column(String(64), nullable=False, default='')
    user_agent: Mapped[str] = mapped_column(String(255), nullable=False, default='')

    user: Mapped[User] = relationship()


class ApiToken(CreatedAtMixin, db.Model):
    """A bearer token for scripts and partner systems, acting as its user; only the sha256 is stored."""

    __tablename__ = 'auth_api_tokens'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id', ondelete='CASCADE'), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    #: First characters of the token, shown to administrators to tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
