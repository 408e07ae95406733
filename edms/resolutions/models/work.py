"""Executors' work on an assignment: execution reports with their files, and deadline extension requests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.core.db import CreatedAtMixin, UTCDateTime, db
from edms.registry.models.enums import enum_column
from edms.resolutions.models.enums import (
    EXTENSION_STATUS_LABELS,
    REPORT_ADDRESSEE_LABELS,
    REPORT_STATUS_LABELS,
    ExtensionStatus,
    ReportAddressee,
    ReportStatus,
)
from edms.resolutions.models.resolutions import COMMENT_MAX, Assignment


class ExecutionReport(CreatedAtMixin, db.Model):
    """An executor's report on an assignment, addressed to whoever decides on it (`addressee_id`)."""

    __tablename__ = 'resolutions_reports'
    __table_args__ = (Index('ix_resolutions_reports_addressee', 'addressee_id', 'status'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey('resolutions_assignments.id'), nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False)
    addressed_to: Mapped[ReportAddressee] = mapped_column(
        enum_column(ReportAddressee, 'report_addressee'), nullable=False
    )
    #: The user who must accept or return the report (the responsible executor, the controller or the author).
    addressee_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus, 'report_status'), nullable=False, default=ReportStatus.submitted
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(String(COMMENT_MAX))

    assignment: Mapped[Assignment] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    addressee: Mapped[User] = relationship(foreign_keys=[addressee_id])
    files: Mapped[list[ReportFile]] = relationship(cascade='all, delete-orphan', order_by='ReportFile.id')

    @property
    def status_label(self) -> str:
        return REPORT_STATUS_LABELS[self.status]

    @property
    def addressed_to_label(self) -> str:
        return REPORT_ADDRESSEE_LABELS[self.addressed_to]


class ReportFile(CreatedAtMixin, db.Model):
    """A file of a report; the bytes live in the content-addressed blob store under their sha256."""

    __tablename__ = 'resolutions_report_files'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey('resolutions_reports.id', ondelete='CASCADE'), nullable=False, index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)


class DeadlineExtension(CreatedAtMixin, db.Model):
    """An executor's request to move the deadline, and the author's decision; the rows are the history."""

    __tablename__ = 'resolutions_extensions'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey('resolutions_assignments.id'), nullable=False, index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False)
    reason: Mapped[str] = mapped_column(String(COMMENT_MAX), nullable=False)
    old_deadline: Mapped[date] = mapped_column(Date, nullable=False)
    requested_deadline: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[ExtensionStatus] = mapped_column(
        enum_column(ExtensionStatus, 'extension_status'), nullable=False, default=ExtensionStatus.pending
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(String(COMMENT_MAX))

    assignment: Mapped[Assignment] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return EXTENSION_STATUS_LABELS[self.status]
