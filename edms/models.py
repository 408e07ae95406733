"""Imports the models of every domain module so that the metadata (and Alembic) sees all tables."""

from edms.audit.models import AuditEntry, AuditHead
from edms.auth.models import ApiToken, User, UserRole, UserSession
from edms.core.calendar.models import CalendarDay
from edms.directory.models import Department, Organization, Position
from edms.registry.models import Attachment, Card, CardAccessGrant, CardAddressee, CardLink, CaseFile, Journal

__all__ = [
    'ApiToken',
    'Attachment',
    'AuditEntry',
    'AuditHead',
    'CalendarDay',
    'Card',
    'CardAccessGrant',
    'CardAddressee',
    'CardLink',
    'CaseFile',
    'Department',
    'Journal',
    'Organization',
    'Position',
    'User',
    'UserRole',
    'UserSession',
]
