"""Field specifications and reading an application's fields: every field read, every problem kept.

Input may be nested (`{'applicant': {'passport': {'series': '4510'}}}`, as JSON and XML give it) or flat with
dotted names (`{'applicant.passport.series': '4510'}`, as an HTML form gives it); fields are named by their dotted
path either way, and the normalized values come back nested.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from edms.citizen_services.rules.problems import REQUIRED, UNKNOWN, Problem
from edms.citizen_services.rules.readers import Invalid, Reader, is_empty, quoted
from edms.citizen_services.rules.situation import Requirement, Situation, applies, when_text


@dataclass(frozen=True)
class FieldSpec:
    """One field: its dotted path, the Russian label used in messages, its reader and when it is required."""

    path: str
    label: str
    read: Reader
    required: Requirement = True


def value_at(values: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of nested values; None when a part is missing."""
    node: Any = values
    for part in path.split('.'):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def flatten(data: Mapping[str, Any], prefix: str = '') -> dict[str, Any]:
    """Dotted paths to leaf values; nested mappings are walked, anything else is a leaf."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f'{prefix}{key}'
        if isinstance(value, Mapping):
            flat.update(flatten(value, f'{path}.'))
        else:
            flat[path] = value
    return flat


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `flatten`: {'a.b': 1} → {'a': {'b': 1}}."""
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split('.')
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def read_fields(fields: Iterable[FieldSpec], raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Normalized values of the fields that read without a problem, and a problem for every other one given.

    `raw` is flat (see `flatten`). A key no field knows is a problem too: nothing the applicant sent is ignored.
    """
    specs = {spec.path: spec for spec in fields}
    problems = [
        Problem(path, f'Неизвестное поле «{path}».', UNKNOWN)
        for path in raw
        if path not in specs and not is_empty(raw[path])
    ]
    values: dict[str, Any] = {}
    for path, spec in specs.items():
        value = raw.get(path)
        if is_empty(value):
            continue
        try:
            values[path] = spec.read(value, spec.label)
        except Invalid as error:
            problems.append(Problem(path, error.message, error.code))
    return values, problems


def missing_fields(fields: Iterable[FieldSpec], raw: Mapping[str, Any], situation: Situation) -> list[Problem]:
    """A problem for each required field (always, or under its condition) left empty."""
    return [
        Problem(spec.path, f'{quoted(spec.label)}: обязательное поле{when_text(spec.required)}.', REQUIRED)
        for spec in fields
        if is_empty(raw.get(spec.path)) and applies(spec.required, situation)
    ]
