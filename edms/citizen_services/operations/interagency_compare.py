"""The comparison of an answer with the application: each field the service's need names (`compared_fields`) that the
answer holds is compared with the application's value after ignoring case, ё/е, quotes and spacing; every field that
differs is listed with its Russian label and both values as a person reads them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from edms.citizen_services.interagency_kinds import kind_of_need
from edms.citizen_services.models import Application
from edms.citizen_services.operations.common import service_of
from edms.citizen_services.rules.fields import value_at

ISO_DATE = re.compile(r'\d{4}-\d{2}-\d{2}')
QUOTES = str.maketrans('', '', '«»"“”„\'')


def compared_fields(application: Application, data_kind: str) -> tuple[str, ...]:
    """The fields the service compares for this kind of data (none when the service declares no such need)."""
    for need in service_of(application).interagency:
        if kind_of_need(need).key == data_kind:
            return need.compared_fields
    return ()


def mismatches_of(application: Application, data_kind: str, answer: Mapping[str, str]) -> list[dict[str, str]]:
    """Every compared field the answer holds whose value differs from the application's."""
    labels = service_of(application).labels
    found = []
    for path in compared_fields(application, data_kind):
        registry = answer.get(path)
        if registry in (None, ''):
            continue  # the register does not hold it: nothing to compare
        mine = value_at(application.values, path)
        if normalized(mine) != normalized(registry):
            found.append(
                {
                    'field': path,
                    'label': labels.get(path, path),
                    'application_value': shown(mine),
                    'registry_value': shown(registry),
                }
            )
    return found


def normalized(value: Any) -> str:
    text = '' if value is None else str(value)
    return ' '.join(text.replace('ё', 'е').replace('Ё', 'Е').translate(QUOTES).split()).casefold()


def shown(value: Any) -> str:
    """A value as a person reads it: ГГГГ-ММ-ДД as ДД.ММ.ГГГГ, nothing as «—»."""
    if value in (None, ''):
        return '—'
    text = str(value)
    if ISO_DATE.fullmatch(text):
        return date.fromisoformat(text).strftime('%d.%m.%Y')
    return text
