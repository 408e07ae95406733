"""The service catalogue: `ServiceDefinition` (definition.py), deadlines as data (deadlines.py) and the registry of
services (registry.py: `get_service`, `all_services`, `catalogue.register`)."""
