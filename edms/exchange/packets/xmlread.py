"""Reading МЭДО XML: the hardened parse with reason codes, and a small navigator over one namespace.

`parse_packet_xml` is the only way the readers parse XML: it refuses by size (oversize), DOCTYPE and ENTITY
declarations (doctype) and anything `edms.core.xml.parse_xml` refuses (not_xml: not well formed, nested too deep…).
`Node` walks elements of the document's namespace by local name and reads namespace-qualified attributes (falling
back to unqualified ones), and turns texts into typed values tolerantly: an unreadable date or number is None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from edms.core.xml import UnsafeXml, parse_xml
from edms.exchange.packets.errors import PacketRejected

_DOCTYPE = re.compile(rb'<!DOCTYPE|<!ENTITY', re.IGNORECASE)
_GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
_TRUE = {'true', '1'}
_FALSE = {'false', '0'}


def parse_packet_xml(data: bytes, *, what: str, max_size: int) -> etree._Element:
    """The root element of `data`, or PacketRejected with reason oversize, doctype or not_xml."""
    if len(data) > max_size:
        raise PacketRejected('oversize', f'{what} больше допустимых {max_size} байт.')
    if _DOCTYPE.search(data):
        raise PacketRejected('doctype', f'{what}: объявления DOCTYPE и ENTITY не допускаются.')
    try:
        return parse_xml(data, what=what, max_size=max_size)
    except UnsafeXml as error:
        reason = 'doctype' if 'DOCTYPE' in error.message else 'not_xml'
        raise PacketRejected(reason, error.message) from None


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ''


def namespace_of(element: etree._Element) -> str:
    return etree.QName(element).namespace or ''


def normalize_guid(value: str | None) -> str | None:
    """A GUID in lower case (GUIDs are compared case-insensitively), or None when absent or malformed."""
    if value is None:
        return None
    lowered = value.strip().lower()
    return lowered if _GUID.match(lowered) else None


def parse_date(value: str | None) -> date | None:
    """xsd:date («2023-06-22», with or without a zone), an xsd:dateTime's date, or ДД.ММ.ГГГГ; else None."""
    if not value:
        return None
    text = value.strip()
    moment = parse_datetime(text)
    if moment is not None:
        return moment.date()
    for candidate in (text[:10], text):
        for pattern in ('%Y-%m-%d', '%d.%m.%Y'):
            try:
                return datetime.strptime(candidate, pattern).date()
            except ValueError:
                continue
    return None


def parse_datetime(value: str | None) -> datetime | None:
    """An xsd:dateTime as written (aware when it carries a zone, naive when it does not), else None."""
    if not value:
        return None
    text = value.strip()
    if 'T' not in text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Node:
    """One element and the namespace its children are looked up in."""

    element: etree._Element
    ns: str

    @classmethod
    def root(cls, element: etree._Element) -> Node:
        return cls(element, namespace_of(element))

    @property
    def name(self) -> str:
        return local_name(self.element)

    def _tag(self, name: str) -> str:
        return f'{{{self.ns}}}{name}' if self.ns else name

    def child(self, path: str) -> Node | None:
        """The first element at `path` («a/b/c», local names in this namespace), or None."""
        node: Node | None = self
        for part in path.split('/'):
            if node is None:
                return None
            found = node.element.find(node._tag(part))
            node = Node(found, self.ns) if found is not None else None
        return node

    def children(self, path: str) -> list[Node]:
        """Every element at `path`; only the last step may repeat."""
        head, _, last = path.rpartition('/')
        parent = self.child(head) if head else self
        if parent is None:
            return []
        return [Node(found, self.ns) for found in parent.element.findall(parent._tag(last))]

    def elements(self) -> Iterator[Node]:
        """The child elements in this namespace, in order."""
        for found in self.element:
            if isinstance(found.tag, str) and namespace_of(found) == self.ns:
                yield Node(found, self.ns)

    def own_text(self) -> str | None:
        text = (self.element.text or '').strip()
        return text or None

    def text(self, path: str) -> str | None:
        """The stripped text at `path`; None when absent or empty."""
        node = self.child(path)
        return node.own_text() if node is not None else None

    def attr(self, name: str) -> str | None:
        """The namespace-qualified attribute `name` (the unqualified one when absent), stripped; None when empty."""
        value = self.element.get(self._tag(name))
        if value is None:
            value = self.element.get(name)
        value = (value or '').strip()
        return value or None

    def integer(self, path: str) -> int | None:
        text = self.text(path)
        return int(text) if text is not None and text.isascii() and text.isdigit() else None

    def decimal(self, path: str) -> float | None:
        text = self.text(path)
        try:
            return float(text.replace(',', '.')) if text is not None else None
        except ValueError:
            return None

    def boolean(self, path: str) -> bool | None:
        text = (self.text(path) or '').lower()
        return True if text in _TRUE else False if text in _FALSE else None

    def date_of(self, path: str) -> date | None:
        return parse_date(self.text(path))

    def moment(self, path: str) -> datetime | None:
        return parse_datetime(self.text(path))
