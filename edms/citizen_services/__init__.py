"""Public services of the catalogue (legal-entity cabinet, temporary registration, taxpayer cabinet) and the
applications for them.

The pure part: what each service is (a `ServiceDefinition` in `catalogue`), the rules an application must satisfy
(`rules`), checking an application (`validation.check_application`) and reading one uploaded as XML
(`xml_forms.parse_application_xml`) — no models, no database.

The workflow on top of it: applications as data (`models`: providers of each service, applications, their status
history and files), who may see and decide them (`permissions`), the lists (`queries`) and the changes
(`operations`: filing by the applicant, an MFC operator or a partner, the КЭП-signed XML upload, clarification,
resubmission, approval, refusal, the providers). Each application is an incoming card of the deciding agency.

    from edms.citizen_services.catalogue import get_service
    from edms.citizen_services.validation import check_application

    service = get_service('temporary_registration')
    checked = check_application(service, data, attachments, today=today, signatures=facts, channel='portal')
    checked.raise_if_invalid()        # ApplicationInvalid (a ValidationFailed) naming every problem
    checked.values                    # normalized: dates as date, phone '+7 XXX XXX-XX-XX', СНИЛС 11 digits
    service.deadlines.deadline(calendar, submitted_on)   # a core calendar Deadline with its explanation

    from edms.citizen_services.operations import file_application, approve
    application = file_application(user, 'temporary_registration', data, files, channel='portal')
"""
