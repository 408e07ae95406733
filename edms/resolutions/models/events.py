"""Domain events of execution: written in the transaction of each step; notifications and the exchange read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from edms.core.db import CreatedAtMixin, UTCDateTime, db
from edms.registry.models.enums import enum_column
from edms.resolutions.models.enums import EVENT_KIND_LABELS, EventKind


class ResolutionEvent(CreatedAtMixin, db.Model):
    """One step of execution; `delivered_at` is set by the notifications job, `exported_at` by the exchange."""

    __tablename__ = 'resolutions_events'
    __table_args__ = (
        Index('ix_resolutions_events_card', 'card_id', 'id'),
        # the exchange's sweep looks for events it has not seen yet: a handful among millions
        Index(
            'ix_resolutions_events_unexported',
            'id',
            postgresql_where=text('exported_at IS NULL'),
            sqlite_where=text('exported_at IS NULL'),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, 'sqlite'), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    card_id: Mapped[int] = mapped_column(ForeignKey('registry_cards.id'), nullable=False)
    resolution_id: Mapped[int] = mapped_column(ForeignKey('resolutions_resolutions.id'), nullable=False, index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey('resolutions_assignments.id'))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, 'resolution_event_kind'), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    #: Details of the step (report id, deadlines, comments) as plain JSON values.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def kind_label(self) -> str:
        return EVENT_KIND_LABELS[self.kind]
