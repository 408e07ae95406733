"""Imports the models of every domain module so that the metadata (and Alembic) sees all tables."""

from edms.audit.models import AuditEntry, AuditHead
from edms.auth.confirmation import ConfirmationCode
from edms.auth.models import ApiToken, User, UserRole, UserSession
from edms.citizen_services.models import Application, ApplicationEvent, ApplicationFile, ServiceProvider
from edms.citizen_services.models.complaints import Complaint
from edms.citizen_services.models.interagency import EgrulEntry, InteragencyProvider, InteragencyRequest
from edms.citizen_services.models.legal_cabinets import LegalCabinetMember, LegalEntityCabinet, StaffChangeSignature
from edms.core.calendar.models import CalendarDay
from edms.directory.models import Department, Organization, Position
from edms.exchange.models import Dispatch, DispatchEvent, ExchangeParticipant, InboxPacket, OutboxPacket
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
from edms.routing.models import RoutingDecision, RoutingRule
from edms.signatures.models import (
    AttachmentSignature,
    CertificateRevocationList,
    RegistrationSignature,
    TrustedCertificate,
    UserCertificate,
    VerificationRecord,
)

__all__ = [
    'ApiToken',
    'Application',
    'ApplicationEvent',
    'ApplicationFile',
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
    'Complaint',
    'ConfirmationCode',
    'DeadlineExtension',
    'Department',
    'Dispatch',
    'DispatchEvent',
    'EgrulEntry',
    'ExchangeParticipant',
    'ExecutionReport',
    'InboxPacket',
    'InteragencyProvider',
    'InteragencyRequest',
    'Journal',
    'LegalCabinetMember',
    'LegalEntityCabinet',
    'Notification',
    'Organization',
    'OutboxPacket',
    'Position',
    'RegistrationSignature',
    'ReportFile',
    'Resolution',
    'ResolutionEvent',
    'RoutingDecision',
    'RoutingRule',
    'ServiceProvider',
    'StaffChangeSignature',
    'TrustedCertificate',
    'User',
    'UserCertificate',
    'UserRole',
    'UserSession',
    'VerificationRecord',
]
