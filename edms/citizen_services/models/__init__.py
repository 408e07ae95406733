"""Citizen services as data, one file per part: applications with their providers, history and files
(`applications`); later parts (interagency requests, complaints, cabinets…) live beside it and are re-exported here
so that `from edms.citizen_services.models import Application` keeps working."""

from edms.citizen_services.models.applications import (
    APPLICANT_KIND_LABELS,
    APPLICANT_NAME_MAX,
    NUMBER_MAX,
    SERVICE_CODE_MAX,
    TEXT_MAX,
    ApplicantKind,
    Application,
    ApplicationEvent,
    ApplicationFile,
    ServiceProvider,
)

__all__ = [
    'APPLICANT_KIND_LABELS',
    'APPLICANT_NAME_MAX',
    'NUMBER_MAX',
    'SERVICE_CODE_MAX',
    'TEXT_MAX',
    'ApplicantKind',
    'Application',
    'ApplicationEvent',
    'ApplicationFile',
    'ServiceProvider',
]
