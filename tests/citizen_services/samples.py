"""Valid applications of the three services, their files and signature facts, and an XML writer, for the tests.

Identifiers are well-known valid ones (ОГРН 1027700132195, ИНН 7707083893, ИНН 500100732259, СНИЛС 112-233-445 95).
Every builder returns a fresh structure; `with_value(data, 'a.b', value)` changes one field (None removes it).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lxml import etree

from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.rules.facts import AttachmentFile, SignatureFacts
from edms.core.filetypes import PDF

TODAY = date(2026, 3, 2)  # a Monday
OGRN, INN_LEGAL, KPP = '1027700132195', '7707083893', '773601001'
INN_PERSON, SNILS, SNILS_DIGITS = '500100732259', '112-233-445 95', '11223344595'
START = TODAY + timedelta(days=8)


def ru(day: date) -> str:
    return day.strftime('%d.%m.%Y')


def moment(day: date, hour: int = 9) -> datetime:
    """A moment of `day` in Moscow time, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=3)


def address() -> dict[str, str]:
    return {
        'postal_code': '101000',
        'region': 'г. Москва',
        'locality': 'Москва',
        'street': 'ул. Мясницкая',
        'house': '10',
        'apartment': '5',
    }


def temporary_registration() -> dict[str, Any]:
    """A Russian adult, not the owner, filing himself; 90 days of stay from START."""
    return {
        'applicant': {
            'last_name': 'Петров',
            'first_name': 'Пётр',
            'middle_name': 'Петрович',
            'birth_date': '15.04.1990',
            'citizenship': 'russian',
            'passport': {'series': '4510', 'number': '123456', 'issue_date': '20.05.2010', 'issuer': 'ОВД «Тверской»'},
            'inn': INN_PERSON,
            'snils': SNILS,
        },
        'contacts': {'phone': '+7 912 345-67-89', 'email': 'petrov@example.ru'},
        'stay': {
            'address': address(),
            'start_date': ru(START),
            'end_date': ru(START + timedelta(days=89)),
            'reason': 'work',
            'applicant_is_owner': 'false',
        },
        'filed_by': 'self',
        'owner': {
            'last_name': 'Сидорова',
            'first_name': 'Анна',
            'passport': {'series': '4612', 'number': '654321', 'issue_date': '01.02.2015'},
        },
    }


def legal_entity_cabinet() -> dict[str, Any]:
    return {
        'organization': {
            'name': 'Общество с ограниченной ответственностью «Ромашка»',
            'legal_form': 'Общество с ограниченной ответственностью',
            'ogrn': OGRN,
            'inn': INN_LEGAL,
            'kpp': KPP,
            'registration_date': '22.08.2002',
            'legal_address': address(),
        },
        'head': {
            'last_name': 'Иванов',
            'first_name': 'Иван',
            'middle_name': 'Иванович',
            'position': 'Генеральный директор',
            'inn': INN_PERSON,
            'snils': SNILS,
            'passport': {'series': '4510', 'number': '123456', 'issue_date': '20.05.2010', 'issuer': 'ОВД «Тверской»'},
        },
    }


def taxpayer_cabinet() -> dict[str, Any]:
    return {'inn': INN_PERSON, 'snils': SNILS, 'birth_date': '15.04.1990', 'email': 'petrov@example.ru'}


def with_value(data: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `data` with the field at `path` set to `value` (removed when `value` is None)."""
    result = copy.deepcopy(dict(data))
    *parents, leaf = path.split('.')
    node = result
    for part in parents:
        node = node.setdefault(part, {})
    if value is None:
        node.pop(leaf, None)
    else:
        node[leaf] = value
    return result


def pdf(kind: str, name: str = '') -> AttachmentFile:
    return AttachmentFile(kind, name or f'{kind}.pdf', 200_000, PDF)


def qualified(role: str, *, signed: date = TODAY, sent: date = TODAY, **facts: Any) -> SignatureFacts:
    """A valid qualified signature of `role`, signed and sent at 09:00 and 10:00 of the given days; the certificate
    is valid from a year before TODAY to a year after."""
    values: dict[str, Any] = {
        'role': role,
        'method': 'qualified',
        'verdict': 'valid',
        'sent_at': moment(sent, 10),
        'signing_time': moment(signed),
        'qualified': True,
        'not_before': moment(TODAY - timedelta(days=365)),
        'not_after': moment(TODAY + timedelta(days=365)),
        'snils': SNILS_DIGITS,
        'inn': INN_PERSON,
    }
    values.update(facts)
    return SignatureFacts(**values)


def head_signature(**facts: Any) -> SignatureFacts:
    return qualified('application', **{'ogrn': OGRN, 'inn_le': INN_LEGAL, **facts})


_RU_DATE = re.compile(r'(\d{2})\.(\d{2})\.(\d{4})')


def to_xml(service: ServiceDefinition, data: Mapping[str, Any]) -> bytes:
    """The application XML of `data`: elements named by the field paths' parts, dates as ГГГГ-ММ-ДД."""
    root = etree.Element(f'{{{service.xml_namespace}}}application', nsmap={None: service.xml_namespace})
    _append(root, data, service.xml_namespace)
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8')


def _append(parent: etree._Element, data: Mapping[str, Any], namespace: str) -> None:
    for name, value in data.items():
        child = etree.SubElement(parent, f'{{{namespace}}}{name}')
        if isinstance(value, Mapping):
            _append(child, value, namespace)
        else:
            child.text = _RU_DATE.sub(r'\3-\2-\1', str(value))
