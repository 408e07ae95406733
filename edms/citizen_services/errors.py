"""Errors of the citizen services, each with a code and a Russian message."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from edms.core.errors import Conflict, NotFound, ValidationFailed

if TYPE_CHECKING:
    from edms.citizen_services.rules.problems import Problem


class UnknownService(NotFound):
    """No service of the catalogue has this code."""

    code = 'unknown_service'
    message = 'Услуга не найдена в каталоге.'


class ApplicationInvalid(ValidationFailed):
    """An application (form, API or XML) with problems; `problems` lists every one, `fields` maps path → message."""

    code = 'application_invalid'

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        messages: dict[str, list[str]] = {}
        for problem in self.problems:
            messages.setdefault(problem.field, []).append(problem.message)
        fields = {field: ' '.join(texts) for field, texts in messages.items()}
        count = len(self.problems)
        super().__init__(f'Заявление содержит ошибки ({count}): исправьте отмеченные поля.', fields=fields)


class ApplicationNotFound(NotFound):
    """No such application, or one of another applicant or organization (never revealed)."""

    code = 'application_not_found'
    message = 'Заявление не найдено.'


class ProviderNotFound(NotFound):
    code = 'service_provider_not_found'
    message = 'Ведомство, предоставляющее услугу, не найдено.'


class ServiceUnavailable(Conflict):
    """The service has no active provider: nobody could decide the application, so it is not accepted."""

    code = 'service_unavailable'

    def __init__(self, title: str) -> None:
        super().__init__(
            f'Услуга «{title}» сейчас не предоставляется: не назначено ведомство, которое её оказывает. '
            'Заявление не принято; обратитесь в МФЦ или повторите попытку позже.'
        )


class ApplicationStateConflict(Conflict):
    """The action does not fit the application's status (approving a refused one, resubmitting without a request)."""

    code = 'application_state_conflict'
