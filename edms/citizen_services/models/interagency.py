"""Interagency requests (210-ФЗ art. 7, 7.2) as data: which organization answers each kind of data
(`citizen_services_interagency_providers`), the requests an agency sends for an application and their answers
(`citizen_services_interagency_requests`), and the ЕГРЮЛ register the tax service keeps and answers from
(`citizen_services_egrul_entries`).

A request keeps both sides of the exchange as СМЭВ 3-shaped XML: what was sent (`request_xml`, a
`SendRequestRequest`) and what came back (`response_xml`, a `SendResponseRequest`); the structured columns are read
from them. `overdue` is not stored: it is an unanswered request past its `due_date`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.citizen_services.models.applications import SERVICE_CODE_MAX, Application
from edms.core.db import CreatedAtMixin, UTCDateTime, db
from edms.directory.models import Organization
from edms.registry.models.enums import enum_column

DATA_KIND_MAX = 32
#: A СМЭВ message id: an RFC 4122 UUID in its lowercase string form.
MESSAGE_ID_MAX = 36
#: СМЭВ 3 `RejectCode` is a string of at most 50 characters.
REJECTION_CODE_MAX = 50
NAME_MAX = 500


class RequestStatus(enum.StrEnum):
    sent = 'sent'
    answered = 'answered'
    rejected = 'rejected'


REQUEST_STATUS_LABELS = {
    RequestStatus.sent: 'Направлен, ответ ожидается',
    RequestStatus.answered: 'Получен ответ',
    RequestStatus.rejected: 'Отказ в предоставлении сведений',
}


class InteragencyProvider(CreatedAtMixin, db.Model):
    """An organization answering requests for one kind of data ('egrul' → the tax service); a request goes to the
    active provider of its kind (the first by id when several are active)."""

    __tablename__ = 'citizen_services_interagency_providers'
    __table_args__ = (UniqueConstraint('data_kind', 'organization_id'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_kind: Mapped[str] = mapped_column(String(DATA_KIND_MAX), nullable=False)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    organization: Mapped[Organization] = relationship()


class InteragencyRequest(CreatedAtMixin, db.Model):
    """One request of an agency to another for data an application needs, and its answer or rejection."""

    __tablename__ = 'citizen_services_interagency_requests'
    __table_args__ = (
        Index('ix_citizen_services_interagency_requests_requester', 'requesting_organization_id', 'sent_at', 'id'),
        Index('ix_citizen_services_interagency_requests_responder', 'responding_organization_id', 'sent_at', 'id'),
        Index('ix_citizen_services_interagency_requests_open', 'status', 'due_date'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey('citizen_services_applications.id'), nullable=False, index=True
    )
    requesting_organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    responding_organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    service_code: Mapped[str] = mapped_column(String(SERVICE_CODE_MAX), nullable=False)
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False)
    #: What is requested: a kind key ('egrul') and the words of the request.
    data_kind: Mapped[str] = mapped_column(String(DATA_KIND_MAX), nullable=False)
    requested_data: Mapped[str] = mapped_column(Text, nullable=False)
    #: Whom the data is about (ОГРН, ИНН, СНИЛС, name), as sent in the request.
    subject: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    #: The official who sent it (None: sent automatically after filing) with a snapshot of name and position.
    official_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    official_name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    official_position: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False, default='')
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID_MAX), nullable=False, unique=True)
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, 'interagency_request_status'), nullable=False
    )
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    due_explanation: Mapped[str] = mapped_column(Text, nullable=False)
    request_xml: Mapped[str] = mapped_column(Text, nullable=False)
    #: Set when the responding agency received it (its side parsed the request XML).
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_message_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID_MAX), unique=True)
    response_xml: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The responding official (None: the register answered automatically) and the name the answer carries.
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    answered_by_name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    answer_text: Mapped[str | None] = mapped_column(Text)
    #: The data of the answer: {'fields': [{path, label, value}, …]} in the answer's order.
    answer_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Every compared field that differs: {field, label, application_value, registry_value}.
    mismatches: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    rejection_code: Mapped[str | None] = mapped_column(String(REJECTION_CODE_MAX))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    #: The answer as a file of the requesting agency's card of the application.
    answer_attachment_id: Mapped[int | None] = mapped_column(ForeignKey('registry_attachments.id'))

    application: Mapped[Application] = relationship()
    requesting_organization: Mapped[Organization] = relationship(foreign_keys=[requesting_organization_id])
    responding_organization: Mapped[Organization] = relationship(foreign_keys=[responding_organization_id])
    official: Mapped[User | None] = relationship(foreign_keys=[official_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.sent

    def overdue_on(self, today: date) -> bool:
        """Unanswered after its due date."""
        return self.is_open and self.due_date < today


class EgrulEntry(CreatedAtMixin, db.Model):
    """A legal entity of the ЕГРЮЛ register kept by a tax service (`organization_id`): found by ОГРН; `record`
    holds its details by field path as the legal-entity cabinet names them ('organization.name', 'head.last_name'…)."""

    __tablename__ = 'citizen_services_egrul_entries'
    __table_args__ = (UniqueConstraint('organization_id', 'ogrn'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    ogrn: Mapped[str] = mapped_column(String(13), nullable=False)
    inn: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(1000), nullable=False)
    record: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
