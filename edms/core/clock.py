"""The clock: timezone-aware UTC now and the agency's local date (deadlines and registration dates are local)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = 'Europe/Moscow'


def utcnow() -> datetime:
    """Current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def local_today(timezone: str = DEFAULT_TIMEZONE) -> date:
    """Today's date in the agency's time zone."""
    return datetime.now(ZoneInfo(timezone)).date()


def to_local(moment: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """A UTC timestamp shown in the agency's time zone."""
    return moment.astimezone(ZoneInfo(timezone))
