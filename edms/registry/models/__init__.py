"""Models of the registry: import every aggregate so that the mapper sees them all."""

from edms.registry.models.attachments import Attachment
from edms.registry.models.cards import (
    AccessMark,
    Card,
    CardAccessGrant,
    CardAddressee,
    CardKind,
    CardLink,
    CardStatus,
    CorrespondentType,
    DeliveryMethod,
    LinkKind,
)
from edms.registry.models.casefiles import CaseFile
from edms.registry.models.journals import Journal

__all__ = [
    'AccessMark',
    'Attachment',
    'Card',
    'CardAccessGrant',
    'CardAddressee',
    'CardKind',
    'CardLink',
    'CardStatus',
    'CaseFile',
    'CorrespondentType',
    'DeliveryMethod',
    'Journal',
    'LinkKind',
]
