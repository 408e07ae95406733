"""Public services of the catalogue (legal-entity cabinet, temporary registration, taxpayer cabinet): what each
service is (a `ServiceDefinition` in `catalogue`), the rules an application must satisfy (`rules`), checking an
application (`validation.validate_application` / `check_application`) and reading one uploaded as XML
(`xml_forms.parse_application_xml`). Pure code: no models, no database; the workflow is built on top of it.

    from edms.citizen_services.catalogue import get_service
    from edms.citizen_services.validation import check_application

    service = get_service('temporary_registration')
    checked = check_application(service, data, attachments, today=today, signatures=facts, channel='portal')
    checked.raise_if_invalid()        # ApplicationInvalid (a ValidationFailed) naming every problem
    checked.values                    # normalized: dates as date, phone '+7 XXX XXX-XX-XX', СНИЛС 11 digits
    service.deadlines.deadline(calendar, submitted_on)   # a core calendar Deadline with its explanation
"""
