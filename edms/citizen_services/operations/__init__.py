"""Changing applications: filing (`filing`), the agency's decisions and the applicant's resubmission (`decisions`),
the providers of each service (`providers`). Every change is journaled; the operations flush, never commit.

    application = file_application(user, 'temporary_registration', data, files, channel='portal')
    request_clarification(official, application, 'Приложите договор аренды целиком.')
    resubmit(user, application, data, files)
    approve(official, application, result_pdf)           # or refuse(official, application, ['personal_data'], '…')
"""

from edms.citizen_services.operations import legal_cabinets  # noqa: F401  (registers the cabinet's outcome)
from edms.citizen_services.operations.decisions import (
    approve,
    refuse,
    request_clarification,
    resubmit,
    resubmit_xml,
)
from edms.citizen_services.operations.filing import file_application, file_application_xml
from edms.citizen_services.operations.providers import (
    create_provider,
    delete_provider,
    set_provider_active,
    update_provider,
)
from edms.citizen_services.operations.uploads import UploadedFile

__all__ = [
    'UploadedFile',
    'approve',
    'create_provider',
    'delete_provider',
    'file_application',
    'file_application_xml',
    'refuse',
    'request_clarification',
    'resubmit',
    'resubmit_xml',
    'set_provider_active',
    'update_provider',
]
