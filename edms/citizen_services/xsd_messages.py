"""XSD errors of an application XML in Russian, each naming the element and the field it carries, and the outline
of a service XSD (every element path and whether it is required), which also says which elements are missing.

libxml2 reports in English with its own codes (`_LogEntry.type_name`); the common ones are translated, anything else
keeps libxml2's text after a Russian head.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.rules.problems import REQUIRED, SCHEMA, Problem
from edms.core.xml import hardened_parser

ROOT_ELEMENT = 'application'
XS = '{http://www.w3.org/2001/XMLSchema}'
#: At most this many XSD errors are reported (a hostile document may carry thousands).
MAX_PROBLEMS = 50

_ENUMERATION = re.compile(r'set \{(.*)\}')
_LENGTH = re.compile(r"length of '(\d+)'")
_ATOMIC_TYPE = re.compile(r"atomic type '(?:xs:|\{[^}]*\})?(\w+)'")
_TYPE_HINTS = {
    'date': 'ожидается дата в формате ГГГГ-ММ-ДД',
    'boolean': 'ожидается true или false',
    'integer': 'ожидается целое число',
}


def xsd_problems(service: ServiceDefinition, root: etree._Element, entries: list[etree._LogEntry]) -> list[Problem]:
    """A Russian problem for each XSD error of `root` (missing elements one by one)."""
    outline = schema_outline(service.schema_path)
    problems: list[Problem] = []
    for entry in entries[:MAX_PROBLEMS]:
        problems.extend(_entry_problems(service, root, entry, outline))
    return problems


def _entry_problems(
    service: ServiceDefinition, root: etree._Element, entry: etree._LogEntry, outline: dict[str, bool]
) -> list[Problem]:
    kind = entry.type_name
    if kind == 'SCHEMAV_CVC_ELT_1':
        text = (
            f'Заявление в формате XML: корневой элемент должен быть «{ROOT_ELEMENT}» в пространстве имён '
            f'«{service.xml_namespace}» (услуга «{service.title}»).'
        )
        return [Problem('xml', text, SCHEMA)]
    element = _element_at(root, entry.path)
    path = field_path(element)
    if 'Missing child element' in entry.message:
        missing = _missing_children(element, path, outline)
        if missing:
            text = 'обязательный элемент отсутствует'
            return [Problem(child, f'{_name(service, child)}: {text}.', REQUIRED) for child in missing]
    return [Problem(path or 'xml', f'{_name(service, path)}: {_detail(entry, element)}.', SCHEMA)]


def _detail(entry: etree._LogEntry, element: etree._Element) -> str:
    kind, message = entry.type_name, entry.message
    value = f'значение «{(element.text or "").strip()}»'
    if kind == 'SCHEMAV_CVC_PATTERN_VALID':
        return f'{value} имеет недопустимый формат'
    if kind == 'SCHEMAV_CVC_ENUMERATION_VALID':
        found = _ENUMERATION.search(message)
        allowed = found.group(1).replace("'", '') if found else ''
        return f'{value} не из списка допустимых ({allowed})'
    if kind in ('SCHEMAV_CVC_MAXLENGTH_VALID', 'SCHEMAV_CVC_MINLENGTH_VALID'):
        limits = _LENGTH.findall(message)
        bound = 'не более' if kind == 'SCHEMAV_CVC_MAXLENGTH_VALID' else 'не менее'
        return f'длина {limits[0] if limits else "?"}, допускается {bound} {limits[-1] if limits else "?"} символов'
    if kind == 'SCHEMAV_CVC_DATATYPE_VALID_1_2_1':
        found = _ATOMIC_TYPE.search(message)
        hint = _TYPE_HINTS.get(found.group(1) if found else '', 'недопустимое значение')
        return f'{value}: {hint}'
    if kind == 'SCHEMAV_CVC_TYPE_3_1_2':
        return 'не может содержать вложенные элементы'
    if 'not expected' in message:
        return 'не предусмотрен схемой, повторяется или стоит не на своём месте'
    if 'Missing child element' in message:
        return 'не хватает вложенных элементов'
    return f'нарушение схемы (строка {entry.line}): {message}'


def _name(service: ServiceDefinition, path: str) -> str:
    """«Серия паспорта» (элемент applicant/passport/series), or the element alone when no field has this path."""
    element = f'элемент {ROOT_ELEMENT}/{path.replace(".", "/")}' if path else f'элемент {ROOT_ELEMENT}'
    label = service.labels.get(path)
    return f'«{label}» ({element})' if label else element[:1].upper() + element[1:]


def _element_at(root: etree._Element, xpath: str | None) -> etree._Element:
    """The element libxml2's error path (/*/*[2]/*[1]) points at, or the root when it cannot be found."""
    try:
        found = root.getroottree().xpath(xpath) if xpath else []
    except etree.XPathError:
        found = []
    return found[0] if found and isinstance(found[0], etree._Element) else root


def field_path(element: etree._Element) -> str:
    """'applicant.passport.series' for /application/applicant/passport/series; '' for the root."""
    names = [etree.QName(node).localname for node in (element, *element.iterancestors())]
    return '.'.join(reversed(names[:-1]))


def _missing_children(element: etree._Element, path: str, outline: dict[str, bool]) -> list[str]:
    present = {etree.QName(child).localname for child in element.iterchildren(tag=etree.Element)}
    prefix = f'{path}.' if path else ''
    return [
        child
        for child, required in outline.items()
        if required
        and child.startswith(prefix)
        and '.' not in child[len(prefix) :]
        and child[len(prefix) :] not in present
    ]


@lru_cache(maxsize=32)
def schema_outline(schema_path: Path) -> dict[str, bool]:
    """Every element path under the root `application` of a service XSD, and whether the element is required
    (minOccurs not 0). Inline complex types and named ones of the schema are followed."""
    tree = etree.parse(str(schema_path), hardened_parser())
    schema = tree.getroot()
    named = {node.get('name'): node for node in schema.findall(f'{XS}complexType')}
    roots = [node for node in schema.findall(f'{XS}element') if node.get('name') == ROOT_ELEMENT]
    outline: dict[str, bool] = {}
    if roots:
        _walk(roots[0], '', named, outline)
    return outline


def _walk(element: etree._Element, prefix: str, named: dict[str, etree._Element], outline: dict[str, bool]) -> None:
    complex_type = element.find(f'{XS}complexType')
    if complex_type is None and element.get('type'):
        complex_type = named.get(element.get('type', '').rpartition(':')[2])
    if complex_type is None:
        return
    for group in complex_type.iterchildren(f'{XS}all', f'{XS}sequence'):
        for child in group.iterchildren(f'{XS}element'):
            path = f'{prefix}{child.get("name")}'
            outline[path] = group.get('minOccurs', '1') != '0' and child.get('minOccurs', '1') != '0'
            _walk(child, f'{path}.', named, outline)
