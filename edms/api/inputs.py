"""Reading API requests: JSON bodies (object only, strict syntax) and query strings, with Russian error messages.

Problems of the request itself are domain errors, so the app-level handlers answer them as JSON like any other:
415 when the body is not JSON, 400 when it does not parse, 422 when it is not an object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import request

from edms.core.errors import DomainError, ValidationFailed
from edms.core.validation import RawInput


class MalformedJson(DomainError):
    code = 'malformed_json'
    status = 400
    message = 'Тело запроса не является корректным JSON.'


class UnsupportedMediaType(DomainError):
    code = 'unsupported_media_type'
    status = 415
    message = 'Тело запроса должно быть в формате JSON (заголовок Content-Type: application/json).'


class BodyNotObject(ValidationFailed):
    code = 'body_not_object'
    message = 'Тело запроса должно быть JSON-объектом вида {"поле": значение}.'


def json_object(*, optional: bool = False) -> dict[str, Any]:
    """The request body as a JSON object; with `optional`, an empty body (no fields) is an empty object."""
    data = request.get_data(cache=True)
    if optional and not data.strip():
        return {}
    if not request.is_json:
        raise UnsupportedMediaType()
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise MalformedJson() from None
    if not isinstance(value, dict):
        raise BodyNotObject()
    return value


def _refuse_constant(name: str) -> None:
    """NaN and Infinity are not JSON, whatever Python's parser would accept."""
    raise ValueError(name)


def query(allowed: Iterable[str]) -> RawInput:
    """The query string as a `RawInput` refusing unknown parameters."""
    return RawInput(request.args, tuple(allowed))


def take_fields(body: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """Remove request-level flags from `body` and return them; the rest goes to the domain reader as it is."""
    return {name: body.pop(name) for name in tuple(names) if name in body}


def refuse_unknown(present: Iterable[str], allowed: Iterable[str]) -> None:
    """`ValidationFailed` naming every field that is not among `allowed` (form fields of an upload)."""
    form = RawInput(dict.fromkeys(present), tuple(allowed))
    form.finish()
