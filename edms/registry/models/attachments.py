"""Files attached to a card; the bytes live in the content-addressed blob store under their sha256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from edms.core.db import CreatedAtMixin, UTCDateTime, db


class Attachment(CreatedAtMixin, db.Model):
    """One file of a card; removal is a soft delete so that the history stays complete."""

    __tablename__ = 'registry_attachments'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey('registry_cards.id', ondelete='CASCADE'), nullable=False, index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default='')
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
