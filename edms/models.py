"""Imports the models of every domain module so that the metadata (and Alembic) sees all tables."""

from edms.audit.models import AuditEntry, AuditHead
from edms.auth.models import ApiToken, User, UserRole, UserSession
from edms.core.calendar.models import CalendarDay
from edms.directory.models import Department, Organization, Position
from edms.notifications.models import Notification
from edms.registry.models import Attachment, Card, CardAccessGrant, CardAddressee, CardLink, CaseFile, Journal
from edms.resolutions.models import (
    Assignment,
    DeadlineExtension,
    ExecutionReport,
    ReportFile,
    Resolution,
    ResolutionEvent,
)
from edms.signatures.models import (
    AttachmentSignature,
    CertificateRevocationList,
    TrustedCertificate,
    UserCertificate,
    VerificationRecord,
)

__all__ = [
    'ApiToken',
    'Assignment',
    'Attachment',
    'AttachmentSignature',
    'AuditEntry',
    'AuditHead',
    'CalendarDay',
    'Card',
    'CardAccessGrant',
    'CardAddressee',
    'CardLink',
    'CaseFile',
    'CertificateRevocationList',
    'DeadlineExtension',
    'Department',
    'ExecutionReport',
    'Journal',
    'Notification',
    'Organization',
    'Position',
    'ReportFile',
    'Resolution',
    'ResolutionEvent',
    'TrustedCertificate',
    'User',
    'UserCertificate',
    'UserRole',
    'UserSession',
    'VerificationRecord',
]
