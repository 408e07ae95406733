"""The rules an application is checked by: field readers, conditions, attachment and signature rules, cross-field
rules. Each rule is small and reusable; a service is a list of them (see `edms.citizen_services.services`)."""
