"""Models of the resolutions module: import every aggregate so that the mapper sees them all."""

from edms.resolutions.models.enums import (
    AssignmentStatus,
    EventKind,
    ExtensionStatus,
    ReportAddressee,
    ReportStatus,
    ResolutionStatus,
)
from edms.resolutions.models.events import ResolutionEvent
from edms.resolutions.models.resolutions import Assignment, Resolution
from edms.resolutions.models.work import DeadlineExtension, ExecutionReport, ReportFile

__all__ = [
    'Assignment',
    'AssignmentStatus',
    'DeadlineExtension',
    'EventKind',
    'ExecutionReport',
    'ExtensionStatus',
    'ReportAddressee',
    'ReportFile',
    'ReportStatus',
    'Resolution',
    'ResolutionEvent',
    'ResolutionStatus',
]
