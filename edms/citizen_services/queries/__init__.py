"""Reading citizen services, one file per part: applications and providers (`applications`); later parts
(interagency requests, complaints, cabinets…) live beside it. The application reads are re-exported here."""

from edms.citizen_services.queries.applications import (
    DEFAULT_PER_PAGE,
    FILTER_FIELDS,
    MAX_PER_PAGE,
    SCOPES,
    ApplicationFilter,
    ApplicationPage,
    Scope,
    active_provider,
    application_of_card,
    default_scope,
    get_application,
    get_application_file,
    get_provider,
    get_result_attachment,
    list_applications,
    list_providers,
    portal_account_by_snils,
    read_filter,
)

__all__ = [
    'DEFAULT_PER_PAGE',
    'FILTER_FIELDS',
    'MAX_PER_PAGE',
    'SCOPES',
    'ApplicationFilter',
    'ApplicationPage',
    'Scope',
    'active_provider',
    'application_of_card',
    'default_scope',
    'get_application',
    'get_application_file',
    'get_provider',
    'get_result_attachment',
    'list_applications',
    'list_providers',
    'portal_account_by_snils',
    'read_filter',
]
