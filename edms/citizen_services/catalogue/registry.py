"""The registry of services: the three services of the seeds, and `register` for another one (a new module with a
`ServiceDefinition`; the workflow finds it by its code like any other)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.errors import UnknownService
from edms.citizen_services.services import legal_entity_cabinet, taxpayer_cabinet, temporary_registration


class ServiceCatalogue:
    """Services by code, in the order they were registered."""

    def __init__(self, services: Iterable[ServiceDefinition] = ()) -> None:
        self._services: dict[str, ServiceDefinition] = {}
        for service in services:
            self.register(service)

    def register(self, service: ServiceDefinition) -> ServiceDefinition:
        """Add a service; ValueError when its code is taken."""
        if service.code in self._services:
            raise ValueError(f'service {service.code!r} is already registered')
        self._services[service.code] = service
        return service

    def unregister(self, code: str) -> None:
        """Remove a service (tests; a running system keeps its catalogue)."""
        self._services.pop(code, None)

    def get(self, code: str) -> ServiceDefinition:
        """The service with this code; `UnknownService` (a 404) otherwise."""
        try:
            return self._services[code]
        except KeyError:
            raise UnknownService from None

    def find(self, code: str | None) -> ServiceDefinition | None:
        """The service with this code, or None."""
        return self._services.get(code) if code is not None else None

    def __iter__(self) -> Iterator[ServiceDefinition]:
        return iter(list(self._services.values()))

    def __contains__(self, code: object) -> bool:
        return code in self._services


catalogue = ServiceCatalogue(
    [legal_entity_cabinet.SERVICE, temporary_registration.SERVICE, taxpayer_cabinet.SERVICE],
)


def get_service(code: str) -> ServiceDefinition:
    """The service of the catalogue with this code; `UnknownService` otherwise."""
    return catalogue.get(code)


def find_service(code: str | None) -> ServiceDefinition | None:
    """The service of the catalogue with this code, or None (a code stored by a service since removed, or none)."""
    return catalogue.find(code)


def all_services() -> list[ServiceDefinition]:
    return list(catalogue)
