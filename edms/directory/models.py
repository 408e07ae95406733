"""Organizations (with ОГРН/ИНН/КПП), the department tree, positions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.core.db import CreatedAtMixin, UTCDateTime, db


class OrganizationKind(enum.StrEnum):
    """Kinds of organizations connected to the system."""

    ministry = 'ministry'
    agency = 'agency'
    municipality = 'municipality'
    institution = 'institution'
    mfc = 'mfc'
    partner = 'partner'
    #: The public services portal: holds the accounts of applicants (citizens and heads of legal entities).
    portal = 'portal'


ORGANIZATION_KIND_LABELS = {
    OrganizationKind.ministry: 'Министерство',
    OrganizationKind.agency: 'Ведомство',
    OrganizationKind.municipality: 'Орган местного самоуправления',
    OrganizationKind.institution: 'Подведомственное учреждение',
    OrganizationKind.mfc: 'МФЦ',
    OrganizationKind.partner: 'Организация-участник',
    OrganizationKind.portal: 'Портал государственных услуг (заявители)',
}


class Organization(CreatedAtMixin, db.Model):
    """A connected organization; its users see only its own cards."""

    __tablename__ = 'directory_organizations'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(511), nullable=False)
    short_name: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    kind: Mapped[OrganizationKind] = mapped_column(
        Enum(OrganizationKind, name='organization_kind', native_enum=False, length=20), nullable=False
    )
    ogrn: Mapped[str] = mapped_column(String(13), nullable=False, unique=True)
    inn: Mapped[str] = mapped_column(String(10), nullable=False)
    kpp: Mapped[str] = mapped_column(String(9), nullable=False)
    address: Mapped[str] = mapped_column(String(1000), nullable=False, default='')
    email: Mapped[str] = mapped_column(String(255), nullable=False, default='')
    #: Participant identifier in the МЭДО exchange (GUID), filled when the organization joins the exchange.
    medo_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    departments: Mapped[list[Department]] = relationship(back_populates='organization', order_by='Department.name')


class Department(CreatedAtMixin, db.Model):
    """A unit of an organization; departments form a tree through `parent_id`."""

    __tablename__ = 'directory_departments'
    __table_args__ = (UniqueConstraint('organization_id', 'code'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey('directory_departments.id'), index=True)
    name: Mapped[str] = mapped_column(String(511), nullable=False)
    #: Short code used in registration number templates (`{dept}`).
    code: Mapped[str] = mapped_column(String(16), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    organization: Mapped[Organization] = relationship(back_populates='departments')
    parent: Mapped[Department | None] = relationship(remote_side='Department.id')


class Position(CreatedAtMixin, db.Model):
    """A position (должность) within an organization."""

    __tablename__ = 'directory_positions'
    __table_args__ = (UniqueConstraint('organization_id', 'title'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
