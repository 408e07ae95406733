"""Applications for public services as data: the agencies providing each service (`citizen_services_providers`), the
applications with their normalized values, deadlines and decision (`citizen_services_applications`), every status
change (`citizen_services_application_events`) and the applicant's files (`citizen_services_application_files`).

An application lives in two places: here, as the applicant sees it (number «З-2026-000123», status, deadlines), and
in the competent agency as an incoming registration card (`card_id`) that the officials work on.

A term-limited result (`ServiceDefinition.validity`) keeps its period and its life on the application: valid from–until,
`result_state` (valid / extended / annulled; «expired» is derived from the date), the extension links both ways, the
annulment (when, by whom, from which day, the reason and the comment), the applicant's request to end it early and
the expiry reminders already sent.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import Channel
from edms.core.db import CreatedAtMixin, UTCDateTime, db, reference
from edms.directory.models import Organization
from edms.registry.models.enums import enum_column

SERVICE_CODE_MAX = 64
NUMBER_MAX = 32
APPLICANT_NAME_MAX = 1000
TEXT_MAX = 4000


class ResultState(enum.StrEnum):
    """The stored state of a term-limited result; «expired» is a valid one past its last day."""

    valid = 'valid'
    extended = 'extended'
    annulled = 'annulled'


class ApplicantKind(enum.StrEnum):
    person = 'person'
    legal_entity = 'legal_entity'


APPLICANT_KIND_LABELS = {ApplicantKind.person: 'Физическое лицо', ApplicantKind.legal_entity: 'Юридическое лицо'}


class ServiceProvider(CreatedAtMixin, db.Model):
    """An organization providing a service; filing picks the active provider of the service (the first by id when
    the system administrator made several active)."""

    __tablename__ = 'citizen_services_providers'
    __table_args__ = (UniqueConstraint('service_code', 'organization_id'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_code: Mapped[str] = mapped_column(String(SERVICE_CODE_MAX), nullable=False)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()


class Application(CreatedAtMixin, db.Model):
    """One application: who applied and through which channel, its values, the agency and its card, the deadline
    with its explanation, the decision. `status` is a workflow status code of the catalogue (in_progress,
    clarification_required, done, refused); the service names it in its own words."""

    __tablename__ = 'citizen_services_applications'
    __table_args__ = (
        Index('ix_citizen_services_applications_applicant', 'applicant_user_id', 'submitted_at', 'id'),
        Index('ix_citizen_services_applications_agency', 'organization_id', 'submitted_at', 'id'),
        Index('ix_citizen_services_applications_agency_status', 'organization_id', 'status', 'submitted_at', 'id'),
        Index('ix_citizen_services_applications_filed_via', 'filed_via_organization_id', 'submitted_at', 'id'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: «З-2026-000123»: made from the id (unique, never reused), inserted with the row on PostgreSQL; None only
    #: within the filing elsewhere.
    number: Mapped[str | None] = mapped_column(String(NUMBER_MAX), unique=True)
    service_code: Mapped[str] = mapped_column(String(SERVICE_CODE_MAX), nullable=False)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 'application_channel'), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    #: The applicant's portal account; None for an MFC visitor or a bank's client without one.
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    applicant_kind: Mapped[ApplicantKind] = mapped_column(enum_column(ApplicantKind, 'applicant_kind'), nullable=False)
    applicant_name: Mapped[str] = mapped_column(String(APPLICANT_NAME_MAX), nullable=False)
    applicant_snils: Mapped[str | None] = mapped_column(String(11), index=True)
    #: ИНН of the person (12 digits) or of the legal entity (10 digits).
    applicant_inn: Mapped[str | None] = mapped_column(String(12), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False)
    #: The MFC or the partner the application came through; None when the applicant filed it.
    filed_via_organization_id: Mapped[int | None] = mapped_column(ForeignKey('directory_organizations.id'))
    #: The normalized values (dates as ГГГГ-ММ-ДД) of the last accepted version of the application.
    values: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    #: The facts of the signatures the application was checked with (see `SignatureFacts`), as JSON.
    signatures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    #: The agency deciding the application and the incoming card it works on.
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    card_id: Mapped[int | None] = mapped_column(ForeignKey('registry_cards.id'), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    deadline: Mapped[date] = mapped_column(Date, nullable=False)
    deadline_explanation: Mapped[str] = mapped_column(Text, nullable=False)
    expected_date: Mapped[date] = mapped_column(Date, nullable=False)
    expected_explanation: Mapped[str] = mapped_column(Text, nullable=False)
    clarification_text: Mapped[str | None] = mapped_column(Text)
    #: The local date the clock stopped for a clarification (the deadline moves from it when resubmitted).
    clarification_requested_on: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Codes of the refusal reasons from the service's list, every one the official named.
    refusal_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    refusal_comment: Mapped[str | None] = mapped_column(Text)
    result_attachment_id: Mapped[int | None] = mapped_column(ForeignKey('registry_attachments.id'))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # --- a term-limited result (set on approval when the service's result has a validity) ---
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    result_state: Mapped[ResultState | None] = mapped_column(enum_column(ResultState, 'result_state'))
    #: The application whose result this one extends, and the one that extended this result.
    extends_id: Mapped[int | None] = mapped_column(ForeignKey('citizen_services_applications.id'), index=True)
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey('citizen_services_applications.id'))
    annulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The first day the result no longer holds.
    annulled_on: Mapped[date | None] = mapped_column(Date)
    annulled_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    annulment_reason: Mapped[str | None] = mapped_column(String(64))
    annulment_comment: Mapped[str | None] = mapped_column(Text)
    #: The signed «Уведомление об аннулировании…» on the agency's card, the file the applicant's side downloads.
    annulment_notice_attachment_id: Mapped[int | None] = mapped_column(ForeignKey('registry_attachments.id'))
    #: The applicant asked to end the result early (the official then annuls it).
    early_end_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    early_end_comment: Mapped[str | None] = mapped_column(Text)
    #: Days before the end whose reminder was sent (-1: the notice the day after the end).
    reminders_sent: Mapped[list[int] | None] = mapped_column(JSON)

    applicant_user: Mapped[User | None] = reference(foreign_keys=[applicant_user_id])
    filed_by: Mapped[User] = reference(foreign_keys=[filed_by_id])
    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    filed_via_organization: Mapped[Organization | None] = reference(foreign_keys=[filed_via_organization_id])
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates='application', order_by='ApplicationEvent.id', cascade='all, delete-orphan'
    )
    files: Mapped[list[ApplicationFile]] = relationship(
        back_populates='application', order_by='ApplicationFile.id', cascade='all, delete-orphan'
    )

    @property
    def current_files(self) -> list[ApplicationFile]:
        """The files of the last accepted version (a resubmission replaces the files of the slots it fills)."""
        return [file for file in self.files if file.replaced_at is None]


class ApplicationEvent(db.Model):
    """One status change of an application: from (None when filed) and to, when, by whom, with the comment."""

    __tablename__ = 'citizen_services_application_events'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey('citizen_services_applications.id', ondelete='CASCADE'), nullable=False, index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    comment: Mapped[str] = mapped_column(Text, nullable=False, default='')

    application: Mapped[Application] = relationship(back_populates='events')
    actor: Mapped[User | None] = reference()


class ApplicationFile(CreatedAtMixin, db.Model):
    """A file of the application in its slot (`kind`: 'passport', 'owner_consent'…); the bytes are a blob, and the
    same file is an attachment of the agency's card (`attachment_id`)."""

    __tablename__ = 'citizen_services_application_files'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey('citizen_services_applications.id', ondelete='CASCADE'), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey('registry_attachments.id'))
    #: Set when a resubmission replaced the file with another one of its slot.
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates='files')
