"""Legal entities' cabinets on the portal as data (seed 000): the cabinet of one legal entity
(`citizen_services_legal_cabinets`), created when its registration application is approved, and its staff
(`citizen_services_legal_cabinet_members`): portal accounts with a role and per-action rights.

Not the manager's cabinet (МКР) of the registry: this is the applicant's side, a company on the public-service portal.
A member is never deleted: removal sets `removed_at` (the journal keeps who did what); adding the same account again
reactivates its row with the new role and rights.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.citizen_services.models.applications import Application
from edms.core.db import CreatedAtMixin, UTCDateTime, db
from edms.registry.models.enums import enum_column


class LegalCabinetRole(enum.StrEnum):
    administrator = 'administrator'
    accountant = 'accountant'
    lawyer = 'lawyer'
    operator = 'operator'


LEGAL_CABINET_ROLE_LABELS = {
    LegalCabinetRole.administrator: 'Администратор',
    LegalCabinetRole.accountant: 'Бухгалтер',
    LegalCabinetRole.lawyer: 'Юрист',
    LegalCabinetRole.operator: 'Оператор',
}


class LegalCabinetRight(enum.StrEnum):
    """A per-action right (seed 000: «просмотр, редактирование, удаление, отправка»)."""

    view = 'view'
    edit = 'edit'
    delete = 'delete'
    send = 'send'


LEGAL_CABINET_RIGHT_LABELS = {
    LegalCabinetRight.view: 'Просмотр',
    LegalCabinetRight.edit: 'Редактирование',
    LegalCabinetRight.delete: 'Удаление',
    LegalCabinetRight.send: 'Отправка',
}

#: The rights a role gets when a member is added with it (adjustable per member afterwards). The administrator
#: manages the cabinet; the lawyer edits and signs applications; the accountant and the operator file them.
DEFAULT_RIGHTS: dict[LegalCabinetRole, frozenset[LegalCabinetRight]] = {
    LegalCabinetRole.administrator: frozenset(LegalCabinetRight),
    LegalCabinetRole.lawyer: frozenset({LegalCabinetRight.view, LegalCabinetRight.edit, LegalCabinetRight.send}),
    LegalCabinetRole.accountant: frozenset({LegalCabinetRight.view, LegalCabinetRight.send}),
    LegalCabinetRole.operator: frozenset({LegalCabinetRight.view, LegalCabinetRight.send}),
}


class LegalEntityCabinet(CreatedAtMixin, db.Model):
    """The cabinet of one legal entity (one per ОГРН): its requisites as approved, the contacts its staff keep, the
    application that brought it about (the last approved one when the head re-registered it)."""

    __tablename__ = 'citizen_services_legal_cabinets'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ogrn: Mapped[str] = mapped_column(String(13), nullable=False, unique=True)
    inn: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    kpp: Mapped[str | None] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(1000), nullable=False)
    legal_form: Mapped[str] = mapped_column(String(255), nullable=False)
    legal_address: Mapped[str] = mapped_column(Text, nullable=False)
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default='')
    email: Mapped[str] = mapped_column(String(255), nullable=False, default='')
    application_id: Mapped[int] = mapped_column(ForeignKey('citizen_services_applications.id'), nullable=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()
    members: Mapped[list[LegalCabinetMember]] = relationship(
        back_populates='cabinet', order_by='LegalCabinetMember.id', cascade='all, delete-orphan'
    )

    @property
    def active_members(self) -> list[LegalCabinetMember]:
        return [member for member in self.members if member.removed_at is None]


class LegalCabinetMember(db.Model):
    """A portal account in the cabinet: its role and its rights per action; `removed_at` once removed."""

    __tablename__ = 'citizen_services_legal_cabinet_members'
    __table_args__ = (UniqueConstraint('cabinet_id', 'user_id'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cabinet_id: Mapped[int] = mapped_column(
        ForeignKey('citizen_services_legal_cabinets.id', ondelete='CASCADE'), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False, index=True)
    role: Mapped[LegalCabinetRole] = mapped_column(enum_column(LegalCabinetRole, 'legal_cabinet_role'), nullable=False)
    can_view: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    can_edit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    can_delete: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    can_send: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Who added (or last re-added) the member; the deciding official for the head added at approval.
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cabinet: Mapped[LegalEntityCabinet] = relationship(back_populates='members')
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])

    def has(self, right: LegalCabinetRight | str) -> bool:
        """The member holds `right` (a removed member holds none)."""
        return self.removed_at is None and bool(getattr(self, f'can_{LegalCabinetRight(right).value}'))

    @property
    def rights(self) -> frozenset[LegalCabinetRight]:
        return frozenset(right for right in LegalCabinetRight if self.has(right))

    def set_rights(self, rights: frozenset[LegalCabinetRight] | set[LegalCabinetRight]) -> None:
        for right in LegalCabinetRight:
            setattr(self, f'can_{right.value}', right in rights)


class StaffChangeSignature(db.Model):
    """The administrator's qualified signature that confirmed a staff change, kept as the evidence of that consent:
    the exact text signed (`legal_cabinets_confirmation.StaffChange.text`) and the detached CMS over its UTF-8 bytes
    (in the blob store), with the certificate it was checked against. The journal entry of the change names it."""

    __tablename__ = 'citizen_services_staff_change_signatures'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cabinet_id: Mapped[int] = mapped_column(
        ForeignKey('citizen_services_legal_cabinets.id', ondelete='CASCADE'), nullable=False, index=True
    )
    signed_by_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    change_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    signature_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    certificate_serial: Mapped[str] = mapped_column(String(128), nullable=False)
    certificate_owner: Mapped[str] = mapped_column(String(1000), nullable=False)
    signing_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
