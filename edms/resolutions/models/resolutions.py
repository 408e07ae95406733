"""The resolution (резолюция) and its assignments: one per executor, with the deadline and how it was counted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.core.db import CreatedAtMixin, UTCDateTime, db
from edms.registry.models import Card, CaseFile
from edms.registry.models.enums import enum_column
from edms.resolutions.models.enums import (
    ASSIGNMENT_STATUS_LABELS,
    OPEN_ASSIGNMENT_STATUSES,
    RESOLUTION_STATUS_LABELS,
    AssignmentStatus,
    ResolutionStatus,
)

TEXT_MAX = 4000
COMMENT_MAX = 2000
EXPLANATION_MAX = 2000
#: The partial index condition of open assignments (kept in step with `OPEN_ASSIGNMENT_STATUSES`).
OPEN_CONDITION = "status IN ('in_work', 'reported')"


class Resolution(CreatedAtMixin, db.Model):
    """A resolution on a card, or a sub-resolution under an executor's assignment (`parent_assignment_id`)."""

    __tablename__ = 'resolutions_resolutions'
    __table_args__ = (
        # The cabinet folders: drafts awaiting the author, the author's executed ones, open controlled ones.
        Index('ix_resolutions_resolutions_author', 'author_id', 'status', 'executed_at'),
        Index('ix_resolutions_resolutions_controller', 'controller_id', 'status'),
        Index('ix_resolutions_resolutions_prepared_by', 'prepared_by_id', 'status'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey('directory_organizations.id', name='fk_resolutions_resolutions_organization_id'), nullable=False
    )
    card_id: Mapped[int] = mapped_column(ForeignKey('registry_cards.id'), nullable=False, index=True)
    #: The assignment whose executor issued this sub-resolution; None for a top-level resolution.
    parent_assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            'resolutions_assignments.id', name='fk_resolutions_resolutions_parent_assignment_id', use_alter=True
        ),
        index=True,
    )
    author_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False)
    #: The assistant who drafted it for the author.
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[ResolutionStatus] = mapped_column(
        enum_column(ResolutionStatus, 'resolution_status'), nullable=False, default=ResolutionStatus.draft
    )
    #: The author's comment when a draft goes back to the assistant.
    return_comment: Mapped[str | None] = mapped_column(String(COMMENT_MAX))
    is_controlled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    controller_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    control_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    control_closed_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    #: The execution mark (отметка об исполнении) written when control is closed.
    execution_mark: Mapped[str | None] = mapped_column(Text)
    #: The case the card goes into («в дело») once the card is executed.
    case_file_id: Mapped[int | None] = mapped_column(ForeignKey('registry_case_files.id'))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(COMMENT_MAX))
    #: The author's signature: method (`simple` now), signer, moment, SHA-256 of the signed canonical content and,
    #: for the advanced methods to come, the signature bytes.
    signature_method: Mapped[str | None] = mapped_column(String(16))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signature_digest: Mapped[str | None] = mapped_column(String(64))
    signature_value: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    card: Mapped[Card] = relationship()
    case_file: Mapped[CaseFile | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    prepared_by: Mapped[User | None] = relationship(foreign_keys=[prepared_by_id])
    controller: Mapped[User | None] = relationship(foreign_keys=[controller_id])
    parent_assignment: Mapped[Assignment | None] = relationship(
        foreign_keys=[parent_assignment_id], back_populates='children'
    )
    assignments: Mapped[list[Assignment]] = relationship(
        foreign_keys='Assignment.resolution_id',
        back_populates='resolution',
        cascade='all, delete-orphan',
        order_by='(Assignment.is_responsible.desc(), Assignment.id)',
    )

    @property
    def status_label(self) -> str:
        return RESOLUTION_STATUS_LABELS[self.status]

    @property
    def is_draft(self) -> bool:
        return self.status in (ResolutionStatus.draft, ResolutionStatus.returned)

    @property
    def is_top_level(self) -> bool:
        return self.parent_assignment_id is None

    @property
    def responsible(self) -> Assignment | None:
        return next((item for item in self.assignments if item.is_responsible), None)

    @property
    def is_on_control(self) -> bool:
        return self.is_controlled and self.status == ResolutionStatus.approved


class Assignment(CreatedAtMixin, db.Model):
    """One executor's part of a resolution: responsible or co-executor, with a deadline."""

    __tablename__ = 'resolutions_assignments'
    __table_args__ = (
        # «Мои поручения»: the open ones of one executor in deadline order (a LIMITed page reads just its rows), and
        # every status of one executor for the other filters and counts.
        Index(
            'ix_resolutions_assignments_open_by_executor',
            'executor_id',
            'deadline',
            'id',
            postgresql_where=text(OPEN_CONDITION),
            sqlite_where=text(OPEN_CONDITION),
        ),
        Index('ix_resolutions_assignments_executor', 'executor_id', 'status', 'deadline'),
        # Overdue and completion checks of a resolution.
        Index('ix_resolutions_assignments_resolution', 'resolution_id', 'status', 'deadline'),
        # Reminders over all open items and the execution-discipline report of an organization.
        Index('ix_resolutions_assignments_status_deadline', 'status', 'deadline'),
        Index('ix_resolutions_assignments_org_deadline', 'organization_id', 'deadline'),
        # The «Просроченные» folder and its count: the in-work parts past a date, joined to their resolutions.
        Index(
            'ix_resolutions_assignments_in_work_deadline',
            'deadline',
            'resolution_id',
            postgresql_where=text("status = 'in_work'"),
            sqlite_where=text("status = 'in_work'"),
        ),
        # «Мои поручения» filtered by «Исполненные» / «Все»: one executor's parts, newest execution first.
        Index('ix_resolutions_assignments_executor_executed', 'executor_id', 'executed_at', 'deadline', 'id'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resolution_id: Mapped[int] = mapped_column(
        ForeignKey('resolutions_resolutions.id', name='fk_resolutions_assignments_resolution_id', ondelete='CASCADE'),
        nullable=False,
    )
    #: Denormalized from the resolution and its card, so that folders and reports filter without joins.
    organization_id: Mapped[int] = mapped_column(
        ForeignKey('directory_organizations.id', name='fk_resolutions_assignments_organization_id'), nullable=False
    )
    card_id: Mapped[int] = mapped_column(ForeignKey('registry_cards.id'), nullable=False, index=True)
    executor_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False)
    is_responsible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    deadline: Mapped[date] = mapped_column(Date, nullable=False)
    #: The deadline as signed with the resolution; extensions change only `deadline`.
    initial_deadline: Mapped[date] = mapped_column(Date, nullable=False)
    #: How the deadline was counted (the calendar's explanation, or the author's date, or the extension granted).
    deadline_explanation: Mapped[str] = mapped_column(String(EXPLANATION_MAX), nullable=False, default='')
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_column(AssignmentStatus, 'assignment_status'), nullable=False, default=AssignmentStatus.draft
    )
    executed_at: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resolution: Mapped[Resolution] = relationship(foreign_keys=[resolution_id], back_populates='assignments')
    executor: Mapped[User] = relationship()
    card: Mapped[Card] = relationship()
    children: Mapped[list[Resolution]] = relationship(
        foreign_keys='Resolution.parent_assignment_id', back_populates='parent_assignment', order_by='Resolution.id'
    )

    @property
    def status_label(self) -> str:
        return ASSIGNMENT_STATUS_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ASSIGNMENT_STATUSES

    @property
    def role_label(self) -> str:
        return 'Ответственный исполнитель' if self.is_responsible else 'Соисполнитель'
