"""Domain errors: each carries a machine code, a Russian message for the user and, for input errors, per-field messages.

`web` and `api` turn them into 4xx answers; nothing a user can cause should surface as a 500.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every error a user can cause; `status` is the HTTP status the entry points answer with."""

    code = 'domain_error'
    status = 400
    message = 'Операция не может быть выполнена.'

    def __init__(self, message: str | None = None, *, fields: Mapping[str, str] | None = None) -> None:
        self.message = message or self.message
        self.fields: dict[str, str] = dict(fields or {})
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Input failed validation; `fields` maps each field name to a Russian message naming the field and the rule."""

    code = 'validation_failed'
    status = 422
    message = 'Данные содержат ошибки, исправьте отмеченные поля.'


class NotFound(DomainError):
    """The object does not exist or the user may not know it exists (another organization's object is a 404)."""

    code = 'not_found'
    status = 404
    message = 'Объект не найден.'


class Forbidden(DomainError):
    """The user is known to see the object but lacks the right for this action."""

    code = 'forbidden'
    status = 403
    message = 'Недостаточно прав для этого действия.'


class Conflict(DomainError):
    """The action conflicts with the current state of the object."""

    code = 'conflict'
    status = 409
    message = 'Действие невозможно в текущем состоянии объекта.'


class FieldErrors:
    """Collects per-field messages so that a form or a request reports every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(fields=self.fields)


def error_payload(code: str, message: str, fields: Mapping[str, str] | None = None) -> dict[str, object]:
    """The JSON body of an API error: `{"error": {"code": …, "message": …, "fields": {…}}}`."""
    return {'error': {'code': code, 'message': message, 'fields': dict(fields or {})}}
