"""Administrators' changes to the shipped calendar: a date made a working day or a day off, with the reason."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from edms.core.clock import utcnow
from edms.core.db import UTCDateTime, db


class CalendarDay(db.Model):
    """One date whose status differs from the shipped data (a late decree, a regional holiday, a correction)."""

    __tablename__ = 'core_calendar_days'

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean, nullable=False)
    note: Mapped[str] = mapped_column(String(255), nullable=False, default='')
    #: The administrator who set it; a plain id because `core` sits below the users' module.
    changed_by_id: Mapped[int | None] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
