"""Russian labels of every enumeration, exposed to templates as `labels`."""

from edms.auth.models import ROLE_LABELS
from edms.directory.models import ORGANIZATION_KIND_LABELS
from edms.registry.models.enums import (
    ACCESS_MARK_LABELS,
    CORRESPONDENT_TYPE_LABELS,
    DELIVERY_LABELS,
    KIND_LABELS,
    LINK_LABELS,
    STATUS_LABELS,
)

__all__ = [
    'ACCESS_MARK_LABELS',
    'CORRESPONDENT_TYPE_LABELS',
    'DELIVERY_LABELS',
    'KIND_LABELS',
    'LINK_LABELS',
    'ORGANIZATION_KIND_LABELS',
    'ROLE_LABELS',
    'STATUS_LABELS',
]
