"""Audit entries and the chain head: each entry's hash covers the previous hash and the entry's canonical form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from edms.core.db import UTCDateTime, db

GENESIS_HASH = '0' * 64


class AuditEntry(db.Model):
    """One recorded action; never updated or deleted (the chain makes any change detectable)."""

    __tablename__ = 'audit_entries'

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, 'sqlite'), primary_key=True)
    #: Position in the chain, 1, 2, 3…; gapless, assigned under the head lock.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    #: Who acted; None for the system or an anonymous login attempt.
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    organization_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: Details: before/after values of changed fields, reasons, client address.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (db.Index('ix_audit_entries_object', 'object_type', 'object_id'),)


class AuditHead(db.Model):
    """A single row holding the last seq and hash; locked while an entry is appended to serialize the chain."""

    __tablename__ = 'audit_head'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False, default=GENESIS_HASH)
