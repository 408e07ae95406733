"""Complaints of applicants (жалобы, 210-ФЗ ст. 11.1–11.2) as data: `citizen_services_complaints` and the files the
applicant sends with one (`citizen_services_complaint_files`).

A complaint concerns an agency (`organization_id`) and a service (`service_code`) and, when filed from an application,
that application; without one (`application_id` None: ст. 11.1 п. 4, a refusal to accept documents, leaves no
registered application behind) the applicant chose the service and an agency providing it. It is registered in the
agency as a citizen appeal card (`card_id`, numbered by the agency's appeals journal) and is considered within its own
term (`deadline` with its explanation: ст. 11.2 ч. 6, not the 30 days of 59-ФЗ). Its files (a scan of the refusal, a
receipt of a fee demanded) are blobs, each also an attachment of that card (`attachment_id`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.citizen_services.models.applications import APPLICANT_NAME_MAX, NUMBER_MAX, SERVICE_CODE_MAX, Application
from edms.core.db import CreatedAtMixin, UTCDateTime, db
from edms.directory.models import Organization
from edms.registry.models.enums import enum_column

#: The complaint's text and the decision's text (the card's summary holds 4000 characters).
COMPLAINT_TEXT_MAX = 4000
DECISION_TEXT_MAX = 4000
#: Files one complaint carries at most (each checked like an application's: PDF, JPG or PNG up to 5 MB).
COMPLAINT_FILES_MAX = 10


class ComplaintKind(enum.StrEnum):
    """The seven cases of 210-ФЗ ст. 11.1, in the order of its items."""

    registration_term = 'registration_term'
    service_term = 'service_term'
    extra_documents = 'extra_documents'
    documents_refused = 'documents_refused'
    service_refused = 'service_refused'
    extra_fee = 'extra_fee'
    typos_not_corrected = 'typos_not_corrected'


#: The item of ст. 11.1 each kind is.
COMPLAINT_ITEMS = {kind: number for number, kind in enumerate(ComplaintKind, start=1)}
COMPLAINT_KIND_LABELS = {
    ComplaintKind.registration_term: 'Нарушение срока регистрации запроса о предоставлении услуги',
    ComplaintKind.service_term: 'Нарушение срока предоставления услуги',
    ComplaintKind.extra_documents: 'Требование документов, не предусмотренных нормативными правовыми актами',
    ComplaintKind.documents_refused: 'Отказ в приёме документов, предоставление которых предусмотрено актами',
    ComplaintKind.service_refused: 'Отказ в предоставлении услуги по основаниям, не предусмотренным законом',
    ComplaintKind.extra_fee: 'Затребование платы, не предусмотренной нормативными правовыми актами',
    ComplaintKind.typos_not_corrected: (
        'Отказ в исправлении опечаток и ошибок в выданных документах либо нарушение срока исправлений'
    ),
}


def kind_title(kind: ComplaintKind | str) -> str:
    """«Нарушение срока предоставления услуги (п. 2 ст. 11.1 210-ФЗ)»."""
    kind = ComplaintKind(kind)
    return f'{COMPLAINT_KIND_LABELS[kind]} (п. {COMPLAINT_ITEMS[kind]} ст. 11.1 210-ФЗ)'


class ComplaintStatus(enum.StrEnum):
    registered = 'registered'
    upheld = 'upheld'
    rejected = 'rejected'


COMPLAINT_STATUS_LABELS = {
    ComplaintStatus.registered: 'Зарегистрирована, рассматривается',
    ComplaintStatus.upheld: 'Удовлетворена',
    ComplaintStatus.rejected: 'Отказано в удовлетворении',
}


class Complaint(CreatedAtMixin, db.Model):
    """One complaint: kind and text, who complains and who filed it, the agency and its appeal card, the term of
    consideration with its explanation, the decision."""

    __tablename__ = 'citizen_services_complaints'
    __table_args__ = (
        Index('ix_citizen_services_complaints_agency', 'organization_id', 'status', 'deadline', 'id'),
        Index('ix_citizen_services_complaints_applicant', 'applicant_user_id', 'id'),
        Index('ix_citizen_services_complaints_filed_via', 'filed_via_organization_id', 'id'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: «Ж-2026-000012»: set right after the first insert from the id; None only within it.
    number: Mapped[str | None] = mapped_column(String(NUMBER_MAX), unique=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey('citizen_services_applications.id'), index=True)
    #: The service complained about: the application's, or the one chosen when there is no application.
    service_code: Mapped[str] = mapped_column(String(SERVICE_CODE_MAX), nullable=False)
    #: The agency complained about (it considers the complaint: 210-ФЗ ст. 11.2 ч. 1).
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    kind: Mapped[ComplaintKind] = mapped_column(enum_column(ComplaintKind, 'complaint_kind'), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    #: The applicant's portal account; None for an MFC visitor without one.
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    applicant_name: Mapped[str] = mapped_column(String(APPLICANT_NAME_MAX), nullable=False)
    #: The applicant, or the MFC operator who accepted the complaint on the visitor's behalf.
    filed_by_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False)
    filed_via_organization_id: Mapped[int | None] = mapped_column(ForeignKey('directory_organizations.id'))
    #: The agency's citizen appeal card; a draft «На регистрацию» when the agency has no appeals journal.
    card_id: Mapped[int | None] = mapped_column(ForeignKey('registry_cards.id'), unique=True)
    registered_on: Mapped[date] = mapped_column(Date, nullable=False)
    deadline: Mapped[date] = mapped_column(Date, nullable=False)
    deadline_explanation: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[ComplaintStatus] = mapped_column(
        enum_column(ComplaintStatus, 'complaint_status'), nullable=False, default=ComplaintStatus.registered
    )
    #: The remedy (upheld) or the reasons (rejected).
    decision_text: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application | None] = relationship()
    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    filed_via_organization: Mapped[Organization | None] = relationship(foreign_keys=[filed_via_organization_id])
    applicant_user: Mapped[User | None] = relationship(foreign_keys=[applicant_user_id])
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    files: Mapped[list[ComplaintFile]] = relationship(
        back_populates='complaint', order_by='ComplaintFile.id', cascade='all, delete-orphan'
    )

    @property
    def kind_title(self) -> str:
        return kind_title(self.kind)

    @property
    def status_label(self) -> str:
        return COMPLAINT_STATUS_LABELS[ComplaintStatus(self.status)]


class ComplaintFile(CreatedAtMixin, db.Model):
    """A file sent with the complaint; the bytes are a blob, and the same file is an attachment of the agency's appeal
    card (`attachment_id`), so the official working from the card sees it."""

    __tablename__ = 'citizen_services_complaint_files'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey('citizen_services_complaints.id', ondelete='CASCADE'), nullable=False, index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey('registry_attachments.id'))

    complaint: Mapped[Complaint] = relationship(back_populates='files')
